package server_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestAuditCheckpointScheduled: the running server signs the audit chain's
// head on a schedule, into <data-dir>/audit-checkpoints.jsonl and its log,
// with the key derived from the master key.
func TestAuditCheckpointScheduled(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		path := filepath.Join(env.App.Cfg.DataDir, audit.CheckpointFile)
		var cps []audit.Checkpoint
		for i := 0; i < 500 && len(cps) == 0; i++ {
			if _, err := env.App.Jobs().RunDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			var err error
			if cps, err = audit.ReadCheckpointFile(path); err != nil {
				t.Fatal(err)
			}
			if len(cps) == 0 {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if len(cps) == 0 {
			t.Fatalf("no checkpoint written to %s", path)
		}
		s, err := audit.NewSigner(env.App.Keyring)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := audit.VerifyWithCheckpoints(context.Background(), env.App.DB, s, cps)
		if err != nil || !rep.OK {
			t.Fatalf("verify against the scheduled checkpoint: %+v %v", rep, err)
		}
		// The worker logs right after it appends to the file.
		for i := 0; i < 500 && !strings.Contains(env.Logs.String(), cps[0].Sig); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(env.Logs.String(), "audit checkpoint") || !strings.Contains(env.Logs.String(), cps[0].Sig) {
			t.Fatalf("the checkpoint is not in the log:\n%s", env.Logs.String())
		}
	})
}
