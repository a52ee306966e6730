package directory_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestSetupFlow(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		anon := env.Client()
		var st directory.SetupStatus
		anon.Do(t, "GET", "/api/v1/setup", nil, &st).Want(t, http.StatusOK)
		if !st.Needed {
			t.Fatal("a fresh database needs setup")
		}
		token := setupToken(t, env)

		// The minimal page and its script are served (no inline script);
		// when web/dist is built, the web app's own setup screen instead.
		page := anon.Do(t, "GET", "/setup?token="+token, nil, nil).Want(t, http.StatusOK)
		spa := strings.Contains(string(page.Body), `<div id="root">`)
		if !spa && !strings.Contains(string(page.Body), `<script src="/static/pages.js"`) || strings.Contains(string(page.Body), "<script>") {
			t.Fatalf("setup page: %s", page.Body)
		}
		if !strings.Contains(page.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("CSP: %q", page.Header.Get("Content-Security-Policy"))
		}
		anon.Do(t, "GET", "/static/pages.js", nil, nil).Want(t, http.StatusOK)
		anon.Do(t, "GET", "/login", nil, nil).Want(t, http.StatusOK)

		body := func(tok string) map[string]any {
			return map[string]any{
				"token":        tok,
				"organization": map[string]any{"name": "Acme", "region": "CN", "industry": "Software", "size": "11-50"},
				"owner":        map[string]any{"name": "Olivia Owner", "email": "owner@acme.test", "password": pw},
			}
		}
		anon.Do(t, "POST", "/api/v1/setup", body("wrong"), nil).WantError(t, http.StatusForbidden, "setup_token_invalid")
		bad := body(token)
		bad["organization"] = map[string]any{"name": ""}
		anon.Do(t, "POST", "/api/v1/setup", bad, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		c := env.Client()
		var res directory.SetupResult
		c.Do(t, "POST", "/api/v1/setup", body(token), &res).Want(t, http.StatusCreated)
		if res.Org.Name != "Acme" || res.Org.Region != "CN" || res.Org.Industry != "Software" || res.Org.Size != "11-50" || res.AccountID == "" {
			t.Fatalf("setup result %+v", res)
		}
		// The owner is signed in, in the new organization, as its owner.
		var o directory.Org
		c.Do(t, "GET", "/api/v1/orgs/current", nil, &o).Want(t, http.StatusOK)
		if o.ID != res.Org.ID || o.OwnerAccountID != res.AccountID {
			t.Fatalf("current org %+v", o)
		}
		var me directory.Member
		c.Do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
		if me.Role != directory.RoleOwner || me.DisplayName != "Olivia Owner" {
			t.Fatalf("owner member %+v", me)
		}
		// The token is dead, and setup is no longer needed.
		env.Client().Do(t, "POST", "/api/v1/setup", body(token), nil).WantError(t, http.StatusConflict, "setup_done")
		env.Client().Do(t, "GET", "/api/v1/setup", nil, &st).Want(t, http.StatusOK)
		if st.Needed {
			t.Fatal("setup still needed after it was done")
		}
		// The owner can sign in again with the password.
		again := env.Client()
		again.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "owner@acme.test", "password": pw}, nil).Want(t, http.StatusOK)
		// The setup is in the audit log.
		acts := auditActions(t, env, &org{ID: res.Org.ID, Owner: &person{AccountID: res.AccountID}})
		if !hasAction(acts, "setup.complete:success") || !hasAction(acts, "org.create:success") {
			t.Fatalf("audit: %v", acts)
		}
	})
}

// TestSetupTokenRegeneratedEachStart restarts the server on the same data:
// the old link stops working and a new one is printed; once setup is done,
// no link is printed.
func TestSetupTokenRegeneratedEachStart(t *testing.T) {
	dir := t.TempDir()
	env1 := servertest.StartWith(t, db.SQLite, servertest.Options{DataDir: dir})
	old := setupToken(t, env1)
	env1.App.Close()

	env2 := servertest.StartWith(t, db.SQLite, servertest.Options{DataDir: dir})
	tok := setupToken(t, env2)
	if tok == old {
		t.Fatal("the setup token was not regenerated")
	}
	c := env2.Client()
	body := map[string]any{"token": old, "organization": map[string]any{"name": "Acme"}, "owner": map[string]any{"name": "O", "email": "o@acme.test", "password": pw}}
	c.Do(t, "POST", "/api/v1/setup", body, nil).WantError(t, http.StatusForbidden, "setup_token_invalid")
	body["token"] = tok
	c.Do(t, "POST", "/api/v1/setup", body, nil).Want(t, http.StatusCreated)
}
