package stream_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

// FuzzFrames sends arbitrary client frames to a real gateway — as the hello
// frame and as later frames, text and binary — and checks that the gateway
// never panics or hangs, answers only with JSON frames, and never delivers
// anything of a conversation the socket's account is not in.
func FuzzFrames(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello"}`,
		`{"type":"hello","last_pos":0}`,
		`{"type":"hello","last_pos":-1}`,
		`{"type":"hello","last_pos":9223372036854775807}`,
		`{"type":"typing","conversation_id":"cnv_secret"}`,
		`{"type":"presence","status":"online"}`,
		`{"type":"presence","status":"<script>"}`,
		`{"type":"presence_subscribe","account_ids":["acc_other"]}`,
		`{"type":"ping"}`,
		`{"type":"hello","last_pos":"1"}`,
		`[`,
		``,
		"\x00\xff",
		`{"type":"presence_subscribe","account_ids":[` + strings.Repeat(`"a",`, 500) + `"a"]}`,
	} {
		f.Add([]byte(s), []byte(`{"type":"ping"}`), false)
	}
	d := dbtest.Open(f, db.SQLite)
	convs := &memberships{}
	convs.set("cnv_mine", "acc_fuzz", true)
	convs.set("cnv_secret", "acc_other", true)
	n := startNode(f, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{})
	// A secret event in a conversation the fuzzing account is not in.
	if _, err := events.Append(context.Background(), d, "org_x", events.ScopeConversation, "cnv_secret", "message.created", map[string]any{"body": "CANARY-secret"}); err != nil {
		f.Fatal(err)
	}
	var seq atomic.Int64
	f.Fuzz(func(t *testing.T, first, second []byte, binary bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h := map[string][]string{
			"X-Test-Account": {"acc_fuzz"},
			"X-Test-Session": {"ses_" + string(rune('a'+seq.Add(1)%26))},
			"X-Test-Org":     {"org_x"},
		}
		c, _, err := websocket.Dial(ctx, strings.Replace(n.url, "http://", "ws://", 1), &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.CloseNow()
		c.SetReadLimit(1 << 24)
		typ := websocket.MessageText
		if binary {
			typ = websocket.MessageBinary
		}
		_ = c.Write(ctx, typ, first)
		_ = c.Write(ctx, typ, second)
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`))
		rctx, rcancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer rcancel()
		for {
			_, data, err := c.Read(rctx)
			if err != nil {
				break // closed by the server, or quiet: both fine
			}
			if !json.Valid(data) {
				t.Fatalf("non-JSON frame %q after %q, %q", data, first, second)
			}
			if strings.Contains(string(data), "CANARY-secret") {
				t.Fatalf("a conversation the account is not in reached it: %s", data)
			}
			if strings.Contains(string(data), `"pong"`) {
				break
			}
		}
	})
}
