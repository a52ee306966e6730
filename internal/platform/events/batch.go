package events

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
	// With a hub attached the statements also tell which row got which
	// position, so that the hub need not read the rows back (see keyed).
	hub := hubOf(d)
	mode := returnPos
	tail := "RETURNING pos"
	if hub != nil {
		mode, tail = returnKeys, "RETURNING pos, scope_id, sealed_aad"
		if !keyed(evs, data) {
			mode, tail = returnRows, "RETURNING "+eventColumns
		}
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
	var keys []rowKey
	switch mode {
	case returnRows:
		rows.evs = make([]Event, 0, len(evs))
		rows.cols = make([]sealedCols, 0, len(evs))
	case returnKeys:
		keys = make([]rowKey, 0, len(evs))
	}
	for _, st := range stmts {
		q := st.Query
		switch {
		case lock != "" && mode != returnPos:
			q = "WITH lock AS (" + lock + ") " + q
		case lock != "":
			q = "WITH lock AS (" + lock + "), ins AS (" + q + ") SELECT COALESCE(max(pos), 0) FROM ins"
		}
		err := db.Each(ctx, d.W(ctx), func(r db.Scanner) error {
			switch mode {
			case returnKeys:
				var k rowKey
				if err := r.Scan(&k.pos, &k.scopeID, &k.aad); err != nil {
					return err
				}
				last = max(last, k.pos)
				keys = append(keys, k)
			case returnRows:
				var e Event
				var c sealedCols
				if err := scanEvent(r, &e, &c); err != nil {
					return err
				}
				last = max(last, e.Pos)
				rows.evs = append(rows.evs, e)
				rows.cols = append(rows.cols, c)
			default:
				var pos int64
				if err := r.Scan(&pos); err != nil {
					return err
				}
				last = max(last, pos)
			}
			return nil
		}, q, st.Args...)
		if err != nil {
			return fmt.Errorf("events: append batch: %w", err)
		}
	}
	switch mode {
	case returnKeys:
		rows = keyedRows(evs, data, now, keys)
	case returnRows:
		if !sort.IsSorted(rows) {
			sort.Sort(rows)
		}
	}
	if rows.evs != nil {
		writtenRefs(d, evs, rows.cols)
	}
	n := notifierOf(d)
	if n != nil || hub != nil {
		db.AfterCommit(ctx, func() {
			if rows.evs != nil {
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

// What AppendBatch's statements return.
const (
	returnPos  = iota // positions only: no hub to hand the events to
	returnKeys        // positions with scope_id and sealed_aad (see keyed)
	returnRows        // the rows as stored
)

// Which pending event got which position.
//
// The hub must be handed exactly the rows as stored, and neither engine
// promises that rows get positions in the order of VALUES or that
// RETURNING lists them in any order. The rows could simply be returned
// whole, but on SQLite RETURNING copies every value it returns twice, which
// costs about what reading them back did. So the statements return each
// position with the row's scope_id and sealed_aad only: sorted by
// position, these must be those of the pending events in the order given.
// That proves the rows are the events in that order when no two events
// share scope_id and sealed_aad and differ otherwise (two that differ
// only elsewhere could have swapped positions unseen; two that do not
// differ at all are interchangeable). keyed checks that before the
// statements run; when it fails, they return the rows whole.

// rowKey is a returned position with the row's scope_id and sealed_aad.
type rowKey struct {
	pos          int64
	scopeID, aad string
}

// keyed reports whether no two of evs (data[i] being evs[i]'s encoded
// data) share scope_id and sealed_aad but differ in another column.
func keyed(evs []Pending, data []string) bool {
	type key struct{ scopeID, aad string }
	first := make(map[key]int, len(evs))
	for i := range evs {
		_, _, aad := evs[i].sealedCols()
		k := key{evs[i].ScopeID, aad}
		j, ok := first[k]
		if !ok {
			first[k] = i
			continue
		}
		a, b := &evs[i], &evs[j]
		boxA, ownerA, _ := a.sealedCols()
		boxB, ownerB, _ := b.sealedCols()
		if a.OrgID != b.OrgID || a.ScopeKind != b.ScopeKind || a.Type != b.Type || data[i] != data[j] ||
			ownerA != ownerB || !sameBox(boxA, boxB) {
			return false
		}
	}
	return true
}

// sameBox compares two sealed columns as bound (nil or []byte).
func sameBox(a, b any) bool {
	x, _ := a.([]byte)
	y, _ := b.([]byte)
	return string(x) == string(y)
}

// keyedRows returns evs as stored, given the keys their statements
// returned, or nothing when the keys, sorted by position, are not those of
// evs in order (then the hub reads the rows).
func keyedRows(evs []Pending, data []string, now int64, keys []rowKey) offerRows {
	if len(keys) != len(evs) {
		return offerRows{}
	}
	slices.SortFunc(keys, func(a, b rowKey) int { return cmp.Compare(a.pos, b.pos) })
	out := offerRows{evs: make([]Event, len(evs)), cols: make([]sealedCols, len(evs))}
	for i := range evs {
		e := &evs[i]
		box, owner, aad := e.sealedCols()
		if keys[i].scopeID != e.ScopeID || keys[i].aad != aad || (i > 0 && keys[i].pos == keys[i-1].pos) {
			return offerRows{}
		}
		out.evs[i] = Event{Pos: keys[i].pos, OrgID: e.OrgID, ScopeKind: e.ScopeKind, ScopeID: e.ScopeID, Type: e.Type,
			Data: []byte(data[i]), CreatedAt: now}
		c := sealedCols{owner: owner, aad: aad}
		if b, _ := box.([]byte); len(b) > 0 {
			c.box = b
		}
		out.cols[i] = c
	}
	return out
}

// offerRows are the events an AppendBatch stored, with their sealed
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
