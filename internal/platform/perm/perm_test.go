package perm_test

import (
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/perm"
)

func TestValid(t *testing.T) {
	seen := map[perm.Permission]bool{}
	for _, p := range perm.All {
		if !p.Valid() || seen[p] {
			t.Errorf("%q: valid %v, listed twice %v", p, p.Valid(), seen[p])
		}
		seen[p] = true
	}
	for _, p := range []perm.Permission{"", "audit.read", "Manage_Members"} {
		if p.Valid() {
			t.Errorf("%q is valid", p)
		}
	}
}
