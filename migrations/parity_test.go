package migrations_test

import (
	"context"

	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/migrations"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestMigrationFilesPaired checks that every migration exists for both
// databases under the same name.
func TestMigrationFilesPaired(t *testing.T) {
	names := map[string]map[string]bool{}
	for _, kind := range []string{"sqlite", "postgres"} {
		entries, err := fs.ReadDir(migrations.FS, kind)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if names[e.Name()] == nil {
				names[e.Name()] = map[string]bool{}
			}
			names[e.Name()][kind] = true
		}
	}
	for name, kinds := range names {
		if !kinds["sqlite"] || !kinds["postgres"] {
			t.Errorf("migration %s exists only for %v: add it to both migrations/sqlite and migrations/postgres", name, kinds)
		}
	}
}

// TestSchemaParity migrates a SQLite and a PostgreSQL database and checks
// that they end with the same tables and columns.
func TestSchemaParity(t *testing.T) {
	ctx := context.Background()
	columns := func(kind db.Kind) (map[string]bool, int64) {
		d := dbtest.Open(t, kind)
		cols, err := d.Columns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, err := d.SchemaVersion(ctx, migrations.FS)
		if err != nil {
			t.Fatal(err)
		}
		set := map[string]bool{}
		for _, c := range cols {
			set[c.Table+"."+c.Column] = true
		}
		return set, v
	}
	lite, vl := columns(db.SQLite)
	pg, vp := columns(db.Postgres)
	if vl != vp {
		t.Errorf("schema versions differ: sqlite %d, postgres %d", vl, vp)
	}
	diff := func(a, b map[string]bool) []string {
		var out []string
		for k := range a {
			if !b[k] {
				out = append(out, k)
			}
		}
		return out
	}
	if only := diff(lite, pg); len(only) > 0 {
		t.Errorf("only in SQLite: %s", strings.Join(sorted(only), ", "))
	}
	// The search indexes (messages, drive) are FTS5 virtual tables on
	// SQLite, which the column listing does not show, and plain tables on
	// PostgreSQL.
	for k := range pg {
		if strings.HasPrefix(k, "message_fts.") || strings.HasPrefix(k, "drive_fts.") {
			delete(pg, k)
		}
	}
	if only := diff(pg, lite); len(only) > 0 {
		t.Errorf("only in PostgreSQL: %s", strings.Join(sorted(only), ", "))
	}
	if len(lite) == 0 {
		t.Error("the migrated schema has no columns")
	}
	t.Logf("%d columns in both at version %d", len(lite), vl)
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}
