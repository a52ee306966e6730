// Package netguard makes outgoing HTTP requests (webhooks, link previews,
// avatar fetches) that can only reach public addresses.
//
// The check runs when a connection is dialled, on the address actually
// being connected to, after DNS resolution. A name that resolves to a
// private address is therefore refused even when it resolved to a public
// one a moment earlier (DNS rebinding), and every redirect hop is checked
// again because it dials again. Numeric host spellings that C resolvers
// accept (decimal "2130706433", octal "0177.0.0.1", hex "0x7f.1", short
// "127.1", IPv4-mapped IPv6 "::ffff:127.0.0.1") are parsed and checked by
// CheckURL before any request is made, and refused at dial time in any case
// because they arrive there as the address they denote.
package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrBlocked is returned (wrapped) when a request would reach an address
// that is not public.
var ErrBlocked = errors.New("netguard: destination address is not allowed")

// ErrTooLarge is returned by a response body that exceeds MaxBody.
var ErrTooLarge = errors.New("netguard: response body too large")

// blocked lists every range that is not a public unicast destination.
var blocked = mustPrefixes(
	// IPv4
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // carrier-grade NAT
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata (169.254.169.254)
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, broadcast
	// IPv6
	"::/128",        // unspecified
	"::1/128",       // loopback
	"::/96",         // IPv4-compatible (deprecated)
	"100::/64",      // discard-only
	"2001::/23",     // IETF protocol assignments, including Teredo
	"2001:db8::/32", // documentation
	"fc00::/7",      // unique local, including fd00:ec2::254 (metadata)
	"fe80::/10",     // link-local
	"fec0::/10",     // site-local (deprecated)
	"ff00::/8",      // multicast
)

// embedsIPv4 lists IPv6 prefixes whose low 32 bits (or bits 16–48 for
// 6to4) name an IPv4 address that the packet may end up at.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	nat64loc  = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsPublic reports whether ip is a public unicast address that outgoing
// requests may reach. IPv4-mapped, NAT64 and 6to4 IPv6 addresses are judged
// by the IPv4 address they carry.
func IsPublic(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip), nat64loc.Contains(ip):
			if !IsPublic(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})) {
				return false
			}
		case sixToFour.Contains(ip):
			if !IsPublic(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})) {
				return false
			}
		}
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// ParseHost parses host the way permissive resolvers do: dotted IPv4 with
// one to four parts, each decimal, octal (leading 0) or hex (0x); a bare
// 32-bit number; or an IPv6 literal with or without brackets. ok is false
// when host is a name rather than a number.
func ParseHost(host string) (ip netip.Addr, ok bool) {
	h := strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if a, err := netip.ParseAddr(h); err == nil {
		return a, true
	}
	if a, ok := parseInetAton(h); ok {
		return a, true
	}
	return netip.Addr{}, false
}

// parseInetAton implements inet_aton(3): "a.b.c.d", "a.b.c" (c is 16 bits),
// "a.b" (b is 24 bits), "a" (32 bits); each part decimal, octal or hex.
func parseInetAton(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := 10
		switch {
		case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
			base, p = 16, p[2:]
		case p == "0x" || p == "0X":
			p = "0"
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		v, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 0xff {
			return netip.Addr{}, false
		}
		n |= vals[i] << (24 - 8*uint(i))
	}
	if vals[last] >= 1<<(32-8*uint(last)) {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// CheckURL refuses URLs that outgoing requests must never fetch: schemes
// other than http and https, credentials in the URL, and hosts that are
// (in any numeric spelling) not public addresses. Names are checked later,
// when they are dialled.
func CheckURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme %q", ErrBlocked, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: credentials in the URL", ErrBlocked)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: no host", ErrBlocked)
	}
	if ip, ok := ParseHost(host); ok && !IsPublic(ip) {
		return fmt.Errorf("%w: %s", ErrBlocked, ip)
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") || strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ".localhost") {
		return fmt.Errorf("%w: %s", ErrBlocked, host)
	}
	return nil
}

// Options configure a guarded client.
type Options struct {
	// Timeout bounds a whole request including redirects and body (default 10s).
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed (default 5).
	MaxRedirects int
	// MaxBody bounds response bodies; reading more returns ErrTooLarge
	// (default 5 MiB).
	MaxBody int64
	// Allow, when set, replaces IsPublic as the dial-time check. Only tests
	// set it, to reach a server on loopback.
	Allow func(netip.AddrPort) bool
	// IdleConnsPerHost is how many idle connections are kept per host
	// (default 2, net/http's): clients that send many requests to one
	// service in parallel (push notifications) keep more, so that each does
	// not pay a new TLS handshake.
	IdleConnsPerHost int
	// TLS, when set, is the TLS configuration of the client's transport.
	// Only tests set it, to trust a test server's certificate.
	TLS *tls.Config
}

// Control is a net.Dialer Control function that refuses connections to
// addresses that are not public. It runs after DNS resolution, for every
// address tried, on every dial.
func Control(allow func(netip.AddrPort) bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: unparsable address %q", ErrBlocked, address)
		}
		if allow != nil {
			if !allow(ap) {
				return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
			}
			return nil
		}
		if !IsPublic(ap.Addr()) {
			return fmt.Errorf("%w: %s", ErrBlocked, ap.Addr())
		}
		return nil
	}
}

// NewClient returns an HTTP client that reaches only public addresses, does
// not use proxies from the environment, re-checks every redirect, and
// bounds time and response size.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 5
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 5 << 20
	}
	d := &net.Dialer{Timeout: 5 * time.Second, Control: Control(o.Allow)}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would be dialled instead of the checked address
		DialContext:            d.DialContext,
		TLSClientConfig:        o.TLS,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  o.Timeout,
		MaxIdleConns:           max(16, o.IdleConnsPerHost),
		MaxIdleConnsPerHost:    o.IdleConnsPerHost,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	check := func(req *http.Request) error {
		if o.Allow != nil {
			// Tests: the dial-time hook decides; still refuse odd schemes.
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: scheme %q", ErrBlocked, req.URL.Scheme)
			}
			return nil
		}
		return CheckURL(req.URL)
	}
	return &http.Client{
		Timeout:   o.Timeout,
		Transport: &guardedTransport{next: tr, check: check, maxBody: o.MaxBody},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > o.MaxRedirects {
				return fmt.Errorf("netguard: more than %d redirects", o.MaxRedirects)
			}
			return check(req)
		},
	}
}

type guardedTransport struct {
	next    http.RoundTripper
	check   func(*http.Request) error
	maxBody int64
}

func (g *guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.check(req); err != nil {
		return nil, err
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: g.maxBody}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe for one more byte: exactly MaxBody bytes is fine.
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// Get fetches rawURL with c after checking it with CheckURL.
func Get(ctx context.Context, c *http.Client, rawURL string) (*http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBlocked, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}
