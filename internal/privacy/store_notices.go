package privacy

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the pieces that tell people things: the age gate's reset when a
// birth date changes, and the security notices still to acknowledge.

func deleteAgeGate(ctx context.Context, d *db.DB, accountID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM age_gates WHERE account_id = $1`, accountID)
	return err
}
