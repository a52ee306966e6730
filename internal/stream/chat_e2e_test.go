package stream_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
	"github.com/atrium-hq/atrium/internal/stream"
)

// These tests drive chat's REST API and read the stream.

func createGroup(t *testing.T, owner *person, members ...*person) chat.Conversation {
	t.Helper()
	var ids []string
	for _, m := range members {
		ids = append(ids, m.accountID)
	}
	var c chat.Conversation
	owner.c.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Group", "member_ids": ids}, &c).Want(t, http.StatusCreated)
	return c
}

func sendText(t *testing.T, p *person, convID, clientID string) {
	t.Helper()
	r := p.c.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"client_msg_id": clientID, "body": "hello " + clientID}, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("send %s: %d %s", clientID, r.Status, r.Body)
	}
}

// clientIDs returns the client_msg_id of each message.created frame.
func clientIDs(fs []frame) []string {
	var out []string
	for _, f := range fs {
		if f.Type == "event" && f.Event == "message.created" {
			var m chat.Message
			_ = jsonUnmarshal(f.Data, &m)
			out = append(out, m.ClientMsgID)
		}
	}
	return out
}

// checkBodies checks that each message.created frame carries the text
// sendText sent (stored sealed, and opened by whichever path the node
// took: the event handed over by its own commit, or read back).
func checkBodies(t *testing.T, fs []frame) {
	t.Helper()
	for _, f := range fs {
		if f.Type == "event" && f.Event == "message.created" {
			var m chat.Message
			if err := jsonUnmarshal(f.Data, &m); err != nil || m.Body != "hello "+m.ClientMsgID {
				t.Fatalf("message.created at %d: %s (%v)", f.Pos, f.Data, err)
			}
		}
	}
}

func lastPos(fs []frame) int64 {
	var p int64
	for _, f := range fs {
		if f.Pos > p && f.Type == "event" {
			p = f.Pos
		}
	}
	return p
}

func TestChatThroughTheStream(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		b, _ := o.member(t, env)
		c, _ := o.member(t, env)
		conv := createGroup(t, o.owner, b, c)

		sb := connect(t, b, nil)
		sb.ready()
		sc := connect(t, c, nil)
		sc.ready()

		// Live: 20 messages reach both, in order.
		var want []string
		for i := 0; i < 20; i++ {
			id := fmt.Sprintf("m%03d", i)
			sendText(t, o.owner, conv.ID, id)
			want = append(want, id)
		}
		var got []frame
		for len(clientIDs(got)) < 20 {
			got = append(got, sb.mustNext())
		}
		if fmt.Sprint(clientIDs(got)) != fmt.Sprint(want) {
			t.Fatalf("live: %v", clientIDs(got))
		}
		checkBodies(t, got)
		// B drops off after those; 60 more are sent; B resumes and gets
		// exactly the 60, then live ones continue.
		sb.c.CloseNow()
		resume := lastPos(got)
		want = nil
		for i := 20; i < 80; i++ {
			id := fmt.Sprintf("m%03d", i)
			sendText(t, o.owner, conv.ID, id)
			want = append(want, id)
		}
		sb2 := connect(t, b, &resume)
		sendText(t, o.owner, conv.ID, "m080")
		want = append(want, "m080")
		// Replay and live delivery together: exactly the missed messages
		// and the new one, in order, whatever part of them the node had read
		// when B came back.
		var replayed []frame
		for {
			f := sb2.mustNext()
			replayed = append(replayed, f)
			if ids := clientIDs(replayed); len(ids) > 0 && ids[len(ids)-1] == "m080" {
				break
			}
		}
		if fmt.Sprint(clientIDs(replayed)) != fmt.Sprint(want) {
			t.Fatalf("after resume:\n got %v\nwant %v", clientIDs(replayed), want)
		}
		checkBodies(t, replayed)

		// C is removed from the group: C's socket gets the removal and no
		// message of the group after it, while B still does.
		o.owner.c.Do(t, "DELETE", "/api/v1/conversations/"+conv.ID+"/members/"+c.accountID, nil, nil).Want(t, http.StatusNoContent)
		sendText(t, o.owner, conv.ID, "after-removal")
		untilEvent(sb2, "message.created")
		o.owner.c.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Sentinel"}, nil).Want(t, http.StatusOK)
		var sawRemoval bool
		for _, f := range untilEvent(sc, "org.updated") {
			if f.Event == stream.TypeMemberRemoved {
				sawRemoval = true
			}
			if sawRemoval && f.ScopeKind == "conversation" {
				t.Fatalf("removed member received %s (%s) after removal", f.Event, f.Data)
			}
			if f.Event == "message.created" && strings.Contains(string(f.Data), "after-removal") {
				t.Fatalf("removed member received a message sent after removal")
			}
		}
		if !sawRemoval {
			t.Fatalf("removed member did not receive %s", stream.TypeMemberRemoved)
		}

		// Another organization's conversation never reaches B.
		d := newAccount(t, env)
		d.c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other Co"}, nil).Want(t, http.StatusCreated)
		var other chat.Conversation
		d.c.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Theirs", "member_ids": []string{}}, &other).Want(t, http.StatusCreated)
		sendText(t, d, other.ID, "secret")
		o.owner.c.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Sentinel 2"}, nil).Want(t, http.StatusOK)
		for _, f := range untilEvent(sb2, "org.updated") {
			if f.ScopeID == other.ID || strings.Contains(string(f.Data), "secret") {
				t.Fatalf("another organization's event reached B: %+v", f)
			}
		}
		// B may not type into it either.
		sb2.send(map[string]string{"type": "typing", "conversation_id": other.ID})
		for {
			f := sb2.mustNext()
			if f.Type == "error" {
				break
			}
		}
	})
}

