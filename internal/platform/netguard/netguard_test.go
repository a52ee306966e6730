package netguard_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/netguard"
)

func TestIsPublic(t *testing.T) {
	for _, tc := range []struct {
		ip     string
		public bool
	}{
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"93.184.216.34", true},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"::ffff:8.8.8.8", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8

		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"100.64.0.1", false}, // CGNAT
		{"100.127.255.255", false},
		{"169.254.169.254", false}, // cloud metadata
		{"169.254.0.1", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"255.255.255.255", false},
		{"240.0.0.1", false},
		{"192.0.0.170", false},
		{"198.18.0.1", false},
		{"::", false},
		{"::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fc00::1", false},
		{"fd00:ec2::254", false}, // cloud metadata over IPv6
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},       // IPv4-mapped loopback
		{"::ffff:169.254.169.254", false}, // IPv4-mapped metadata
		{"::ffff:10.0.0.1", false},
		{"::127.0.0.1", false},        // IPv4-compatible
		{"64:ff9b::7f00:1", false},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"2002:7f00:1::", false},      // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", false},   // 6to4 of 192.168.1.1
		{"2001:db8::1", false},
		{"2001:0::1", false}, // Teredo
	} {
		ip, err := netip.ParseAddr(tc.ip)
		if err != nil {
			t.Fatalf("parse %s: %v", tc.ip, err)
		}
		if got := netguard.IsPublic(ip); got != tc.public {
			t.Errorf("IsPublic(%s) = %v, want %v", tc.ip, got, tc.public)
		}
	}
}

func TestParseHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		want string // "" = a name, not a number
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},   // decimal
		{"017700000001", "127.0.0.1"}, // octal
		{"0x7f000001", "127.0.0.1"},   // hex
		{"0x7F.0.0.1", "127.0.0.1"},
		{"0177.0.0.01", "127.0.0.1"},
		{"127.1", "127.0.0.1"}, // short form
		{"127.0.1", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x0", "0.0.0.0"},
		{"0xa9fea9fe", "169.254.169.254"},
		{"2852039166", "169.254.169.254"},
		{"0251.0376.0251.0376", "169.254.169.254"},
		{"169.254.43518", "169.254.169.254"},
		{"10.1", "10.0.0.1"},
		{"[::1]", "::1"},
		{"::ffff:7f00:1", "::ffff:127.0.0.1"},
		{"[::ffff:127.0.0.1]", "::ffff:127.0.0.1"},
		{"127.0.0.1.", "127.0.0.1"},
		{"example.com", ""},
		{"localhost", ""},
		{"0x7g.0.0.1", ""},
		{"1.2.3.4.5", ""},
		{"256.0.0.1", ""},
		{"1.2.3.256", ""},
		{"4294967296", ""},
		{"08.0.0.1", ""}, // not octal, not a number
		{"1..1", ""},
	} {
		ip, ok := netguard.ParseHost(tc.host)
		switch {
		case tc.want == "" && ok:
			t.Errorf("ParseHost(%q) = %s, want a name", tc.host, ip)
		case tc.want != "" && (!ok || ip.String() != tc.want):
			t.Errorf("ParseHost(%q) = %s %v, want %s", tc.host, ip, ok, tc.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://example.com/a?b=c", true},
		{"http://93.184.216.34/", true},
		{"https://[2606:4700:4700::1111]/", true},

		{"http://127.0.0.1/", false},
		{"http://localhost:8080/", false},
		{"http://LOCALHOST./", false},
		{"http://app.localhost/", false},
		{"http://2130706433/", false},
		{"http://017700000001/", false},
		{"http://0x7f000001/", false},
		{"http://0x7f.1/", false},
		{"http://127.1/", false},
		{"http://0/", false},
		{"http://[::1]/", false},
		{"http://[::ffff:127.0.0.1]/", false},
		{"http://[::ffff:a9fe:a9fe]/latest/meta-data/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"http://[fd00:ec2::254]/", false},
		{"http://[fe80::1%25eth0]/", false},
		{"http://100.100.100.200/", false}, // CGNAT-range metadata service
		{"http://10.0.0.1/", false},
		{"http://user:pass@example.com/", false},
		{"file:///etc/passwd", false},
		{"gopher://example.com/", false},
		{"ftp://example.com/", false},
		{"http:///path", false},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			if tc.ok {
				t.Errorf("parse %s: %v", tc.url, err)
			}
			continue
		}
		err = netguard.CheckURL(u)
		if (err == nil) != tc.ok {
			t.Errorf("CheckURL(%s) = %v, want ok=%v", tc.url, err, tc.ok)
		}
		if err != nil && !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("CheckURL(%s) = %v, not ErrBlocked", tc.url, err)
		}
	}
}

