package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
	"github.com/atrium-hq/atrium/internal/stream"
)

// These tests run the whole server: real sign-in, the route guard, the
// directory's and identity's events.

const pw = "correct horse battery"

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

type person struct {
	c         *servertest.Client
	accountID string
	email     string
}

type org struct {
	id    string
	owner *person
	env   *servertest.Env
}

func setupOrg(t *testing.T, env *servertest.Env) *org {
	t.Helper()
	m := setupRe.FindAllStringSubmatch(env.Out.String(), -1)
	for i := 0; m == nil && i < 500; i++ {
		time.Sleep(10 * time.Millisecond) // printed just after the listener is up
		m = setupRe.FindAllStringSubmatch(env.Out.String(), -1)
	}
	if m == nil {
		t.Fatalf("no setup link in:\n%s", env.Out.String())
	}
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        m[len(m)-1][1],
		"organization": map[string]any{"name": "Acme", "region": "CN", "industry": "Software", "size": "11-50"},
		"owner":        map[string]any{"name": "Olivia Owner", "email": "owner@acme.test", "password": pw},
	}, &res).Want(t, http.StatusCreated)
	return &org{id: res.Org.ID, owner: &person{c: c, accountID: res.AccountID, email: "owner@acme.test"}, env: env}
}

var seq atomic.Int64

// newAccount creates a signed-in person in no organization.
func newAccount(t *testing.T, env *servertest.Env) *person {
	t.Helper()
	email := fmt.Sprintf("p%d@example.test", seq.Add(1))
	acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "Person " + email})
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{c: c, accountID: acc.ID, email: email}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// member creates a person, has them join o through an invitation and
// switch to it; their client signs in on env (which may be another node).
func (o *org) member(t *testing.T, env *servertest.Env) (*person, string) {
	t.Helper()
	email := fmt.Sprintf("p%d@example.test", seq.Add(1))
	acc, err := o.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "Person " + email})
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	var inv directory.Invitation
	o.owner.c.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
	_, tok, _ := strings.Cut(inv.Link, "token=")
	var res directory.JoinResult
	c.Do(t, "POST", "/api/v1/join", map[string]any{"token": tok}, &res).Want(t, http.StatusOK)
	c.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.id}, nil).Want(t, http.StatusOK)
	return &person{c: c, accountID: acc.ID, email: email}, res.MemberID
}

// connect opens the stream with p's session cookie.
func connect(t *testing.T, p *person, lastPos *int64) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	u := strings.Replace(p.c.Env.URL, "http://", "ws://", 1) + "/api/v1/stream"
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: p.c.HTTP})
	if err != nil {
		cancel()
		t.Fatalf("dial: %v", err)
	}
	c.SetReadLimit(1 << 24)
	hello := map[string]any{"type": "hello"}
	if lastPos != nil {
		hello["last_pos"] = *lastPos
	}
	b, _ := json.Marshal(hello)
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	cl := &client{t: t, c: c, ctx: ctx, stop: cancel}
	t.Cleanup(func() { c.CloseNow(); cancel() })
	return cl
}

func untilEvent(c *client, typ string) []frame {
	return c.until(func(f frame) bool { return f.Type == "event" && f.Event == typ })
}

func TestStreamThroughTheServer(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		b, bMember := o.member(t, env)
		c, _ := o.member(t, env)

		// Not signed in: 401 before any upgrade.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		u := strings.Replace(env.URL, "http://", "ws://", 1) + "/api/v1/stream"
		if _, resp, err := websocket.Dial(ctx, u, nil); err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous dial: %v %v", resp, err)
		}
		// A browser on another site with the member's cookie: 403.
		h := http.Header{}
		h.Set("Origin", "http://evil.example")
		if _, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: b.c.HTTP, HTTPHeader: h}); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin dial: %v %v", resp, err)
		}

		sb := connect(t, b, nil)
		sb.ready()
		sc := connect(t, c, nil)
		sc.ready()

		// An org-scoped change reaches members.
		o.owner.c.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Acme Corp"}, nil).Want(t, http.StatusOK)
		untilEvent(sb, "org.updated")
		untilEvent(sc, "org.updated")

		// B is deactivated: B's membership and B's session in the org end
		// together; the socket closes (4003 or 4001, whichever event the
		// gateway reads first) and receives nothing of the organization
		// after that.
		o.owner.c.Do(t, "POST", "/api/v1/members/"+bMember+"/deactivate", nil, nil).Want(t, http.StatusOK)
		o.owner.c.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Acme After"}, nil).Want(t, http.StatusOK)
		expectCloseOneOf(t, sb, []websocket.StatusCode{stream.CloseMembershipEnded, stream.CloseSessionEnded}, func(f frame) bool { return f.Event == "org.updated" })
		// Signed in again and reconnected, B no longer gets the
		// organization's events.
		b.c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": b.email, "password": pw}, nil).Want(t, http.StatusOK)
		sb2 := connect(t, b, nil)
		sb2.ready()
		o.owner.c.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Acme Again"}, nil).Want(t, http.StatusOK)
		untilEvent(sc, "org.updated")
		untilEvent(sc, "org.updated")
		// C signs out: C's socket closes with 4001.
		c.c.Do(t, "POST", "/api/v1/auth/logout", nil, nil).Want(t, http.StatusNoContent)
		expectClose(t, sc, stream.CloseSessionEnded, func(frame) bool { return false })
		// Nothing of the organization reached B's new socket.
		b.c.Do(t, "PATCH", "/api/v1/me", map[string]any{"name": "Bee"}, nil).Want(t, http.StatusOK)
		for _, f := range untilEvent(sb2, "account.updated") {
			if f.ScopeKind == "org" {
				t.Fatalf("deactivated member received %+v", f)
			}
		}
	})
}

// TestTwoServersOnPostgres: two servers (nodes) on one PostgreSQL
// database; a change made through node A reaches a socket on node B.
func TestTwoServersOnPostgres(t *testing.T) {
	a := servertest.StartWith(t, db.Postgres, servertest.Options{})
	o := setupOrg(t, a)
	// Same database, same master key (nodes share the key file or
	// ATRIUM_MASTER_KEY).
	b := servertest.StartWith(t, db.Postgres, servertest.Options{DatabaseURL: a.App.Cfg.DatabaseURL, DataDir: a.App.Cfg.DataDir})
	p, _ := o.member(t, b) // signed in on node B
	s := connect(t, p, nil)
	s.ready()
	o.owner.c.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Renamed on A"}, nil).Want(t, http.StatusOK)
	untilEvent(s, "org.updated")
}
