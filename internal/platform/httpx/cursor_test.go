package httpx_test

import (
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

func TestCursor(t *testing.T) {
	// What String writes, ParseCursor reads back, text keys and all.
	for _, c := range []httpx.Cursor{{Key: "zhang san", ID: "mem_1"}, httpx.IntCursor(1700000000123, "msg_2"), {ID: "lgn_3"}} {
		s := c.String()
		if strings.ContainsAny(s, "+/=:. ") {
			t.Errorf("%+v encodes as %q, not URL-safe", c, s)
		}
		got, err := httpx.ParseCursor(s, nil)
		if err != nil || got != c {
			t.Errorf("ParseCursor(%q) = %+v, %v; want %+v", s, got, err, c)
		}
	}
	if n, ok := httpx.IntCursor(-5, "x").Int(); !ok || n != -5 {
		t.Errorf("Int = %d %v", n, ok)
	}
	if _, ok := (httpx.Cursor{Key: "abc", ID: "x"}).Int(); ok {
		t.Error("a text key read as a number")
	}
	// "" is the first page.
	if c, err := httpx.ParseCursor("", nil); err != nil || c != (httpx.Cursor{}) {
		t.Errorf("empty cursor: %+v %v", c, err)
	}
	// A list's older form is read by its legacy function; anything else is
	// 400 invalid_cursor.
	legacy := func(v string) (httpx.Cursor, bool) {
		at, id, ok := strings.Cut(v, ":")
		return httpx.Cursor{Key: at, ID: id}, ok
	}
	if c, err := httpx.ParseCursor("17:ann_1", legacy); err != nil || c != (httpx.Cursor{Key: "17", ID: "ann_1"}) {
		t.Errorf("legacy cursor: %+v %v", c, err)
	}
	for _, bad := range []string{"garbage!", "17:ann_1", "eyJrIjoieCJ9" /* {"k":"x"}: no id */} {
		_, err := httpx.ParseCursor(bad, nil)
		if apperr.CodeOf(err) != "invalid_cursor" || apperr.KindOf(err) != apperr.KindInvalid {
			t.Errorf("ParseCursor(%q) = %v", bad, err)
		}
	}
	// ParseIntCursor: an IntCursor, or the "<number>:<id>" of before.
	for _, c := range []string{httpx.IntCursor(17, "rpt_1").String(), "17:rpt_1"} {
		if n, id, err := httpx.ParseIntCursor(c); err != nil || n != 17 || id != "rpt_1" {
			t.Errorf("ParseIntCursor(%q) = %d %q %v", c, n, id, err)
		}
	}
	if _, _, err := httpx.ParseIntCursor("x:rpt_1"); apperr.CodeOf(err) != "invalid_cursor" {
		t.Errorf("text key: %v", err)
	}
}
