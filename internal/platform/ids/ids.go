// Package ids makes the identifiers of Atrium objects: opaque, not
// sequential across tenants (UUIDv7: time-ordered for index locality, with
// 74 random bits), written as 32 lowercase hex digits with a type prefix
// ("msg_…"), so that an id says what it names in logs and URLs.
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// New returns a new id with the given prefix, e.g. New("acc") → "acc_0193…".
func New(prefix string) string {
	u := uuid.Must(uuid.NewV7())
	return prefix + "_" + hex.EncodeToString(u[:])
}

// HasPrefix reports whether id looks like an id of the given prefix.
func HasPrefix(id, prefix string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || len(rest) != 32 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil
}

// Token returns n random bytes as URL-safe hex, for secrets (session tokens,
// invitation codes): never derived from time.
func Token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
