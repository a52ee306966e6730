package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/server"
)

// TestGracefulShutdownFinishesInFlight starts a request whose body is still
// being sent when shutdown begins; the request must still get its answer,
// and new connections must be refused afterwards.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	cfg, err := config.Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownTimeout = 10 * time.Second
	url, cancel, served := serveApp(t, cfg)
	defer cancel()

	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", url+"/api/v1/auth/login", pr)
	req.Header.Set("Content-Type", "application/json")
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	// Half the body is on the wire; now shut down.
	if _, err := pw.Write([]byte(`{"email":"nobody@example.com",`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
	if _, err := pw.Write([]byte(`"password":"wrong password"}`)); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	r := <-done
	if r.err != nil {
		t.Fatalf("in-flight request failed during shutdown: %v", r.err)
	}
	if r.status != http.StatusUnauthorized {
		t.Fatalf("in-flight request got %d, want 401", r.status)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := http.Get(url + "/api/v1/health"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

// serveApp builds and serves an app on a fresh data dir and a loopback
// port, and waits until it is healthy. cancel starts the shutdown; served
// yields what Serve returned.
func serveApp(t *testing.T, cfg *config.Config) (url string, cancel context.CancelFunc, served <-chan error) {
	t.Helper()
	cfg.DataDir = t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Build(ctx, cfg, discardLogger(), io.Discard)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	url = "http://" + ln.Addr().String()
	waitHealthy(t, url)
	return url, cancel, done
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		resp, err := http.Get(url + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
