// Package events is the event log: every state change appends an event in
// the same transaction as the change, with a global stream position and a
// scope that decides who may receive it. The stream gateway replays and
// streams events to clients; the bus tells every node that new positions
// exist, and each node's Hub reads them once and hands them to its sockets
// (the events a node commits itself are handed to its Hub after COMMIT,
// without a read).
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Scope kinds say whose clients an event is for.
const (
	ScopeOrg          = "org"          // every active member of ScopeID (an organization)
	ScopeConversation = "conversation" // every member of the conversation ScopeID
	ScopeAccount      = "account"      // every session of the account ScopeID
)

// Event is one row of the event log.
type Event struct {
	Pos       int64           `json:"pos"`
	OrgID     string          `json:"org_id,omitempty"`
	ScopeKind string          `json:"scope_kind"`
	ScopeID   string          `json:"scope_id"`
	Type      string          `json:"type"` // e.g. "member.updated", "message.created"
	Data      json.RawMessage `json:"data"`
	CreatedAt int64           `json:"created_at"`
}

// appendLockKey is the PostgreSQL advisory lock that orders appends.
const appendLockKey = 0x61747269756d // "atrium"

// Ordering of positions on PostgreSQL.
//
// An identity value is assigned when a row is inserted, but transactions
// commit in any order: if transaction A takes pos 10 and B pos 11, and B
// commits first, a reader tailing "pos > 9" sees 11, moves its cursor to 11,
// and never sees 10 when A commits a moment later. Clients would silently
// miss events.
//
// Append therefore takes a transaction-scoped advisory lock before it
// inserts (in the same statement, so it costs no extra round trip): the
// positions of one transaction are assigned only after every earlier
// appending transaction has committed or rolled back, so positions become
// visible in increasing order and "read everything after my cursor" never
// skips. PostgreSQL releases the lock after the commit is visible to other
// sessions. The lock is held from a transaction's first append to its end,
// which serializes event-appending transactions; hot paths (message sends)
// batch many changes into one transaction (group commit), so the cost is
// one lock hand-over per batch, not per message. The alternative — a
// "visible up to" watermark computed from in-flight transaction ids — keeps
// writers parallel but makes every reader reason about gaps and rolled-back
// positions; the lock is simpler and easy to prove correct.
//
// SQLite has one writer connection, so transactions (and positions) are
// already serialized and the lock is "".

// Append writes an event in ctx's transaction (or on its own when ctx has
// none). data is marshalled to JSON; keep it small and free of secrets.
// When the transaction commits, the hub attached to d (if any) is handed
// the event and the bus attached to d (if any) is told of the new
// position, so streams deliver it at once.
func Append(ctx context.Context, d *db.DB, orgID, scopeKind, scopeID, typ string, data any) (int64, error) {
	return AppendSealed(ctx, d, orgID, scopeKind, scopeID, typ, data, nil)
}

// AppendSealed is Append for an event that carries personal content: sealed
// (when not nil) is stored sealed beside data and spliced into it by the
// readers (see Sealed). data must then marshal to a JSON object.
func AppendSealed(ctx context.Context, d *db.DB, orgID, scopeKind, scopeID, typ string, data any, sealed *Sealed) (int64, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return 0, fmt.Errorf("events: marshal %s: %w", typ, err)
	}
	var box []byte
	var owner, aad string
	if sealed != nil {
		box, owner, aad = sealed.Box, sealed.Owner, sealed.AAD
	}
	var pos int64
	now := time.Now().UnixMilli()
	if lock := d.Dialect.XactLock(appendLockKey); lock != "" {
		if !db.InTx(ctx) {
			// The lock is transaction-scoped: give the statement its own
			// transaction so the lock spans the commit.
			err = d.Tx(ctx, func(ctx context.Context) error {
				var e error
				pos, e = AppendSealed(ctx, d, orgID, scopeKind, scopeID, typ, data, sealed)
				return e
			})
			return pos, err
		}
		err = d.W(ctx).QueryRowContext(ctx,
			`WITH lock AS (`+lock+`)
			 INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at, sealed, sealed_key, sealed_aad)
			 SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bytea, $8::text, $9::text FROM lock RETURNING pos`,
			orgID, scopeKind, scopeID, typ, string(b), now, nullBytes(box), owner, aad).Scan(&pos)
	} else {
		err = d.W(ctx).QueryRowContext(ctx,
			`INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at, sealed, sealed_key, sealed_aad)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING pos`,
			orgID, scopeKind, scopeID, typ, string(b), now, nullBytes(box), owner, aad).Scan(&pos)
	}
	if err != nil {
		return 0, fmt.Errorf("events: append %s: %w", typ, err)
	}
	n, hub := notifierOf(d), hubOf(d)
	if n != nil || hub != nil {
		db.AfterCommit(ctx, func() {
			if hub != nil {
				// The row is what was just bound: the hub need not read it back.
				c := sealedCols{owner: owner, aad: aad}
				if len(box) > 0 {
					c.box = box
				}
				cols := []sealedCols{c}
				writtenRefs(d, []Pending{{Sealed: sealed}}, cols)
				hub.offer([]Event{{Pos: pos, OrgID: orgID, ScopeKind: scopeKind, ScopeID: scopeID, Type: typ, Data: b, CreatedAt: now}}, cols)
			}
			if n != nil {
				n.Notify(pos)
			} else {
				hub.wake()
			}
		})
	}
	return pos, nil
}

// Notifier is told of new committed positions (a Bus is one).
type Notifier interface {
	Notify(pos int64)
}

var notifiers sync.Map // *db.DB → Notifier

// Attach makes Append tell n of every position it commits on d. The server
// attaches its bus at start-up; nothing needs to call Notify by hand, but a
// writer that inserts into event_log without Append must call n.Notify
// after its COMMIT.
func Attach(d *db.DB, n Notifier) {
	if n == nil {
		notifiers.Delete(d)
		return
	}
	notifiers.Store(d, n)
}

func notifierOf(d *db.DB) Notifier {
	if v, ok := notifiers.Load(d); ok {
		return v.(Notifier)
	}
	return nil
}

var hubs sync.Map // *db.DB → *Hub

// AttachHub makes Append and AppendBatch hand the events they commit on d
// to h (see Hub.Offer), so that this node's hub reads from the database
// only the events it did not get this way: other nodes', and those of
// other handles. nil detaches. The server attaches its hub once started.
func AttachHub(d *db.DB, h *Hub) {
	if h == nil {
		hubs.Delete(d)
		return
	}
	hubs.Store(d, h)
}

func hubOf(d *db.DB) *Hub {
	if v, ok := hubs.Load(d); ok {
		return v.(*Hub)
	}
	return nil
}
