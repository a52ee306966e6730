package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Black-box tests: the real server on both databases, people made through
// first-run setup, invitations and the identity service.

const pw = "correct horse battery"

var setupRe = regexp.MustCompile(`Open (\S+)/setup\?token=([0-9a-f]+) to create the first organization`)

type person struct {
	*servertest.Client
	ID    string
	Email string
}

var seq atomic.Int64

func setupToken(t testing.TB, out func() string) string {
	t.Helper()
	for i := 0; i < 1000; i++ {
		if m := setupRe.FindAllStringSubmatch(out(), -1); m != nil {
			return m[len(m)-1][2]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no setup link in:\n%s", out())
	return ""
}

// world is an organization with its owner, two members, an outside
// contact of the owner, and a person of another organization.
type world struct {
	env               *servertest.Env
	orgID             string
	owner, bob, carol *person
	carolMember       string
	erin              *person // outside contact of the owner
	mallory           *person // another organization
	malloryOrg        string
}

func newPerson(t *testing.T, env *servertest.Env, name string) *person {
	t.Helper()
	email := fmt.Sprintf("chat%d@example.test", seq.Add(1))
	acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{Client: c, ID: acc.ID, Email: email}
}

func join(t *testing.T, owner, p *person, orgID string) string {
	t.Helper()
	var inv directory.Invitation
	owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
	_, tok, _ := strings.Cut(inv.Link, "token=")
	var res directory.JoinResult
	p.Do(t, "POST", "/api/v1/join", map[string]any{"token": tok}, &res).Want(t, http.StatusOK)
	p.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": orgID}, nil).Want(t, http.StatusOK)
	return res.MemberID
}

func befriend(t *testing.T, a, b *person) {
	t.Helper()
	var res directory.AddContactResult
	r := a.Do(t, "POST", "/api/v1/contacts", map[string]any{"email": b.Email}, &res)
	if r.Status == http.StatusAccepted {
		b.Do(t, "POST", "/api/v1/contact-requests/"+res.RequestID+"/accept", nil, nil).Want(t, http.StatusOK)
	} else {
		r.Want(t, http.StatusCreated)
	}
}

func newWorld(t *testing.T, env *servertest.Env) *world {
	t.Helper()
	w := &world{env: env}
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        setupToken(t, env.Out.String),
		"organization": map[string]any{"name": "Acme"},
		"owner":        map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw},
	}, &res).Want(t, http.StatusCreated)
	w.orgID = res.Org.ID
	w.owner = &person{Client: c, ID: res.AccountID, Email: "owner@acme.test"}
	w.bob = newPerson(t, env, "Bob")
	join(t, w.owner, w.bob, w.orgID)
	w.carol = newPerson(t, env, "Carol")
	w.carolMember = join(t, w.owner, w.carol, w.orgID)
	w.erin = newPerson(t, env, "Erin")
	befriend(t, w.owner, w.erin)
	w.mallory = newPerson(t, env, "Mallory")
	var o directory.Org
	w.mallory.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other"}, &o).Want(t, http.StatusCreated)
	w.malloryOrg = o.ID
	w.mallory.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
	return w
}

func create(t *testing.T, p *person, status int, body map[string]any) chat.Conversation {
	t.Helper()
	var c chat.Conversation
	p.Do(t, "POST", "/api/v1/conversations", body, &c).Want(t, status)
	return c
}

func send(t *testing.T, p *person, convID string, body map[string]any, status int) chat.Message {
	t.Helper()
	if _, ok := body["client_msg_id"]; !ok {
		body["client_msg_id"] = fmt.Sprint("h", seq.Add(1))
	}
	var m chat.Message
	p.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", body, &m).Want(t, status)
	return m
}

