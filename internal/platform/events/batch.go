package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
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

// AppendBatch is Append for many events at once, for group-commit writers
// (message sends): the same rows, the same ordering lock on PostgreSQL and
// the same wake-up of the bus after COMMIT, but multi-row INSERTs
// (db.Rows: up to 128 events a statement on SQLite, one statement on
// PostgreSQL) instead of one statement each, and the same hand-over of
// the committed events to the hub attached to d (AttachHub). It must run
// in a transaction. Events get increasing positions in the order given.
func AppendBatch(ctx context.Context, d *db.DB, evs []Pending) error {
	if len(evs) == 0 {
		return nil
	}
	if !db.InTx(ctx) {
		return d.Tx(ctx, func(ctx context.Context) error { return AppendBatch(ctx, d, evs) })
	}
	now := time.Now().UnixMilli()
	data := make([]string, len(evs))
	for i, e := range evs {
		if raw, ok := e.Data.(json.RawMessage); ok {
			// Already encoded by the caller (off the writer's path).
			data[i] = string(raw)
			continue
		}
		b, err := json.Marshal(e.Data)
		if err != nil {
			return fmt.Errorf("events: marshal %s: %w", e.Type, err)
		}
		data[i] = string(b)
	}
	// On PostgreSQL the rows are selected with the ordering lock, so that
	// positions commit in order.
	lock := d.Dialect.XactLock(appendLockKey)
	join := ""
	if lock != "" {
		join = "lock"
	}
	// With a hub attached the statements return the rows as stored, which
	// the hub then need not read back: each returned row is itself the
	// event, so nothing depends on the order RETURNING lists rows in.
	hub := hubOf(d)
	tail := "RETURNING pos"
	if hub != nil {
		tail = "RETURNING " + eventColumns
	}
	stmts, err := eventRows.Insert(d.Kind, "event_log", tail, join, len(evs), func(i int, v []any) {
		e := &evs[i]
		box, owner, aad := e.sealedCols()
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] = e.OrgID, e.ScopeKind, e.ScopeID, e.Type, data[i], now, box, owner, aad
	})
	if err != nil {
		return err
	}
	var last int64
	var rows offerRows
	if hub != nil {
		rows.evs = make([]Event, 0, len(evs))
		rows.cols = make([]sealedCols, 0, len(evs))
	}
	for _, st := range stmts {
		q := st.Query
		switch {
		case lock != "" && hub != nil:
			q = "WITH lock AS (" + lock + ") " + q
		case lock != "":
			q = "WITH lock AS (" + lock + "), ins AS (" + q + ") SELECT COALESCE(max(pos), 0) FROM ins"
		}
		err := db.Each(ctx, d.W(ctx), func(r db.Scanner) error {
			if hub == nil {
				var pos int64
				err := r.Scan(&pos)
				last = max(last, pos)
				return err
			}
			var e Event
			var c sealedCols
			if err := scanEvent(r, &e, &c); err != nil {
				return err
			}
			last = max(last, e.Pos)
			rows.evs = append(rows.evs, e)
			rows.cols = append(rows.cols, c)
			return nil
		}, q, st.Args...)
		if err != nil {
			return fmt.Errorf("events: append batch: %w", err)
		}
	}
	if hub != nil {
		if !sort.IsSorted(rows) {
			sort.Sort(rows)
		}
		writtenRefs(d, evs, rows.cols)
	}
	n := notifierOf(d)
	if n != nil || hub != nil {
		db.AfterCommit(ctx, func() {
			if hub != nil {
				hub.offer(rows.evs, rows.cols)
			}
			if n != nil {
				n.Notify(last)
			} else {
				hub.wake()
			}
		})
	}
	return nil
}

// offerRows are events as returned by their INSERT, with their sealed
// columns, sorted by position.
type offerRows struct {
	evs  []Event
	cols []sealedCols
}

func (r offerRows) Len() int           { return len(r.evs) }
func (r offerRows) Less(i, j int) bool { return r.evs[i].Pos < r.evs[j].Pos }
func (r offerRows) Swap(i, j int) {
	r.evs[i], r.evs[j] = r.evs[j], r.evs[i]
	r.cols[i], r.cols[j] = r.cols[j], r.cols[i]
}

// eventRows are the columns of an event as AppendBatch inserts it.
var eventRows = db.Rows{Cols: db.Cols(
	"org_id text", "scope_kind text", "scope_id text", "type text", "data text",
	"created_at bigint", "sealed bytea", "sealed_key text", "sealed_aad text",
), PerStmt: 200}

// ToAccounts appends the same event, of type typ with data (org_id added),
// to each of accounts' own streams, in ctx's transaction: how the office
// domains tell people that something concerns them. data should hold ids
// and dates only, no personal content.
func ToAccounts(ctx context.Context, d *db.DB, orgID, typ string, data map[string]string, accounts []string) error {
	if len(accounts) == 0 {
		return nil
	}
	data["org_id"] = orgID
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	evs := make([]Pending, len(accounts))
	for i, acc := range accounts {
		evs[i] = Pending{OrgID: orgID, ScopeKind: ScopeAccount, ScopeID: acc, Type: typ, Data: json.RawMessage(b)}
	}
	return AppendBatch(ctx, d, evs)
}
