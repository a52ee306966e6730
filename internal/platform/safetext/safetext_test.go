package safetext_test

import (
	"errors"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		in   string
		char string
		off  int
	}{
		{"report.pdf", "", 0},
		{"会议纪要 2026.docx", "", 0},
		{"résumé — final.pdf", "", 0},
		{"👨\u200d👩\u200d👧 family", "", 0},     // ZWJ emoji sequence
		{"می\u200cخواهم", "", 0},              // ZWNJ in Persian
		{"invoice\u202efdp.exe", "U+202E", 7}, // right-to-left override
		{"a\u202db", "U+202D", 1},             // left-to-right override
		{"x\u2066y\u2069", "U+2066", 1},       // isolates
		{"\u200fname", "U+200F", 0},           // right-to-left mark
		{"\u061cname", "U+061C", 0},           // Arabic letter mark
		{"two\nlines", "U+000A", 3},           // newline
		{"tab\there", "U+0009", 3},            // tab
		{"nul\x00", "U+0000", 3},              // NUL
		{"del\x7f", "U+007F", 3},              // DEL
		{"c1\u0085", "U+0085", 2},             // next line (C1)
		{"sep\u2028", "U+2028", 3},            // line separator
		{"\ufeffbom", "U+FEFF", 0},            // byte-order mark
		{"ann\ufff9", "U+FFF9", 3},            // interlinear annotation
		{"bad\xffutf8", "U+FFFD", 3},          // invalid UTF-8
		{"ok\ufffdreplacement", "", 0},        // a real U+FFFD is a character
	} {
		err := safetext.Check("name", tc.in)
		if tc.char == "" {
			if err != nil {
				t.Errorf("Check(%q) = %v, want nil", tc.in, err)
			}
			continue
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.KindInvalid || ae.Code != "unsafe_characters" {
			t.Errorf("Check(%q) = %v, want unsafe_characters", tc.in, err)
			continue
		}
		if ae.Details["character"] != tc.char || ae.Details["offset"] != tc.off || ae.Details["field"] != "name" {
			t.Errorf("Check(%q) details %v, want %s at %d", tc.in, ae.Details, tc.char, tc.off)
		}
	}
}

func TestField(t *testing.T) {
	for _, c := range []struct {
		in        string
		multiline bool
		want      string
		code      string
	}{
		{"  a title  ", false, "a title", ""},
		{"", false, "", "invalid_field"},
		{"   ", false, "", "invalid_field"},
		{"twelve chars", false, "", "invalid_field"}, // over max 10
		{"one\ntwo", false, "", "invalid_field"},
		{"one\ntwo\tthree", true, "one\ntwo\tthree", ""},
		{"bell\a", true, "", "invalid_field"},
		{"\xff\xfe", false, "", "invalid_field"},
	} {
		max := 100
		if c.in == "twelve chars" {
			max = 10
		}
		got, err := safetext.Field("title", c.in, 1, max, c.multiline)
		if bad := (c.code == "" && (err != nil || got != c.want)) || (c.code != "" && apperr.CodeOf(err) != c.code); bad {
			t.Errorf("Field(%q, multiline %v) = %q, %v; want %q, code %q", c.in, c.multiline, got, err, c.want, c.code)
		}
	}
}
