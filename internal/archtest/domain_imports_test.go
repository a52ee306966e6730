package archtest

import (
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// sharedDomains are the domain packages every other domain may import. Only
// the audit log is: every domain records its admin and privacy actions
// there in the same transaction as the action, audit imports no domain
// back, and it keeps its own tables and routes, so it stays a domain
// rather than moving into the kernel. CONTRIBUTING.md ("Dependencies")
// states the rule; adding a name here needs the same reasoning there.
var sharedDomains = map[string]bool{"audit": true}

// domainOf returns the domain a package belongs to (chat for
// internal/chat and internal/chat/anything), or "" outside the domain layer.
func domainOf(pkg string) string {
	if layer(pkg) != "domain" {
		return ""
	}
	rel := strings.TrimPrefix(pkg, module+"/internal/")
	d, _, _ := strings.Cut(rel, "/")
	return d
}

// domainImportViolations lists the imports by which one domain reaches into
// another. A domain may use another only through a small interface it
// declares itself, implemented in internal/server's wiring (DESIGN.md §3).
// External test packages (package chat_test) are black-box tests that
// drive the whole app, and may import any domain; a package's own files,
// in-package tests included, may not.
func domainImportViolations(files []goFile) []string {
	var out []string
	for _, f := range files {
		from := domainOf(f.pkg)
		if from == "" || strings.HasSuffix(f.ast.Name.Name, "_test") {
			continue
		}
		for _, im := range f.imports {
			to := domainOf(im)
			if to == "" || to == from || (sharedDomains[to] && !sharedDomains[from]) {
				continue
			}
			out = append(out, f.rel+" ("+from+") imports "+im+" ("+to+")")
		}
	}
	sort.Strings(out)
	return out
}

// TestNoDomainImportsAnotherDomain enforces that domains meet only in
// internal/server: a file in chat importing directory fails the build.
func TestNoDomainImportsAnotherDomain(t *testing.T) {
	for _, v := range domainImportViolations(parseModule(t)) {
		t.Errorf("%s: a domain asks another only through an interface of its own, wired in internal/server (the audit log is the one shared domain)", v)
	}
}

// TestDomainImportRuleCanFail feeds the rule files that break it and files
// that keep it, so that it cannot silently pass everything.
func TestDomainImportRuleCanFail(t *testing.T) {
	files := []goFile{
		src(t, "internal/chat/service.go", "package chat\nimport _ \""+module+"/internal/directory\"\n"),
		src(t, "internal/chat/inner_test.go", "package chat\nimport _ \""+module+"/internal/identity\"\n"),
		src(t, "internal/audit/audit.go", "package audit\nimport _ \""+module+"/internal/chat\"\n"),
		src(t, "internal/stream/sub/x.go", "package sub\nimport _ \""+module+"/internal/privacy/policy\"\n"),
		// Allowed: the audit log, the own domain, the kernel, black-box tests.
		src(t, "internal/chat/message.go", "package chat\nimport (\n_ \""+module+"/internal/audit\"\n_ \""+module+"/internal/chat/sub\"\n_ \""+module+"/internal/platform/db\"\n)\n"),
		src(t, "internal/chat/http_test.go", "package chat_test\nimport _ \""+module+"/internal/directory\"\n"),
		src(t, "internal/server/wire.go", "package server\nimport _ \""+module+"/internal/chat\"\n"),
	}
	got := domainImportViolations(files)
	want := []string{
		"internal/audit/audit.go (audit) imports " + module + "/internal/chat (chat)",
		"internal/chat/inner_test.go (chat) imports " + module + "/internal/identity (identity)",
		"internal/chat/service.go (chat) imports " + module + "/internal/directory (directory)",
		"internal/stream/sub/x.go (stream) imports " + module + "/internal/privacy/policy (privacy)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// src parses one Go file given as text, as if it sat at rel in the module.
func src(t *testing.T, rel, text string) goFile {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), rel, text, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	gf := goFile{rel: rel, pkg: module + "/" + rel[:strings.LastIndexByte(rel, '/')], test: strings.HasSuffix(rel, "_test.go"), ast: f}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		gf.imports = append(gf.imports, p)
	}
	return gf
}
