package dav

import (
	"testing"
	"time"
)

// TestLockTimeout: the Timeout header's seconds are capped at a day,
// however large (a count whose nanoseconds overflow must not give a lock
// that has already expired), and the default applies without one.
func TestLockTimeout(t *testing.T) {
	for h, want := range map[string]time.Duration{
		"":                               defaultLockTimeout,
		"Infinite":                       defaultLockTimeout,
		"Second-600":                     10 * time.Minute,
		"Infinite, Second-4100000000":    maxLockTimeout,
		"Second-9300000000":              maxLockTimeout,
		"Second-9223372036854775807":     maxLockTimeout,
		"Second-0, Second-30":            30 * time.Second,
		"Second--5":                      defaultLockTimeout,
		"Second-99999999999999999999999": defaultLockTimeout,
	} {
		if got := lockTimeout(h); got != want {
			t.Errorf("lockTimeout(%q) = %v, want %v", h, got, want)
		}
	}
}
