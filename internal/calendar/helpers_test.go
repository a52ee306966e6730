package calendar_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

// clock is a fake clock tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// person is a signed-in member of Acme.
type person struct {
	*servertest.Client
	MemberID  string
	AccountID string
}

// acme sets up Acme with its owner Olivia and has the named people join
// it; it returns them signed in, in Acme, owner first.
func acme(t testing.TB, env *servertest.Env, names ...string) []person {
	t.Helper()
	tok := env.SetupToken(t)
	owner := env.Client()
	var res directory.SetupResult
	owner.Do(t, "POST", "/api/v1/setup", map[string]any{"token": tok, "organization": map[string]any{"name": "Acme"},
		"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw}}, &res).Want(t, http.StatusCreated)
	var me directory.Member
	owner.Do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
	out := []person{{Client: owner, MemberID: me.ID, AccountID: me.AccountID}}
	for _, n := range names {
		email := strings.ToLower(n) + "@acme.test"
		acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: n})
		if err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
		var inv directory.Invitation
		owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
		_, itok, _ := strings.Cut(inv.Link, "token=")
		var jr directory.JoinResult
		c.Do(t, "POST", "/api/v1/join", map[string]any{"token": itok}, &jr).Want(t, http.StatusOK)
		c.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": res.Org.ID}, nil).Want(t, http.StatusOK)
		out = append(out, person{Client: c, MemberID: jr.MemberID, AccountID: acc.ID})
	}
	return out
}
