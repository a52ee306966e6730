package stream

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/actor"
)

// socket is one client connection.
type socket struct {
	gw      *Gateway
	conn    *websocket.Conn
	account string
	session string
	via     actor.Via
	sends   chan struct{} // the sends running (send.go)

	// Guarded by gw.mu once registered (before that, only the handler
	// goroutine touches them).
	org        string
	convs      map[string]struct{}
	after      int64 // highest position queued or written
	registered bool
	nextPing   time.Time
	nextCheck  time.Time
	token      string   // for Gateway.Recheck
	status     string   // presence: "online" or "away"
	watching   []string // presence subscriptions

	mu      sync.Mutex
	q       [][]byte
	writing bool
	closed  bool
	ping    bool
	code    websocket.StatusCode
	reason  string

	lastTyping     time.Time // reader goroutine only
	lastTypingConv string
}

// enqueue queues a frame and makes sure a writer runs. It returns false
// when the queue is full (the caller closes the socket).
func (s *socket) enqueue(b []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true
	}
	if len(s.q) >= s.gw.opts.QueueFrames {
		return false
	}
	s.q = append(s.q, b)
	s.startWriter()
	return true
}

func (s *socket) requestPing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.ping = true
	s.startWriter()
}

// closeWith drops whatever is queued and closes the socket with code: the
// client receives nothing more.
func (s *socket) closeWith(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	s.q = nil
	s.code, s.reason = code, reason
	s.startWriter()
}

// startWriter starts the writer goroutine unless it runs. s.mu must be held.
// The writer exits as soon as the queue is empty, so an idle socket costs
// no goroutine besides its reader.
func (s *socket) startWriter() {
	if !s.writing {
		s.writing = true
		go s.writeLoop()
	}
}

func (s *socket) writeLoop() {
	var buf bytes.Buffer
	for {
		s.mu.Lock()
		q := s.q
		if len(q) > s.gw.opts.MaxBatch {
			q = q[:s.gw.opts.MaxBatch]
			s.q = s.q[len(q):]
		} else {
			s.q = nil
		}
		ping, code, reason := s.ping, s.code, s.reason
		s.ping = false
		if len(q) == 0 && !ping && code == 0 {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()

		if len(q) > 0 {
			if err := s.write(q, &buf); err != nil {
				s.fail()
				return
			}
		}
		if ping {
			ctx, cancel := context.WithTimeout(s.gw.ctx, s.gw.opts.WriteTimeout)
			err := s.conn.Ping(ctx)
			cancel()
			if err != nil {
				s.fail()
				return
			}
		}
		if code != 0 {
			_ = s.conn.Close(code, reason)
			s.mu.Lock()
			s.writing = false
			s.mu.Unlock()
			return
		}
	}
}

// write sends frames as one WebSocket message: the frame itself when there
// is one, else a JSON array of them.
func (s *socket) write(frames [][]byte, buf *bytes.Buffer) error {
	ctx, cancel := context.WithTimeout(s.gw.ctx, s.gw.opts.WriteTimeout)
	defer cancel()
	if len(frames) == 1 {
		return s.conn.Write(ctx, websocket.MessageText, frames[0])
	}
	buf.Reset()
	buf.WriteByte('[')
	for i, f := range frames {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(f)
	}
	buf.WriteByte(']')
	return s.conn.Write(ctx, websocket.MessageText, buf.Bytes())
}

// fail tears down a socket whose write failed or timed out.
func (s *socket) fail() {
	s.mu.Lock()
	s.closed = true
	s.q = nil
	s.writing = false
	s.mu.Unlock()
	s.conn.CloseNow()
}
