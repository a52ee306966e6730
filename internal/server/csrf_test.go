package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var paramRe = regexp.MustCompile(`\{[^}]+\}`)

// TestCSRF checks double-submit CSRF protection for cookie sessions on every
// state-changing route of the table: without the header, or with a wrong
// one, the request is refused with 403 csrf_failed before its handler runs;
// with the cookie's value it passes; bearer tokens need no CSRF token; the
// session cookie is HttpOnly and SameSite.
func TestCSRF(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email, pw = "csrf@example.test", "correct horse battery"
		if _, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "CSRF"}); err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		resp := c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
		var session, csrf *http.Cookie
		for _, ck := range (&http.Response{Header: resp.Header}).Cookies() {
			switch ck.Name {
			case server.SessionCookie:
				session = ck
			case server.CSRFCookie:
				csrf = ck
			}
		}
		if session == nil || csrf == nil {
			t.Fatalf("login set no session or CSRF cookie: %v", resp.Header["Set-Cookie"])
		}
		if !session.HttpOnly || session.SameSite == http.SameSiteNoneMode || session.SameSite == http.SameSiteDefaultMode {
			t.Errorf("session cookie must be HttpOnly and SameSite: %+v", session)
		}
		if csrf.HttpOnly {
			t.Errorf("the CSRF cookie must be readable by the web app: %+v", csrf)
		}

		// In an organization, so that member routes reach the CSRF check.
		c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "CSRF Inc"}, nil).Want(t, http.StatusCreated)

		send := func(method, path, token string) *servertest.Response {
			req, _ := http.NewRequest(method, env.URL+path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set(server.CSRFHeader, token)
			}
			u, _ := url.Parse(env.URL)
			for _, ck := range c.HTTP.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			r, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			var b strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := r.Body.Read(buf)
				b.Write(buf[:n])
				if err != nil {
					break
				}
			}
			return &servertest.Response{Status: r.StatusCode, Header: r.Header, Body: []byte(b.String())}
		}

		n := 0
		for _, rt := range env.App.Server.Routes() {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			if method == "GET" || method == "HEAD" {
				continue
			}
			path = paramRe.ReplaceAllString(path, "x_0000000000000000")
			for _, tok := range []string{"", "forged-" + csrf.Value} {
				r := send(method, path, tok)
				if r.Status != http.StatusForbidden || r.ErrorCode() != "csrf_failed" {
					t.Errorf("%s with a cookie session and CSRF header %q: %d %s, want 403 csrf_failed", rt.Pattern, tok, r.Status, r.Body)
				}
			}
			n++
		}
		if n == 0 {
			t.Fatal("no state-changing route in the table")
		}
		// With the right token the request reaches its handler.
		if r := send("PATCH", "/api/v1/me", csrf.Value); r.Status == http.StatusForbidden && r.ErrorCode() == "csrf_failed" {
			t.Fatalf("right CSRF token refused: %s", r.Body)
		}
		// Bearer tokens (no ambient credentials) need no CSRF token.
		var lr identity.LoginResult
		env.Client().Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw, "bearer": true}, &lr).Want(t, http.StatusOK)
		if lr.Token == "" {
			t.Fatal("bearer login returned no token")
		}
		bc := env.Client()
		bc.Token = lr.Token
		if r := bc.Do(t, "POST", "/api/v1/auth/logout", nil, nil); r.Status/100 != 2 {
			t.Fatalf("bearer logout: %d %s", r.Status, r.Body)
		}
	})
}
