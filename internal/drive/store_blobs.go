package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// getBlob returns a body as drive counts it.
func getBlob(ctx context.Context, d *db.DB, key string) (blobRow, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (blobRow, error) {
		var x blobRow
		err := r.Scan(&x.Key, &x.OrgID, &x.Owner, &x.Size, &x.SHA256, &x.Refs, &x.External, &x.CreatedAt)
		return x, err
	}, `SELECT blob_key, org_id, owner, size, sha256, refs, external, created_at FROM drive_blobs WHERE blob_key = $1`, key)
}

// rekeySubtree points the files and versions of an item's subtree
// (treeIDs) that hold body old at body new.
func rekeySubtree(ctx context.Context, d *db.DB, id, old, new string) error {
	if _, err := d.W(ctx).ExecContext(ctx, treeIDs+` UPDATE drive_items SET blob_key = $3
		WHERE kind = 'file' AND blob_key = $2 AND id IN (SELECT id FROM ids)`, id, old, new); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, treeIDs+` UPDATE drive_versions SET blob_key = $3
		WHERE blob_key = $2 AND item_id IN (SELECT id FROM ids)`, id, old, new)
	return err
}
