package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

const eventColumns = `pos, org_id, scope_kind, scope_id, type, data, created_at, sealed, sealed_key, sealed_aad`

// scanEvent reads a row of eventColumns into e and c.
func scanEvent(r db.Scanner, e *Event, c *sealedCols) error {
	var data string
	if err := r.Scan(&e.Pos, &e.OrgID, &e.ScopeKind, &e.ScopeID, &e.Type, &data, &e.CreatedAt, &c.box, &c.owner, &c.aad); err != nil {
		return err
	}
	e.Data = []byte(data)
	return nil
}

// scanEvents reads events and opens their sealed content (see Sealed).
func scanEvents(ctx context.Context, d *db.DB, rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	var cols []sealedCols
	for rows.Next() {
		var e Event
		var c sealedCols
		if err := scanEvent(rows, &e, &c); err != nil {
			return nil, err
		}
		out = append(out, e)
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close() // before the sources read, on SQLite's few reader connections
	if err := unsealAll(ctx, d, out, cols); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadAfter returns up to limit events with after < pos <= upTo, oldest
// first (upTo <= 0 means no upper bound).
func ReadAfter(ctx context.Context, d *db.DB, after, upTo int64, limit int) ([]Event, error) {
	if upTo <= 0 {
		upTo = 1<<63 - 1
	}
	rows, err := d.R(ctx).QueryContext(ctx,
		`SELECT `+eventColumns+` FROM event_log WHERE pos > $1 AND pos <= $2 ORDER BY pos LIMIT $3`,
		after, upTo, limit)
	if err != nil {
		return nil, fmt.Errorf("events: read: %w", err)
	}
	return scanEvents(ctx, d, rows)
}

// ReadTypes returns up to limit events of the given types with after < pos
// <= upTo, oldest first, for background readers that act on a few kinds of
// event (push notifications): the rest of the log is neither returned nor
// opened.
func ReadTypes(ctx context.Context, d *db.DB, after, upTo int64, types []string, limit int) ([]Event, error) {
	args := []any{after, upTo, limit}
	rows, err := d.R(ctx).QueryContext(ctx,
		`SELECT `+eventColumns+` FROM event_log WHERE pos > $1 AND pos <= $2 AND type IN (`+db.In(&args, types)+`) ORDER BY pos LIMIT $3`,
		args...)
	if err != nil {
		return nil, fmt.Errorf("events: read: %w", err)
	}
	return scanEvents(ctx, d, rows)
}

// Selector names the scopes one reader may see.
type Selector struct {
	AccountID       string
	OrgID           string   // "" when the reader is in no organization
	ConversationIDs []string // conversations the reader participates in
}

// maxSelectorConversations bounds the IN list of ReadFor; readers in more
// conversations than this scan every event and filter in Go instead.
const maxSelectorConversations = 500

// ReadFor returns up to limit events with after < pos <= upTo in the scopes
// of sel, oldest first, using the (scope_kind, scope_id, pos) index. With
// very many conversations it returns every event in the range instead (the
// caller filters anyway); either way the result is a superset of what sel
// may see and contains no event outside the range.
func ReadFor(ctx context.Context, d *db.DB, after, upTo int64, limit int, sel Selector) ([]Event, error) {
	if len(sel.ConversationIDs) > maxSelectorConversations {
		return ReadAfter(ctx, d, after, upTo, limit)
	}
	if upTo <= 0 {
		upTo = 1<<63 - 1
	}
	args := []any{after, upTo, limit, sel.AccountID}
	var b strings.Builder
	b.WriteString(`SELECT ` + eventColumns + ` FROM event_log WHERE pos > $1 AND pos <= $2 AND (
		(scope_kind = 'account' AND scope_id = $4)`)
	if sel.OrgID != "" {
		args = append(args, sel.OrgID)
		b.WriteString(` OR (scope_kind = 'org' AND scope_id = $` + strconv.Itoa(len(args)) + `)`)
	}
	if len(sel.ConversationIDs) > 0 {
		b.WriteString(` OR (scope_kind = 'conversation' AND scope_id IN (`)
		for i, c := range sel.ConversationIDs {
			args = append(args, c)
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("$" + strconv.Itoa(len(args)))
		}
		b.WriteString(`))`)
	}
	b.WriteString(`) ORDER BY pos LIMIT $3`)
	rows, err := d.R(ctx).QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("events: read for reader: %w", err)
	}
	return scanEvents(ctx, d, rows)
}

// Head returns the highest committed position (0 for an empty log).
func Head(ctx context.Context, d *db.DB) (int64, error) {
	var p sql.NullInt64
	if err := d.R(ctx).QueryRowContext(ctx, `SELECT MAX(pos) FROM event_log`).Scan(&p); err != nil {
		return 0, fmt.Errorf("events: head: %w", err)
	}
	return p.Int64, nil
}

// Horizon returns the position below which the log may have been trimmed:
// a reader whose cursor is below Horizon may have missed events that no
// longer exist and must resynchronize from a snapshot. Trim always keeps
// the newest event, so the log's oldest row tells where history starts.
func Horizon(ctx context.Context, d *db.DB) (int64, error) {
	var p sql.NullInt64
	if err := d.R(ctx).QueryRowContext(ctx, `SELECT MIN(pos) FROM event_log`).Scan(&p); err != nil {
		return 0, fmt.Errorf("events: horizon: %w", err)
	}
	if !p.Valid {
		return 0, nil
	}
	return p.Int64 - 1, nil
}

// Trim deletes the oldest events, those before the first one created at or
// after beforeMillis (unix ms) — always a prefix of the log, so no holes
// appear even when the clocks of several nodes disagree — and always keeps
// the newest event, so that Horizon stays meaningful. It deletes in batches
// of 10,000 rows (short transactions) and returns how many rows it deleted.
// Clients whose cursor falls below the new horizon are told to resync.
func Trim(ctx context.Context, d *db.DB, beforeMillis int64) (int64, error) {
	var cutoff sql.NullInt64
	// Walks the primary key from the oldest row: its cost is the rows to delete.
	err := d.R(ctx).QueryRowContext(ctx,
		`SELECT pos FROM event_log WHERE created_at >= $1 ORDER BY pos LIMIT 1`, beforeMillis).Scan(&cutoff)
	if errors.Is(err, sql.ErrNoRows) {
		err = d.R(ctx).QueryRowContext(ctx, `SELECT MAX(pos) FROM event_log`).Scan(&cutoff)
	}
	if err != nil {
		return 0, fmt.Errorf("events: trim: %w", err)
	}
	if !cutoff.Valid {
		return 0, nil // empty log
	}
	var total int64
	for {
		res, err := d.W(ctx).ExecContext(ctx,
			`DELETE FROM event_log WHERE pos IN (SELECT pos FROM event_log WHERE pos < $1 ORDER BY pos LIMIT 10000)`, cutoff.Int64)
		if err != nil {
			return total, fmt.Errorf("events: trim: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 10000 {
			return total, nil
		}
	}
}
