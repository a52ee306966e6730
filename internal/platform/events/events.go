// Package events is the event log: every state change appends an event in
// the same transaction as the change, with a global stream position and a
// scope that decides who may receive it. The stream gateway replays and
// streams events to clients; the bus tells every node that new positions
// exist.
package events

import (
	"context"
	"encoding/json"
	"fmt"
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

// Append writes an event in ctx's transaction (or on its own when ctx has
// none). data is marshalled to JSON; keep it small and free of secrets.
func Append(ctx context.Context, d *db.DB, orgID, scopeKind, scopeID, typ string, data any) (int64, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return 0, fmt.Errorf("events: marshal %s: %w", typ, err)
	}
	var pos int64
	err = d.W(ctx).QueryRowContext(ctx,
		`INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6) RETURNING pos`,
		orgID, scopeKind, scopeID, typ, string(b), time.Now().UnixMilli()).Scan(&pos)
	if err != nil {
		return 0, fmt.Errorf("events: append %s: %w", typ, err)
	}
	return pos, nil
}
