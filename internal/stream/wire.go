package stream

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// Server-to-client WebSocket frames are not masked (RFC 6455 §5.1), so the
// bytes of a frame are the same for every socket: the gateway builds each
// event's frame once (header and payload) and writes those bytes to every
// recipient's connection itself. The WebSocket library keeps the handshake,
// reading, and the control frames it writes (ping, pong, close); wireConn
// sits under it so that its frames and the gateway's never interleave.

// appendHeader appends the header of an unmasked, final text frame whose
// payload is n bytes long.
func appendHeader(b []byte, n int) []byte {
	const finText = 0x80 | 0x1
	switch {
	case n < 126:
		return append(b, finText, byte(n))
	case n <= 0xFFFF:
		return append(b, finText, 126, byte(n>>8), byte(n))
	default:
		b = append(b, finText, 127)
		return binary.BigEndian.AppendUint64(b, uint64(n))
	}
}

// wireFrame builds the whole WebSocket frame (one text message) carrying
// payload.
func wireFrame(payload []byte) []byte {
	b := make([]byte, 0, len(payload)+10)
	return append(appendHeader(b, len(payload)), payload...)
}

// outFrame is one queued frame: the JSON object a client receives, and,
// for events delivered live, its WebSocket frame built once for every
// socket.
type outFrame struct {
	payload []byte
	wire    []byte // nil: built when written
	// own is the size of a frame only this socket holds (a send's
	// answer), counted against its QueueBytes until written.
	own int
}

// appendMessages appends frames as WebSocket messages: a frame alone as
// itself, several as a JSON array of at most maxBatch frames each (the
// protocol of docs/api.md).
func appendMessages(b []byte, frames []*outFrame, maxBatch int) []byte {
	for len(frames) > 0 {
		n := min(len(frames), maxBatch)
		chunk := frames[:n]
		frames = frames[n:]
		if n == 1 {
			if f := chunk[0]; f.wire != nil {
				b = append(b, f.wire...)
			} else {
				b = append(appendHeader(b, len(f.payload)), f.payload...)
			}
			continue
		}
		size := n + 1 // brackets and commas
		for _, f := range chunk {
			size += len(f.payload)
		}
		b = appendHeader(b, size)
		b = append(b, '[')
		for i, f := range chunk {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, f.payload...)
		}
		b = append(b, ']')
	}
	return b
}

// wireConn is the hijacked connection under the WebSocket library. The
// library's writes (control frames) and the gateway's (data frames) each
// hold mu for whole frames.
type wireConn struct {
	net.Conn
	raw syscall.RawConn // nil when the connection has no descriptor (TLS)

	mu   sync.Mutex
	part []byte // the library's bytes of a frame not yet complete
}

func newWireConn(c net.Conn) *wireConn {
	w := &wireConn{Conn: c}
	if sc, ok := c.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			w.raw = raw
		}
	}
	return w
}

// Write is the library's path. It writes whole frames only: bytes of a
// frame that is not complete yet wait for the rest.
func (w *wireConn) Write(p []byte) (int, error) {
	if len(w.part) == 0 && framesEnd(p) == len(p) {
		w.mu.Lock()
		_, err := w.Conn.Write(p)
		w.mu.Unlock()
		if err != nil {
			return 0, err
		}
		return len(p), nil
	}
	w.part = append(w.part, p...)
	if n := framesEnd(w.part); n > 0 {
		w.mu.Lock()
		_, err := w.Conn.Write(w.part[:n])
		w.mu.Unlock()
		w.part = append(w.part[:0], w.part[n:]...)
		if err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// framesEnd returns the length of the longest prefix of b made of whole
// frames.
func framesEnd(b []byte) int {
	end := 0
	for {
		rest := b[end:]
		if len(rest) < 2 {
			return end
		}
		h := 2
		n := uint64(rest[1] & 0x7F)
		switch n {
		case 126:
			if len(rest) < 4 {
				return end
			}
			n = uint64(binary.BigEndian.Uint16(rest[2:]))
			h = 4
		case 127:
			if len(rest) < 10 {
				return end
			}
			n = binary.BigEndian.Uint64(rest[2:])
			h = 10
		}
		if rest[1]&0x80 != 0 {
			h += 4 // masked (never from a server)
		}
		if uint64(len(rest)-h) < n {
			return end
		}
		end += h + int(n)
	}
}

// errWouldBlock says a write without waiting could not write everything.
var errWouldBlock = errors.New("stream: write would block")

// tryWrite writes b without waiting: it returns how much the kernel took,
// and errWouldBlock when that is not all of it (or when the library is
// writing, or the connection has no descriptor).
func (w *wireConn) tryWrite(b []byte) (int, error) {
	if w.raw == nil || !w.mu.TryLock() {
		return 0, errWouldBlock
	}
	defer w.mu.Unlock()
	return writeNonblocking(w.raw, b)
}

// writeAll writes b, waiting up to timeout.
func (w *wireConn) writeAll(b []byte, timeout time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	_, err := w.Conn.Write(b)
	if err2 := w.Conn.SetWriteDeadline(time.Time{}); err == nil {
		err = err2
	}
	return err
}
