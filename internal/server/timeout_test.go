package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Short bounds for the test; the generous one is how long the test waits
// for the server to close a connection before it calls the server wrong.
const (
	testHeaderTimeout = 500 * time.Millisecond
	testBodyTimeout   = time.Second
	testIdleTimeout   = 3 * time.Second
	closeWithin       = 20 * time.Second
)

func slowClientServer(t *testing.T) *servertest.Env {
	return servertest.StartWith(t, db.SQLite, servertest.Options{Configure: func(c *config.Config) {
		c.ReadHeaderTimeout, c.ReadBodyTimeout, c.IdleTimeout = testHeaderTimeout, testBodyTimeout, testIdleTimeout
	}})
}

// waitClosed reads what the server sends until it closes conn. It fails
// when conn is still open after closeWithin.
func waitClosed(t *testing.T, conn net.Conn) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(closeWithin))
	b, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server still holds the connection open after %s (read so far: %q)", closeWithin, b)
	}
	return string(b) // EOF or a reset: closed either way
}

func dial(t *testing.T, env *servertest.Env) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestSlowClientsAreCutOff plays slowloris: a client that trickles its
// headers forever, and one that sends its headers and then never its body.
// The server must close both connections.
func TestSlowClientsAreCutOff(t *testing.T) {
	env := slowClientServer(t)

	t.Run("headers trickled", func(t *testing.T) {
		conn := dial(t, env)
		if _, err := io.WriteString(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: atrium\r\n"); err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				if _, err := fmt.Fprintf(conn, "X-Slow-%d: 1\r\n", i); err != nil {
					return // closed by the server
				}
			}
		}()
		if got := waitClosed(t, conn); strings.Contains(got, "200 OK") {
			t.Fatalf("answered a request whose headers never ended: %q", got)
		}
	})

	t.Run("body never arrives", func(t *testing.T) {
		conn := dial(t, env)
		req := "POST /api/v1/auth/login HTTP/1.1\r\nHost: atrium\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"email\":"
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		waitClosed(t, conn)
	})
}

// TestSlowButMovingBodiesAndStreamsSurvive checks what the bounds must not
// cut off: a body that keeps arriving for longer than the body timeout, a
// keep-alive connection reused after a complete request, and a WebSocket
// stream open for longer than every timeout.
func TestSlowButMovingBodiesAndStreamsSurvive(t *testing.T) {
	env := slowClientServer(t)

	t.Run("slow upload", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			body := `{"email":"nobody@example.com","password":"wrong password!"}` + strings.Repeat(" ", 30)
			// 3 s in all, never a pause near the body timeout.
			for i := 0; i < len(body); i += 3 {
				time.Sleep(100 * time.Millisecond)
				if _, err := io.WriteString(pw, body[i:min(i+3, len(body))]); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/auth/login", pr)
		req.Header.Set("Content-Type", "application/json")
		resp := env.Client().Request(t, req)
		resp.WantError(t, http.StatusUnauthorized, "invalid_credentials")
	})

	t.Run("keep-alive after a complete body", func(t *testing.T) {
		conn := dial(t, env)
		br := bufio.NewReader(conn)
		send := func() {
			body := `{"email":"nobody@example.com","password":"wrong password!"}`
			fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: atrium\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			_ = conn.SetReadDeadline(time.Now().Add(closeWithin))
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("response: %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		send()
		// Longer than the body timeout, shorter than the idle timeout:
		// the connection is still good.
		time.Sleep(testBodyTimeout + 500*time.Millisecond)
		send()
	})

	t.Run("stream", func(t *testing.T) {
		ctx := context.Background()
		if _, err := env.App.Identity().CreateAccount(ctx, identity.NewAccount{Email: "sam@example.com", Password: "a long enough password", Name: "Sam"}); err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		var res identity.LoginResult
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "sam@example.com", "password": "a long enough password", "bearer": true}, &res).Want(t, http.StatusOK)
		wctx, cancel := context.WithTimeout(ctx, closeWithin)
		defer cancel()
		u := strings.Replace(env.URL, "http://", "ws://", 1) + "/api/v1/stream"
		ws, _, err := websocket.Dial(wctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + res.Token}}})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer ws.CloseNow()
		if err := ws.Write(wctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
			t.Fatal(err)
		}
		go func() { // read frames (and pongs) until the socket ends
			for {
				if _, _, err := ws.Read(wctx); err != nil {
					return
				}
			}
		}()
		time.Sleep(testHeaderTimeout + testBodyTimeout + testIdleTimeout)
		if err := ws.Ping(wctx); err != nil {
			t.Fatalf("the stream did not survive the HTTP timeouts: %v", err)
		}
	})
}