func TestHTTPMessaging(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)

		// Direct: once per pair; not with a stranger from another org.
		dm := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "direct", "member_ids": []string{w.bob.ID}})
		if again := create(t, w.bob, http.StatusOK, map[string]any{"kind": "direct", "member_ids": []string{w.owner.ID}}); again.ID != dm.ID {
			t.Fatalf("second direct %s != %s", again.ID, dm.ID)
		}
		w.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{w.mallory.ID}}, nil).WantError(t, http.StatusForbidden, "member_not_allowed")
		// Internal: members only; external: plus outside contacts.
		w.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "t", "member_ids": []string{w.erin.ID}}, nil).WantError(t, http.StatusForbidden, "member_not_allowed")
		in := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{w.bob.ID, w.carol.ID}})
		ex := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "external", "name": "Partners", "member_ids": []string{w.bob.ID, w.carol.ID, w.erin.ID}})
		gen := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "general", "name": "Friends", "member_ids": []string{w.erin.ID}})
		w.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "general", "member_ids": []string{w.mallory.ID}}, nil).WantError(t, http.StatusForbidden, "member_not_allowed")
		w.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "nope"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/conversations", `{"kind":"direct","member_ids":"x"}`, nil).WantError(t, http.StatusBadRequest, "wrong_type")

		// Send, retry, mention, reply, markdown safety.
		m1 := send(t, w.bob, in.ID, map[string]any{"client_msg_id": "bob-1", "body": "hello <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"}, http.StatusCreated)
		if strings.Contains(m1.HTML, "<script") || strings.Contains(m1.HTML, "javascript:") || strings.Contains(m1.HTML, "onerror") {
			t.Fatalf("unsafe html: %s", m1.HTML)
		}
		if r := send(t, w.bob, in.ID, map[string]any{"client_msg_id": "bob-1", "body": "again"}, http.StatusOK); r.ID != m1.ID || r.Seq != m1.Seq {
			t.Fatalf("retry gave %+v", r)
		}
		m2 := send(t, w.owner, in.ID, map[string]any{"body": "@[Carol](" + w.carol.ID + ") see this", "reply_to_id": m1.ID}, http.StatusCreated)
		if len(m2.Mentions) != 1 || m2.ReplyToID != m1.ID {
			t.Fatalf("m2 = %+v", m2)
		}
		send(t, w.bob, in.ID, map[string]any{"body": "@all hi"}, http.StatusForbidden)
		send(t, w.bob, in.ID, map[string]any{}, http.StatusBadRequest)
		var notes chat.NotificationPage
		w.carol.Do(t, "GET", "/api/v1/notifications?unread=true", nil, &notes).Want(t, http.StatusOK)
		if len(notes.Items) != 1 || notes.Items[0].MessageID != m2.ID || notes.Items[0].Kind != "mention" {
			t.Fatalf("carol's notifications = %+v", notes)
		}

		// Edit with history; reactions; pin.
		var ed chat.Message
		w.bob.Do(t, "PATCH", "/api/v1/conversations/"+in.ID+"/messages/"+m1.ID, map[string]any{"body": "hello, edited"}, &ed).Want(t, http.StatusOK)
		w.carol.Do(t, "PATCH", "/api/v1/conversations/"+in.ID+"/messages/"+m1.ID, map[string]any{"body": "x"}, nil).WantError(t, http.StatusForbidden, "not_sender")
		var edits chat.EditList
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m1.ID+"/edits", nil, &edits).Want(t, http.StatusOK)
		if len(edits.Items) != 1 || !strings.HasPrefix(edits.Items[0].Body, "hello <script>") {
			t.Fatalf("edits = %+v", edits)
		}
		w.carol.Do(t, "PUT", "/api/v1/conversations/"+in.ID+"/messages/"+m1.ID+"/reactions/"+url.PathEscape("👍"), nil, nil).Want(t, http.StatusNoContent)
		w.owner.Do(t, "PUT", "/api/v1/conversations/"+in.ID+"/messages/"+m1.ID+"/pin", nil, nil).Want(t, http.StatusNoContent)
		var got chat.Message
		w.bob.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m1.ID, nil, &got).Want(t, http.StatusOK)
		if len(got.Reactions) != 1 || got.Reactions[0].Emoji != "👍" || !got.Pinned || got.EditedAt == 0 {
			t.Fatalf("message = %+v", got)
		}

		// Receipts and unread counts.
		var rc chat.Receipts
		w.bob.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m2.ID+"/receipts", nil, &rc).Want(t, http.StatusOK)
		if rc.ReadCount != 0 || rc.UnreadCount != 2 {
			t.Fatalf("receipts = %+v", rc)
		}
		var conv chat.Conversation
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID, nil, &conv).Want(t, http.StatusOK)
		if conv.UnreadCount != 2 {
			t.Fatalf("carol unread = %d", conv.UnreadCount)
		}
		var st chat.ReadState
		w.carol.Do(t, "POST", "/api/v1/conversations/"+in.ID+"/read", map[string]any{"up_to_message_id": m2.ID}, &st).Want(t, http.StatusOK)
		if st.UnreadCount != 0 {
			t.Fatalf("after read: %+v", st)
		}
		w.bob.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m2.ID+"/receipts", nil, &rc).Want(t, http.StatusOK)
		if rc.ReadCount != 1 || rc.Read[0] != w.carol.ID || rc.Unread[0] != w.bob.ID {
			t.Fatalf("receipts after read = %+v", rc)
		}

		// Search: Chinese and English, only what the caller may see.
		zh := send(t, w.owner, in.ID, map[string]any{"body": "今天的会议纪要在这里"}, http.StatusCreated)
		en := send(t, w.carol, ex.ID, map[string]any{"body": "The quarterly numbers"}, http.StatusCreated)
		send(t, w.mallory, create(t, w.mallory, http.StatusCreated, map[string]any{"kind": "internal", "name": "M"}).ID,
			map[string]any{"body": "mallory's own quarterly 会议纪要"}, http.StatusCreated)
		search := func(p *person, q string) []string {
			var page chat.SearchPage
			p.Do(t, "GET", "/api/v1/search/messages?q="+url.QueryEscape(q), nil, &page).Want(t, http.StatusOK)
			var ids []string
			for _, m := range page.Items {
				ids = append(ids, m.ID)
			}
			return ids
		}
		if ids := search(w.bob, "会议纪要"); len(ids) != 1 || ids[0] != zh.ID {
			t.Fatalf("bob 会议纪要 = %v", ids)
		}
		if ids := search(w.erin, "quarterly"); len(ids) != 1 || ids[0] != en.ID {
			t.Fatalf("erin quarterly = %v", ids)
		}
		if ids := search(w.erin, "会议纪要"); len(ids) != 0 {
			t.Fatalf("erin sees the internal group: %v", ids)
		}
		for _, q := range []string{"quarterly", "会议纪要", "hello", "会议"} {
			for _, id := range search(w.mallory, q) {
				if id == zh.ID || id == en.ID || id == m1.ID {
					t.Fatalf("mallory found %s with %q", id, q)
				}
			}
		}
		w.mallory.Do(t, "GET", "/api/v1/search/messages?q=quarterly&conversation_id="+ex.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Another organization's person: 404 everywhere, like a missing id.
		missing := "cnv_" + strings.Repeat("0", 32)
		for _, id := range []string{in.ID, ex.ID, dm.ID, gen.ID, missing} {
			for _, rq := range []struct{ method, path string }{
				{"GET", "/api/v1/conversations/" + id},
				{"GET", "/api/v1/conversations/" + id + "/messages"},
				{"GET", "/api/v1/conversations/" + id + "/members"},
				{"GET", "/api/v1/conversations/" + id + "/messages/" + m1.ID},
				{"GET", "/api/v1/conversations/" + id + "/messages/" + m1.ID + "/receipts"},
				{"POST", "/api/v1/conversations/" + id + "/read"},
			} {
				var body any
				if rq.method == "POST" {
					body = map[string]any{"up_to_message_id": m1.ID}
				}
				w.mallory.Do(t, rq.method, rq.path, body, nil).WantError(t, http.StatusNotFound, "not_found")
			}
			w.mallory.Do(t, "POST", "/api/v1/conversations/"+id+"/messages", map[string]any{"client_msg_id": "m-x", "body": "hi"}, nil).WantError(t, http.StatusNotFound, "not_found")
			w.mallory.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": id, "message_id": m1.ID, "for_everyone": true}, nil).WantError(t, http.StatusNotFound, "not_found")
		}

		// Files: upload an image, send it, the members download it and its
		// thumbnail; nobody else can.
		f := upload(t, w.owner, "pic.png", pngBytes(t, 800, 400))
		if f.ContentType != "image/png" || f.Width != 800 || !f.HasThumbnail {
			t.Fatalf("file = %+v", f)
		}
		img := send(t, w.owner, in.ID, map[string]any{"kind": "image", "file_id": f.ID}, http.StatusCreated)
		if img.Attachment == nil || img.Attachment.FileID != f.ID {
			t.Fatalf("image message = %+v", img)
		}
		r := w.bob.Do(t, "GET", "/api/v1/files/"+f.ID+"/content", nil, nil).Want(t, http.StatusOK)
		if r.Header.Get("Content-Type") != "image/png" || len(r.Body) != len(pngBytes(t, 800, 400)) {
			t.Fatalf("download: %v %d", r.Header, len(r.Body))
		}
		r = w.bob.Do(t, "GET", "/api/v1/files/"+f.ID+"/thumbnail", nil, nil).Want(t, http.StatusOK)
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(r.Body)); err != nil || cfg.Width != 320 || cfg.Height != 160 {
			t.Fatalf("thumbnail %+v %v", cfg, err)
		}
		w.mallory.Do(t, "GET", "/api/v1/files/"+f.ID+"/content", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.erin.Do(t, "GET", "/api/v1/files/"+f.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		html := upload(t, w.bob, "x.html", []byte("<html><script>alert(1)</script></html>"))
		if strings.HasPrefix(html.ContentType, "text/html") {
			r := w.bob.Do(t, "GET", "/api/v1/files/"+html.ID+"/content", nil, nil).Want(t, http.StatusOK)
			if !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("html served inline: %v", r.Header)
			}
		}
		send(t, w.mallory, in.ID, map[string]any{"kind": "file", "file_id": f.ID}, http.StatusNotFound)

		// Delete for everyone (tombstone), delete for me, clear history.
		w.bob.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": m2.ID, "for_everyone": true}, nil).WantError(t, http.StatusForbidden, "not_sender")
		w.owner.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": m2.ID, "for_everyone": true}, nil).Want(t, http.StatusOK)
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m2.ID, nil, &got).Want(t, http.StatusOK)
		if !got.Deleted || got.Body != "" {
			t.Fatalf("tombstone = %+v", got)
		}
		w.carol.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": zh.ID}, nil).Want(t, http.StatusOK)
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+zh.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.bob.Do(t, "POST", "/api/v1/me/erasures/conversation", map[string]any{"conversation_id": in.ID}, nil).Want(t, http.StatusOK)
		var h chat.History
		w.bob.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		if len(h.Items) != 0 {
			t.Fatalf("bob's history after clear: %d items", len(h.Items))
		}
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages?limit=2", nil, &h).Want(t, http.StatusOK)
		if len(h.Items) != 2 || !h.HasBefore {
			t.Fatalf("owner's history: %+v", h)
		}
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages?limit=0", nil, nil).WantError(t, http.StatusBadRequest, "invalid_limit")
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages?before=1&after=2", nil, nil).WantError(t, http.StatusBadRequest, "invalid_query")
		if ids := search(w.bob, "会议纪要"); len(ids) != 0 {
			t.Fatalf("bob finds cleared messages: %v", ids)
		}

		// Ownership, then resignation: carol leaves the org and with it
		// the internal and external groups (not the general one).
		w.owner.Do(t, "POST", "/api/v1/conversations/"+in.ID+"/transfer", map[string]any{"account_id": w.carol.ID}, nil).Want(t, http.StatusNoContent)
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID, nil, &conv).Want(t, http.StatusOK)
		if conv.OwnerID != w.carol.ID || conv.Role != "admin" {
			t.Fatalf("after transfer: %+v", conv)
		}
		w.owner.Do(t, "POST", "/api/v1/members/"+w.carolMember+"/deactivate", map[string]any{}, nil).Want(t, http.StatusOK)
		for _, id := range []string{in.ID, ex.ID} {
			var ms chat.MemberList
			w.owner.Do(t, "GET", "/api/v1/conversations/"+id+"/members", nil, &ms).Want(t, http.StatusOK)
			for _, m := range ms.Items {
				if m.AccountID == w.carol.ID {
					t.Fatalf("carol still in %s", id)
				}
			}
		}
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID, nil, &conv).Want(t, http.StatusOK)
		if conv.OwnerID == w.carol.ID || conv.OwnerID == "" {
			t.Fatalf("owner after resignation: %+v", conv)
		}
		// Resignation ended carol's session in the org; signed in again,
		// she no longer sees its conversations.
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID, nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		w.carol.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": w.carol.Email, "password": pw}, nil).Want(t, http.StatusOK)
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Dissolve: no more posting.
		w.bob.Do(t, "DELETE", "/api/v1/conversations/"+gen.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.owner.Do(t, "DELETE", "/api/v1/conversations/"+gen.ID, nil, nil).Want(t, http.StatusNoContent)
		send(t, w.erin, gen.ID, map[string]any{"body": "anyone?"}, http.StatusConflict)
	})
}

