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

func listUnreadNotices(ctx context.Context, d *db.DB, accountID string) ([]Notice, error) {
	return queryNotices(ctx, d, `SELECT n.id, n.org_id, n.title, n.what_happened, n.impact, n.remedies, n.recipients, n.created_at, r.read_at
		FROM security_notice_recipients r JOIN security_notices n ON n.id = r.notice_id
		WHERE r.account_id = $1 AND r.read_at = 0 ORDER BY n.created_at DESC, n.id DESC LIMIT 50`, accountID)
}

// acceptorsOf lists the accounts that accepted some version of a document
// kind: those an update of it concerns.
func acceptorsOf(ctx context.Context, d *db.DB, orgID, kind string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT DISTINCT account_id FROM policy_acceptances WHERE org_id = $1 AND kind = $2 ORDER BY account_id`, orgID, kind)
}
