package dav_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// need returns the path of a Debian client program, failing in CI when
// it is missing (scripts/test.sh installs it) and skipping elsewhere.
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is needed for this test (apt-get install %s): %v", prog, pkg, err)
		}
		t.Skipf("%s is not installed (apt-get install %s): skipping", prog, pkg)
	}
	return p
}

// TestLitmus runs the litmus WebDAV test suite's basic, copymove, props
// and locks groups against a personal space on both databases; any
// failure fails the test (warnings are allowed).
func TestLitmus(t *testing.T) {
	litmus := need(t, "litmus", "litmus")
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		d := davOf(t, env, ps[1])
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, litmus, env.URL+"/dav/Acme/personal/", d.login, d.secret)
		cmd.Env = append(os.Environ(), "TESTS=basic copymove props locks")
		cmd.Dir = t.TempDir() // litmus writes its debug log there
		out, err := cmd.CombinedOutput()
		t.Logf("%s", out)
		if err != nil {
			t.Fatalf("litmus: %v", err)
		}
		groups := 0
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "FAIL") {
				t.Fatalf("litmus: %s", line)
			}
			if strings.Contains(line, "<- summary for") {
				groups++
				if !strings.Contains(line, " 0 failed") {
					t.Fatalf("litmus: %s", line)
				}
			}
		}
		if groups != 4 {
			t.Fatalf("litmus ran %d groups, want 4", groups)
		}
	})
}
