package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the WebDAV locks (drive_dav_locks).

const davLockCols = `token, org_id, space_id, root, zero_depth, shared, owner_xml, account_id, expires_at, created_at`

func scanDAVLock(r db.Scanner) (DAVLock, error) {
	var l DAVLock
	err := r.Scan(&l.Token, &l.OrgID, &l.SpaceID, &l.Root, &l.ZeroDepth, &l.Shared, &l.OwnerXML, &l.AccountID, &l.ExpiresAt, &l.CreatedAt)
	return l, err
}

// davLocksOf lists the locks of a space not lapsed at now.
func davLocksOf(ctx context.Context, d *db.DB, q db.Querier, orgID, spaceID string, now int64) ([]DAVLock, error) {
	return db.QueryAll(ctx, q, scanDAVLock, `SELECT `+davLockCols+` FROM drive_dav_locks
		WHERE org_id = $1 AND space_id = $2 AND expires_at > $3 ORDER BY root, token`, orgID, spaceID, now)
}

// davLockByToken returns a lock not lapsed at now.
func davLockByToken(ctx context.Context, d *db.DB, token string, now int64) (DAVLock, error) {
	return db.QueryOne(ctx, d.R(ctx), scanDAVLock, `SELECT `+davLockCols+` FROM drive_dav_locks WHERE token = $1 AND expires_at > $2`, token, now)
}

// claimSpace orders lock changes of a space: on PostgreSQL the row lock
// of the space is held to the end of the transaction.
func claimSpace(ctx context.Context, d *db.DB, spaceID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_spaces SET updated_at = updated_at WHERE id = $1`, spaceID)
	return err
}

// dropLapsedDAVLocks deletes a space's lapsed locks.
func dropLapsedDAVLocks(ctx context.Context, d *db.DB, spaceID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_dav_locks WHERE space_id = $1 AND expires_at <= $2`, spaceID, now)
	return err
}

func insertDAVLock(ctx context.Context, d *db.DB, l DAVLock) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_dav_locks (`+davLockCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		l.Token, l.OrgID, l.SpaceID, l.Root, l.ZeroDepth, l.Shared, l.OwnerXML, l.AccountID, l.ExpiresAt, l.CreatedAt)
	return err
}

func setDAVLockExpiry(ctx context.Context, d *db.DB, token string, expiresAt int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_dav_locks SET expires_at = $2 WHERE token = $1`, token, expiresAt)
	return err
}

func deleteDAVLock(ctx context.Context, d *db.DB, token string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_dav_locks WHERE token = $1`, token)
	return err
}
