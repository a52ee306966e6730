package chat

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// soleGeneralGroups lists the general groups accountID is the only member
// left of: erasing the person empties them (seal.go, forgetGroupKey).
func soleGeneralGroups(ctx context.Context, d *db.DB, accountID string) ([]Conversation, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Conversation, error) { return scanConv(r) }, `SELECT `+convCols+`
		FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.account_id = $1 AND c.kind = 'general'
		AND NOT EXISTS (SELECT 1 FROM conversation_members o WHERE o.conversation_id = c.id AND o.account_id <> $1)`, accountID)
}
