package chat_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestCrashKeepsAcknowledgedSends builds the real binary, sends from several
// goroutines, kills the server with SIGKILL in the middle of the load,
// restarts it on the same data and checks that every send the server had
// acknowledged is there: a retry with its client_msg_id answers 200 (the
// stored message), never 201 (a new one).
func TestCrashKeepsAcknowledgedSends(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the server binary")
	}
	bin := filepath.Join(t.TempDir(), "atrium")
	build := exec.Command("go", "build", "-o", bin, "github.com/atrium-hq/atrium/cmd/atrium")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			args := []string{"serve", "--data-dir", t.TempDir(), "--log-level", "warn"}
			if kind == db.Postgres {
				args = append(args, "--database-url", dbtest.NewPostgresURL(t))
			}
			srv := startBinary(t, bin, args)
			token := srv.bootstrap(t)
			var conv chat.Conversation
			srv.call(t, token, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Crash"}, &conv, http.StatusCreated)

			var mu sync.Mutex
			acked := map[string]string{} // client id → message id
			var wg sync.WaitGroup
			const senders = 8
			for g := 0; g < senders; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					for i := 0; ; i++ {
						cid := fmt.Sprintf("crash-%d-%d", g, i)
						var m chat.Message
						status, err := srv.try(token, "POST", "/api/v1/conversations/"+conv.ID+"/messages",
							map[string]any{"client_msg_id": cid, "body": "load " + cid}, &m)
						if err != nil || (status != http.StatusCreated && status != http.StatusOK) {
							return // the server is gone
						}
						mu.Lock()
						acked[cid] = m.ID
						mu.Unlock()
					}
				}(g)
			}
			// Kill once a good number of sends were acknowledged.
			deadline := time.Now().Add(60 * time.Second)
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 300 || time.Now().After(deadline) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			srv.kill(t)
			wg.Wait()
			if len(acked) == 0 {
				t.Fatal("no send was acknowledged before the kill")
			}
			t.Logf("%d sends acknowledged before SIGKILL", len(acked))

			srv = startBinary(t, bin, args)
			for cid, id := range acked {
				var m chat.Message
				status, err := srv.try(token, "POST", "/api/v1/conversations/"+conv.ID+"/messages",
					map[string]any{"client_msg_id": cid, "body": "retry"}, &m)
				if err != nil {
					t.Fatal(err)
				}
				if status != http.StatusOK || m.ID != id {
					t.Fatalf("acknowledged send %s (%s) lost: retry answered %d with %s", cid, id, status, m.ID)
				}
			}
			// History holds them too, each seq once.
			seen := map[int64]bool{}
			var before string
			total := 0
			for {
				var h chat.History
				srv.call(t, token, "GET", "/api/v1/conversations/"+conv.ID+"/messages?limit=200"+before, nil, &h, http.StatusOK)
				for _, m := range h.Items {
					if seen[m.Seq] {
						t.Fatalf("seq %d twice", m.Seq)
					}
					seen[m.Seq] = true
					total++
				}
				if !h.HasBefore || len(h.Items) == 0 {
					break
				}
				before = fmt.Sprintf("&before=%d", h.Items[0].Seq)
			}
			if total < len(acked) {
				t.Fatalf("history holds %d messages, %d were acknowledged", total, len(acked))
			}
			srv.stop(t)
		})
	}
}

type binServer struct {
	cmd *exec.Cmd
	url string
	out *servertest.SafeBuffer
}

func startBinary(t *testing.T, bin string, args []string) *binServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &binServer{url: "http://" + addr, out: &servertest.SafeBuffer{}}
	s.cmd = exec.Command(bin, append(append([]string{}, args...), "--addr", addr)...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.Env = os.Environ()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
		}
	})
	for i := 0; ; i++ {
		resp, err := http.Get(s.url + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if i > 600 {
			t.Fatalf("server did not start:\n%s", s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *binServer) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = s.cmd.Wait()
}

func (s *binServer) stop(t *testing.T) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

// bootstrap runs first-run setup and returns a bearer token of the owner.
func (s *binServer) bootstrap(t *testing.T) string {
	t.Helper()
	tok := setupToken(t, s.out.String)
	var res directory.SetupResult
	s.call(t, "", "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Crash Co"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@crash.test", "password": pw},
	}, &res, http.StatusCreated)
	var login struct {
		Token string `json:"token"`
	}
	s.call(t, "", "POST", "/api/v1/auth/login", map[string]any{"email": "owner@crash.test", "password": pw, "bearer": true}, &login, http.StatusOK)
	if login.Token == "" {
		t.Fatal("no bearer token")
	}
	s.call(t, login.Token, "POST", "/api/v1/me/org", map[string]any{"org_id": res.Org.ID}, nil, http.StatusOK)
	return login.Token
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

func (s *binServer) try(token, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode/100 == 2 && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

func (s *binServer) call(t *testing.T, token, method, path string, body, out any, want int) {
	t.Helper()
	status, err := s.try(token, method, path, body, out)
	if err != nil || status != want {
		t.Fatalf("%s %s: %d %v (want %d)\n%s", method, path, status, err, want, s.out.String())
	}
}
