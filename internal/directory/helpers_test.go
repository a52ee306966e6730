package directory_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

var setupRe = regexp.MustCompile(`Open (\S+)/setup\?token=([0-9a-f]+) to create the first organization`)

// setupToken returns the token of the setup link the server printed.
func setupToken(t *testing.T, env *servertest.Env) string {
	t.Helper()
	// The link is printed just after "running at", which is all the
	// harness waits for.
	var m [][]string
	for i := 0; i < 500 && m == nil; i++ {
		if m = setupRe.FindAllStringSubmatch(env.Out.String(), -1); m == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if m == nil {
		t.Fatalf("no setup link in the start-up lines:\n%s", env.Out.String())
	}
	if m[len(m)-1][1] != env.URL {
		t.Fatalf("setup link on %s, want %s", m[len(m)-1][1], env.URL)
	}
	return m[len(m)-1][2]
}

// person is a signed-in test user.
type person struct {
	*servertest.Client
	AccountID string
	Email     string
	Name      string
}

// do sends a request and decodes a 2xx JSON answer into out.
func (p *person) do(t *testing.T, method, path string, body, out any) *servertest.Response {
	t.Helper()
	return p.Do(t, method, path, body, out)
}

// org is a first organization made through setup, with its owner signed in.
type org struct {
	ID    string
	Owner *person
	env   *servertest.Env
}

// setupOrg runs first-run setup and returns the organization and its owner.
func setupOrg(t *testing.T, env *servertest.Env) *org {
	t.Helper()
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        setupToken(t, env),
		"organization": map[string]any{"name": "Acme", "region": "CN", "industry": "Software", "size": "11-50"},
		"owner":        map[string]any{"name": "Olivia Owner", "email": "owner@acme.test", "password": pw},
	}, &res).Want(t, http.StatusCreated)
	return &org{ID: res.Org.ID, Owner: &person{Client: c, AccountID: res.AccountID, Email: "owner@acme.test", Name: "Olivia Owner"}, env: env}
}

var seq atomic.Int64

// newPerson creates an account and signs it in (no organization yet).
func newPerson(t *testing.T, env *servertest.Env, name string) *person {
	t.Helper()
	email := fmt.Sprintf("p%d@example.test", seq.Add(1))
	return newPersonWith(t, env, name, email, "")
}

func newPersonWith(t *testing.T, env *servertest.Env, name, email, phone string) *person {
	t.Helper()
	acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name, Phone: phone})
	if err != nil {
		t.Fatalf("create account %s: %v", email, err)
	}
	c := env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{Client: c, AccountID: acc.ID, Email: email, Name: name}
}

// inviteLink makes a link invitation as p and returns it.
func inviteLink(t *testing.T, p *person, body map[string]any) directory.Invitation {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	body["kind"] = "link"
	var inv directory.Invitation
	p.do(t, "POST", "/api/v1/invitations", body, &inv).Want(t, http.StatusCreated)
	if inv.Link == "" || inv.Code == "" {
		t.Fatalf("invitation without link or code: %+v", inv)
	}
	return inv
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	_, tok, ok := strings.Cut(link, "token=")
	if !ok {
		t.Fatalf("no token in %q", link)
	}
	return tok
}

// member adds a new person to o through an invitation, switches them to it
// and returns them with their member id.
func (o *org) member(t *testing.T, name string) (*person, string) {
	t.Helper()
	p := newPerson(t, o.env, name)
	inv := inviteLink(t, o.Owner, nil)
	var res directory.JoinResult
	p.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, inv.Link)}, &res).Want(t, http.StatusOK)
	if res.Status != "joined" || res.OrgID != o.ID {
		t.Fatalf("join = %+v", res)
	}
	p.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
	return p, res.MemberID
}

// auditActions lists the actions recorded for an organization, oldest
// first, straight from the audit service.
func auditActions(t *testing.T, env *servertest.Env, o *org) []string {
	t.Helper()
	svc := &audit.Service{DB: env.App.DB, Auth: audit.AuthorizerFunc(func(context.Context, perm.Permission, string) error { return nil })}
	var out []string
	cursor := int64(0)
	for {
		ctx := actor.With(context.Background(), &actor.Actor{AccountID: o.Owner.AccountID, OrgID: o.ID, MemberID: "x"})
		page, err := svc.List(ctx, audit.Filter{Before: cursor, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			out = append([]string{it.Action + ":" + it.Outcome}, out...)
		}
		if page.NextCursor == "" {
			return out
		}
		if cursor, err = audit.ParseCursor(page.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
}

func hasAction(actions []string, want string) bool {
	for _, a := range actions {
		if a == want {
			return true
		}
	}
	return false
}
