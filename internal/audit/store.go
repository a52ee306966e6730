package audit

import (
	"context"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

const recordColumns = `seq, created_at, org_id, actor_account_id, actor_member_id, via, ip, action,
	target_kind, target_id, outcome, request_id, details, prev_hash, hash, details_sealed`

// chainLockKey is the advisory lock that serializes audit appends. It is
// the same key as the event log's append lock (platform/events), on
// purpose: most audited transactions also append events, in either order,
// and two locks taken in different orders by two transactions deadlock.
// With one lock there is one order. Advisory locks are re-entrant within a
// transaction, so taking it again is free.
const chainLockKey = 0x61747269756d

func lockChain(ctx context.Context, d *db.DB) error {
	q := d.Dialect.XactLock(chainLockKey)
	if q == "" {
		return nil
	}
	_, err := d.W(ctx).ExecContext(ctx, q)
	return err
}

// advanceHead bumps the head's seq and returns the new seq and the previous
// entry's hash. Callers hold the chain lock; the UPDATE's row lock (and
// PostgreSQL's re-read of the latest committed row when it waited) would
// keep the chain sound even without it.
func advanceHead(ctx context.Context, d *db.DB) (seq int64, prevHash string, err error) {
	err = d.W(ctx).QueryRowContext(ctx,
		`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&seq, &prevHash)
	return seq, prevHash, d.Classify(err)
}

func setHeadHash(ctx context.Context, d *db.DB, hash string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, hash)
	return err
}

func insertRecord(ctx context.Context, d *db.DB, r Item) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO audit_log (`+recordColumns+`)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		r.Seq, r.CreatedAt, r.OrgID, r.ActorAccountID, r.ActorMemberID, r.Via, r.IP, r.Action,
		r.TargetKind, r.TargetID, r.Outcome, r.RequestID, string(r.Details), r.PrevHash, r.Hash, nullBytes(r.sealed))
	return d.Classify(err)
}

func readHead(ctx context.Context, d *db.DB) (seq int64, hash string, err error) {
	err = d.R(ctx).QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, d.Classify(err)
}

func hashAt(ctx context.Context, d *db.DB, seq int64) (string, error) {
	var h string
	err := d.R(ctx).QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&h)
	return h, d.Classify(err)
}

func maxSeq(ctx context.Context, d *db.DB) (int64, error) {
	var n int64
	err := d.R(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&n)
	return n, err
}

type scanner = interface{ Scan(dest ...any) error }

func scanRecord(s scanner) (Item, error) {
	var r Item
	var details string
	err := s.Scan(&r.Seq, &r.CreatedAt, &r.OrgID, &r.ActorAccountID, &r.ActorMemberID, &r.Via, &r.IP,
		&r.Action, &r.TargetKind, &r.TargetID, &r.Outcome, &r.RequestID, &details, &r.PrevHash, &r.Hash, &r.sealed)
	r.Details = []byte(details)
	r.DetailsSealed = len(r.sealed) > 0
	return r, err
}

// scanChain returns up to limit entries with after < seq <= upTo, by seq.
func scanChain(ctx context.Context, d *db.DB, after, upTo int64, limit int) ([]Item, error) {
	return db.QueryAll(ctx, d.R(ctx), scanRecord, `SELECT `+recordColumns+` FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
		after, upTo, limit)
}

// queryRecords returns up to f.Limit+1 entries matching f, newest first.
func queryRecords(ctx context.Context, d *db.DB, f Filter) ([]Item, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.OrgID != "" {
		add("org_id = ?", f.OrgID)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			add(d.Dialect.ILike("action", "?"), db.EscapeLike(f.Action)+"%")
		} else {
			add("action = ?", f.Action)
		}
	}
	if f.ActorAccountID != "" {
		add("actor_account_id = ?", f.ActorAccountID)
	}
	if f.Person != "" {
		add("(actor_member_id = ? OR target_id = ?)", f.Person)
	}
	if f.TargetKind != "" {
		add("target_kind = ?", f.TargetKind)
	}
	if f.TargetID != "" {
		add("target_id = ?", f.TargetID)
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if f.Since > 0 {
		add("created_at >= ?", f.Since)
	}
	if f.Until > 0 {
		add("created_at < ?", f.Until)
	}
	if f.Before > 0 {
		add("seq < ?", f.Before)
	}
	q := `SELECT ` + recordColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit+1)
	q += ` ORDER BY seq DESC LIMIT $` + strconv.Itoa(len(args))
	return db.QueryAll(ctx, d.R(ctx), scanRecord, q, args...)
}

// nullBytes stores an empty value as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
