// Package atriumbin builds the real atrium binary for the end-to-end tests
// that run it as a separate process (crash safety, backup and restore), and
// gives them the environment to run it in.
package atriumbin

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Path builds the binary once per test process and returns its path; a
// failed build fails t.
func Path(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "atrium-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "atrium")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/atrium-hq/atrium/cmd/atrium").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// CleanEnv is the test's environment without ATRIUM_* variables: the
// binary gets its configuration from flags only.
func CleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ATRIUM_") {
			out = append(out, kv)
		}
	}
	return out
}

// Proc is one running atrium process; its standard output and error are
// collected for Output.
type Proc struct {
	Cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{}
}

// Start runs `atrium args...` in CleanEnv; the process is killed when the
// test ends.
func Start(t testing.TB, args ...string) *Proc {
	t.Helper()
	p := &Proc{Cmd: exec.Command(Path(t), args...), done: make(chan struct{})}
	p.Cmd.Env = CleanEnv()
	pr, pw := io.Pipe()
	p.Cmd.Stdout, p.Cmd.Stderr = pw, pw
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	go func() {
		p.Cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(p.Kill)
	return p
}

// Output is what the process has written so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Proc) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits for the process to end.
func (p *Proc) Wait() { <-p.done }
