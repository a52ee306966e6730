package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// openSocket connects to the stream as the holder of token, says hello
// (starting from now) and waits for the ready message.
func openSocket(ctx context.Context, baseURL, token string) (*websocket.Conn, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	u := "ws" + strings.TrimPrefix(baseURL, "http") + "/api/v1/stream"
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(dctx, u, &websocket.DialOptions{HTTPHeader: h, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(64 << 20)
	if err := c.Write(dctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
		c.CloseNow()
		return nil, err
	}
	for {
		_, data, err := c.Read(dctx)
		if err != nil {
			c.CloseNow()
			return nil, err
		}
		if bytes.Contains(data, []byte(`"type":"ready"`)) {
			return c, nil
		}
	}
}

// msgID is the client message id of a load-tool send: it carries the run,
// the sending account's index and the send time, so a receiving socket
// computes the latency without shared state.
func msgID(run string, sender int, seq int64, t time.Time) string {
	return fmt.Sprintf("L%s.%d.%d.%d", run, sender, t.UnixNano(), seq)
}

var (
	markCreated = []byte(`"event":"message.created"`)
	markID      = []byte(`"client_msg_id":"L`)
)

// reader counts message.created frames from this run sent by other
// accounts and records their send→delivery latency.
type reader struct {
	conn       *websocket.Conn
	self       int
	run        string
	hist       *histogram
	deliveries *atomic.Int64
	closedBy   atomic.Value // string: why it ended early
}

func (r *reader) loop(ctx context.Context) {
	prefix := []byte(r.run + ".")
	for {
		_, data, err := r.conn.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				r.closedBy.Store(err.Error())
			}
			return
		}
		now := time.Now().UnixNano()
		for {
			i := bytes.Index(data, markCreated)
			if i < 0 {
				break
			}
			data = data[i+len(markCreated):]
			j := bytes.Index(data, markID)
			if j < 0 {
				break
			}
			data = data[j+len(markID):]
			if !bytes.HasPrefix(data, prefix) {
				continue
			}
			rest := data[len(prefix):]
			end := bytes.IndexByte(rest, '"')
			if end < 0 {
				continue
			}
			parts := bytes.SplitN(rest[:end], []byte("."), 3)
			if len(parts) < 3 {
				continue
			}
			sender, _ := strconv.Atoi(string(parts[0]))
			if sender == r.self {
				continue
			}
			sent, _ := strconv.ParseInt(string(parts[1]), 10, 64)
			r.hist.add(float64(now-sent) / 1e6)
			r.deliveries.Add(1)
		}
	}
}

// sendBody is the JSON of a text message send.
func sendBody(id string) []byte {
	b, _ := json.Marshal(map[string]string{"client_msg_id": id, "body": "load test message " + id})
	return b
}
