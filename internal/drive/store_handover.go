package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// handOverSpaces gives the organization spaces a leaver created to their successor.
func handOverSpaces(ctx context.Context, d *db.DB, orgID, from, to string, now int64) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_spaces SET created_by = $3, updated_at = $4
		WHERE org_id = $1 AND created_by = $2 AND kind <> 'personal'`, orgID, from, to, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// handOverItems gives the items a leaver created in organization spaces to their successor.
func handOverItems(ctx context.Context, d *db.DB, orgID, from, to string) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET created_by = $3
		WHERE org_id = $1 AND created_by = $2
		AND space_id IN (SELECT id FROM drive_spaces WHERE org_id = $1 AND kind <> 'personal')`, orgID, from, to)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// handOverMemberships names the successor in the spaces the leaver was
// named in, with the same role, where the successor is not named yet.
func handOverMemberships(ctx context.Context, d *db.DB, orgID, fromMember, toMember string, now int64) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_members (space_id, org_id, subject_kind, subject_id, role, created_at)
		SELECT m.space_id, m.org_id, 'member', $3, m.role, $4 FROM drive_members m
		WHERE m.org_id = $1 AND m.subject_kind = 'member' AND m.subject_id = $2
		AND NOT EXISTS (SELECT 1 FROM drive_members o WHERE o.space_id = m.space_id AND o.subject_kind = 'member' AND o.subject_id = $3)`,
		orgID, fromMember, toMember, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
