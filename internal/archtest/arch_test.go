package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/atrium-hq/atrium"

// goFile is one parsed non-generated Go file of the module.
type goFile struct {
	rel     string // slash path from the module root, e.g. internal/chat/store.go
	pkg     string // import path of its directory
	test    bool
	imports []string
	ast     *ast.File
}

func (f goFile) base() string { return filepath.Base(f.rel) }

// layer says where a package sits: "cmd", "server", "domain", "platform" or
// "other" (migrations, web, tools, this package).
func layer(pkg string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	switch {
	case rel == "cmd" || strings.HasPrefix(rel, "cmd/"):
		return "cmd"
	case rel == "internal/server" || strings.HasPrefix(rel, "internal/server/"):
		return "server"
	case rel == "internal/platform" || strings.HasPrefix(rel, "internal/platform/"):
		return "platform"
	case rel == "internal/archtest":
		return "other"
	case strings.HasPrefix(rel, "internal/"):
		return "domain"
	}
	return "other"
}

func parseModule(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s", root)
	}
	fset := token.NewFileSet()
	var files []goFile
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "node_modules", "testdata", "vendor", ".git", "dist":
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module (tools/)
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			// A file being written by someone else; the compiler reports it.
			t.Logf("skipping %s: %v", path, err)
			return nil
		}
		if ast.IsGenerated(f) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		gf := goFile{rel: rel, pkg: module + "/" + filepath.ToSlash(filepath.Dir(rel)), test: strings.HasSuffix(path, "_test.go"), ast: f}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			gf.imports = append(gf.imports, p)
		}
		files = append(files, gf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestDependencyDirection enforces cmd → server → domain → platform.
func TestDependencyDirection(t *testing.T) {
	for _, f := range parseModule(t) {
		if f.test {
			continue
		}
		from := layer(f.pkg)
		for _, im := range f.imports {
			if !strings.HasPrefix(im, module+"/") {
				continue
			}
			to := layer(im)
			bad := false
			switch from {
			case "platform":
				bad = to == "domain" || to == "server" || to == "cmd"
			case "domain":
				bad = to == "server" || to == "cmd"
			case "server":
				bad = to == "cmd"
			}
			if from != "cmd" && to == "cmd" {
				bad = true
			}
			if bad {
				t.Errorf("%s (%s) imports %s (%s): dependencies go cmd → server → domain → platform", f.rel, from, im, to)
			}
		}
	}
}

// isStore reports whether a domain file may hold SQL.
func isStore(base string) bool {
	return base == "store.go" || strings.HasPrefix(base, "store_") || strings.HasSuffix(base, "_store.go")
}

// isHTTP reports whether a domain file is one of its handler files.
func isHTTP(base string) bool {
	return base == "http.go" || strings.HasPrefix(base, "http_") || strings.HasSuffix(base, "_http.go")
}

// httpDomains are the domain packages that are HTTP all through, and why.
var httpDomains = map[string]string{
	module + "/internal/stream": "the real-time gateway upgrades HTTP requests to WebSockets",
}

// layerViolations lists the domain files that import net/http outside the
// handler files, or database/sql outside the store files. A domain's rules
// live in service.go and one file per concept (message.go, session.go, …):
// none of them sees a request, so that each is callable without one.
func layerViolations(files []goFile) []string {
	var out []string
	for _, f := range files {
		if f.test || layer(f.pkg) != "domain" {
			continue
		}
		b := f.base()
		for _, im := range f.imports {
			switch {
			case im == "net/http" && !isHTTP(b) && httpDomains[f.pkg] == "":
				out = append(out, f.rel+" imports net/http: HTTP belongs in the package's http.go")
			case im == "database/sql" && !isStore(b):
				out = append(out, f.rel+" imports database/sql: SQL belongs in the package's store.go")
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestNoHTTPBelowHandlers keeps net/http in a domain's handler files and
// database/sql in its store files.
func TestNoHTTPBelowHandlers(t *testing.T) {
	for _, v := range layerViolations(parseModule(t)) {
		t.Error(v)
	}
}

// TestLayerRuleCanFail feeds the rule files that break it and files that
// keep it, so that it cannot silently pass everything.
func TestLayerRuleCanFail(t *testing.T) {
	files := []goFile{
		src(t, "internal/chat/service.go", "package chat\nimport _ \"net/http\"\n"),
		src(t, "internal/identity/session.go", "package identity\nimport _ \"net/http\"\n"),
		src(t, "internal/chat/message.go", "package chat\nimport _ \"database/sql\"\n"),
		// Allowed: handler files, stores, tests, the gateway, the kernel.
		src(t, "internal/chat/http.go", "package chat\nimport _ \"net/http\"\n"),
		src(t, "internal/directory/http_members.go", "package directory\nimport _ \"net/http\"\n"),
		src(t, "internal/chat/store.go", "package chat\nimport _ \"database/sql\"\n"),
		src(t, "internal/chat/chat_test.go", "package chat\nimport _ \"net/http\"\n"),
		src(t, "internal/stream/serve.go", "package stream\nimport _ \"net/http\"\n"),
		src(t, "internal/platform/httpx/httpx.go", "package httpx\nimport _ \"net/http\"\n"),
	}
	got := layerViolations(files)
	want := []string{
		"internal/chat/message.go imports database/sql: SQL belongs in the package's store.go",
		"internal/chat/service.go imports net/http: HTTP belongs in the package's http.go",
		"internal/identity/session.go imports net/http: HTTP belongs in the package's http.go",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// sqlStatement matches string literals that are SQL statements.
var sqlStatement = regexp.MustCompile(`(?s)^\s*(SELECT\s.+\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX)\s|WITH\s+\w+\s+AS\s*\()`)

// TestNoSQLOutsideStores finds SQL statements written in a domain package
// anywhere but its store files.
func TestNoSQLOutsideStores(t *testing.T) {
	for _, f := range parseModule(t) {
		if f.test || layer(f.pkg) != "domain" || isStore(f.base()) {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && sqlStatement.MatchString(s) {
				t.Errorf("%s holds SQL (%.40q…): move it to the package's store.go", f.rel, strings.TrimSpace(s))
			}
			return true
		})
	}
}

// TestRulesSeeTheCode guards the tests above against silently checking
// nothing (a wrong root, a renamed layer).
func TestRulesSeeTheCode(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range parseModule(t) {
		seen[layer(f.pkg)] = true
	}
	for _, l := range []string{"cmd", "server", "domain", "platform"} {
		if !seen[l] {
			t.Errorf("no %s package found: the layer rules would check nothing", l)
		}
	}
	if !sqlStatement.MatchString("SELECT a FROM t") || !sqlStatement.MatchString("\n\t\tINSERT INTO t (a) VALUES ($1)") || sqlStatement.MatchString("Select a department") {
		t.Error("the SQL pattern does not recognize SQL")
	}
}

// tableOwners reads, from every package's datamap.go, the tables it
// registers (datamap.Table literals with a Name), by table name.
func tableOwners(files []goFile) map[string]string {
	owners := map[string]string{}
	for _, f := range files {
		if f.test || f.base() != "datamap.go" {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := cl.Type.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Table" {
				return true
			}
			for _, el := range cl.Elts {
				kv, ok := el.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Name" {
					if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if name, err := strconv.Unquote(lit.Value); err == nil {
							owners[name] = f.pkg
						}
					}
				}
			}
			return true
		})
	}
	return owners
}

// sqlTable finds the tables an SQL text reads or writes.
var sqlTable = regexp.MustCompile(`(?i)\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)\b`)

// foreignTables returns the tables named by SQL in s that another package
// than pkg registers.
func foreignTables(s, pkg string, owners map[string]string) []string {
	var out []string
	for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
		t := strings.ToLower(m[1])
		if owner, ok := owners[t]; ok && owner != pkg {
			out = append(out, t+" (registered by "+strings.TrimPrefix(owner, module+"/")+")")
		}
	}
	return out
}

// TestNoSQLNamingAnotherDomainsTables keeps each domain's SQL to its own
// tables (DESIGN.md §3): a domain reaches another's data, the kernel's
// included, only through that package's Go API or the privacy contract,
// never by naming its tables. Table ownership is read from the datamap.go
// registrations of every package.
func TestNoSQLNamingAnotherDomainsTables(t *testing.T) {
	files := parseModule(t)
	owners := tableOwners(files)
	if len(owners) < 20 {
		t.Fatalf("found only %d registered tables: the datamap.go parser sees nothing", len(owners))
	}
	for _, f := range files {
		if f.test || layer(f.pkg) != "domain" {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !sqlTable.MatchString(s) {
				return true
			}
			for _, ft := range foreignTables(s, f.pkg, owners) {
				t.Errorf("%s: SQL names %s: ask that package (or its privacy contract) instead", f.rel, ft)
			}
			return true
		})
	}
}

// TestSQLNamingRuleCanFail shows the rule above catching chat reading the
// directory's members table, and leaving chat's own tables alone.
func TestSQLNamingRuleCanFail(t *testing.T) {
	owners := map[string]string{"members": module + "/internal/directory", "messages": module + "/internal/chat"}
	chat := module + "/internal/chat"
	if got := foreignTables(`SELECT m.id FROM messages m JOIN members x ON x.account_id = m.sender_id`, chat, owners); len(got) != 1 || !strings.HasPrefix(got[0], "members") {
		t.Errorf("chat joining members: got %q, want members flagged", got)
	}
	if got := foreignTables("DELETE FROM messages WHERE id = $1", chat, owners); len(got) != 0 {
		t.Errorf("chat's own table flagged: %q", got)
	}
}
