package chat_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Reactions take any one emoji — skin tones, flags, ZWJ sequences,
// keycaps — and refuse text with not_emoji.
func TestHTTPReactionsAnyEmoji(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		in := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{w.bob.ID}})
		m := send(t, w.owner, in.ID, map[string]any{"body": "hi"}, http.StatusCreated)
		path := "/api/v1/conversations/" + in.ID + "/messages/" + m.ID + "/reactions/"
		good := []string{"👍🏽", "🇨🇳", "👨‍👩‍👧", "🏳️‍🌈", "1️⃣", "❤️"}
		for _, e := range good {
			w.bob.Do(t, "PUT", path+url.PathEscape(e), nil, nil).Want(t, http.StatusNoContent)
			// Reactions list in the order they were first given, to the
			// millisecond (ties go by emoji): keep each in its own.
			time.Sleep(2 * time.Millisecond)
		}
		for _, e := range []string{"ok", "a", "<b>", "👍👍", "中"} {
			w.bob.Do(t, "PUT", path+url.PathEscape(e), nil, nil).WantError(t, http.StatusBadRequest, "not_emoji")
		}
		var got chat.Message
		w.owner.Do(t, "GET", "/api/v1/conversations/"+in.ID+"/messages/"+m.ID, nil, &got).Want(t, http.StatusOK)
		if len(got.Reactions) != len(good) {
			t.Fatalf("reactions = %+v", got.Reactions)
		}
		for i, r := range got.Reactions {
			if r.Emoji != good[i] || r.Count != 1 || r.Mine {
				t.Fatalf("reaction %d = %+v, want %s", i, r, good[i])
			}
		}
	})
}

