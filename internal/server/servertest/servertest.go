// Package servertest runs the real Atrium server for black-box HTTP tests:
// the whole app (every service, real database, real listener on
// 127.0.0.1), with a small JSON client.
//
//	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
//		c := env.Client()
//		var h server.Health
//		c.Do(t, "GET", "/api/v1/health", nil, &h).Want(t, 200)
//	})
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server"
)

// Env is a running server.
type Env struct {
	URL  string
	App  *server.App
	Kind db.Kind
	// Logs holds everything the server logged (for tests that check what
	// reaches the log, e.g. verification codes or the absence of secrets).
	Logs *SafeBuffer
	// Out holds the operator-facing start-up lines (URL, setup link).
	Out *SafeBuffer

	// seen holds what clients received that the OpenAPI document does not
	// declare (conformance.go); the test fails on it when it ends.
	seen *observations
}

// SafeBuffer is a bytes.Buffer safe for concurrent use.
type SafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SafeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SafeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Each runs fn against a fresh server on SQLite and on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, env *Env)) {
	t.Helper()
	for _, k := range dbtest.Kinds {
		t.Run(string(k), func(t *testing.T) { fn(t, Start(t, k)) })
	}
}

// Options tweak the configuration of a test server.
type Options struct {
	// Configure edits the configuration before the app is built.
	Configure func(c *config.Config)
	// DataDir reuses a data directory (to restart a server on the same data).
	DataDir string
	// DatabaseURL reuses a PostgreSQL schema.
	DatabaseURL string
}

// Start runs a server on a fresh database of the given kind.
func Start(t testing.TB, kind db.Kind) *Env { return StartWith(t, kind, Options{}) }

// StartWith runs a server with options; it stops when the test ends.
func StartWith(t testing.TB, kind db.Kind, o Options) *Env {
	t.Helper()
	cfg, err := config.Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = o.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if kind == db.Postgres {
		cfg.DatabaseURL = o.DatabaseURL
		if cfg.DatabaseURL == "" {
			cfg.DatabaseURL = dbtest.NewPostgresURL(t)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.LogLevel = "debug"
	if o.Configure != nil {
		o.Configure(cfg)
	}
	env := &Env{URL: cfg.BaseURL, Kind: kind, Logs: &SafeBuffer{}, Out: &SafeBuffer{}, seen: &observations{kont: documentContract()}}
	t.Cleanup(func() {
		for _, f := range env.seen.report() {
			t.Errorf("servertest: %s: declare it on the route's line in internal/server/routes.go (Status, Answers, Query), or fix the handler", f)
		}
	})
	log := slog.New(slog.NewTextHandler(env.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Build(ctx, cfg, log, env.Out)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("build server: %v", err)
	}
	env.App = app
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("server did not shut down")
		}
		app.Close()
	})
	// Wait until the start-up lines are written.
	for i := 0; i < 200 && !strings.Contains(env.Out.String(), "running at"); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	return env
}

// Client is a JSON client with its own cookie jar, like one browser.
type Client struct {
	Env   *Env
	HTTP  *http.Client
	Token string // when set, sent as a bearer token instead of cookies
}

// Client returns a new client with an empty cookie jar.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Env: e, HTTP: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Response is a finished response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Want fails the test unless the status is want.
func (r *Response) Want(t testing.TB, want int) *Response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	return r
}

// ErrorCode returns error.code of a JSON error body.
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// WantError fails unless the response has the status and error code.
func (r *Response) WantError(t testing.TB, status int, code string) *Response {
	t.Helper()
	if r.Status != status || r.ErrorCode() != code {
		t.Fatalf("got %d %q, want %d %q; body: %s", r.Status, r.ErrorCode(), status, code, r.Body)
	}
	return r
}

// Do sends a request with body (marshalled to JSON unless it is a string or
// []byte) and decodes a 2xx JSON response into out (when non-nil).
func (c *Client) Do(t testing.TB, method, path string, body any, out any) *Response {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, ct = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequest(method, c.Env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	c.authorize(req)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	c.Env.seen.observe(req, resp.StatusCode, data)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if out != nil && resp.StatusCode/100 == 2 && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return r
}

// authorize adds the bearer token, or the CSRF header matching the cookie.
func (c *Client) authorize(req *http.Request) {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
		return
	}
	if c.HTTP.Jar == nil {
		return
	}
	u, _ := url.Parse(c.Env.URL)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == server.CSRFCookie {
			req.Header.Set(server.CSRFHeader, ck.Value)
		}
	}
}

// Request sends a prepared request with the client's credentials.
func (c *Client) Request(t testing.TB, req *http.Request) *Response {
	t.Helper()
	c.authorize(req)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	c.Env.seen.observe(req, resp.StatusCode, data)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

var setupLinkRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

// SetupToken waits for the first-run setup link the server prints on
// start and returns its token (the last one printed).
func (e *Env) SetupToken(t testing.TB) string {
	t.Helper()
	var m [][]string
	for i := 0; i < 500 && m == nil; i++ {
		if m = setupLinkRe.FindAllStringSubmatch(e.Out.String(), -1); m == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if m == nil {
		t.Fatalf("no setup link in the start-up lines:\n%s", e.Out.String())
	}
	return m[len(m)-1][1]
}
