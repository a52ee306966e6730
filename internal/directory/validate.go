package directory

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// text trims s and checks its length in characters.
func text(field, s string, min, max int) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return "", apperr.InvalidField(field, field+" is required")
		}
		return "", apperr.InvalidField(field, field+" is too short")
	}
	if n > max {
		return "", apperr.InvalidField(field, field+" is too long").With("max", max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", apperr.InvalidField(field, field+" must not contain control characters")
		}
	}
	return s, nil
}

// normEmail checks and normalizes an email address ("" stays "").
func normEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s, "@") {
		return "", apperr.InvalidField(field, field+" must be an email address")
	}
	return strings.ToLower(s), nil
}

// normPhone keeps a leading + and the digits of a phone number ("" stays "").
func normPhone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", apperr.InvalidField(field, field+" must be a phone number")
		}
	}
	out := b.String()
	digits := strings.TrimPrefix(out, "+")
	if len(digits) < 3 || len(digits) > 20 {
		return "", apperr.InvalidField(field, field+" must be a phone number")
	}
	return out, nil
}

// looksLikePhone reports whether a search query is a phone number.
func looksLikePhone(q string) (string, bool) {
	p, err := normPhone("q", q)
	if err != nil || len(strings.TrimPrefix(p, "+")) < 5 {
		return "", false
	}
	return p, true
}

// date checks a YYYY-MM-DD date ("" stays "").
func date(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return "", apperr.InvalidField(field, field+" must be a date (YYYY-MM-DD)")
	}
	return s, nil
}

// pageLimit clamps a requested page size.
func pageLimit(n int) int {
	if n <= 0 {
		return 50
	}
	if n > 200 {
		return 200
	}
	return n
}
