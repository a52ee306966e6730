package authz_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// smallWorld is org A (through first-run setup) with its owner, and org B
// owned by another person: enough for the ordering tests below.
func smallWorld(t *testing.T, env *servertest.Env) (w *world, ownerA, ownerB *who) {
	t.Helper()
	w = &world{t: t, env: env, who: map[string]*who{}, fixture: map[string]*servertest.Client{}, cache: map[string]string{}}
	var m []string
	for i := 0; i < 400 && m == nil; i++ {
		if m = setupRe.FindStringSubmatch(env.Out.String()); m == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if m == nil {
		t.Fatalf("no setup link:\n%s", env.Out.String())
	}
	ownerA = &who{Name: "Ada", Email: "ada@a.authz.test", Client: env.Client()}
	var sr directory.SetupResult
	w.must(ownerA.Client, "POST", "/api/v1/setup", map[string]any{
		"token":        m[1],
		"organization": map[string]any{"name": "Org A"},
		"owner":        map[string]any{"name": ownerA.Name, "email": ownerA.Email, "password": pw},
	}, &sr)
	ownerA.AccountID, ownerA.MemberID, w.orgA = sr.AccountID, sr.MemberID, sr.Org.ID
	w.who[Owner] = ownerA
	ownerB = w.signedIn(w.account("Bea B"))
	var org directory.Org
	w.must(ownerB.Client, "POST", "/api/v1/orgs", map[string]any{"name": "Org B"}, &org)
	w.orgB = org.ID
	return w, ownerA, ownerB
}

// sameAnswer fails unless a and b carry the same status and the same body
// apart from the request id and the ids each request named.
func sameAnswer(t *testing.T, what string, a *servertest.Response, aIDs []string, b *servertest.Response, bIDs []string) {
	t.Helper()
	ab, bb := stripIDs(a.Body, aIDs), stripIDs(b.Body, bIDs)
	if a.Status != b.Status || !bytes.Equal(ab, bb) {
		t.Errorf("%s: %d %s, but %d %s for ids that name nothing — the answer reveals the object", what, a.Status, ab, b.Status, bb)
	}
}

// TestLegalHoldTellsOnlyThoseWhoSee: erasing a message or clearing a
// history "for everyone" in a conversation under a legal hold is refused
// with 409 legal_hold — but only to people who may see the conversation.
// Everyone else gets the answer a made-up id gets, so holding a message id
// reveals neither the conversation nor its hold.
func TestLegalHoldTellsOnlyThoseWhoSee(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w, ownerA, ownerB := smallWorld(t, env)
		bystander := w.signedIn(w.account("Bo Bystander"))
		w.join(ownerA, bystander, w.orgA)
		sender := w.signedIn(w.account("Sam Sender"))
		w.join(ownerA, sender, w.orgA)

		// A held conversation in each organization, with a message.
		held := map[*who]struct{ conv, msg string }{}
		for _, o := range []*who{ownerA, ownerB} {
			var conv struct {
				ID string `json:"id"`
			}
			members := []string{}
			if o == ownerA {
				members = []string{sender.AccountID}
			}
			w.must(o.Client, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": fmt.Sprintf("Held %d", w.seq.Add(1)), "member_ids": members}, &conv)
			var msg struct {
				ID string `json:"id"`
			}
			w.must(o.Client, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": fmt.Sprintf("h%d", w.seq.Add(1)), "body": "evidence"}, &msg)
			w.must(o.Client, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "conversation", "target_id": conv.ID, "reason": "litigation"}, nil)
			held[o] = struct{ conv, msg string }{conv.ID, msg.ID}
		}
		a, b := held[ownerA], held[ownerB]
		noConv, noMsg := nonexistent(a.conv), nonexistent(a.msg)

		eraseMsg := func(c *who, conv, msg string) *servertest.Response {
			return c.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv, "message_id": msg, "for_everyone": true}, nil)
		}
		clearConv := func(c *who, conv string) *servertest.Response {
			return c.Do(t, "POST", "/api/v1/me/erasures/conversation", map[string]any{"conversation_id": conv, "for_everyone": true}, nil)
		}
		for _, tc := range []struct {
			name   string
			caller *who
			conv   string
			msg    string
		}{
			{"another organization's owner", ownerA, b.conv, b.msg},
			{"a member outside the conversation", bystander, a.conv, a.msg},
		} {
			sameAnswer(t, tc.name+" erasing a held message", eraseMsg(tc.caller, tc.conv, tc.msg), []string{tc.conv, tc.msg}, eraseMsg(tc.caller, noConv, noMsg), []string{noConv, noMsg})
			sameAnswer(t, tc.name+" clearing a held history", clearConv(tc.caller, tc.conv), []string{tc.conv}, clearConv(tc.caller, noConv), []string{noConv})
			if r := eraseMsg(tc.caller, tc.conv, tc.msg); r.Status != http.StatusNotFound {
				t.Errorf("%s erasing a held message: %d %s, want 404", tc.name, r.Status, r.Body)
			}
		}
		// Those who see the conversation learn of the hold: its sender...
		eraseMsg(ownerA, a.conv, a.msg).WantError(t, http.StatusConflict, "legal_hold")
		// ...and nothing was deleted.
		ownerA.Do(t, "GET", "/api/v1/conversations/"+a.conv+"/messages/"+a.msg, nil, nil).Want(t, http.StatusOK)
		// A participant who did not send it is refused for that reason.
		eraseMsg(sender, a.conv, a.msg).WantError(t, http.StatusForbidden, "not_sender")
		// Deleting it for oneself is not held back.
		sender.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": a.conv, "message_id": a.msg, "for_everyone": false}, nil).Want(t, http.StatusOK)
	})
}

