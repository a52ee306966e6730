package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the WebDAV dead properties (drive_dav_props).

func scanDeadProp(r db.Scanner) (DeadProp, error) {
	var p DeadProp
	err := r.Scan(&p.ItemID, &p.Space, &p.Name, &p.Lang, &p.Value)
	return p, err
}

// deadPropsOf lists the dead properties of items of an organization.
func deadPropsOf(ctx context.Context, d *db.DB, orgID string, itemIDs []string) ([]DeadProp, error) {
	if len(itemIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID}
	in := db.In(&args, itemIDs)
	return db.QueryAll(ctx, d.R(ctx), scanDeadProp, `SELECT item_id, ns, prop, lang, value FROM drive_dav_props
		WHERE org_id = $1 AND item_id IN (`+in+`) ORDER BY item_id, ns, prop`, args...)
}

// deadPropsOfChildren lists the dead properties of a folder's items not in
// the trash.
func deadPropsOfChildren(ctx context.Context, d *db.DB, orgID, parentID string) ([]DeadProp, error) {
	return db.QueryAll(ctx, d.R(ctx), scanDeadProp, `SELECT p.item_id, p.ns, p.prop, p.lang, p.value FROM drive_dav_props p
		JOIN drive_items i ON i.id = p.item_id
		WHERE i.org_id = $1 AND i.parent_id = $2 AND i.trashed_at = 0 ORDER BY p.item_id, p.ns, p.prop`, orgID, parentID)
}

// countDeadProps counts an item's dead properties.
func countDeadProps(ctx context.Context, d *db.DB, itemID string) (int, error) {
	var n int
	err := d.W(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM drive_dav_props WHERE item_id = $1`, itemID).Scan(&n)
	return n, err
}

// setDeadProp writes one dead property.
func setDeadProp(ctx context.Context, d *db.DB, orgID string, p DeadProp) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_dav_props (item_id, org_id, ns, prop, lang, value) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (item_id, ns, prop) DO UPDATE SET lang = excluded.lang, value = excluded.value`, p.ItemID, orgID, p.Space, p.Name, p.Lang, p.Value)
	return err
}

// deleteDeadProp removes one dead property.
func deleteDeadProp(ctx context.Context, d *db.DB, itemID, space, name string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_dav_props WHERE item_id = $1 AND ns = $2 AND prop = $3`, itemID, space, name)
	return err
}
