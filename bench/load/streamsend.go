package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// streamConn is a closed-loop sender's own socket (--via stream): its
// sends go out on it as send frames, and each waits for the ack or error
// frame that repeats its ref. The socket also gets the events of the
// conversations its member writes to, its own sends' and the other
// senders'; it reads them and ignores them — they are not deliveries,
// which only the --sockets readers count.
type streamConn struct {
	conn *websocket.Conn
	refs atomic.Int64

	mu      sync.Mutex
	waiting map[string]chan sendAnswer

	done chan struct{} // closed when the socket ends
	err  error         // why it ended, set before done closes
}

// sendAnswer is the ack or error frame answering one send.
type sendAnswer struct {
	Type    string          `json:"type"`
	Ref     string          `json:"ref"`
	Status  int             `json:"http_status"`
	Code    string          `json:"code"`
	Message json.RawMessage `json:"message"` // the message (ack) or the error's text
}

// accepted says whether the server committed the send (201) or already
// had it (200), as for a REST send.
func (a sendAnswer) accepted() bool {
	return a.Type == "ack" && (a.Status == 201 || a.Status == 200)
}

func (a sendAnswer) String() string {
	msg := string(a.Message)
	if a.Type == "error" {
		var s string
		if json.Unmarshal(a.Message, &s) == nil {
			msg = s
		}
	}
	return fmt.Sprintf("stream send: %s %d %s %s", a.Type, a.Status, a.Code, msg)
}

// sendAnswerTimeout bounds the wait for an answer, as the HTTP client's
// timeout bounds a REST send.
const sendAnswerTimeout = 30 * time.Second

func newStreamConn(c *websocket.Conn) *streamConn {
	sc := &streamConn{conn: c, waiting: map[string]chan sendAnswer{}, done: make(chan struct{})}
	go sc.loop()
	return sc
}

// loop reads the socket until it ends and hands each answer to its send.
func (c *streamConn) loop() {
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.err = err
			close(c.done)
			return
		}
		for _, a := range sendAnswers(data) {
			c.mu.Lock()
			ch := c.waiting[a.Ref]
			delete(c.waiting, a.Ref)
			c.mu.Unlock()
			if ch != nil {
				ch <- a
			}
		}
	}
}

var (
	markAck   = []byte(`{"type":"ack","ref":"`)
	markError = []byte(`{"type":"error","ref":"`)
)

// sendAnswers returns the ack and error frames with a ref in one
// WebSocket message: a frame alone or a JSON array of frames, events
// among them. The marks cannot occur inside a JSON string (its quotes
// would be escaped), so each one starts an answer.
func sendAnswers(data []byte) []sendAnswer {
	var out []sendAnswer
	for len(data) > 0 {
		i, j := bytes.Index(data, markAck), bytes.Index(data, markError)
		if i < 0 || (j >= 0 && j < i) {
			i = j
		}
		if i < 0 {
			break
		}
		var a sendAnswer
		dec := json.NewDecoder(bytes.NewReader(data[i:]))
		if err := dec.Decode(&a); err != nil {
			break
		}
		out = append(out, a)
		data = data[i+int(dec.InputOffset()):]
	}
	return out
}

// send writes one send frame and waits for its answer.
func (c *streamConn) send(ctx context.Context, conversationID string, body []byte) (sendAnswer, error) {
	ref := "r" + strconv.FormatInt(c.refs.Add(1), 10)
	ch := make(chan sendAnswer, 1)
	c.mu.Lock()
	c.waiting[ref] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.waiting, ref)
		c.mu.Unlock()
	}
	frame, _ := json.Marshal(struct {
		Type           string          `json:"type"`
		Ref            string          `json:"ref"`
		ConversationID string          `json:"conversation_id"`
		Message        json.RawMessage `json:"message"`
	}{"send", ref, conversationID, body})
	if err := c.conn.Write(ctx, websocket.MessageText, frame); err != nil {
		forget()
		return sendAnswer{}, err
	}
	t := time.NewTimer(sendAnswerTimeout)
	defer t.Stop()
	select {
	case a := <-ch:
		return a, nil
	case <-c.done:
		forget()
		return sendAnswer{}, fmt.Errorf("stream send: socket closed: %w", c.err)
	case <-t.C:
		forget()
		return sendAnswer{}, errors.New("stream send: no answer in 30 s")
	case <-ctx.Done():
		forget()
		return sendAnswer{}, ctx.Err()
	}
}

// close ends the socket and waits for its reader.
func (c *streamConn) close() {
	c.conn.CloseNow()
	<-c.done
}
