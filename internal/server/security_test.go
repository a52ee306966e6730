package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "atrium test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// routeRequests returns one request per route of the table (path
// parameters filled with an id that does not exist), plus the web app's
// pages and the error paths outside the table.
func routeRequests(t *testing.T, base string, routes []server.Route) []*http.Request {
	t.Helper()
	param := regexp.MustCompile(`\{[^}]+\}`)
	var out []*http.Request
	add := func(method, path string, body string) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, base+path, rd)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		out = append(out, req)
	}
	for _, rt := range routes {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok {
			method, path = "GET", rt.Pattern
		}
		path = param.ReplaceAllStringFunc(path, func(p string) string {
			if strings.HasSuffix(p, "...}") {
				return "x/y"
			}
			return "x_0000000000000000"
		})
		path = strings.TrimSuffix(path, "{$}")
		body := ""
		if method == "POST" || method == "PUT" || method == "PATCH" {
			body = "{}"
		}
		add(method, path, body)
	}
	// The web app, its missing assets, and errors outside the route table.
	for _, p := range []string{"/", "/index.html", "/chat", "/login?next=%2F", "/assets/missing-0000.js", "/favicon.ico", "/api/v1/no/such/route", "/api/"} {
		add("GET", p, "")
	}
	add("DELETE", "/api/v1/health", "") // 405 from the mux
	add("POST", "/", "{}")              // 405 from the web app
	add("POST", "/api/v1/health", "{")  // broken JSON on a GET route
	return out
}

func checkSecurityHeaders(t *testing.T, req *http.Request, resp *http.Response, tls bool) {
	t.Helper()
	h := resp.Header
	where := req.Method + " " + req.URL.RequestURI() + " → " + resp.Status
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", where, got)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", where, csp, want)
		}
	}
	if strings.Contains(csp, "'unsafe-inline'") && strings.Contains(csp, "script-src") && strings.Contains(strings.SplitN(strings.SplitN(csp, "script-src", 2)[1], ";", 2)[0], "'unsafe-inline'") {
		t.Errorf("%s: CSP allows inline scripts: %q", where, csp)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", where, got)
	}
	if got := h.Get("Referrer-Policy"); got == "" {
		t.Errorf("%s: no Referrer-Policy", where)
	}
	hsts := h.Get("Strict-Transport-Security")
	if tls && !strings.Contains(hsts, "max-age=") {
		t.Errorf("%s: over TLS, Strict-Transport-Security %q", where, hsts)
	}
	if !tls && hsts != "" {
		t.Errorf("%s: over plain HTTP, Strict-Transport-Security %q", where, hsts)
	}
}

// TestSecurityHeadersOnEveryRoute sends one anonymous request to every route
// of the table, the web app and the error paths, and checks the security
// headers on each answer, whatever its status.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	env := servertest.Start(t, db.SQLite)
	routes := env.App.Server.Routes()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	for _, req := range routeRequests(t, env.URL, routes) {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		checkSecurityHeaders(t, req, resp, false)
	}
}

// TestHSTSBehindProxy: a deployment whose base URL is https (TLS ends at a
// proxy) sends Strict-Transport-Security on every answer.
func TestHSTSBehindProxy(t *testing.T) {
	env := servertest.StartWith(t, db.SQLite, servertest.Options{Configure: func(c *config.Config) {
		c.BaseURL = "https://atrium.example.test"
	}})
	addr := strings.TrimPrefix(env.App.Cfg.Addr, "http://")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	for _, req := range routeRequests(t, "http://"+addr, env.App.Server.Routes()) {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		checkSecurityHeaders(t, req, resp, true)
	}
}

// TestTLS serves over TLS with a generated self-signed certificate: TLS 1.0
// and 1.1 handshakes are refused, TLS 1.2 and 1.3 work, and every route
// answers with Strict-Transport-Security and the other security headers.
func TestTLS(t *testing.T) {
	certFile, keyFile := selfSigned(t, t.TempDir())
	env := servertest.StartWith(t, db.SQLite, servertest.Options{Configure: func(c *config.Config) {
		c.TLSCert, c.TLSKey = certFile, keyFile
	}})
	if !env.App.Server.Secure {
		t.Fatal("server with a certificate does not mark cookies Secure")
	}
	addr := strings.TrimPrefix(env.URL, "http://")
	pool := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(certFile)
	pool.AppendCertsFromPEM(pemBytes)

	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: v, MaxVersion: v})
		if err == nil {
			conn.Close()
			t.Fatalf("TLS version %x accepted", v)
		}
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: v, MaxVersion: v})
		if err != nil {
			t.Fatalf("TLS version %x refused: %v", v, err)
		}
		conn.Close()
	}
	// Plain HTTP on the TLS port gets no API answer.
	if resp, err := http.Get(env.URL + "/api/v1/health"); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered on the TLS listener")
		}
		resp.Body.Close()
	}

	c := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	defer c.CloseIdleConnections()
	// Cookies set over TLS are Secure.
	const email, pw = "tls@example.test", "correct horse battery"
	if _, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "TLS"}); err != nil {
		t.Fatal(err)
	}
	login, _ := http.NewRequest("POST", "https://"+addr+"/api/v1/auth/login", strings.NewReader(`{"email":"`+email+`","password":"`+pw+`"}`))
	login.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(login)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) == 0 {
		t.Fatalf("login over TLS: %d, cookies %v", resp.StatusCode, resp.Header["Set-Cookie"])
	}
	for _, ck := range resp.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s set over TLS without Secure", ck.Name)
		}
	}

	for _, req := range routeRequests(t, "https://"+addr, env.App.Server.Routes()) {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		checkSecurityHeaders(t, req, resp, true)
	}
}
