package server

import (
	"io"
	"net/http"
	"time"
)

// bodyTimeout bounds how long a request body may stall. Before each read of
// the body the connection's read deadline moves d ahead, so a client that
// sends its headers and then nothing (or trickles nothing more) is cut off
// after d, while an upload of any size that keeps arriving is not. Requests
// without a body — WebSocket upgrades among them — never get a deadline.
func bodyTimeout(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &stallGuard{ReadCloser: r.Body, rc: http.NewResponseController(w), d: d}
		}
		next.ServeHTTP(w, r)
	})
}

// stallGuard is a request body whose every read must make progress within d.
type stallGuard struct {
	io.ReadCloser
	rc *http.ResponseController
	d  time.Duration
}

func (b *stallGuard) Read(p []byte) (int, error) {
	_ = b.rc.SetReadDeadline(time.Now().Add(b.d))
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		// The body is complete: net/http now reads ahead for the next
		// request on this connection, and that read must wait as long as
		// the idle timeout says, not d. After any other error (the
		// deadline passed) the deadline stays, so that net/http's attempt
		// to drain the rest fails at once and the connection is closed.
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