// TestClientRefusesAtDialTime shows that the check runs on the address being
// connected to: names resolving to loopback are refused even though
// the URL passes CheckURL's name-based checks — which is what defeats DNS
// rebinding — and so are redirects to private addresses.
func TestClientRefusesAtDialTime(t *testing.T) {
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		io.WriteString(w, "secret")
	}))
	defer target.Close()
	tu, _ := url.Parse(target.URL)
	port := tu.Port()

	c := netguard.NewClient(netguard.Options{})
	ctx := context.Background()
	for _, u := range []string{
		target.URL,
		"http://localhost:" + port + "/",
		"http://127.0.0.2:" + port + "/",
		"http://[::1]:" + port + "/",
		"http://2130706433:" + port + "/",
		"http://0x7f.1:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
	} {
		resp, err := netguard.Get(ctx, c, u)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s succeeded", u)
			continue
		}
		if !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("GET %s: %v, want ErrBlocked", u, err)
		}
	}

	// A name that passes the URL check but resolves to loopback is caught
	// when dialled (what a rebinding name looks like at the second lookup).
	d := netguard.Control(nil)
	if err := d("tcp", "127.0.0.1:80", nil); !errors.Is(err, netguard.ErrBlocked) {
		t.Fatalf("Control(127.0.0.1:80) = %v", err)
	}
	if err := d("tcp", "[::ffff:169.254.169.254]:80", nil); !errors.Is(err, netguard.ErrBlocked) {
		t.Fatalf("Control(mapped metadata) = %v", err)
	}
	if err := d("tcp", "93.184.216.34:443", nil); err != nil {
		t.Fatalf("Control(public) = %v", err)
	}
	if hits != 0 {
		t.Fatalf("the target was reached %d times", hits)
	}
}

// TestRedirectsRechecked lets the client reach one loopback port (standing in
// for a public server) and shows that a redirect from it to any other
// address is refused when dialled, however the redirect spells it.
func TestRedirectsRechecked(t *testing.T) {
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		io.WriteString(w, "secret")
	}))
	defer target.Close()
	tport := strings.TrimPrefix(target.URL, "http://127.0.0.1:")
	var redirect string
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			io.WriteString(w, "hello")
			return
		}
		http.Redirect(w, r, redirect, http.StatusFound)
	}))
	defer public.Close()
	allowed := netip.MustParseAddrPort(strings.TrimPrefix(public.URL, "http://"))
	c := netguard.NewClient(netguard.Options{Allow: func(ap netip.AddrPort) bool { return ap == allowed }})
	ctx := context.Background()

	resp, err := netguard.Get(ctx, c, public.URL+"/ok")
	if err != nil {
		t.Fatalf("allowed server: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Fatalf("body %q", b)
	}

	for _, to := range []string{
		target.URL + "/",
		"http://localhost:" + tport + "/",
		"http://[::1]:" + tport + "/",
		public.URL + "/ok", // the allowed server itself: followed
		"file:///etc/passwd",
	} {
		redirect = to
		resp, err := netguard.Get(ctx, c, public.URL+"/start")
		if to == public.URL+"/ok" {
			if err != nil {
				t.Errorf("redirect to the allowed server refused: %v", err)
			} else {
				resp.Body.Close()
			}
			continue
		}
		if err == nil {
			resp.Body.Close()
			t.Errorf("redirect to %s followed", to)
			continue
		}
		if !errors.Is(err, netguard.ErrBlocked) {
			t.Errorf("redirect to %s: %v, want ErrBlocked", to, err)
		}
	}
	if hits != 0 {
		t.Fatalf("the private target was reached %d times", hits)
	}
}

func TestMaxBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	allowed := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "http://"))
	for _, tc := range []struct {
		max  int64
		fail bool
	}{{999, true}, {1000, false}, {5000, false}} {
		c := netguard.NewClient(netguard.Options{MaxBody: tc.max, Allow: func(ap netip.AddrPort) bool { return ap == allowed }})
		resp, err := netguard.Get(context.Background(), c, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.fail != errors.Is(err, netguard.ErrTooLarge) {
			t.Errorf("max %d: read err %v", tc.max, err)
		}
	}
}
