package stream

import (
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

	wire *wireConn // under conn: the gateway writes its frames here

	mu      sync.Mutex
	q       []*outFrame
	own     int         // bytes of the queued frames only this socket holds
	spare   []*outFrame // the writer's emptied queue, for reuse
	writing bool        // a flusher or the writer goroutine owns the queue
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
	s.q = append(s.q, &outFrame{payload: b})
	s.startWriter()
	return true
}

// enqueueOwn queues a frame only this socket holds (a send's answer,
// which carries the whole message). Besides the frame count, these are
// bounded in bytes: a client that sends large messages and never reads
// could otherwise have thousands of answers held for it.
func (s *socket) enqueueOwn(b []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true
	}
	if len(s.q) >= s.gw.opts.QueueFrames || s.own+len(b) > s.gw.opts.QueueBytes {
		return false
	}
	s.own += len(b)
	s.q = append(s.q, &outFrame{payload: b, own: len(b)})
	s.startWriter()
	return true
}

// enqueueLive queues a frame of live delivery without starting anything:
// kick says the socket was idle and the caller must have it flushed (it
// owns the socket's writing from then on). full says the queue is full.
func (s *socket) enqueueLive(f *outFrame) (kick, full bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, false
	}
	if len(s.q) >= s.gw.opts.QueueFrames {
		return false, true
	}
	if s.q == nil {
		s.q, s.spare = s.spare, nil
	}
	s.q = append(s.q, f)
	if s.writing {
		return false, false
	}
	s.writing = true
	return true, false
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
	s.q, s.own = nil, 0
	s.code, s.reason = code, reason
	s.startWriter()
}

// startWriter starts the writer goroutine unless the queue has an owner.
// s.mu must be held. The writer exits as soon as the queue is empty, so an
// idle socket costs no goroutine besides its reader.
func (s *socket) startWriter() {
	if !s.writing {
		s.writing = true
		go s.writeLoop(nil)
	}
}

// take removes up to max queued frames for the owner of the queue. s.mu
// must be held.
func (s *socket) take(max int) []*outFrame {
	q := s.q
	if len(q) > max {
		s.q = append(s.spare[:0], q[max:]...)
		s.spare = nil
		q = q[:max]
	} else {
		s.q = nil
	}
	if s.own > 0 {
		for _, f := range q {
			s.own -= f.own
		}
	}
	return q
}

// giveBack returns an emptied queue slice for reuse, unless it grew large
// (an idle socket should not keep a burst's queue).
func (s *socket) giveBack(q []*outFrame) {
	if cap(q) > 64 {
		return
	}
	clear(q)
	s.mu.Lock()
	if s.spare == nil {
		s.spare = q[:0]
	}
	s.mu.Unlock()
}

// bufPool holds the buffers frames are assembled in before a write.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 1<<20 {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// flush writes what is queued on a socket whose queue the caller owns
// (enqueueLive said kick), without waiting: when the connection cannot take
// it all at once, the rest goes to the writer goroutine, which waits.
func (s *socket) flush() {
	for {
		s.mu.Lock()
		if s.ping || s.code != 0 {
			s.mu.Unlock()
			go s.writeLoop(nil)
			return
		}
		q := s.take(s.gw.opts.QueueFrames)
		if len(q) == 0 {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()

		var out []byte
		var buf *[]byte
		if len(q) == 1 && q[0].wire != nil {
			out = q[0].wire // the event's frame, shared by every socket
		} else {
			buf = getBuf()
			*buf = appendMessages(*buf, q, s.gw.opts.MaxBatch)
			out = *buf
		}
		s.giveBack(q)
		n, err := s.wire.tryWrite(out)
		if err != nil && err != errWouldBlock {
			if buf != nil {
				putBuf(buf)
			}
			s.fail()
			return
		}
		if n < len(out) {
			rest := append([]byte(nil), out[n:]...)
			if buf != nil {
				putBuf(buf)
			}
			go s.writeLoop(rest)
			return
		}
		if buf != nil {
			putBuf(buf)
		}
	}
}

// writeLoop is the writer goroutine: it writes first (the rest of a write
// a flush began), then whatever is queued, waiting for the connection.
func (s *socket) writeLoop(first []byte) {
	if first != nil {
		if err := s.wire.writeAll(first, s.gw.opts.WriteTimeout); err != nil {
			s.fail()
			return
		}
	}
	for {
		s.mu.Lock()
		q := s.take(s.gw.opts.QueueFrames)
		ping, code, reason := s.ping, s.code, s.reason
		s.ping = false
		if len(q) == 0 && !ping && code == 0 {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()

		if len(q) > 0 {
			err := s.write(q)
			s.giveBack(q)
			if err != nil {
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

// write sends frames, waiting for the connection: each frame alone is one
// WebSocket message, several are JSON arrays of at most MaxBatch frames.
func (s *socket) write(frames []*outFrame) error {
	if len(frames) == 1 && frames[0].wire != nil {
		return s.wire.writeAll(frames[0].wire, s.gw.opts.WriteTimeout)
	}
	buf := getBuf()
	defer putBuf(buf)
	*buf = appendMessages(*buf, frames, s.gw.opts.MaxBatch)
	return s.wire.writeAll(*buf, s.gw.opts.WriteTimeout)
}

// fail tears down a socket whose write failed or timed out.
func (s *socket) fail() {
	s.mu.Lock()
	s.closed = true
	s.q, s.own = nil, 0
	s.writing = false
	s.mu.Unlock()
	s.conn.CloseNow()
}