// TestOrgRecallWindow: the organization sets how long senders may delete
// their own messages for everyone; group admins stay unlimited.
func TestOrgRecallWindow(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		var org directory.Org
		w.owner.Do(t, "GET", "/api/v1/orgs/current", nil, &org).Want(t, http.StatusOK)
		if org.Settings.RecallWindowSeconds != directory.DefaultRecallWindowSeconds {
			t.Fatalf("default recall window %d", org.Settings.RecallWindowSeconds)
		}
		for _, bad := range []any{5, 8 * 24 * 3600} {
			w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"recall_window_seconds": bad}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		}
		w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"recall_window_seconds": "1h"}, nil).WantError(t, http.StatusBadRequest, "wrong_type")
		w.bob.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"recall_window_seconds": 3600}, nil).WantError(t, http.StatusForbidden, "forbidden")

		in := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Recall", "member_ids": []string{w.bob.ID}})
		svc := env.App.Server.Chat
		later := func(d time.Duration) { svc.Now = func() time.Time { return time.Now().Add(d) } }
		defer func() { svc.Now = time.Now }()

		// An hour's window: ten minutes later the sender still may.
		w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"recall_window_seconds": 3600}, &org).Want(t, http.StatusOK)
		if org.Settings.RecallWindowSeconds != 3600 {
			t.Fatalf("recall window after PATCH: %d", org.Settings.RecallWindowSeconds)
		}
		m1 := send(t, w.bob, in.ID, map[string]any{"body": "first"}, http.StatusCreated)
		later(10 * time.Minute)
		w.bob.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": m1.ID, "for_everyone": true}, nil).Want(t, http.StatusOK)
		svc.Now = time.Now

		// Thirty seconds: a minute later the sender may not, the owner may.
		w.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"recall_window_seconds": 30}, nil).Want(t, http.StatusOK)
		m2 := send(t, w.bob, in.ID, map[string]any{"body": "second"}, http.StatusCreated)
		later(time.Minute)
		w.bob.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": m2.ID, "for_everyone": true}, nil).WantError(t, http.StatusForbidden, "recall_window_passed")
		w.owner.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": m2.ID, "for_everyone": true}, nil).Want(t, http.StatusOK)
	})
}

