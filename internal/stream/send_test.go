package stream_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// answer reads frames until the answer to ref (an ack or an error).
func answer(c *client, ref string) frame {
	c.t.Helper()
	for {
		f := c.mustNext()
		if f.Ref == ref && (f.Type == "ack" || f.Type == "error") {
			return f
		}
	}
}

// restCode is the error code and status REST answers a send with.
func restCode(t *testing.T, p *person, convID string, body any) (int, string) {
	t.Helper()
	r := p.c.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", body, nil)
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return r.Status, e.Error.Code
}

// TestSendOverTheStream: a message sent over the socket is the REST send —
// acknowledged after commit with the message (201, then 200 for a retry
// of the same client_msg_id, stored once), refused with the same status
// and code as REST for a bad body, a conversation the sender is not in
// (also after being removed from it while the socket stays open) and one
// that does not exist; a send without a ref is refused.
func TestSendOverTheStream(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		b, _ := o.member(t, env)
		c, _ := o.member(t, env)
		conv := createGroup(t, o.owner, b)

		sb := connect(t, b, nil)
		sb.ready()
		sc := connect(t, c, nil)
		sc.ready()

		msg := map[string]any{"client_msg_id": "ws-1", "body": "hello over the **stream**"}
		sb.send(map[string]any{"type": "send", "ref": "r1", "conversation_id": conv.ID, "message": msg})
		f := answer(sb, "r1")
		var m chat.Message
		if f.Type != "ack" || f.HTTPStatus != http.StatusCreated || json.Unmarshal(f.Message, &m) != nil || m.Body != "hello over the **stream**" ||
			m.ClientMsgID != "ws-1" || m.SenderID != b.accountID || m.HTML == "" {
			t.Fatalf("ack: %+v %s", f, f.Message)
		}
		// The same send again (a retry after a lost ack): 200, the same message.
		sb.send(map[string]any{"type": "send", "ref": "r2", "conversation_id": conv.ID, "message": msg})
		f = answer(sb, "r2")
		var again chat.Message
		if f.Type != "ack" || f.HTTPStatus != http.StatusOK || json.Unmarshal(f.Message, &again) != nil || again.ID != m.ID {
			t.Fatalf("retry: %+v %s", f, f.Message)
		}
		var hist chat.History
		o.owner.c.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &hist).Want(t, http.StatusOK)
		n := 0
		for _, x := range hist.Items {
			if x.ClientMsgID == "ws-1" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d copies stored", n)
		}

		// Refusals match REST's, status and code.
		for _, tc := range []struct {
			name string
			who  *client
			p    *person
			conv string
			body map[string]any
		}{
			{"unknown field", sb, b, conv.ID, map[string]any{"client_msg_id": "ws-2", "body": "x", "colour": "red"}},
			{"no client id", sb, b, conv.ID, map[string]any{"body": "x"}},
			{"empty", sb, b, conv.ID, map[string]any{"client_msg_id": "ws-3"}},
			{"not a participant", sc, c, conv.ID, map[string]any{"client_msg_id": "ws-4", "body": "let me in"}},
			{"no such conversation", sb, b, "cnv_nope", map[string]any{"client_msg_id": "ws-5", "body": "x"}},
		} {
			ref := "bad-" + tc.name
			tc.who.send(map[string]any{"type": "send", "ref": ref, "conversation_id": tc.conv, "message": tc.body})
			f := answer(tc.who, ref)
			st, code := restCode(t, tc.p, tc.conv, tc.body)
			if f.Type != "error" || f.HTTPStatus != st || f.Code != code || st < 400 {
				t.Fatalf("%s: stream %s %d %q, REST %d %q", tc.name, f.Type, f.HTTPStatus, f.Code, st, code)
			}
		}
		// Removed from the group, with the socket still open: refused at once.
		o.owner.c.Do(t, "DELETE", "/api/v1/conversations/"+conv.ID+"/members/"+b.accountID, nil, nil).Want(t, http.StatusNoContent)
		sb.send(map[string]any{"type": "send", "ref": "after", "conversation_id": conv.ID, "message": map[string]any{"client_msg_id": "ws-6", "body": "still here?"}})
		f = answer(sb, "after")
		st, code := restCode(t, b, conv.ID, map[string]any{"client_msg_id": "ws-7", "body": "still here?"})
		if f.Type != "error" || f.HTTPStatus != st || f.Code != code {
			t.Fatalf("after removal: stream %d %q, REST %d %q", f.HTTPStatus, f.Code, st, code)
		}
		// A send needs a ref.
		sb.send(map[string]any{"type": "send", "conversation_id": conv.ID, "message": msg})
		for {
			f := sb.mustNext()
			if f.Type == "error" {
				if f.Code != "invalid_field" || f.HTTPStatus != http.StatusBadRequest {
					t.Fatalf("no ref: %+v", f)
				}
				break
			}
		}
	})
}
