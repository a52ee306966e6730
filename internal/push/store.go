package push

import (
	"context"
	"database/sql"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// row is a push_subscriptions row.
type row struct {
	ID           string
	AccountID    string
	EndpointHash string
	EndpointHost string
	DeviceName   string
	Secret       []byte
	CreatedAt    int64
	UpdatedAt    int64
	LastUsedAt   sql.NullInt64
}

const rowCols = `id, account_id, endpoint_hash, endpoint_host, device_name, secret, created_at, updated_at, last_used_at`

func scanRow(s db.Scanner) (row, error) {
	var r row
	err := s.Scan(&r.ID, &r.AccountID, &r.EndpointHash, &r.EndpointHost, &r.DeviceName, &r.Secret, &r.CreatedAt, &r.UpdatedAt, &r.LastUsedAt)
	return r, err
}

// upsertSubscription inserts r, or updates the row of the same account and
// endpoint; it returns the stored row (whose id is r.ID only when new).
func upsertSubscription(ctx context.Context, d *db.DB, r row) (row, error) {
	out, err := db.QueryOne(ctx, d.W(ctx), scanRow, `INSERT INTO push_subscriptions (`+rowCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, NULL)
		ON CONFLICT (account_id, endpoint_hash) DO UPDATE SET endpoint_host = excluded.endpoint_host,
			device_name = excluded.device_name, secret = excluded.secret, updated_at = excluded.updated_at
		RETURNING `+rowCols,
		r.ID, r.AccountID, r.EndpointHash, r.EndpointHost, r.DeviceName, r.Secret, r.CreatedAt)
	return out, d.Classify(err)
}

func listSubscriptions(ctx context.Context, d *db.DB, accountID string) ([]row, error) {
	return db.QueryAll(ctx, d.R(ctx), scanRow, `SELECT `+rowCols+` FROM push_subscriptions WHERE account_id = $1 ORDER BY created_at, id`, accountID)
}

// subscriptionsOf returns the subscriptions of many accounts at once.
func subscriptionsOf(ctx context.Context, d *db.DB, accountIDs []string) ([]row, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	var args []any
	return db.QueryAll(ctx, d.R(ctx), scanRow, `SELECT `+rowCols+` FROM push_subscriptions WHERE account_id IN (`+db.In(&args, accountIDs)+`) ORDER BY account_id, created_at, id`, args...)
}

func deleteSubscription(ctx context.Context, d *db.DB, accountID, id string) error {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// deleteStale deletes a subscription the push service no longer knows,
// unless it was renewed (updated) after the push was sent.
func deleteStale(ctx context.Context, d *db.DB, id string, updatedAt int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM push_subscriptions WHERE id = $1 AND updated_at = $2`, id, updatedAt)
	return err
}

func deleteAllSubscriptions(ctx context.Context, d *db.DB) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM push_subscriptions`)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// markUsed records when pushes were last accepted for the subscriptions.
func markUsed(ctx context.Context, d *db.DB, ids []string, at int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{at}
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE push_subscriptions SET last_used_at = $1 WHERE id IN (`+db.In(&args, ids)+`)`, args...)
	return err
}

func getVAPID(ctx context.Context, d *db.DB, id string) (pub string, sealed []byte, err error) {
	err = d.R(ctx).QueryRowContext(ctx, `SELECT public_key, private_key FROM push_vapid WHERE id = $1`, id).Scan(&pub, &sealed)
	return pub, sealed, d.Classify(err)
}

func insertVAPID(ctx context.Context, d *db.DB, id, pub string, sealed []byte, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO push_vapid (id, public_key, private_key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO NOTHING`, id, pub, sealed, now)
	return err
}

func deleteVAPID(ctx context.Context, d *db.DB, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM push_vapid WHERE id = $1`, id)
	return err
}

// cursorName is the push_cursor row of the sender.
const cursorName = "events"

// initCursor starts the sender at pos unless it already has a position.
func initCursor(ctx context.Context, d *db.DB, pos int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO push_cursor (name, position) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, cursorName, pos)
	return err
}

func getCursor(ctx context.Context, d *db.DB) (int64, error) {
	var p int64
	err := d.R(ctx).QueryRowContext(ctx, `SELECT position FROM push_cursor WHERE name = $1`, cursorName).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return p, err
}

// advanceCursor moves the cursor from old to pos and reports whether this
// caller did (another node may have moved it first: then it sends those
// events, not this one).
func advanceCursor(ctx context.Context, d *db.DB, old, pos int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE push_cursor SET position = $3 WHERE name = $1 AND position = $2`, cursorName, old, pos)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
