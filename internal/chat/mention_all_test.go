package chat_test

import (
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestMentionAllPolicy: @all and @所有人 notify everyone in a group like a
// mention; the organization decides who may write them (owner and admins by
// default, everyone, or nobody), and the server refuses the others.
func TestMentionAllPolicy(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		var org directory.Org
		w.owner.Do(t, "GET", "/api/v1/orgs/current", nil, &org).Want(t, http.StatusOK)
		if org.Settings.MentionAll != directory.MentionAllAdmins {
			t.Fatalf("default mention_all %q", org.Settings.MentionAll)
		}
		w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"mention_all": "some"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.bob.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"mention_all": "everyone"}, nil).WantError(t, http.StatusForbidden, "forbidden")

		g := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "All hands", "member_ids": []string{w.bob.ID, w.carol.ID}})
		canAll := func(p *person) bool {
			var c chat.Conversation
			p.Do(t, "GET", "/api/v1/conversations/"+g.ID, nil, &c).Want(t, http.StatusOK)
			return c.CanMentionAll
		}
		unread := func(p *person, msgID string) bool {
			var page chat.NotificationPage
			p.Do(t, "GET", "/api/v1/notifications?unread=true", nil, &page).Want(t, http.StatusOK)
			for _, n := range page.Items {
				if n.MessageID == msgID && n.Kind == "mention" {
					return true
				}
			}
			return false
		}

		// Default: the owner may, a member may not.
		if !canAll(w.owner) || canAll(w.bob) {
			t.Fatalf("can_mention_all by default: owner %v bob %v", canAll(w.owner), canAll(w.bob))
		}
		w.bob.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", map[string]any{"client_msg_id": "ma1", "body": "@所有人 lunch?"}, nil).
			WantError(t, http.StatusForbidden, "mention_all_not_allowed")
		m := send(t, w.owner, g.ID, map[string]any{"body": "@所有人 lunch at noon"}, http.StatusCreated)
		if !m.MentionAll {
			t.Fatal("@所有人 did not mention everyone")
		}
		if !unread(w.bob, m.ID) || !unread(w.carol, m.ID) {
			t.Fatal("@所有人 did not notify every member")
		}

		// Everyone: bob may, with @all too.
		w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"mention_all": "everyone"}, &org).Want(t, http.StatusOK)
		if org.Settings.MentionAll != directory.MentionAllEveryone || !canAll(w.bob) {
			t.Fatalf("after everyone: %q, bob can %v", org.Settings.MentionAll, canAll(w.bob))
		}
		mb := send(t, w.bob, g.ID, map[string]any{"body": "@all standup"}, http.StatusCreated)
		if !mb.MentionAll || !unread(w.carol, mb.ID) || !unread(w.owner, mb.ID) {
			t.Fatal("@all by a member did not notify the group")
		}

		// Nobody: not even the owner; an edit that adds @all is refused too.
		w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"mention_all": "nobody"}, nil).Want(t, http.StatusOK)
		if canAll(w.owner) {
			t.Fatal("owner can mention all under nobody")
		}
		w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", map[string]any{"client_msg_id": "ma2", "body": "@all now"}, nil).
			WantError(t, http.StatusForbidden, "mention_all_not_allowed")
		plain := send(t, w.owner, g.ID, map[string]any{"body": "hello"}, http.StatusCreated)
		w.owner.Do(t, "PATCH", "/api/v1/conversations/"+g.ID+"/messages/"+plain.ID, map[string]any{"body": "hello @all"}, nil).
			WantError(t, http.StatusForbidden, "mention_all_not_allowed")
		// A mail address is no mention.
		mail := send(t, w.owner, g.ID, map[string]any{"body": "write to team@all.example"}, http.StatusCreated)
		if mail.MentionAll {
			t.Fatal("an address counted as @all")
		}
	})
}
