package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestAppPasswordBasicAuth drives the Basic-auth guard of the standard
// clients' routes over real HTTP, with a tiny handler mounted on it: an
// app password opens it, with the account's email; the account's own
// password, a session cookie, no credentials or a revoked app password get
// a 401 with the Basic challenge; repeated failures from one address are
// throttled with a 429.
func TestAppPasswordBasicAuth(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const pw = "correct horse battery"
		ctx := reqctx.CLI(context.Background())
		id := env.App.Identity()
		acc, err := id.CreateAccount(ctx, identity.NewAccount{Email: "dav@example.com", Password: pw, Name: "Dav"})
		if err != nil {
			t.Fatal(err)
		}
		l := id.Limits()
		l.PairFreeFailures, l.PairBackoff, l.PairBackoffMax = 3, time.Hour, 2*time.Hour
		id.SetLimits(l)
		p, err := id.CreateAppPasswordByEmail(ctx, "dav@example.com", "Thunderbird")
		if err != nil {
			t.Fatal(err)
		}
		echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := actor.From(r.Context())
			_ = json.NewEncoder(w).Encode(map[string]string{"account": a.AccountID, "via": string(a.Via), "org": a.OrgID, "member": a.MemberID})
		})
		srv := httptest.NewServer(reqctx.Middleware(true, env.App.Server.AppPasswordAuth("/dav/", echo)))
		defer srv.Close()

		do := func(ip string, set func(*http.Request)) (*http.Response, string) {
			t.Helper()
			req, _ := http.NewRequest("PROPFIND", srv.URL+"/dav/", nil)
			req.Header.Set("X-Forwarded-For", ip)
			if set != nil {
				set(req)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		basic := func(user, pass string) func(*http.Request) {
			return func(r *http.Request) { r.SetBasicAuth(user, pass) }
		}
		refused := func(res *http.Response, body, code string) {
			t.Helper()
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"code":"`+code+`"`) ||
				res.Header.Get("WWW-Authenticate") != `Basic realm="Atrium", charset="UTF-8"` {
				t.Fatalf("got %d %v %s, want 401 %s with the Basic challenge", res.StatusCode, res.Header.Get("WWW-Authenticate"), body, code)
			}
		}

		res, body := do("192.0.2.1", basic("dav@example.com", p.Password))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, acc.ID) || !strings.Contains(body, `"via":"app_password"`) {
			t.Fatalf("app password: %d %s", res.StatusCode, body)
		}
		res, body = do("192.0.2.1", nil)
		refused(res, body, "app_password_required")
		res, body = do("192.0.2.1", basic("dav@example.com", pw))
		refused(res, body, "invalid_app_password")
		// A session token is not a way in either.
		c := env.Client()
		var lr identity.LoginResult
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "dav@example.com", "password": pw, "bearer": true}, &lr).Want(t, http.StatusOK)
		res, body = do("192.0.2.1", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+lr.Token) })
		refused(res, body, "app_password_required")
		res, body = do("192.0.2.1", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: reqctx.SessionCookie, Value: lr.Token}) })
		refused(res, body, "app_password_required")

		// In an organization, the client acts there as the member it is.
		c.Token = lr.Token
		var org struct {
			ID string `json:"id"`
		}
		c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Dav Works"}, &org).Want(t, http.StatusCreated)
		res, body = do("192.0.2.1", basic("dav@example.com", p.Password))
		var who map[string]string
		if err := json.Unmarshal([]byte(body), &who); err != nil || res.StatusCode != http.StatusOK || who["org"] != org.ID || !strings.HasPrefix(who["member"], "mem") {
			t.Fatalf("in an organization: %d %s", res.StatusCode, body)
		}

		// Throttled per address: after the free failures the address waits,
		// even with the right secret, while the owner's own address does not.
		res, body = do("203.0.113.9", basic("dav@example.com", "guess-guess-guess-guess1"))
		refused(res, body, "invalid_app_password")
		res, body = do("203.0.113.9", basic("dav@example.com", "aaaaaa-aaaaaa-aaaaaa-aaaaaa"))
		refused(res, body, "invalid_app_password")
		res, body = do("203.0.113.9", basic("dav@example.com", "bbbbbb-bbbbbb-bbbbbb-bbbbbb"))
		refused(res, body, "invalid_app_password")
		res, body = do("203.0.113.9", basic("dav@example.com", p.Password))
		if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "too_many_attempts") || ra < 3000 {
			t.Fatalf("throttled: %d %s Retry-After %q", res.StatusCode, body, res.Header.Get("Retry-After"))
		}
		if res, body = do("192.0.2.1", basic("dav@example.com", p.Password)); res.StatusCode != http.StatusOK {
			t.Fatalf("owner: %d %s", res.StatusCode, body)
		}

		// Revoked: the next request is refused.
		if err := id.RevokeAppPasswordByEmail(ctx, "dav@example.com", p.ID); err != nil {
			t.Fatal(err)
		}
		res, body = do("192.0.2.1", basic("dav@example.com", p.Password))
		refused(res, body, "invalid_app_password")
		if strings.Contains(env.Logs.String(), p.Password) {
			t.Fatal("the secret is in the log")
		}
	})
}
