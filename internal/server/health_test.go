package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestProbes checks the liveness and readiness probes, and that readiness
// answers 503 not_ready while a migration this binary knows is not applied.
func TestProbes(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := env.Client()
		var live server.Liveness
		r := c.Do(t, "GET", "/healthz", nil, &live).Want(t, http.StatusOK)
		if live.Status != "ok" || !strings.Contains(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("healthz %+v %v", live, r.Header)
		}
		var ready server.Readiness
		c.Do(t, "GET", "/readyz", nil, &ready).Want(t, http.StatusOK)
		if ready.Status != "ready" || ready.Database != string(env.Kind) || ready.SchemaVersion < 1 {
			t.Fatalf("readyz %+v", ready)
		}

		// The newest migration "not applied": not ready, and says why.
		if _, err := env.App.DB.Writer().ExecContext(context.Background(),
			`DELETE FROM goose_db_version WHERE version_id = (SELECT MAX(version_id) FROM goose_db_version)`); err != nil {
			t.Fatal(err)
		}
		r = c.Do(t, "GET", "/readyz", nil, nil).WantError(t, http.StatusServiceUnavailable, "not_ready")
		var e struct {
			Error struct {
				Details map[string]any `json:"details"`
			} `json:"error"`
		}
		if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Details["pending_migrations"] != float64(1) {
			t.Fatalf("not ready body %s", r.Body)
		}
		// Liveness does not depend on the database.
		c.Do(t, "GET", "/healthz", nil, nil).Want(t, http.StatusOK)
	})
}

// TestUnknownPathsAnswerHonestly: API paths that name no route, including
// ones with an empty segment, get JSON 404 no_route (never a redirect or
// the web app's page), and paths outside the API and the web app get 404.
func TestUnknownPathsAnswerHonestly(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := env.Client()
		for _, p := range []string{"/api", "/api/", "/api/v1/conversations//messages", "/api/v1//health", "/api/v1/./health", "/api/v1/x/../health", "/api/v2/health", "/api/v1/members/"} {
			r := c.Do(t, "GET", p, nil, nil).WantError(t, http.StatusNotFound, "no_route")
			if !strings.Contains(r.Header.Get("Content-Type"), "application/json") || r.Header.Get("Location") != "" {
				t.Fatalf("%s: %v", p, r.Header)
			}
		}
		c.Do(t, "POST", "/api/v1/conversations//messages", map[string]any{"body": "x"}, nil).WantError(t, http.StatusNotFound, "no_route")
		for _, p := range []string{"/health", "/livez", "/metrics", "/debug/pprof/", "/wp-login.php"} {
			if r := c.Do(t, "GET", p, nil, nil); r.Status != http.StatusNotFound {
				t.Fatalf("%s: %d, want 404", p, r.Status)
			}
		}
		for _, p := range []string{"/", "/chat", "/login"} {
			if r := c.Do(t, "GET", p, nil, nil); r.Status != http.StatusOK {
				t.Fatalf("%s: %d, want 200", p, r.Status)
			}
		}
	})
}

// TestSignInSelectsTheOnlyOrganization: a fresh bearer sign-in of a person
// in exactly one organization acts in it at once; with several, the
// session starts in none and the person chooses with POST /me/org.
func TestSignInSelectsTheOnlyOrganization(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email, pw = "olga@example.com", "a long enough password"
		if _, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "Olga"}); err != nil {
			t.Fatal(err)
		}
		signIn := func() (*servertest.Client, identity.LoginResult) {
			c := env.Client()
			var res identity.LoginResult
			c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw, "bearer": true}, &res).Want(t, http.StatusOK)
			c.Token = res.Token
			return c, res
		}
		// No organization yet.
		c, res := signIn()
		if res.OrgID != "" {
			t.Fatalf("org %q without any membership", res.OrgID)
		}
		var first struct {
			ID string `json:"id"`
		}
		c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "First"}, &first).Want(t, http.StatusCreated)

		// Exactly one: selected.
		c, res = signIn()
		if res.OrgID != first.ID {
			t.Fatalf("sign-in org %q, want %q", res.OrgID, first.ID)
		}
		c.Do(t, "GET", "/api/v1/orgs/current", nil, nil).Want(t, http.StatusOK)
		c.Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)

		// Several: the person chooses.
		c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Second"}, nil).Want(t, http.StatusCreated)
		c, res = signIn()
		if res.OrgID != "" {
			t.Fatalf("sign-in chose %q among several", res.OrgID)
		}
		c.Do(t, "GET", "/api/v1/orgs/current", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		c.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": first.ID}, nil).Want(t, http.StatusOK)
		c.Do(t, "GET", "/api/v1/orgs/current", nil, nil).Want(t, http.StatusOK)
	})
}
