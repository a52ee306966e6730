package datamap_test

import (
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
)

// CheckTexts fails a table shown to people without English and Chinese
// words for it, and passes it once they are there; tables shown to nobody
// (no personal data, no subject, a derived index) need none.
func TestCheckTextsCatchesMissingWords(t *testing.T) {
	bare := notes
	got := datamap.CheckTexts([]datamap.Table{bare})
	if len(got) != 2 || !strings.Contains(got[0], "notes") {
		t.Fatalf("a table without words: %q", got)
	}
	half := notes
	half.Title = datamap.Text{En: "Your notes"}
	half.Why = datamap.Text{Zh: "你写下的笔记。"}
	if got := datamap.CheckTexts([]datamap.Table{half}); len(got) != 1 || !strings.Contains(got[0], "Title") {
		t.Fatalf("a table without a Chinese title: %q", got)
	}
	half.Title.Zh = "你的笔记"
	if got := datamap.CheckTexts([]datamap.Table{half}); len(got) != 0 {
		t.Fatalf("a complete table: %q", got)
	}
	index := notes
	index.Derived = true
	system := datamap.Table{Name: "settings", Controller: datamap.System, Purpose: "Settings.", Technical: []string{"id"}, Erasure: datamap.Delete}
	if got := datamap.CheckTexts([]datamap.Table{index, system}); len(got) != 0 {
		t.Fatalf("tables shown to nobody: %q", got)
	}
}
