package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// runCLI runs this test binary as the atrium command and returns its
// combined output and exit code.
func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ATRIUM_TEST_RUN_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), 0
}

func TestAuditVerifyCommand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, action := range []string{"identity.login", "member.invite", "privacy.export", "identity.logout"} {
			if err := audit.Record(ctx, d, audit.Entry{Action: action}); err != nil {
				t.Fatal(err)
			}
		}
		where := []string{"--data-dir", filepath.Dir(d.Path)}
		if d.Kind == db.Postgres {
			where = []string{"--data-dir", t.TempDir(), "--database-url", d.URL}
		}
		args := append([]string{"audit", "verify"}, where...)
		out, code := runCLI(t, args...)
		if code != 0 || !strings.Contains(out, "intact: 4 entries") {
			t.Fatalf("clean log: exit %d, output:\n%s", code, out)
		}
		if _, err := d.Writer().Exec(`UPDATE audit_log SET action = 'identity.login_failed' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		out, code = runCLI(t, args...)
		if code == 0 || !strings.Contains(out, "BROKEN at entry seq 2") {
			t.Fatalf("edited log: exit %d, output:\n%s", code, out)
		}
	})
}

// TestAuditCheckpointCommand: deleting the newest entries and moving the
// head back passes a plain verify, but not a verify against the signed
// checkpoint taken before.
func TestAuditCheckpointCommand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := 0; i < 4; i++ {
			if err := audit.Record(ctx, d, audit.Entry{Action: "member.invite"}); err != nil {
				t.Fatal(err)
			}
		}
		dir := filepath.Dir(d.Path)
		where := []string{"--data-dir", dir}
		if d.Kind == db.Postgres {
			dir = t.TempDir()
			where = []string{"--data-dir", dir, "--database-url", d.URL}
		}
		where = append(where, "--master-key", keyring.GenerateKey())
		out, code := runCLI(t, append([]string{"audit", "checkpoint"}, where...)...)
		if code != 0 || !strings.Contains(out, "checkpoint of entry 4") {
			t.Fatalf("checkpoint: exit %d:\n%s", code, out)
		}
		file := filepath.Join(dir, audit.CheckpointFile)
		verify := append([]string{"audit", "verify", "--checkpoint", file}, where...)
		if out, code := runCLI(t, verify...); code != 0 || !strings.Contains(out, "consistent with 1 signed checkpoints") {
			t.Fatalf("intact: exit %d:\n%s", code, out)
		}
		var h string
		if err := d.Writer().QueryRow(`SELECT hash FROM audit_log WHERE seq = 2`).Scan(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Writer().Exec(`DELETE FROM audit_log WHERE seq > 2`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Writer().Exec(`UPDATE audit_head SET seq = 2, hash = $1`, h); err != nil {
			t.Fatal(err)
		}
		if out, code := runCLI(t, append([]string{"audit", "verify"}, where...)...); code != 0 {
			t.Fatalf("plain verify of a truncated log: exit %d:\n%s", code, out)
		}
		out, code = runCLI(t, verify...)
		if code == 0 || !strings.Contains(out, "BROKEN at entry seq 3") || !strings.Contains(out, "deleted") {
			t.Fatalf("truncated log against its checkpoint: exit %d:\n%s", code, out)
		}
		// Another master key cannot vouch for the file.
		other := append([]string{"audit", "verify", "--checkpoint", file}, where[:len(where)-1]...)
		other = append(other, keyring.GenerateKey())
		if out, code := runCLI(t, other...); code == 0 || !strings.Contains(out, "signature") {
			t.Fatalf("another key: exit %d:\n%s", code, out)
		}
	})
}

func TestAuditVerifyHelp(t *testing.T) {
	out, code := runCLI(t, "audit", "verify", "--help")
	if code != 0 || !strings.Contains(out, "hash chain") || !strings.Contains(out, "--data-dir") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
