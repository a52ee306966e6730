package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// The caches of what every request re-reads (platform/fresh) never outlive
// a change: on SQLite the one node, on PostgreSQL two nodes sharing one
// database. Each case warms the caches of both nodes with a request, makes
// the change through node A (or, where said, by writing the database
// directly, as another program could), and checks that the very next
// request on each node sees it. Nothing waits: no notification between the
// nodes is involved.

// freshNodes runs fn on SQLite with one node and on PostgreSQL with two.
func freshNodes(t *testing.T, fn func(t *testing.T, nodes []*servertest.Env)) {
	for _, k := range dbtest.Kinds {
		t.Run(string(k), func(t *testing.T) {
			if k == db.SQLite {
				fn(t, []*servertest.Env{servertest.Start(t, k)})
				return
			}
			// Both nodes use one schema and one data directory (the
			// master key and the files), as a deployment's nodes do.
			o := servertest.Options{DatabaseURL: dbtest.NewPostgresURL(t), DataDir: t.TempDir()}
			a := servertest.StartWith(t, k, o)
			b := servertest.StartWith(t, k, o)
			fn(t, []*servertest.Env{a, b})
		})
	}
}

// freshOrg is an organization of three people with a group of all three.
type freshOrg struct {
	OrgID    string
	Accounts [3]string // owner, alice, bob
	Members  [3]string
	Tokens   [3]string // a bearer session each
	Group    string
}

