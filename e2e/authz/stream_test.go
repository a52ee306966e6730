package authz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// streamSendRoute is the REST route whose sends may also go over the
// stream: every cell of the matrix for it is tried over a socket too, and
// must answer with the same status and code.
const streamSendRoute = "POST /api/v1/conversations/{id}/messages"

// streamSend sends body to conversation convID over a fresh socket of c
// and returns the answer's http_status and error code ("" for an ack);
// 401 when the socket cannot be opened for lack of a caller.
func streamSend(t *testing.T, c *servertest.Client, convID string, body any) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := strings.Replace(c.Env.URL, "http://", "ws://", 1) + "/api/v1/stream"
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: c.HTTP})
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return http.StatusUnauthorized, "unauthenticated"
		}
		t.Fatalf("stream: %v", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 24)
	write := func(v any) {
		b, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatalf("stream write: %v", err)
		}
	}
	write(map[string]any{"type": "hello"})
	write(map[string]any{"type": "send", "ref": "matrix", "conversation_id": convID, "message": body})
	type answer struct {
		Type       string `json:"type"`
		Ref        string `json:"ref"`
		HTTPStatus int    `json:"http_status"`
		Code       string `json:"code"`
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("stream read: %v", err)
		}
		var as []answer
		if len(data) > 0 && data[0] == '[' {
			_ = json.Unmarshal(data, &as)
		} else {
			var a answer
			_ = json.Unmarshal(data, &a)
			as = append(as, a)
		}
		for _, a := range as {
			if a.Ref == "matrix" && (a.Type == "ack" || a.Type == "error") {
				return a.HTTPStatus, a.Code
			}
		}
	}
}
