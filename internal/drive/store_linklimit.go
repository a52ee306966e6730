package drive

import (
	"context"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// wrongPasswordsSince lists when the newest (at most limit) wrong
// passwords of a link since a time were tried, newest first.
func wrongPasswordsSince(ctx context.Context, d *db.DB, linkID string, since int64, limit int) ([]int64, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), db.Value[int64], `SELECT at FROM drive_link_access
		WHERE link_id = $1 AND outcome = $2 AND at > $3 ORDER BY at DESC LIMIT `+strconv.Itoa(limit), linkID, OutcomeWrongPassword, since))
}

// trimLinkAccess deletes, for every link with more than keep entries in
// its access log, the oldest beyond the newest keep; it returns how many.
func trimLinkAccess(ctx context.Context, d *db.DB, keep int) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_link_access WHERE id IN (
		SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY link_id ORDER BY at DESC, id DESC) AS n FROM drive_link_access) r
		WHERE r.n > $1)`, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
