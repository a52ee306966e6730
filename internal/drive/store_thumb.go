package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the thumbnails (drive_thumbs).

// thumbRow is one size of a body's thumbnail.
type thumbRow struct {
	BlobKey       string
	Size          int
	OrgID         string
	ThumbKey      string
	ContentType   string
	Width, Height int
	Bytes         int64
	CreatedAt     int64
}

const thumbCols = `blob_key, size, org_id, thumb_key, content_type, width, height, bytes, created_at`

func scanThumb(r db.Scanner) (thumbRow, error) {
	var x thumbRow
	err := r.Scan(&x.BlobKey, &x.Size, &x.OrgID, &x.ThumbKey, &x.ContentType, &x.Width, &x.Height, &x.Bytes, &x.CreatedAt)
	return x, err
}

// thumbOf returns a body's thumbnail of a size (db.ErrNotFound: none).
func thumbOf(ctx context.Context, d *db.DB, blobKey string, size int) (thumbRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanThumb, `SELECT `+thumbCols+` FROM drive_thumbs WHERE blob_key = $1 AND size = $2`, blobKey, size)
}

// hasThumbs reports whether a body has a thumbnail of any size.
func hasThumbs(ctx context.Context, d *db.DB, blobKey string) (bool, error) {
	n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT COUNT(*) FROM drive_thumbs WHERE blob_key = $1`, blobKey)
	return n > 0, err
}

// thumbSource is what the thumbnail job needs of a body.
type thumbSource struct {
	OrgID, Owner string
	Size         int64
}

// bodyOf returns a recorded body (db.ErrNotFound when no version refers
// to it any more).
func bodyOf(ctx context.Context, d *db.DB, blobKey string) (thumbSource, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (thumbSource, error) {
		var x thumbSource
		err := r.Scan(&x.OrgID, &x.Owner, &x.Size)
		return x, err
	}, `SELECT org_id, owner, size FROM drive_blobs WHERE blob_key = $1`, blobKey)
}

// insertThumb records a thumbnail while its body is still recorded; it
// reports false (nothing written) when the body is gone or the size is
// already there.
func insertThumb(ctx context.Context, d *db.DB, x thumbRow) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_thumbs (`+thumbCols+`)
		SELECT $1, $2, org_id, $3, $4, $5, $6, $7, $8 FROM drive_blobs WHERE blob_key = $1
		ON CONFLICT (blob_key, size) DO NOTHING`,
		x.BlobKey, x.Size, x.ThumbKey, x.ContentType, x.Width, x.Height, x.Bytes, x.CreatedAt)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// takeThumbs deletes the thumbnails of bodies and returns their keys.
func takeThumbs(ctx context.Context, d *db.DB, blobKeys []string) ([]string, error) {
	var out []string
	for _, k := range blobKeys {
		keys, err := db.QueryAll(ctx, d.W(ctx), db.Value[string], `DELETE FROM drive_thumbs WHERE blob_key = $1 RETURNING thumb_key`, k)
		if err != nil {
			return nil, err
		}
		out = append(out, keys...)
	}
	return out, nil
}

// takeOrgThumbs deletes every thumbnail of an organization and returns
// their keys.
func takeOrgThumbs(ctx context.Context, d *db.DB, orgID string) ([]string, error) {
	return db.QueryAll(ctx, d.W(ctx), db.Value[string], `DELETE FROM drive_thumbs WHERE org_id = $1 RETURNING thumb_key`, orgID)
}

// takeOrphanThumbs deletes up to limit thumbnails whose body is no longer
// recorded and returns their keys.
func takeOrphanThumbs(ctx context.Context, d *db.DB, limit int) ([]string, error) {
	rows, err := db.QueryAll(ctx, d.R(ctx), scanThumb, `SELECT `+thumbCols+` FROM drive_thumbs t
		WHERE NOT EXISTS (SELECT 1 FROM drive_blobs b WHERE b.blob_key = t.blob_key) ORDER BY t.blob_key LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows {
		res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_thumbs WHERE blob_key = $1 AND size = $2
			AND NOT EXISTS (SELECT 1 FROM drive_blobs b WHERE b.blob_key = $1)`, r.BlobKey, r.Size)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			out = append(out, r.ThumbKey)
		}
	}
	return out, nil
}
