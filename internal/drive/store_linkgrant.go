package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the grants of passworded links (drive_link_grants).

type grantRow struct {
	TokenHash, LinkID, OrgID, PasswordFP string
	ExpiresAt, CreatedAt                 int64
}

func insertGrant(ctx context.Context, d *db.DB, g grantRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_link_grants (token_hash, link_id, org_id, password_fp, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, g.TokenHash, g.LinkID, g.OrgID, g.PasswordFP, g.ExpiresAt, g.CreatedAt)
	return err
}

func grantByHash(ctx context.Context, d *db.DB, hash string) (grantRow, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (grantRow, error) {
		var g grantRow
		err := r.Scan(&g.TokenHash, &g.LinkID, &g.OrgID, &g.PasswordFP, &g.ExpiresAt, &g.CreatedAt)
		return g, err
	}, `SELECT token_hash, link_id, org_id, password_fp, expires_at, created_at FROM drive_link_grants WHERE token_hash = $1`, hash)
}

// dropLapsedGrants deletes a link's grants that have ended.
func dropLapsedGrants(ctx context.Context, d *db.DB, linkID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_link_grants WHERE link_id = $1 AND expires_at <= $2`, linkID, now)
	return err
}
