package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ownServer is a server process started by the load tool.
type ownServer struct {
	cmd *exec.Cmd
	url string
	log string
}

// buildBinary builds ./cmd/atrium into dir and returns its path.
func buildBinary(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(root))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the load tool from inside the Atrium module, or pass --binary")
	}
	bin := filepath.Join(dir, "atrium")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/atrium")
	cmd.Dir = filepath.Dir(mod)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build atrium: %w", err)
	}
	return bin, nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs `atrium serve` on dataDir (and dbURL when set) on a free
// loopback port and waits until it answers.
func startServer(ctx context.Context, bin, dataDir, dbURL string) (*ownServer, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dataDir, "server.log")
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--data-dir", dataDir, "--log-level", "warn"}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ATRIUM_DATABASE_URL="+dbURL)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &ownServer{cmd: cmd, url: "http://" + addr, log: logPath}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/api/v1/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not start; see %s", logPath)
}

func (s *ownServer) pid() int { return s.cmd.Process.Pid }

func (s *ownServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// freshSchema creates an empty schema on the PostgreSQL server at base and
// returns a URL whose search_path points at it, and a function dropping it.
func freshSchema(base string) (string, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		if db, err := sql.Open("pgx", base); err == nil {
			_, _ = db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	}
	return u.String(), drop, nil
}
