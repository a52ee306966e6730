package jobs

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

func insertJob(ctx context.Context, d *db.DB, id, kind, key, payload string, runAt int64, maxAttempts int, now int64) (string, error) {
	var k any
	if key != "" {
		k = key
	}
	var got string
	err := d.W(ctx).QueryRowContext(ctx,
		`INSERT INTO jobs (id, kind, dedupe_key, payload, state, run_at, max_attempts, created_at, updated_at)
		 VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7)
		 ON CONFLICT (kind, dedupe_key) DO NOTHING RETURNING id`,
		id, kind, k, payload, runAt, maxAttempts, now).Scan(&got)
	if err == sql.ErrNoRows && key != "" {
		err = d.W(ctx).QueryRowContext(ctx, `SELECT id FROM jobs WHERE kind = $1 AND dedupe_key = $2`, kind, key).Scan(&got)
	}
	return got, d.Classify(err)
}

// claimJob takes the oldest due job of one of kinds: queued and due, or
// running with an expired lease (its node died).
func claimJob(ctx context.Context, d *db.DB, kinds []string, owner string, now, leaseUntil int64) (*Job, error) {
	args := []any{owner, leaseUntil, now}
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	q := `UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
	      WHERE id = (SELECT id FROM jobs
	                  WHERE kind IN (` + strings.Join(ph, ", ") + `)
	                    AND ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3 AND attempts < max_attempts))
	                  ORDER BY run_at, id LIMIT 1` + d.Dialect.ForUpdateSkipLocked() + `)
	        AND ((state = 'queued' AND run_at <= $3) OR (state = 'running' AND lease_until < $3 AND attempts < max_attempts))
	      RETURNING id, kind, payload, attempts, checkpoint, progress`
	var j Job
	var payload string
	err := d.W(ctx).QueryRowContext(ctx, q, args...).Scan(&j.ID, &j.Kind, &payload, &j.Attempts, &j.Checkpoint, &j.Progress)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	j.Payload = []byte(payload)
	return &j, nil
}

// failAbandonedJobs marks failed the running jobs whose lease ran out
// (their node died) after their last attempt.
func failAbandonedJobs(ctx context.Context, d *db.DB, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`UPDATE jobs SET state = 'failed', finished_at = $1, updated_at = $1, lease_owner = '', lease_until = 0,
		        last_error = 'the node running it stopped during its last attempt'
		 WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts`, now)
	return err
}

func saveCheckpoint(ctx context.Context, d *db.DB, id, owner, checkpoint string, progress int, leaseUntil, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx,
		`UPDATE jobs SET checkpoint = $3, progress = $4, lease_until = $5, updated_at = $6
		 WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
		id, owner, checkpoint, progress, leaseUntil, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func renewLease(ctx context.Context, d *db.DB, id, owner string, leaseUntil int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx,
		`UPDATE jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running'`, id, owner, leaseUntil)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func finishJob(ctx context.Context, d *db.DB, id, owner string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`UPDATE jobs SET state = 'done', progress = 100, lease_owner = '', lease_until = 0, last_error = '',
		        updated_at = $3, finished_at = $3
		 WHERE id = $1 AND lease_owner = $2`, id, owner, now)
	return err
}

func releaseJob(ctx context.Context, d *db.DB, id, owner string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`UPDATE jobs SET state = 'queued', lease_owner = '', lease_until = 0, run_at = $3, updated_at = $3,
		        attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
		 WHERE id = $1 AND lease_owner = $2 AND state = 'running'`, id, owner, now)
	return err
}

func failJob(ctx context.Context, d *db.DB, id, owner, msg string, final bool, now, retryAt int64) error {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, err := d.W(ctx).ExecContext(ctx,
		`UPDATE jobs SET
		   state = CASE WHEN $4 OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
		   finished_at = CASE WHEN $4 OR attempts >= max_attempts THEN CAST($5 AS BIGINT) ELSE 0 END,
		   run_at = $6, lease_owner = '', lease_until = 0, last_error = $3, updated_at = CAST($5 AS BIGINT)
		 WHERE id = $1 AND lease_owner = $2`, id, owner, msg, final, now, retryAt)
	return err
}

func setResult(ctx context.Context, d *db.DB, id, result string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE jobs SET result = $2 WHERE id = $1`, id, result)
	return err
}

func getJob(ctx context.Context, d *db.DB, id string) (Info, error) {
	var i Info
	err := d.R(ctx).QueryRowContext(ctx,
		`SELECT id, kind, state, progress, attempts, run_at, last_error, result, finished_at FROM jobs WHERE id = $1`, id).
		Scan(&i.ID, &i.Kind, &i.State, &i.Progress, &i.Attempts, &i.RunAt, &i.LastError, &i.Result, &i.FinishedAt)
	return i, d.Classify(err)
}

func cancelJob(ctx context.Context, d *db.DB, id string) error {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM jobs WHERE id = $1 AND state = 'queued'`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

func rescheduleJob(ctx context.Context, d *db.DB, id string, runAt, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE jobs SET run_at = $2, updated_at = $3 WHERE id = $1 AND state = 'queued'`, id, runAt, now)
	return err
}

// pruneJobs deletes finished jobs older than before. Scheduled ("every:")
// jobs keep their dedupe key alive only for their slot, so old ones go too.
func pruneJobs(ctx context.Context, d *db.DB, before int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at > 0 AND finished_at < $1`, before)
	return err
}

// countJobs counts unfinished jobs: queued and due by now, queued for
// later, and running.
func countJobs(ctx context.Context, d *db.DB, now int64) (due, later, running int64, err error) {
	err = d.R(ctx).QueryRowContext(ctx,
		`SELECT COALESCE(SUM(CASE WHEN state = 'queued' AND run_at <= $1 THEN 1 ELSE 0 END), 0),
		        COALESCE(SUM(CASE WHEN state = 'queued' AND run_at > $1 THEN 1 ELSE 0 END), 0),
		        COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0)
		 FROM jobs WHERE state IN ('queued', 'running')`, now).Scan(&due, &later, &running)
	return due, later, running, err
}
