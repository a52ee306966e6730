package calendar

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// feedRow is a calendar's ICS feed for one person.
type feedRow struct {
	ID, OrgID, CalendarID, AccountID, MemberID string
	CreatedAt                                  int64
}

// putFeed creates a person's feed of a calendar, or replaces its secret.
func putFeed(ctx context.Context, d *db.DB, x feedRow, hash string) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_feeds (id, org_id, calendar_id, account_id, member_id, secret_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (calendar_id, member_id) DO UPDATE SET secret_hash = excluded.secret_hash,
		account_id = excluded.account_id, created_at = excluded.created_at`, x.ID, x.OrgID, x.CalendarID, x.AccountID, x.MemberID, hash, x.CreatedAt)
	return err
}

// deleteFeed revokes a person's feed of a calendar; false when there was none.
func deleteFeed(ctx context.Context, d *db.DB, calID, memberID string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_feeds WHERE calendar_id = $1 AND member_id = $2`, calID, memberID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// hasFeed reports whether a person has a feed of a calendar.
func hasFeed(ctx context.Context, d *db.DB, calID, memberID string) (bool, error) {
	n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT COUNT(*) FROM calendar_feeds WHERE calendar_id = $1 AND member_id = $2`,
		calID, memberID)
	return n > 0, err
}

// feedBySecret returns the feed whose secret has hash.
func feedBySecret(ctx context.Context, d *db.DB, hash string) (feedRow, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (feedRow, error) {
		var x feedRow
		err := r.Scan(&x.ID, &x.OrgID, &x.CalendarID, &x.AccountID, &x.MemberID, &x.CreatedAt)
		return x, err
	}, `SELECT id, org_id, calendar_id, account_id, member_id, created_at FROM calendar_feeds WHERE secret_hash = $1`, hash)
}

// deleteFeedsOf deletes a person's feeds: in one organization when orgID
// is set, else in every one.
func deleteFeedsOf(ctx context.Context, d *db.DB, orgID, accountID string) (int64, error) {
	q, args := `DELETE FROM calendar_feeds WHERE account_id = $1`, []any{accountID}
	if orgID != "" {
		q, args = `DELETE FROM calendar_feeds WHERE account_id = $1 AND org_id = $2`, []any{accountID, orgID}
	}
	res, err := d.W(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
