package identity_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var appPasswordRe = regexp.MustCompile(`^[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}-[a-z2-7]{6}$`)

// TestAppPasswords: create (with the current password), shown once, listed
// without the secret, at most MaxAppPasswords, revoked by the owner only;
// each change audited.
func TestAppPasswords(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		a, _ := signUp(t, env, "ana@example.com", "")
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Phone", "password": "wrong password"}, nil).WantError(t, http.StatusForbidden, "invalid_password")
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Phone"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "  ", "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": strings.Repeat("x", 65), "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		var created identity.NewAppPassword
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": " Thunderbird ", "password": pw}, &created).Want(t, http.StatusCreated)
		if !appPasswordRe.MatchString(created.Password) || created.Name != "Thunderbird" || created.ID == "" || created.CreatedAt == 0 {
			t.Fatalf("created %+v", created)
		}
		var list identity.AppPasswordList
		r := a.Do(t, "GET", "/api/v1/me/app-passwords", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 1 || list.Items[0].ID != created.ID || list.Items[0].LastUsedAt != 0 || list.Max != identity.MaxAppPasswords {
			t.Fatalf("list %+v", list)
		}
		if strings.Contains(string(r.Body), created.Password) || strings.Contains(string(r.Body), "hash") {
			t.Fatalf("the list shows the secret: %s", r.Body)
		}
		// Only its SHA-256 is stored.
		ctx := context.Background()
		var stored string
		if err := env.App.DB.R(ctx).QueryRowContext(ctx, `SELECT secret_hash FROM app_passwords WHERE id = $1`, created.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if len(stored) != 64 || strings.Contains(stored, strings.ReplaceAll(created.Password, "-", "")) {
			t.Fatalf("stored %q", stored)
		}

		// Someone else cannot revoke it, and cannot see it.
		m, _ := signUp(t, env, "mallory@example.com", "")
		m.Do(t, "DELETE", "/api/v1/me/app-passwords/"+created.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var ml identity.AppPasswordList
		m.Do(t, "GET", "/api/v1/me/app-passwords", nil, &ml).Want(t, http.StatusOK)
		if len(ml.Items) != 0 {
			t.Fatalf("mallory sees %+v", ml)
		}

		a.Do(t, "DELETE", "/api/v1/me/app-passwords/"+created.ID, nil, nil).Want(t, http.StatusNoContent)
		a.Do(t, "DELETE", "/api/v1/me/app-passwords/"+created.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		acts := auditActions(t, env)
		if !contains(acts, "identity.app_password_create:success") || !contains(acts, "identity.app_password_revoke:success") {
			t.Fatalf("audit %v", acts)
		}

		// At most MaxAppPasswords (the operator's tool shares the count).
		for i := 0; i < identity.MaxAppPasswords; i++ {
			if _, err := svc(t, env).CreateAppPasswordByEmail(reqctx.CLI(ctx), "ana@example.com", fmt.Sprintf("App %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "One more", "password": pw}, nil).WantError(t, http.StatusConflict, "too_many_app_passwords")
	})
}

// TestAppPasswordAuthentication: AuthenticateAppPassword takes the
// account's email and an app password (in any case, with or without
// dashes), never the account's password; a revoked app password, another
// account's email and an inactive account are refused; a password change
// revokes them all.
func TestAppPasswordAuthentication(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		a, res := signUp(t, env, "bo@example.com", "")
		signUp(t, env, "cy@example.com", "")
		s := svc(t, env)
		ctx := reqctx.With(context.Background(), reqctx.Request{ClientIP: "192.0.2.1"})
		var p identity.NewAppPassword
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Calendar", "password": pw}, &p).Want(t, http.StatusCreated)

		act, err := s.AuthenticateAppPassword(ctx, "BO@example.com", p.Password)
		if err != nil || act.AccountID != res.Account.ID || act.Via != "app_password" || act.SessionID != "" {
			t.Fatalf("authenticate: %+v %v", act, err)
		}
		if _, err := s.AuthenticateAppPassword(ctx, "bo@example.com", strings.ToUpper(strings.ReplaceAll(p.Password, "-", " "))); err != nil {
			t.Fatalf("retyped: %v", err)
		}
		var list identity.AppPasswordList
		a.Do(t, "GET", "/api/v1/me/app-passwords", nil, &list).Want(t, http.StatusOK)
		if list.Items[0].LastUsedAt == 0 || list.Items[0].LastUsedIP != "192.0.2.1" {
			t.Fatalf("last used not recorded: %+v", list.Items[0])
		}
		refused := func(login, secret string) {
			t.Helper()
			_, err := s.AuthenticateAppPassword(ctx, login, secret)
			if ae, ok := err.(*apperr.Error); !ok || ae.Code != "invalid_app_password" {
				t.Fatalf("%s / %q: %v", login, secret, err)
			}
		}
		refused("bo@example.com", pw)
		refused("cy@example.com", p.Password)
		refused("nobody@example.com", p.Password)
		refused("bo@example.com", "")

		// A disabled account stops at once.
		if _, err := env.App.DB.W(ctx).ExecContext(ctx, `UPDATE accounts SET status = 'disabled' WHERE id = $1`, res.Account.ID); err != nil {
			t.Fatal(err)
		}
		refused("bo@example.com", p.Password)
		if _, err := env.App.DB.W(ctx).ExecContext(ctx, `UPDATE accounts SET status = 'active' WHERE id = $1`, res.Account.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateAppPassword(ctx, "bo@example.com", p.Password); err != nil {
			t.Fatal(err)
		}
		// Changing the password revokes every app password.
		a.Do(t, "POST", "/api/v1/me/password", map[string]any{"current_password": pw, "new_password": "a new long password"}, nil).Want(t, http.StatusNoContent)
		refused("bo@example.com", p.Password)
		a.Do(t, "GET", "/api/v1/me/app-passwords", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 0 {
			t.Fatalf("after a password change: %+v", list)
		}
		if strings.Contains(env.Logs.String(), p.Password) {
			t.Fatal("the secret is in the log")
		}
	})
}

// An account whose deletion was asked for is closed at once, before its
// erasure runs: its sessions end, its app passwords stop working and its
// password signs in no more.
func TestCloseAccount(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		const email = "closing@example.com"
		a, res := signUp(t, env, email, "")
		var np identity.NewAppPassword
		a.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Calendar", "password": pw}, &np).Want(t, http.StatusCreated)
		if err := env.App.Identity().CloseAccount(context.Background(), res.Account.ID); err != nil {
			t.Fatal(err)
		}
		a.Do(t, "GET", "/api/v1/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		_, r := login(t, env, map[string]any{"email": email, "password": pw})
		r.WantError(t, http.StatusUnauthorized, "invalid_credentials")
		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM app_passwords WHERE account_id = $1`, res.Account.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d app passwords left (%v)", n, err)
		}
	})
}
