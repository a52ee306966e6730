package privacy_test

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/privacy"
)

var update = flag.Bool("update", false, "rewrite generated files (docs/privacy.md's table, golden files)")

const (
	docPath  = "../../docs/privacy.md"
	docBegin = "<!-- BEGIN DATAMAP TABLE -->\n"
	docEnd   = "<!-- END DATAMAP TABLE -->"
)

// TestPrivacyDocUpToDate keeps the table in docs/privacy.md equal to the
// data map (the test binary links every domain through the server).
func TestPrivacyDocUpToDate(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, docBegin), strings.Index(s, docEnd)
	if i < 0 || j < i {
		t.Fatal("docs/privacy.md lacks the data map table markers")
	}
	want := privacy.DataTable()
	if s[i+len(docBegin):j] == want {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(s[:i+len(docBegin)]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("docs/privacy.md's data map table is out of date; run: go test ./internal/privacy -run TestPrivacyDocUpToDate -update")
}

// TestExportHTMLGolden keeps the structure of the offline view stable.
func TestExportHTMLGolden(t *testing.T) {
	data := privacy.ExportData{
		Format: privacy.ExportFormat, GeneratedAt: 1893456000000, AccountID: "acc_1",
		Organizations: []privacy.ExportOrg{{OrgID: "org_1", MemberID: "mem_1", Status: "active"}},
		Sections: []privacy.Section{
			{Table: "accounts", Controller: "person", Purpose: "Sign in.", Categories: []string{"contact"}, Rows: []privacy.Row{{"id": "acc_1", "name": "Ada <b>Lovelace</b>"}}},
			{Table: "messages", Controller: "organization", OrgID: "org_1", Purpose: "Chat.", Categories: []string{"content"}, Retention: "messages", Rows: []privacy.Row{{"body": "<script>alert(1)</script>", "location": map[string]any{"sealed": true}}}},
		},
		Files: []privacy.ExportFile{{Path: "files/chat_files/f1-report.pdf", Table: "chat_files", RowID: "f1", Name: "report.pdf", ContentType: "application/pdf", Size: 42, SHA256: "00"}},
	}
	var buf bytes.Buffer
	if err := privacy.RenderExportHTML(&buf, data); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	if bytes.Contains(bytes.ToLower(got), []byte("<script")) {
		t.Fatal("the offline view contains a script tag")
	}
	const golden = "testdata/export_index.golden.html"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("index.html differs from %s; if the change is intended run: go test ./internal/privacy -run TestExportHTMLGolden -update", golden)
	}
}
