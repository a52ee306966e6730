// Package atriumbin builds the real atrium binary for the end-to-end tests
// that run it as a separate process (crash safety, backup and restore), and
// gives them the environment to run it in.
package atriumbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
