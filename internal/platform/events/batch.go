package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Pending is one event for AppendBatch. Data is marshalled to JSON, except
// a json.RawMessage, which is taken as it is (it must be valid JSON).
type Pending struct {
	OrgID     string
	ScopeKind string
	ScopeID   string
	Type      string
	Data      any
	// Sealed, when set, is personal content stored sealed beside Data
	// (see Sealed).
	Sealed *Sealed
}

func (e *Pending) sealedCols() (box any, owner, aad string) {
	if e.Sealed == nil {
		return nil, "", ""
	}
	return nullBytes(e.Sealed.Box), e.Sealed.Owner, e.Sealed.AAD
}

// appendBatchRows is how many events one INSERT carries.
const appendBatchRows = 200

// AppendBatch is Append for many events at once, for group-commit writers
// (message sends): the same rows, the same ordering lock on PostgreSQL and
// the same wake-up of the bus after COMMIT, but one multi-row INSERT per
// appendBatchRows events instead of one statement each. It must run in a
// transaction. Events get increasing positions in the order given.
func AppendBatch(ctx context.Context, d *db.DB, evs []Pending) error {
	if len(evs) == 0 {
		return nil
	}
	if !db.InTx(ctx) {
		return d.Tx(ctx, func(ctx context.Context) error { return AppendBatch(ctx, d, evs) })
	}
	now := time.Now().UnixMilli()
	lock := d.Dialect.XactLock(appendLockKey)
	if lock != "" {
		return appendBatchArrays(ctx, d, lock, evs, now)
	}
	var last int64
	for len(evs) > 0 {
		chunk := evs[:min(appendBatchRows, len(evs))]
		evs = evs[len(chunk):]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*9)
		sb.WriteString(`INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at, sealed, sealed_key, sealed_aad) VALUES `)
		for i, e := range chunk {
			var err error
			var b []byte
			if raw, ok := e.Data.(json.RawMessage); ok {
				// Already encoded by the caller (off the writer's path).
				b = raw
			} else if b, err = json.Marshal(e.Data); err != nil {
				return fmt.Errorf("events: marshal %s: %w", e.Type, err)
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			// Anonymous parameters: SQLite resolves "$n" names with a
			// linear search, quadratic over a multi-row statement.
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			box, owner, aad := e.sealedCols()
			args = append(args, e.OrgID, e.ScopeKind, e.ScopeID, e.Type, string(b), now, box, owner, aad)
		}
		sb.WriteString(` RETURNING pos`)
		rows, err := d.W(ctx).QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return fmt.Errorf("events: append batch: %w", err)
		}
		for rows.Next() {
			var pos int64
			if err := rows.Scan(&pos); err != nil {
				rows.Close()
				return err
			}
			last = max(last, pos)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("events: append batch: %w", err)
		}
	}
	if n := notifierOf(d); n != nil {
		db.AfterCommit(ctx, func() { n.Notify(last) })
	}
	return nil
}

// appendBatchArrays is AppendBatch for PostgreSQL: one INSERT … SELECT
// FROM unnest(arrays) WITH ORDINALITY, in order, behind the ordering lock.
func appendBatchArrays(ctx context.Context, d *db.DB, lock string, evs []Pending, now int64) error {
	n := len(evs)
	org, kind, scope, typ, data := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	owner, aad := make([]string, n), make([]string, n)
	box := make([][]byte, n)
	at := make([]int64, n)
	for i, e := range evs {
		var b []byte
		if raw, ok := e.Data.(json.RawMessage); ok {
			b = raw
		} else {
			var err error
			if b, err = json.Marshal(e.Data); err != nil {
				return fmt.Errorf("events: marshal %s: %w", e.Type, err)
			}
		}
		org[i], kind[i], scope[i], typ[i], data[i], at[i] = e.OrgID, e.ScopeKind, e.ScopeID, e.Type, string(b), now
		if e.Sealed != nil {
			box[i], owner[i], aad[i] = e.Sealed.Box, e.Sealed.Owner, e.Sealed.AAD
		}
	}
	var last int64
	err := d.W(ctx).QueryRowContext(ctx, `WITH lock AS (`+lock+`), ins AS (
		INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at, sealed, sealed_key, sealed_aad)
		SELECT v.org_id, v.scope_kind, v.scope_id, v.type, v.data, v.created_at, v.sealed, v.sealed_key, v.sealed_aad
		FROM lock, unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bytea[], $8::text[], $9::text[])
			WITH ORDINALITY AS v(org_id, scope_kind, scope_id, type, data, created_at, sealed, sealed_key, sealed_aad, ord)
		ORDER BY v.ord RETURNING pos)
		SELECT COALESCE(max(pos), 0) FROM ins`, org, kind, scope, typ, data, at, box, owner, aad).Scan(&last)
	if err != nil {
		return fmt.Errorf("events: append batch: %w", err)
	}
	if nf := notifierOf(d); nf != nil {
		db.AfterCommit(ctx, func() { nf.Notify(last) })
	}
	return nil
}
