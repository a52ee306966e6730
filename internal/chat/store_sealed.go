package chat

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// soleGeneralGroups lists the general groups accountID is the only member
// left of: erasing the person empties them (seal.go, forgetGroupKey).
func soleGeneralGroups(ctx context.Context, d *db.DB, accountID string) ([]Conversation, error) {
	rows, err := d.R(ctx).QueryContext(ctx, `SELECT `+convCols+`
		FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.account_id = $1 AND c.kind = 'general'
		AND NOT EXISTS (SELECT 1 FROM conversation_members o WHERE o.conversation_id = c.id AND o.account_id <> $1)`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConv(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