// Forward: one message as a copy (its file reachable to the new readers),
// several as one chat record; the caller must read the source and post in
// every target; retries give the same messages; mentions notify nobody again.
func TestHTTPForward(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		dave := newPerson(t, env, "Dave")
		join(t, w.owner, dave, w.orgID)
		src := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{w.bob.ID, w.carol.ID}})
		side := create(t, w.carol, http.StatusCreated, map[string]any{"kind": "internal", "name": "Side", "member_ids": []string{dave.ID}})
		other := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "direct", "member_ids": []string{w.bob.ID}})

		m1 := send(t, w.bob, src.ID, map[string]any{"body": "hello @[Dave](" + dave.ID + ")"}, http.StatusCreated)
		f := upload(t, w.bob, "plan.txt", []byte("the plan"))
		m2 := send(t, w.bob, src.ID, map[string]any{"kind": "file", "file_id": f.ID}, http.StatusCreated)
		m3 := send(t, w.owner, src.ID, map[string]any{"body": "agreed"}, http.StatusCreated)
		fwd := "/api/v1/conversations/" + src.ID + "/forward"

		// Dave cannot read the file before it is forwarded to him.
		dave.Do(t, "GET", "/api/v1/files/"+f.ID+"/content", nil, nil).Want(t, http.StatusNotFound)
		var one chat.Forwarded
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "fw-1", "message_ids": []string{m2.ID}, "targets": []string{side.ID}}, &one).Want(t, http.StatusCreated)
		if len(one.Items) != 1 || one.Items[0].Kind != "file" || one.Items[0].ConversationID != side.ID || one.Items[0].SenderID != w.carol.ID || one.Items[0].Attachment == nil || one.Items[0].Attachment.FileID != f.ID {
			t.Fatalf("forwarded = %+v", one)
		}
		dave.Do(t, "GET", "/api/v1/files/"+f.ID+"/content", nil, nil).Want(t, http.StatusOK)
		var again chat.Forwarded
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "fw-1", "message_ids": []string{m2.ID}, "targets": []string{side.ID}}, &again).Want(t, http.StatusOK)
		if len(again.Items) != 1 || again.Items[0].ID != one.Items[0].ID {
			t.Fatalf("retry = %+v, first %+v", again, one)
		}

		// Several: one chat record, oldest first, with names and times.
		var rec chat.Forwarded
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "fw-2", "message_ids": []string{m3.ID, m1.ID, m2.ID}, "targets": []string{side.ID}}, &rec).Want(t, http.StatusCreated)
		var got chat.Message
		dave.Do(t, "GET", "/api/v1/conversations/"+side.ID+"/messages/"+rec.Items[0].ID, nil, &got).Want(t, http.StatusOK)
		if got.Kind != "record" || got.Attachment == nil || got.Attachment.Record == nil || len(got.Attachment.Record.Items) != 3 {
			t.Fatalf("record = %+v", got)
		}
		items := got.Attachment.Record.Items
		if items[0].SenderID != w.bob.ID || items[0].SenderName != "Bob" || !strings.Contains(items[0].Body, "hello") || items[0].CreatedAt != m1.CreatedAt ||
			items[1].Kind != "file" || items[1].Attachment == nil || items[1].Attachment.Name != "plan.txt" || items[1].Attachment.FileID != "" ||
			items[2].SenderName != "Olivia" || items[2].Body != "agreed" {
			t.Fatalf("record items = %+v", items)
		}
		// The mention in the forwarded text notifies nobody.
		var notes chat.NotificationPage
		dave.Do(t, "GET", "/api/v1/notifications?unread=true", nil, &notes).Want(t, http.StatusOK)
		for _, n := range notes.Items {
			if n.Kind == "mention" {
				t.Fatalf("forward notified a mention: %+v", notes)
			}
		}
		// A record itself can be forwarded again, as a copy.
		var rec2 chat.Forwarded
		dave.Do(t, "POST", "/api/v1/conversations/"+side.ID+"/forward", map[string]any{"client_msg_id": "fw-3", "message_ids": []string{got.ID}, "targets": []string{side.ID}}, &rec2).Want(t, http.StatusCreated)
		if rec2.Items[0].Kind != "record" || len(rec2.Items[0].Attachment.Record.Items) != 3 {
			t.Fatalf("record forwarded again = %+v", rec2)
		}

		// Who may: the source must be readable, every target postable.
		dave.Do(t, "POST", fwd, map[string]any{"client_msg_id": "x1", "message_ids": []string{m1.ID}, "targets": []string{side.ID}}, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "POST", fwd, map[string]any{"client_msg_id": "x2", "message_ids": []string{m1.ID}, "targets": []string{side.ID}}, nil).WantError(t, http.StatusNotFound, "not_found")
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "x3", "message_ids": []string{m1.ID}, "targets": []string{side.ID, other.ID}}, nil).WantError(t, http.StatusNotFound, "not_found")
		var sideHist chat.History
		dave.Do(t, "GET", "/api/v1/conversations/"+side.ID+"/messages", nil, &sideHist).Want(t, http.StatusOK)
		if len(sideHist.Items) != 3 {
			t.Fatalf("a refused forward sent something: %d messages", len(sideHist.Items))
		}
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "x4", "message_ids": []string{one.Items[0].ID}, "targets": []string{side.ID}}, nil).WantError(t, http.StatusNotFound, "not_found")
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "x5", "message_ids": []string{}, "targets": []string{side.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.carol.Do(t, "POST", fwd, map[string]any{"message_ids": []string{m1.ID}, "targets": []string{side.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": src.ID, "message_id": m3.ID, "for_everyone": true}, nil).Want(t, http.StatusOK)
		w.carol.Do(t, "POST", fwd, map[string]any{"client_msg_id": "x6", "message_ids": []string{m3.ID}, "targets": []string{side.ID}}, nil).WantError(t, http.StatusConflict, "message_deleted")
		send(t, w.carol, side.ID, map[string]any{"kind": "record"}, http.StatusBadRequest)
	})
}

// A thread's first message says how many replies it has and when the
// latest came; deleted replies do not count.
func TestHTTPThreadSummary(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		g := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{w.bob.ID}})
		root := send(t, w.owner, g.ID, map[string]any{"body": "topic"}, http.StatusCreated)
		r1 := send(t, w.bob, g.ID, map[string]any{"body": "one", "thread_root_id": root.ID}, http.StatusCreated)
		r2 := send(t, w.owner, g.ID, map[string]any{"body": "two", "thread_root_id": r1.ID}, http.StatusCreated)
		r3 := send(t, w.bob, g.ID, map[string]any{"body": "three", "thread_root_id": root.ID}, http.StatusCreated)
		if r2.ThreadRootID != root.ID {
			t.Fatalf("a reply in a thread belongs to its root: %+v", r2)
		}
		w.bob.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": g.ID, "message_id": r3.ID, "for_everyone": true}, nil).Want(t, http.StatusOK)
		var got chat.Message
		w.bob.Do(t, "GET", "/api/v1/conversations/"+g.ID+"/messages/"+root.ID, nil, &got).Want(t, http.StatusOK)
		if got.ThreadReplies != 2 || got.ThreadLastReplyAt != r2.CreatedAt {
			t.Fatalf("root = %d replies, last %d; want 2, %d", got.ThreadReplies, got.ThreadLastReplyAt, r2.CreatedAt)
		}
		var h chat.History
		w.owner.Do(t, "GET", "/api/v1/conversations/"+g.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		for _, m := range h.Items {
			if want := map[string]int{root.ID: 2}[m.ID]; m.ThreadReplies != want {
				t.Fatalf("%s has %d replies, want %d", m.Body, m.ThreadReplies, want)
			}
		}
	})
}
