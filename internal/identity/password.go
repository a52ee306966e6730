package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/crypto/argon2"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Password hashing: argon2id (RFC 9106) with the OWASP Password Storage Cheat
// Sheet's configuration of m = 19 MiB, t = 2 iterations, p = 1 lane, a
// 16-byte random salt and a 32-byte key. One hash took 42–102 ms on the
// 2-core development machine under load (go test -run - -bench HashPassword
// ./internal/identity), and each in flight holds 19 MiB; hashSem caps how
// many run at once, so a burst of logins queues instead of exhausting
// memory. Hashes are stored in the PHC string format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 no padding>$<key, base64 no padding>
//
// so stronger parameters can be adopted later: old hashes still verify with
// the parameters they carry (and could be rehashed at the next login).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16

	// MinPasswordLen and MaxPasswordLen bound new passwords (bytes). The
	// maximum keeps a request from making the server hash megabytes.
	MinPasswordLen = 8
	MaxPasswordLen = 256
)

var hashSem = make(chan struct{}, max(2, 2*runtime.GOMAXPROCS(0)))

// hashPassword returns the PHC string of password.
func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	hashSem <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashSem
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("identity: malformed password hash")

// checkPassword reports whether password matches the PHC string encoded.
// An empty encoded hash (an account without a password) matches nothing.
func checkPassword(encoded, password string) (bool, error) {
	if encoded == "" {
		dummyHash(password)
		return false, nil
	}
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, errBadHash
	}
	hashSem <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-hashSem
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummySalt makes dummyHash cost what a real check costs.
var dummySalt = make([]byte, argonSaltLen)

// dummyHash spends the time of one password check, so that answers for
// unknown accounts take as long as answers for wrong passwords.
func dummyHash(password string) {
	hashSem <- struct{}{}
	_ = argon2.IDKey([]byte(password), dummySalt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashSem
}

// The password policy (NIST SP 800-63B §5.1.1.2): a new password has
// MinPasswordLen to MaxPasswordLen bytes, no control characters, is not
// blank, and is not one of the passwords most often found in breaches.
// Each refusal has its own stable error code, so clients can show a message
// in the person's language.
const (
	CodePasswordTooShort = "password_too_short"
	CodePasswordTooLong  = "password_too_long"
	CodePasswordControl  = "password_control_characters"
	CodePasswordBlank    = "password_blank"
	CodePasswordCommon   = "password_common"
)

// checkPasswordPolicy returns the first rule pw breaks, or nil.
func checkPasswordPolicy(pw string) *apperr.Error {
	if len(pw) < MinPasswordLen {
		return apperr.Invalid(CodePasswordTooShort, fmt.Sprintf("the password must have at least %d characters", MinPasswordLen)).With("min_length", MinPasswordLen)
	}
	if len(pw) > MaxPasswordLen {
		return apperr.Invalid(CodePasswordTooLong, fmt.Sprintf("the password must have at most %d bytes", MaxPasswordLen)).With("max_length", MaxPasswordLen)
	}
	if !utf8.ValidString(pw) {
		return apperr.Invalid(CodePasswordControl, "the password must be text without control characters")
	}
	for _, r := range pw {
		// Cc (NUL, tabs, newlines, DEL, C1) and the invisible format
		// characters (zero-width joiners, bidi overrides: Cf) cannot be
		// typed reliably and hide what the password is.
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return apperr.Invalid(CodePasswordControl, "the password must not contain control or invisible characters")
		}
	}
	if strings.TrimFunc(pw, unicode.IsSpace) == "" {
		return apperr.Invalid(CodePasswordBlank, "the password must not be only spaces")
	}
	if isCommonPassword(pw) {
		return apperr.Invalid(CodePasswordCommon, "this password is one of the most common ones and is guessed first; choose another")
	}
	return nil
}

// commonPasswords is the set of the 30,000 passwords found most often in
// breach corpora (the "passwords" list zxcvbn ships, from Mark Burnett's
// 10 million leaked passwords), lower-cased. It is built on first use: the
// list is part of the binary, so the check works offline.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	list := frequency.FrequencyLists["passwords"]
	m := make(map[string]struct{}, len(list))
	for _, p := range list {
		if len(p) >= MinPasswordLen {
			m[strings.ToLower(p)] = struct{}{}
		}
	}
	return m
})

// isCommonPassword reports whether pw, ignoring case and surrounding
// spaces, is on the list of common passwords, or is one character repeated.
func isCommonPassword(pw string) bool {
	p := strings.ToLower(strings.TrimSpace(pw))
	if _, ok := commonPasswords()[p]; ok {
		return true
	}
	first, _ := utf8.DecodeRuneInString(p)
	return strings.Trim(p, string(first)) == ""
}
