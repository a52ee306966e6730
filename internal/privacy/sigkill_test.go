package privacy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/migrations"
)

// TestRetentionSurvivesSIGKILL runs the real binary on a SQLite database
// holding a retention run of many batches, kills it with SIGKILL in the
// middle of the run, restarts it, and checks that the run completes once
// the dead node's lease runs out — deleting exactly what it planned, with
// nothing deleted twice and nothing missed.
func TestRetentionSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits for a lease to expire")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "atrium")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/atrium-hq/atrium/cmd/atrium").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// Seed: 60,000 messages in an internal conversation, 40,000 of them
	// older than the 30-day policy.
	d, err := db.Open(ctx, db.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx, migrations.FS); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const total, old = 60000, 40000
	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO conversations (id, kind, org_id, created_by, created_at, updated_at) VALUES ('cnv_k', 'internal', $1, 'acc_x', 0, 0)`, orgA); err != nil {
		t.Fatal(err)
	}
	err = d.Tx(ctx, func(ctx context.Context) error {
		for i := 0; i < total; i++ {
			age := 10 * 24 * time.Hour
			if i < old {
				age = 40 * 24 * time.Hour
			}
			if _, err := d.W(ctx).ExecContext(ctx,
				`INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at) VALUES ($1, 'cnv_k', $2, 'acc_s', $3, 'text', 'hello', $4)`,
				fmt.Sprintf("msg_%06d", i), i+1, fmt.Sprint(i), now.Add(-age).UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{t: now}
	svc := newRetentionService(t, d, clk)
	admin := actor.With(ctx, &actor.Actor{AccountID: "acc_admin", OrgID: orgA, MemberID: "mem_admin"})
	if _, err := svc.SetPolicies(admin, privacy.SetPoliciesInput{Policies: []privacy.Policy{{Class: "messages.internal", Days: 30}}}); err != nil {
		t.Fatal(err)
	}
	run, err := svc.StartRetention(admin)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	var logs []string
	serve := func() *exec.Cmd {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := l.Addr().String()
		l.Close()
		cmd := exec.Command(bin, "serve", "--data-dir", dir, "--addr", addr, "--log-level", "info")
		// Each node's log goes to a file of its own, shown when the test fails.
		logf, err := os.Create(filepath.Join(t.TempDir(), "node.log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		t.Cleanup(func() { _ = logf.Close() })
		logs = append(logs, logf.Name())
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "ATRIUM_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGKILL); _, _ = cmd.Process.Wait() })
		return cmd
	}
	ro, err := db.OpenSQLite(ctx, filepath.Join(dir, "atrium.db"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// When the test fails: what each node logged, and the runs and job as stored.
	defer func() {
		if !t.Failed() {
			return
		}
		for i, name := range logs {
			b, _ := os.ReadFile(name)
			t.Logf("node %d's log:\n%s", i+1, b)
		}
		if rows, err := ro.Reader().Query(`SELECT id, planned, deleted FROM retention_runs`); err == nil {
			for rows.Next() {
				var id, planned, deleted string
				_ = rows.Scan(&id, &planned, &deleted)
				t.Logf("retention run %s: planned %s, deleted %s", id, planned, deleted)
			}
			rows.Close()
		}
		var state, checkpoint string
		var attempts int
		_ = ro.Reader().QueryRow(`SELECT state, attempts, checkpoint FROM jobs WHERE id = $1`, run.JobID).Scan(&state, &attempts, &checkpoint)
		t.Logf("the run's job: %s after %d attempts; checkpoint %.600s", state, attempts, checkpoint)
	}()
	progress := func() (string, int) {
		var state string
		var p int
		_ = ro.Reader().QueryRow(`SELECT state, progress FROM jobs WHERE id = $1`, run.JobID).Scan(&state, &p)
		return state, p
	}
	left := func() int {
		var n int
		_ = ro.Reader().QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n)
		return n
	}

	first := serve()
	deadline := time.Now().Add(60 * time.Second)
	for {
		state, p := progress()
		if state == jobs.Running && p >= 1 {
			break
		}
		if state == jobs.Done || time.Now().After(deadline) {
			t.Fatalf("could not catch the run in the middle (state %s, progress %d)", state, p)
		}
		time.Sleep(2 * time.Millisecond)
	}
	_ = first.Process.Signal(syscall.SIGKILL)
	_, _ = first.Process.Wait()
	if state, _ := progress(); state != jobs.Running {
		t.Fatalf("the run was %s when the node was killed", state)
	}
	// Where exactly the kill lands is up to the scheduler: anywhere from
	// just after planning to just before the run is marked done. The
	// fake-clock test interrupts between batches deterministically.
	t.Logf("killed with %d of %d old messages deleted", total-left(), old)

	serve()
	deadline = time.Now().Add(120 * time.Second) // the dead node's lease (30 s) must run out first
	for {
		state, _ := progress()
		if state == jobs.Done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not complete after the restart (state %s)", state)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := left(); n != total-old {
		t.Fatalf("%d messages left, want %d", n, total-old)
	}
	// The restarted node may also start the daily run, which takes over
	// part of the work: across runs every old message is counted once.
	rows, err := ro.Reader().Query(`SELECT id, planned, deleted FROM retention_runs WHERE org_id = $1`, orgA)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for rows.Next() {
		var id, planned, deleted string
		if err := rows.Scan(&id, &planned, &deleted); err != nil {
			t.Fatal(err)
		}
		var p, dl map[string]int64
		_ = json.Unmarshal([]byte(planned), &p)
		_ = json.Unmarshal([]byte(deleted), &dl)
		if dl["messages.internal"] > p["messages.internal"] {
			t.Errorf("run %s deleted %d, more than it planned (%d)", id, dl["messages.internal"], p["messages.internal"])
		}
		if id == run.ID && p["messages.internal"] != old {
			t.Errorf("the first run planned %d, want %d", p["messages.internal"], old)
		}
		sum += dl["messages.internal"]
	}
	rows.Close()
	if sum != old {
		t.Fatalf("runs deleted %d in all, want %d (no loss, no duplication)", sum, old)
	}
	var ok string
	if err := ro.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
}