// TestChatAcrossTwoServers: a message sent through node A's REST API is
// delivered to a socket on node B.
func TestChatAcrossTwoServers(t *testing.T) {
	a := servertest.StartWith(t, db.Postgres, servertest.Options{})
	o := setupOrg(t, a)
	b := servertest.StartWith(t, db.Postgres, servertest.Options{DatabaseURL: a.App.Cfg.DatabaseURL, DataDir: a.App.Cfg.DataDir})
	p, _ := o.member(t, b) // signed in on node B
	conv := createGroup(t, o.owner, p)
	s := connect(t, p, nil)
	s.ready()
	for i := 0; i < 10; i++ {
		sendText(t, o.owner, conv.ID, fmt.Sprintf("n%d", i)) // the owner's client talks to node A
	}
	var got []frame
	for len(clientIDs(got)) < 10 {
		got = append(got, s.mustNext())
	}
	if ids := clientIDs(got); ids[0] != "n0" || ids[9] != "n9" {
		t.Fatalf("node B delivered %v", ids)
	}
}

// A message deleted for everyone is not replayed from a node's memory: a
// client that resumes from before it gets its creation without the text
// (as a replay from the database reads it), then its deletion.
func TestRecalledMessageIsNotReplayedWithItsText(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		b, _ := o.member(t, env)
		conv := createGroup(t, o.owner, b)
		sb := connect(t, b, nil)
		start := sb.ready()
		sendText(t, o.owner, conv.ID, "before")
		untilEvent(sb, "message.created")
		var m chat.Message
		o.owner.c.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "s1", "body": "the secret plan"}, &m).
			Want(t, http.StatusCreated)
		o.owner.c.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": m.ID, "for_everyone": true}, nil).
			Want(t, http.StatusOK)
		untilEvent(sb, "message.deleted") // the node has delivered both
		sb.c.CloseNow()

		again := connect(t, b, &start)
		fs := untilEvent(again, "message.deleted")
		for _, f := range fs {
			if strings.Contains(string(f.Data), "secret plan") {
				t.Fatalf("a resumed client received the deleted message's text: %s %s", f.Event, f.Data)
			}
		}
	})
}