func newFreshOrg(t *testing.T, env *servertest.Env) *freshOrg {
	t.Helper()
	ctx := context.Background()
	id, dir := env.App.Identity(), env.App.Directory()
	o := &freshOrg{}
	for i, name := range []string{"Owner", "Alice", "Bob"} {
		acc, err := id.CreateAccount(ctx, identity.NewAccount{Email: fmt.Sprintf("fresh-%d@example.test", i), Name: name})
		if err != nil {
			t.Fatal(err)
		}
		o.Accounts[i] = acc.ID
	}
	org, err := dir.CreateOrg(actor.With(ctx, &actor.Actor{AccountID: o.Accounts[0], Via: actor.ViaBearer}), directory.CreateOrgRequest{Name: "Fresh"})
	if err != nil {
		t.Fatal(err)
	}
	o.OrgID = org.ID
	if o.Members[0], err = dir.ResolveMember(ctx, o.Accounts[0], org.ID); err != nil {
		t.Fatal(err)
	}
	octx := actor.With(ctx, &actor.Actor{AccountID: o.Accounts[0], OrgID: org.ID, MemberID: o.Members[0], Via: actor.ViaBearer})
	for i := 1; i < 3; i++ {
		inv, err := dir.AddMember(octx, directory.AddMemberRequest{AccountID: o.Accounts[i]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dir.AcceptInvitation(actor.With(ctx, &actor.Actor{AccountID: o.Accounts[i], Via: actor.ViaBearer}), inv.ID); err != nil {
			t.Fatal(err)
		}
		if o.Members[i], err = dir.ResolveMember(ctx, o.Accounts[i], org.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i, acc := range o.Accounts {
		if o.Tokens[i], err = id.StartSession(ctx, httptest.NewRecorder(), acc, org.ID, actor.ViaBearer); err != nil {
			t.Fatal(err)
		}
	}
	var c chat.Conversation
	o.as(env, 0).Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Fresh group",
		"member_ids": []string{o.Accounts[1], o.Accounts[2]}}, &c).Want(t, http.StatusCreated)
	o.Group = c.ID
	return o
}

// as returns a client of env signed in as person i.
func (o *freshOrg) as(env *servertest.Env, i int) *servertest.Client {
	c := env.Client()
	c.Token = o.Tokens[i]
	return c
}

var freshSeq int

// send sends a message to the group as person i through env.
func (o *freshOrg) send(t *testing.T, env *servertest.Env, i int, token string) *servertest.Response {
	t.Helper()
	freshSeq++
	c := env.Client()
	c.Token = token
	return c.Do(t, "POST", "/api/v1/conversations/"+o.Group+"/messages",
		map[string]any{"client_msg_id": fmt.Sprintf("fresh-%d", freshSeq), "body": "hello"}, nil)
}

// warm sends once as person i on every node: every cache on the send path
// now holds the person's answers.
func (o *freshOrg) warm(t *testing.T, nodes []*servertest.Env, i int) {
	t.Helper()
	for _, n := range nodes {
		o.send(t, n, i, o.Tokens[i]).Want(t, http.StatusCreated)
		o.send(t, n, i, o.Tokens[i]).Want(t, http.StatusCreated)
	}
}

func TestCachesSeeARevokedSession(t *testing.T) {
	freshNodes(t, func(t *testing.T, nodes []*servertest.Env) {
		a := nodes[0]
		o := newFreshOrg(t, a)
		// Alice signs in a second time and ends her first session from it.
		second, err := a.App.Identity().StartSession(context.Background(), httptest.NewRecorder(), o.Accounts[1], o.OrgID, actor.ViaBearer)
		if err != nil {
			t.Fatal(err)
		}
		var list identity.SessionList
		o.as(a, 1).Do(t, "GET", "/api/v1/me/sessions", nil, &list).Want(t, http.StatusOK)
		first := ""
		for _, s := range list.Items {
			if s.Current {
				first = s.ID
			}
		}
		o.warm(t, nodes, 1)
		c := a.Client()
		c.Token = second
		c.Do(t, "DELETE", "/api/v1/me/sessions/"+first, nil, nil).Want(t, http.StatusNoContent)
		for _, n := range nodes {
			o.send(t, n, 1, o.Tokens[1]).WantError(t, http.StatusUnauthorized, "unauthenticated")
			o.send(t, n, 1, second).Want(t, http.StatusCreated)
		}
	})
}

func TestCachesSeeARemovalFromAConversation(t *testing.T) {
	freshNodes(t, func(t *testing.T, nodes []*servertest.Env) {
		a := nodes[0]
		o := newFreshOrg(t, a)
		o.warm(t, nodes, 2)
		o.as(a, 0).Do(t, "DELETE", "/api/v1/conversations/"+o.Group+"/members/"+o.Accounts[2], nil, nil).Want(t, http.StatusNoContent)
		for _, n := range nodes {
			o.send(t, n, 2, o.Tokens[2]).WantError(t, http.StatusNotFound, "not_found")
			o.send(t, n, 1, o.Tokens[1]).Want(t, http.StatusCreated)
		}
	})
}

func TestCachesSeeADissolvedGroup(t *testing.T) {
	freshNodes(t, func(t *testing.T, nodes []*servertest.Env) {
		a := nodes[0]
		o := newFreshOrg(t, a)
		o.warm(t, nodes, 1)
		o.as(a, 0).Do(t, "DELETE", "/api/v1/conversations/"+o.Group, nil, nil).Want(t, http.StatusNoContent)
		for _, n := range nodes {
			o.send(t, n, 1, o.Tokens[1]).WantError(t, http.StatusConflict, "conversation_dissolved")
		}
	})
}

func TestCachesSeeADeactivatedMemberAndADisbandedOrg(t *testing.T) {
	freshNodes(t, func(t *testing.T, nodes []*servertest.Env) {
		a := nodes[0]
		o := newFreshOrg(t, a)
		for _, n := range nodes {
			o.as(n, 1).Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
			o.as(n, 2).Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		}
		o.warm(t, nodes, 1)
		// Through the API: the member's sessions there end with it.
		o.as(a, 0).Do(t, "POST", "/api/v1/members/"+o.Members[1]+"/deactivate", nil, nil).Want(t, http.StatusOK)
		for _, n := range nodes {
			o.send(t, n, 1, o.Tokens[1]).WantError(t, http.StatusUnauthorized, "unauthenticated")
		}
		// Written to the database by another program: the session lives
		// on, in no organization.
		if _, err := a.App.DB.W(context.Background()).ExecContext(context.Background(),
			`UPDATE members SET status = 'deactivated' WHERE id = $1`, o.Members[2]); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			o.as(n, 2).Do(t, "GET", "/api/v1/members/me", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		}
		// The organization disbanded, likewise: its owner acts in no
		// organization from the next request on.
		for _, n := range nodes {
			o.as(n, 0).Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		}
		if _, err := a.App.DB.W(context.Background()).ExecContext(context.Background(),
			`UPDATE orgs SET status = 'disbanded' WHERE id = $1`, o.OrgID); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			o.as(n, 0).Do(t, "GET", "/api/v1/members/me", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		}
	})
}

func TestCachesSeeANewPolicy(t *testing.T) {
	freshNodes(t, func(t *testing.T, nodes []*servertest.Env) {
		a := nodes[0]
		o := newFreshOrg(t, a)
		o.warm(t, nodes, 1)
		if _, err := a.App.Privacy().PublishPolicy(context.Background(), privacy.PublishInput{Kind: privacy.KindPrivacy, Version: "1", Body: "Policy one."}); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			o.send(t, n, 1, o.Tokens[1]).WantError(t, http.StatusForbidden, "policy_acceptance_required")
		}
		// Accepted on node A, the sends go through again on every node.
		var st privacy.PolicyStatus
		o.as(a, 1).Do(t, "GET", "/api/v1/me/policies", nil, &st).Want(t, http.StatusOK)
		o.as(a, 1).Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{st.Pending[0].ID}}, nil).Want(t, http.StatusOK)
		o.warm(t, nodes, 1)
		// A significant new version must be accepted again.
		if _, err := a.App.Privacy().PublishPolicy(context.Background(), privacy.PublishInput{Kind: privacy.KindPrivacy, Version: "2", Significant: true, Summary: "More.", Body: "Policy two."}); err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			o.send(t, n, 1, o.Tokens[1]).WantError(t, http.StatusForbidden, "policy_acceptance_required")
		}
	})
}
