package identity

import "testing"

// TestThrottleAddr: IPv4 addresses are throttled one by one, IPv6 ones by
// their /64, so that one subscriber cannot walk its allocation to get past
// the per-address limits.
func TestThrottleAddr(t *testing.T) {
	for ip, want := range map[string]string{
		"203.0.113.7":                 "203.0.113.7",
		"::ffff:203.0.113.7":          "203.0.113.7",
		"2001:db8:1:2:3:4:5:6":        "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ff:1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":             "2001:db8:1:3::/64",
		"not an address":              "not an address",
	} {
		if got := throttleAddr(ip); got != want {
			t.Errorf("throttleAddr(%q) = %q, want %q", ip, got, want)
		}
	}
}