func pngBytes(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func upload(t *testing.T, p *person, name string, data []byte) chat.File {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", p.Env.URL+"/api/v1/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r := p.Request(t, req).Want(t, http.StatusCreated)
	var f chat.File
	if err := jsonUnmarshal(r.Body, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestHTTPRetryAfterRestart: a send retried with the same client_msg_id
// after a restart of the server on the same data returns the same message.
func TestHTTPRetryAfterRestart(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			o := servertest.Options{DataDir: t.TempDir()}
			if kind == db.Postgres {
				o.DatabaseURL = dbtest.NewPostgresURL(t)
			}
			var first chat.Message
			var convID, email string
			t.Run("before", func(t *testing.T) {
				env := servertest.StartWith(t, kind, o)
				w := &world{env: env}
				c := env.Client()
				var res directory.SetupResult
				c.Do(t, "POST", "/api/v1/setup", map[string]any{
					"token":        setupToken(t, env.Out.String),
					"organization": map[string]any{"name": "Acme"},
					"owner":        map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw},
				}, &res).Want(t, http.StatusCreated)
				w.owner = &person{Client: c, ID: res.AccountID}
				email = "owner@acme.test"
				conv := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Solo"})
				convID = conv.ID
				first = send(t, w.owner, conv.ID, map[string]any{"client_msg_id": "restart-1", "body": "before the restart"}, http.StatusCreated)
			})
			env := servertest.StartWith(t, kind, o)
			c := env.Client()
			c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
			var again chat.Message
			c.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"client_msg_id": "restart-1", "body": "after"}, &again).Want(t, http.StatusOK)
			if again.ID != first.ID || again.Body != "before the restart" {
				t.Fatalf("after restart: %+v, want %+v", again, first)
			}
		})
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestHTTPAttachmentKinds: voice (audio sniffed from the bytes, with a
// duration), location (sealed with the organization's key at rest) and a
// link card supplied by the client.
func TestHTTPAttachmentKinds(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		g := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Kinds", "member_ids": []string{w.bob.ID}})

		wav := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"), make([]byte, 64)...)
		f := upload(t, w.bob, "note.wav", wav)
		if !strings.HasPrefix(f.ContentType, "audio/") {
			t.Fatalf("voice upload sniffed as %q", f.ContentType)
		}
		send(t, w.bob, g.ID, map[string]any{"kind": "voice", "file_id": f.ID}, http.StatusBadRequest) // no duration
		v := send(t, w.bob, g.ID, map[string]any{"kind": "voice", "file_id": f.ID, "duration_ms": 4200}, http.StatusCreated)
		if v.Attachment == nil || v.Attachment.DurationMS != 4200 {
			t.Fatalf("voice = %+v", v)
		}
		send(t, w.bob, g.ID, map[string]any{"kind": "image", "file_id": f.ID}, http.StatusBadRequest) // not an image

		loc := send(t, w.owner, g.ID, map[string]any{"kind": "location", "location": map[string]any{"lat": 39.9042, "lon": 116.4074, "label": "Tiananmen-Label-Canary"}}, http.StatusCreated)
		var got chat.Message
		w.bob.Do(t, "GET", "/api/v1/conversations/"+g.ID+"/messages/"+loc.ID, nil, &got).Want(t, http.StatusOK)
		if got.Location == nil || got.Location.Label != "Tiananmen-Label-Canary" || got.Location.Lat != 39.9042 {
			t.Fatalf("location = %+v", got.Location)
		}
		var raw []byte
		if err := env.App.DB.Reader().QueryRowContext(context.Background(), `SELECT location FROM messages WHERE id = $1`, loc.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 || bytes.Contains(raw, []byte("Canary")) || bytes.Contains(raw, []byte("116.4074")) {
			t.Fatalf("location stored unsealed: %q", raw)
		}

		card := send(t, w.owner, g.ID, map[string]any{"kind": "card", "card": map[string]any{"url": "https://example.com/doc", "title": "Q3 plan", "description": "the plan"}}, http.StatusCreated)
		if card.Attachment == nil || card.Attachment.URL != "https://example.com/doc" || card.Attachment.Title != "Q3 plan" {
			t.Fatalf("card = %+v", card)
		}
		send(t, w.owner, g.ID, map[string]any{"kind": "card", "card": map[string]any{"url": "javascript:alert(1)", "title": "x"}}, http.StatusBadRequest)
	})
}

