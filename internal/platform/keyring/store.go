package keyring

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

func loadKey(ctx context.Context, d *db.DB, owner string) ([]byte, error) {
	var b []byte
	err := d.R(ctx).QueryRowContext(ctx, `SELECT wrapped FROM data_keys WHERE owner_id = $1`, owner).Scan(&b)
	return b, d.Classify(err)
}

func anyKey(ctx context.Context, d *db.DB) (string, []byte, error) {
	var o string
	var b []byte
	err := d.R(ctx).QueryRowContext(ctx, `SELECT owner_id, wrapped FROM data_keys ORDER BY owner_id LIMIT 1`).Scan(&o, &b)
	return o, b, d.Classify(err)
}

func insertKey(ctx context.Context, d *db.DB, owner string, wrapped []byte, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO data_keys (owner_id, wrapped, created_at) VALUES ($1, $2, $3)
		 ON CONFLICT (owner_id) DO NOTHING`, owner, wrapped, now)
	return d.Classify(err)
}

func deleteKey(ctx context.Context, d *db.DB, owner string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM data_keys WHERE owner_id = $1`, owner)
	return err
}

func insertTombstone(ctx context.Context, d *db.DB, owner string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO data_key_tombstones (owner_id, destroyed_at) VALUES ($1, $2)
		 ON CONFLICT (owner_id) DO NOTHING`, owner, now)
	return err
}

func isDestroyed(ctx context.Context, d *db.DB, owner string) (bool, error) {
	var n int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM data_key_tombstones WHERE owner_id = $1`, owner).Scan(&n)
	return n > 0, err
}

func loadKeys(ctx context.Context, d *db.DB, owners []string) (map[string][]byte, error) {
	var args []any
	in := db.In(&args, owners)
	out := make(map[string][]byte, len(owners))
	err := db.Each(ctx, d.R(ctx), func(s db.Scanner) error {
		var o string
		var b []byte
		if err := s.Scan(&o, &b); err != nil {
			return err
		}
		out[o] = b
		return nil
	}, `SELECT owner_id, wrapped FROM data_keys WHERE owner_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}
