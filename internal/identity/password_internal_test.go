package identity

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

func TestPasswordHashFormat(t *testing.T) {
	h, err := hashPassword("s3cret password")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Fatalf("not a PHC argon2id string: %s", h)
	}
	h2, _ := hashPassword("s3cret password")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt?")
	}
	for pw, want := range map[string]bool{"s3cret password": true, "s3cret passwore": false, "": false} {
		ok, err := checkPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("check(%q) = %v, %v", pw, ok, err)
		}
	}
	// Hashes made with other parameters still verify.
	old := "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
	if _, err := checkPassword(old+"AAAA", "x"); err != nil {
		t.Fatalf("other parameters: %v", err)
	}
	for _, bad := range []string{"plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA"} {
		if _, err := checkPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	if ok, err := checkPassword("", "anything"); ok || err != nil {
		t.Fatal("an account without a password matched")
	}
}

func TestNormalize(t *testing.T) {
	phones := map[string]string{
		"+49 30 1234567":     "+49301234567",
		"0049 (30) 123-4567": "+49301234567",
		"+1 415.555.0123":    "+14155550123",
		"030 1234567":        "",
		"+49 30 12x4567":     "",
		"+0 1234 5678":       "",
		"+1234567":           "",
		"+1234567890123456":  "",
	}
	for in, want := range phones {
		got, err := NormalizePhone(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	emails := map[string]string{
		" Ada@Example.COM ":       "ada@example.com",
		"a.b+tag@sub.example.org": "a.b+tag@sub.example.org",
		"Ada <ada@example.com>":   "",
		"no-at-sign":              "",
		"two@@example.com":        "",
		"":                        "",
	}
	for in, want := range emails {
		got, err := NormalizeEmail(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if network("192.0.2.77") != "192.0.2.0/24" || network("2001:db8:1:2::5") != "2001:db8:1::/48" || network("::ffff:192.0.2.9") != "192.0.2.0/24" {
		t.Fatal("network prefixes")
	}
}

// BenchmarkHashPassword measures one argon2id hash with the production
// parameters (go test -run - -bench HashPassword ./internal/identity).
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		pw   string
		code string // "" = accepted
	}{
		{"short", CodePasswordTooShort},
		{strings.Repeat("x", MaxPasswordLen) + "y", CodePasswordTooLong},
		{"12345678", CodePasswordCommon},
		{"password", CodePasswordCommon},
		{"PassWord", CodePasswordCommon},
		{"qwertyuiop", CodePasswordCommon},
		{"iloveyou", CodePasswordCommon},
		{"1qaz2wsx", CodePasswordCommon},
		{"aaaaaaaaaaaa", CodePasswordCommon},
		{"\x00\x00\x00\x00\x00\x00\x00\x00", CodePasswordControl},
		{"good pass\tphrase", CodePasswordControl},
		{"line one\nline two", CodePasswordControl},
		{"evil\u202egnp.exe pass", CodePasswordControl},
		{"zero\u200bwidth joiner", CodePasswordControl},
		{"bad utf8 \xff\xfe here", CodePasswordControl},
		{"          ", CodePasswordBlank},
		{"\u3000\u3000\u3000\u3000", CodePasswordBlank},
		{"correct horse battery", ""},
		{"new password 1", ""},
		{"long enough", ""},
		{"春眠不觉晓处处闻啼鸟", ""},
		{"  spaced but fine  ", ""},
	}
	for _, c := range cases {
		err := checkNewPassword("password", c.pw)
		got := ""
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("%q: %v is not an apperr", c.pw, err)
			}
			got = ae.Code
			if ae.Kind != apperr.KindInvalid || ae.Details["field"] != "password" || ae.Message == "" {
				t.Errorf("%q: %+v", c.pw, ae)
			}
		}
		if got != c.code {
			t.Errorf("%q: code %q, want %q", c.pw, got, c.code)
		}
	}
	if n := len(commonPasswords()); n < 10000 {
		t.Fatalf("only %d common passwords of the minimum length are known", n)
	}
}
