package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"

	// The server links every domain package; these are named here as well
	// so that the kernel's registrations run even before a domain uses them.
	_ "github.com/atrium-hq/atrium/internal/audit"
	_ "github.com/atrium-hq/atrium/internal/platform/events"
	_ "github.com/atrium-hq/atrium/internal/platform/keyring"
)

// TestDataMapComplete fails for any table of the migrated schema that is not
// registered in the data map, any column that is neither personal
// (Columns) nor Technical, and any registration that names a table or
// column the schema does not have.
func TestDataMapComplete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cols, err := d.Columns(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		schema := map[string]map[string]bool{}
		for _, c := range cols {
			if schema[c.Table] == nil {
				schema[c.Table] = map[string]bool{}
			}
			schema[c.Table][c.Column] = true
		}
		var tables []string
		for name := range schema {
			tables = append(tables, name)
		}
		sort.Strings(tables)
		for _, name := range tables {
			entry, ok := datamap.Lookup(name)
			if !ok {
				t.Errorf("table %s is not registered in the data map (datamap.Register in its package's datamap.go, and the package wired into internal/server)", name)
				continue
			}
			var colNames []string
			for c := range schema[name] {
				colNames = append(colNames, c)
			}
			sort.Strings(colNames)
			for _, c := range colNames {
				if !entry.Classified(c) {
					t.Errorf("column %s.%s is neither in Columns (personal, with a category) nor in Technical", name, c)
				}
			}
		}
		for _, entry := range datamap.All() {
			cols, ok := schema[entry.Name]
			if !ok {
				if !entry.Derived {
					t.Errorf("data map registers table %s, which the schema does not have", entry.Name)
				}
				continue
			}
			for c := range entry.Columns {
				if !cols[c] {
					t.Errorf("data map classifies %s.%s, which the schema does not have", entry.Name, c)
				}
				for _, tc := range entry.Technical {
					if tc == c {
						t.Errorf("column %s.%s is both personal and technical", entry.Name, c)
					}
				}
			}
			for _, c := range entry.Technical {
				if !cols[c] {
					t.Errorf("data map lists technical column %s.%s, which the schema does not have", entry.Name, c)
				}
			}
			for _, c := range entry.Subject {
				if !cols[c] {
					t.Errorf("data map names subject column %s.%s, which the schema does not have", entry.Name, c)
				}
				if _, personal := entry.Columns[c]; !personal {
					t.Errorf("subject column %s.%s must be classified in Columns (it identifies a person)", entry.Name, c)
				}
			}
			// Derived indexes (message_fts) are keyed by the rows they
			// index, not by a person: erasure purges them with those rows.
			if entry.Controller != datamap.System && !entry.Derived && len(entry.Columns) > 0 && len(entry.Subject) == 0 {
				t.Errorf("table %s holds personal columns but names no subject column", entry.Name)
			}
		}
	})
}

// TestDataMapPackagesAreLinked checks that every package registering tables
// (it has a datamap.go) is linked into the server, so that its registrations
// run in production and not only in tests.
func TestDataMapPackagesAreLinked(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-json=ImportPath", "github.com/atrium-hq/atrium/internal/server").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	linked := map[string]bool{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		linked[p.ImportPath] = true
	}
	root := filepath.Join("..", "..")
	err = filepath.WalkDir(filepath.Join(root, "internal"), func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || de.Name() != "datamap.go" {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := "github.com/atrium-hq/atrium/" + filepath.ToSlash(rel)
		if pkg != "github.com/atrium-hq/atrium/internal/platform/datamap" && !linked[pkg] {
			t.Errorf("%s registers tables but the server does not link it: wire it in internal/server", pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
