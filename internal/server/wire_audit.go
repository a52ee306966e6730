package server

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

// wireAuditCheckpoints schedules the signed checkpoints that anchor the
// audit chain outside the database (internal/audit/checkpoint.go): once per
// audit.CheckpointEvery one node signs the head with the key derived from
// the master key and appends it to <data-dir>/audit-checkpoints.jsonl and
// to the log.
func (a *App) wireAuditCheckpoints() error {
	q := a.Jobs()
	if q == nil || a.Keyring == nil {
		return nil
	}
	signer, err := audit.NewSigner(a.Keyring)
	if err != nil {
		return err
	}
	path := filepath.Join(a.Cfg.DataDir, audit.CheckpointFile)
	q.Handle("audit.checkpoint", func(ctx context.Context, _ *jobs.Job) error {
		c, err := audit.WriteCheckpoint(ctx, a.DB, signer, path, time.Now())
		if errors.Is(err, audit.ErrChainBroken) {
			// Signing now would bless the tampering; say so loudly and
			// try again at the next slot (a retry cannot help).
			a.Log.ErrorContext(ctx, "audit checkpoint refused: the audit chain was changed since the last checkpoint; run 'atrium audit verify --checkpoint "+path+"'", "err", err)
			return nil
		}
		if err != nil {
			return err
		}
		line, _ := json.Marshal(c)
		a.Log.InfoContext(ctx, "audit checkpoint", "seq", c.Seq, "checkpoint", string(line))
		return nil
	})
	q.Every("audit.checkpoint", audit.CheckpointEvery, nil)
	return nil
}
