package attach_test

import (
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/attach"
)

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":             "report.pdf",
		"../../etc/passwd":       "passwd",
		`C:\Users\me\plan.xlsx`:  "plan.xlsx",
		"a\x00b\"c\n.txt":        "abc.txt",
		"":                       "file",
		"..":                     "file",
		"/":                      "file",
		"  spaced name.doc  ":    "spaced name.doc",
		"会议纪要.docx":              "会议纪要.docx",
		strings.Repeat("长", 200): strings.Repeat("长", 85),
	} {
		if got := attach.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentType(t *testing.T) {
	if got := attach.ContentType(""); got != "application/octet-stream" {
		t.Errorf("empty: %q", got)
	}
	if got := attach.ContentType("image/png"); got != "image/png" {
		t.Errorf("png: %q", got)
	}
}