func TestHTTPNotificationsCursor(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		dm := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "direct", "member_ids": []string{w.bob.ID}})
		sent := map[string]string{}
		for i := 0; i < 3; i++ {
			m := send(t, w.owner, dm.ID, map[string]any{"body": fmt.Sprint("note ", i)}, http.StatusCreated)
			sent[m.ID] = m.Body
		}
		// Pages of one: every notification once, with its message.
		seen := map[string]bool{}
		path := "/api/v1/notifications?limit=1"
		for i := 0; i < 5; i++ {
			var p chat.NotificationPage
			w.bob.Do(t, "GET", path, nil, &p).Want(t, http.StatusOK)
			for _, n := range p.Items {
				if seen[n.MessageID] || n.Message == nil || n.Message.Body != sent[n.MessageID] {
					t.Fatalf("notification %+v (message %+v)", n, n.Message)
				}
				seen[n.MessageID] = true
			}
			if p.NextCursor == "" {
				break
			}
			if c, err := httpx.ParseCursor(p.NextCursor, nil); err != nil || c != httpx.IntCursor(p.Items[0].CreatedAt, p.Items[0].MessageID) {
				t.Fatalf("next_cursor %q for %+v", p.NextCursor, p.Items[0])
			}
			// The "<created_at>.<message_id>" cursor handed out before is
			// still read: the same next page.
			var again chat.NotificationPage
			w.bob.Do(t, "GET", "/api/v1/notifications?limit=1&cursor="+fmt.Sprint(p.Items[0].CreatedAt)+"."+p.Items[0].MessageID, nil, &again).Want(t, http.StatusOK)
			var next chat.NotificationPage
			w.bob.Do(t, "GET", "/api/v1/notifications?limit=1&cursor="+url.QueryEscape(p.NextCursor), nil, &next).Want(t, http.StatusOK)
			if len(again.Items) != len(next.Items) || (len(next.Items) > 0 && again.Items[0].MessageID != next.Items[0].MessageID) {
				t.Fatalf("old cursor: %+v, new: %+v", again.Items, next.Items)
			}
			path = "/api/v1/notifications?limit=1&cursor=" + url.QueryEscape(p.NextCursor)
		}
		if len(seen) != len(sent) {
			t.Fatalf("saw %d of %d notifications", len(seen), len(sent))
		}
		// A bare created_at is still a cursor.
		w.bob.Do(t, "GET", "/api/v1/notifications?cursor=1", nil, nil).Want(t, http.StatusOK)
		for _, bad := range []string{"abc", "-1", "12.", ".msg_1", "12.msg%201", "12.a.b", "1e3", "99999999999999999999"} {
			w.bob.Do(t, "GET", "/api/v1/notifications?cursor="+bad, nil, nil).WantError(t, http.StatusBadRequest, "invalid_query")
		}
	})
}

