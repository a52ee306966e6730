package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// viaProxy adds the header a reverse proxy appends: the client forged the
// first address, the proxy appended the one it saw.
type viaProxy struct{ next http.RoundTripper }

func (p viaProxy) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", "203.0.113.66, 198.51.100.23")
	return p.next.RoundTrip(r)
}

// TestClientAddressBehindProxy checks that with trust-proxy every record of
// a request names the client's address the proxy saw, never the proxy's
// nor one the client forged: the audit log for anonymous (a failed
// sign-in), account-level (sign-in) and organization actions (org.create),
// the login history, and the sessions list; and that audit entries carry
// the request id the response named.
func TestClientAddressBehindProxy(t *testing.T) {
	const client = "198.51.100.23"
	eachWith(t, func(c *config.Config) { c.TrustProxy = true }, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		acc, err := env.App.Identity().CreateAccount(ctx, identity.NewAccount{Email: "pat@example.com", Password: "a long enough password", Name: "Pat"})
		if err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		c.HTTP.Transport = viaProxy{http.DefaultTransport}

		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "pat@example.com", "password": "wrong password!"}, nil).WantError(t, http.StatusUnauthorized, "invalid_credentials")
		var res identity.LoginResult
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "pat@example.com", "password": "a long enough password", "bearer": true}, &res).Want(t, http.StatusOK)
		c.Token = res.Token
		created := c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Proxied"}, nil).Want(t, http.StatusCreated)

		page, err := audit.ListAll(ctx, env.App.DB, audit.Filter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, it := range page.Items {
			if it.Action == "identity.account_create" {
				continue // made by the test, not over HTTP
			}
			key := it.Action + ":" + it.Outcome
			seen[key] = true
			if it.IP != client {
				t.Errorf("audit %s recorded address %q, want the client's %q", key, it.IP, client)
			}
			if it.Action == "identity.login" && it.ActorAccountID != acc.ID {
				t.Errorf("audit %s names account %q, want %q", key, it.ActorAccountID, acc.ID)
			}
			if it.Action == "org.create" && it.RequestID != created.Header.Get("X-Request-Id") {
				t.Errorf("org.create request id %q, response said %q", it.RequestID, created.Header.Get("X-Request-Id"))
			}
		}
		for _, want := range []string{"identity.login:failure", "identity.login:success", "org.create:success"} {
			if !seen[want] {
				t.Errorf("no audit entry %s in %v", want, seen)
			}
		}

		var hist identity.LoginHistoryPage
		c.Do(t, "GET", "/api/v1/me/login-history", nil, &hist).Want(t, http.StatusOK)
		if len(hist.Items) != 2 {
			t.Fatalf("login history %+v", hist.Items)
		}
		for _, h := range hist.Items {
			if h.IP != client {
				t.Errorf("login history address %q, want %q", h.IP, client)
			}
		}
		var sess identity.SessionList
		c.Do(t, "GET", "/api/v1/me/sessions", nil, &sess).Want(t, http.StatusOK)
		if len(sess.Items) != 1 || sess.Items[0].IP != client {
			t.Errorf("sessions %+v", sess.Items)
		}
	})
}

// eachWith runs fn against a fresh server configured by configure, on
// SQLite and on PostgreSQL.
func eachWith(t *testing.T, configure func(c *config.Config), fn func(t *testing.T, env *servertest.Env)) {
	t.Helper()
	for _, k := range dbtest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			fn(t, servertest.StartWith(t, k, servertest.Options{Configure: configure}))
		})
	}
}
