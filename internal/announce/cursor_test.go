package announce

import (
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// The lists read the cursors they hand out and the "<time>:<id>" ones
// they handed out before, which clients may still hold.
func TestParseCursor(t *testing.T) {
	for _, c := range []string{httpx.IntCursor(1700000000123, "ann_1").String(), "1700000000123:ann_1"} {
		at, id, err := parseCursor(c)
		if err != nil || at != 1700000000123 || id != "ann_1" {
			t.Errorf("parseCursor(%q) = %d %q %v", c, at, id, err)
		}
	}
	if at, id, err := parseCursor(""); err != nil || at != 0 || id != "" {
		t.Errorf("first page: %d %q %v", at, id, err)
	}
	for _, bad := range []string{"x:ann_1", "17:", "17", httpx.Cursor{Key: "soon", ID: "ann_1"}.String()} {
		if _, _, err := parseCursor(bad); apperr.CodeOf(err) != "invalid_cursor" {
			t.Errorf("parseCursor(%q) = %v", bad, err)
		}
	}
}
