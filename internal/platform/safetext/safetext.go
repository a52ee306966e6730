// Package safetext decides which characters a name shown to other people may
// hold. A file called "invoice\u202Efdp.exe" displays as "invoiceexe.pdf":
// bidirectional formatting characters let a name say one thing and be
// another, and control characters break the lines and logs it is shown in.
// Names with them are refused (400 unsafe_characters) rather than quietly
// rewritten, so that what the sender typed is what everyone sees.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Unsafe returns the first character of s that a name must not hold, and
// its byte offset: invalid UTF-8 (as utf8.RuneError); control characters
// (C0 including tab and newline, DEL, C1); the bidirectional formatting
// characters U+061C, U+200E, U+200F, U+202A–U+202E and U+2066–U+2069; the
// line and paragraph separators U+2028 and U+2029; U+FEFF; and the
// interlinear annotation characters U+FFF9–U+FFFB. The zero-width joiner
// and non-joiner stay allowed: emoji sequences and Persian and Indic
// writing need them.
func Unsafe(s string) (r rune, offset int, found bool) {
	for i, c := range s {
		if c == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return c, i, true
			}
		}
		if unsafeRune(c) {
			return c, i, true
		}
	}
	return 0, 0, false
}

func unsafeRune(c rune) bool {
	switch {
	case c < 0x20, c >= 0x7f && c <= 0x9f:
		return true
	case c == 0x061c, c == 0x200e, c == 0x200f:
		return true
	case c >= 0x202a && c <= 0x202e, c >= 0x2066 && c <= 0x2069:
		return true
	case c == 0x2028, c == 0x2029, c == 0xfeff:
		return true
	case c >= 0xfff9 && c <= 0xfffb:
		return true
	}
	return false
}

// Check returns nil when s is a safe name, or 400 unsafe_characters naming
// field, the character (as "U+202E") and its byte offset.
func Check(field, s string) error {
	r, off, found := Unsafe(s)
	if !found {
		return nil
	}
	return apperr.Invalid("unsafe_characters", fmt.Sprintf("%s holds a control or text-direction character (U+%04X) that could disguise it", field, r)).
		With("field", field).With("character", fmt.Sprintf("U+%04X", r)).With("offset", off)
}

// Field trims v and checks it as the value of a text field: between min
// and max characters (400 invalid_field otherwise), valid UTF-8, and no
// control characters — except line breaks and tabs when multiline. It
// returns the trimmed value.
func Field(field, v string, min, max int, multiline bool) (string, error) {
	v = strings.TrimSpace(v)
	n := utf8.RuneCountInString(v)
	if n < min {
		return "", apperr.InvalidField(field, field+" is required")
	}
	if n > max {
		return "", apperr.InvalidField(field, field+" is too long").With("max", max)
	}
	for _, r := range v {
		if r == utf8.RuneError || (unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r'))) {
			return "", apperr.InvalidField(field, field+" must not contain control characters")
		}
	}
	return v, nil
}
