package crash_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/e2e/atriumbin"
)

// proc is one running atrium process, with the address it serves on.
type proc struct {
	*atriumbin.Proc
	URL string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs `atrium args...` and collects its output.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	return &proc{Proc: atriumbin.Start(t, args...)}
}

func (p *proc) output() string { return p.Output() }
func (p *proc) kill()          { p.Kill() }
func (p *proc) exited() bool   { return p.Exited() }

// serve starts `atrium serve` on the data dir (and database URL) and waits
// until it answers.
func serve(t *testing.T, dataDir, dbURL string) *proc {
	t.Helper()
	addr := freeAddr(t)
	args := []string{"serve", "--data-dir", dataDir, "--addr", addr, "--log-level", "warn"}
	if dbURL != "" {
		args = append(args, "--database-url", dbURL)
	}
	p := start(t, args...)
	p.URL = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("server did not start: %v\n%s", err, p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

// client is a cookie-session HTTP client that sends the CSRF header.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// do sends a JSON request and decodes a JSON answer into out.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "atrium_csrf" {
			req.Header.Set("X-CSRF-Token", ck.Value)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, data, err
		}
	}
	return resp.StatusCode, data, nil
}

// rebase points the client (and its cookies) at a restarted server.
func (c *client) rebase(base string) {
	old, _ := url.Parse(c.base)
	nu, _ := url.Parse(base)
	cookies := c.http.Jar.Cookies(old)
	c.base = base
	c.http.Jar.SetCookies(nu, cookies)
}