// TestHTTPSavedAndMarkedUnread: saving messages (idempotent, paged, mine
// alone, gone once I cannot see them) and marking a conversation unread
// (reading takes the mark away; read positions do not move back).
func TestHTTPSavedAndMarkedUnread(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		in := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{w.bob.ID, w.carol.ID}})
		var ms []chat.Message
		for i := 0; i < 3; i++ {
			ms = append(ms, send(t, w.owner, in.ID, map[string]any{"body": fmt.Sprint("plan ", i)}, http.StatusCreated))
		}
		save := func(p *person, m chat.Message, method string, status int) {
			t.Helper()
			p.Do(t, method, "/api/v1/conversations/"+in.ID+"/messages/"+m.ID+"/saved", nil, nil).Want(t, status)
		}
		saved := func(p *person, q string) chat.SavedPage {
			t.Helper()
			var sp chat.SavedPage
			p.Do(t, "GET", "/api/v1/me/saved-messages"+q, nil, &sp).Want(t, http.StatusOK)
			return sp
		}
		for _, m := range ms {
			save(w.bob, m, "PUT", http.StatusNoContent)
		}
		save(w.bob, ms[0], "PUT", http.StatusNoContent) // again: nothing more
		// Not a member: 404, as for a message that does not exist.
		w.mallory.Do(t, "PUT", "/api/v1/conversations/"+in.ID+"/messages/"+ms[0].ID+"/saved", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		save(w.bob, chat.Message{ID: "msg_nope"}, "PUT", http.StatusNotFound)

		var got []string
		cursor := ""
		for i := 0; i < 5; i++ {
			sp := saved(w.bob, "?limit=2&cursor="+cursor)
			for _, s := range sp.Items {
				got = append(got, s.Message.Body)
			}
			if cursor = sp.NextCursor; cursor == "" {
				break
			}
		}
		if len(got) != 3 {
			t.Fatalf("saved pages: %v", got)
		}
		if sp := saved(w.carol, ""); len(sp.Items) != 0 {
			t.Fatalf("carol sees bob's saved messages: %+v", sp.Items)
		}
		save(w.bob, ms[1], "DELETE", http.StatusNoContent)
		if sp := saved(w.bob, ""); len(sp.Items) != 2 {
			t.Fatalf("after unsaving one: %+v", sp.Items)
		}
		// Deleted for myself: no longer listed.
		w.bob.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": in.ID, "message_id": ms[2].ID}, nil).Want(t, http.StatusOK)
		if sp := saved(w.bob, ""); len(sp.Items) != 1 || sp.Items[0].Message.ID != ms[0].ID {
			t.Fatalf("after deleting one for me: %+v", sp.Items)
		}
		// Removed from the group: nothing of it is listed.
		w.owner.Do(t, "DELETE", "/api/v1/conversations/"+in.ID+"/members/"+w.bob.ID, nil, nil).Want(t, http.StatusNoContent)
		if sp := saved(w.bob, ""); len(sp.Items) != 0 {
			t.Fatalf("after leaving the group: %+v", sp.Items)
		}
		w.bob.Do(t, "GET", "/api/v1/me/saved-messages?cursor=garbage!", nil, nil).WantError(t, http.StatusBadRequest, "invalid_cursor")

		// Mark unread: carol has read everything, marks the group unread.
		var c chat.Conversation
		w.carol.Do(t, "POST", "/api/v1/conversations/"+in.ID+"/read", map[string]any{"up_to_message_id": ms[2].ID}, nil).Want(t, http.StatusOK)
		w.carol.Do(t, "PATCH", "/api/v1/conversations/"+in.ID+"/me", map[string]any{"unread": true}, &c).Want(t, http.StatusOK)
		if !c.MarkedUnread || c.ReadSeq != ms[2].Seq {
			t.Fatalf("marked unread: %+v", c)
		}
		var list chat.ConversationList
		w.carol.Do(t, "GET", "/api/v1/conversations", nil, &list).Want(t, http.StatusOK)
		for _, x := range list.Items {
			if x.ID == in.ID && !x.MarkedUnread {
				t.Fatal("the list does not show the unread mark")
			}
		}
		// The receipts others see do not move back.
		var rc chat.Receipts
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+ms[2].ID+"/receipts", nil, &rc).Want(t, http.StatusOK)
		if !slices.Contains(rc.Read, w.carol.ID) {
			t.Fatalf("receipts after the mark: %+v", rc)
		}
		// Reading again takes the mark away, even with nothing new.
		w.carol.Do(t, "POST", "/api/v1/conversations/"+in.ID+"/read", map[string]any{"up_to_message_id": ms[2].ID}, nil).Want(t, http.StatusOK)
		w.carol.Do(t, "GET", "/api/v1/conversations/"+in.ID, nil, &c).Want(t, http.StatusOK)
		if c.MarkedUnread {
			t.Fatal("still marked unread after reading")
		}
	})
}