// TestEveryListRefusesABadLimitAlike: every list route reads ?limit=
// through the one validator, so a bad limit gets the same 400
// invalid_limit — status, code and body — on every route, and a good one
// is served.
func TestEveryListRefusesABadLimitAlike(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w, ownerA, _ := smallWorld(t, env)
		var dept, conv struct {
			ID string `json:"id"`
		}
		w.must(ownerA.Client, "POST", "/api/v1/departments", map[string]any{"name": "Ops"}, &dept)
		w.must(ownerA.Client, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Paged", "member_ids": []string{}}, &conv)
		lists := []string{
			"/api/v1/members",
			"/api/v1/departments/" + dept.ID + "/members",
			"/api/v1/conversations/" + conv.ID + "/messages",
			"/api/v1/search/messages?q=hello",
			"/api/v1/notifications",
			"/api/v1/audit",
			"/api/v1/me/login-history",
			"/api/v1/me/notices",
			// Lists that return every item refuse a bad limit alike.
			"/api/v1/departments",
			"/api/v1/conversations",
			"/api/v1/roles",
			"/api/v1/invitations",
			"/api/v1/me/sessions",
			"/api/v1/me/exports",
			"/api/v1/admin/legal-holds",
		}
		sep := func(p string) string {
			if bytes.ContainsRune([]byte(p), '?') {
				return p + "&"
			}
			return p + "?"
		}
		for _, bad := range []string{"0", "201", "-1", "abc", "1.5", "1e2", "%2B5", "", "5&limit=6"} {
			var first []byte
			for _, p := range lists {
				r := ownerA.Do(t, "GET", sep(p)+"limit="+bad, nil, nil)
				r.WantError(t, http.StatusBadRequest, "invalid_limit")
				b := stripIDs(r.Body, nil)
				if first == nil {
					first = b
				} else if !bytes.Equal(b, first) {
					t.Errorf("limit=%s on %s: %s, but %s on %s", bad, p, b, first, lists[0])
				}
			}
		}
		for _, p := range lists {
			ownerA.Do(t, "GET", sep(p)+"limit=200", nil, nil).Want(t, http.StatusOK)
		}
	})
}
