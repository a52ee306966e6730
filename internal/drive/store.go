package drive

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the drive. Every query of tenant data names the organization,
// which comes from the caller, never from the request; queries by a row's
// own id follow a row loaded that way.

// spaceRow is a space as stored.
type spaceRow struct {
	ID, OrgID, Kind, OwnerAccountID, Name, RootID string
	QuotaBytes, UsedBytes                         int64
	CreatedBy                                     string
	CreatedAt, UpdatedAt                          int64
}

const spaceCols = `id, org_id, kind, owner_account_id, name, root_id, quota_bytes, used_bytes, created_by, created_at, updated_at`

func scanSpace(r db.Scanner) (spaceRow, error) {
	var x spaceRow
	err := r.Scan(&x.ID, &x.OrgID, &x.Kind, &x.OwnerAccountID, &x.Name, &x.RootID, &x.QuotaBytes, &x.UsedBytes, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func getSpace(ctx context.Context, d *db.DB, orgID, id string) (spaceRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanSpace, `SELECT `+spaceCols+` FROM drive_spaces WHERE org_id = $1 AND id = $2`, orgID, id)
}

func personalSpace(ctx context.Context, d *db.DB, orgID, accountID string) (spaceRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanSpace, `SELECT `+spaceCols+` FROM drive_spaces WHERE org_id = $1 AND owner_account_id = $2 AND kind = 'personal'`, orgID, accountID)
}

// insertSpace inserts a space; false when a personal space of the same
// person was inserted first.
func insertSpace(ctx context.Context, d *db.DB, x spaceRow) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_spaces (`+spaceCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT DO NOTHING`, x.ID, x.OrgID, x.Kind, x.OwnerAccountID, x.Name, x.RootID, x.QuotaBytes, x.UsedBytes, x.CreatedBy, x.CreatedAt, x.UpdatedAt)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// orgSpaces lists an organization's spaces other than personal ones, by name.
func orgSpaces(ctx context.Context, d *db.DB, orgID string) ([]spaceRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanSpace, `SELECT `+spaceCols+` FROM drive_spaces WHERE org_id = $1 AND kind <> 'personal'
		ORDER BY name, id`, orgID))
}

func updateSpace(ctx context.Context, d *db.DB, x spaceRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_spaces SET name = $3, quota_bytes = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
		x.OrgID, x.ID, x.Name, x.QuotaBytes, x.UpdatedAt)
	return err
}

// deleteSpace deletes a space; its items, members, shares, links and
// uploads go with it (foreign keys).
func deleteSpace(ctx context.Context, d *db.DB, orgID, id string) error {
	// Versions hang off items: delete them first so that no database
	// depends on cascading through two levels.
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_versions WHERE space_id = $1`, id); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_spaces WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

func membersOf(ctx context.Context, d *db.DB, spaceID string) ([]Member, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Member, error) {
		var m Member
		err := r.Scan(&m.Kind, &m.ID, &m.Role)
		return m, err
	}, `SELECT subject_kind, subject_id, role FROM drive_members WHERE space_id = $1 ORDER BY subject_kind, subject_id`, spaceID))
}

func setMembers(ctx context.Context, d *db.DB, spaceID, orgID string, ms []Member, now int64) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_members WHERE space_id = $1`, spaceID); err != nil {
		return err
	}
	for _, m := range ms {
		if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_members (space_id, org_id, subject_kind, subject_id, role, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, spaceID, orgID, m.Kind, m.ID, m.Role, now); err != nil {
			return err
		}
	}
	return nil
}

func spaceUsed(ctx context.Context, d *db.DB, spaceID string) (int64, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT used_bytes FROM drive_spaces WHERE id = $1`, spaceID)
}

func orgUsed(ctx context.Context, d *db.DB, orgID string) (int64, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT COALESCE(SUM(used_bytes), 0) FROM drive_spaces WHERE org_id = $1`, orgID)
}

func addUsed(ctx context.Context, d *db.DB, spaceID string, delta int64) error {
	if delta == 0 {
		return nil
	}
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_spaces SET used_bytes = CASE WHEN used_bytes + $2 < 0 THEN 0 ELSE used_bytes + $2 END
		WHERE id = $1`, spaceID, delta)
	return err
}

// addUsedWithin counts n more bytes against a space unless that would
// take it past limit (0: none); false when it would.
func addUsedWithin(ctx context.Context, d *db.DB, spaceID string, n, limit int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_spaces SET used_bytes = used_bytes + $2
		WHERE id = $1 AND ($3 <= 0 OR used_bytes + $2 <= $3)`, spaceID, n, limit)
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

// spaceBlobRefs lists the blob key of every file and version of a space,
// once per reference.
func spaceBlobRefs(ctx context.Context, d *db.DB, spaceID string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT blob_key FROM drive_items WHERE space_id = $1 AND kind = 'file'
		UNION ALL SELECT blob_key FROM drive_versions WHERE space_id = $1`, spaceID)
}

// spaceUploadParts lists the blob keys of a space's unfinished uploads.
func spaceUploadParts(ctx context.Context, d *db.DB, spaceID string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT p.blob_key FROM drive_upload_parts p
		JOIN drive_uploads u ON u.id = p.upload_id WHERE u.space_id = $1`, spaceID)
}

// personalSpaces lists a person's personal spaces (every organization's
// when orgID is "").
func personalSpaces(ctx context.Context, d *db.DB, orgID, accountID string) ([]spaceRow, error) {
	q := `SELECT ` + spaceCols + ` FROM drive_spaces WHERE kind = 'personal' AND owner_account_id = $1`
	args := []any{accountID}
	if orgID != "" {
		q += ` AND org_id = $2`
		args = append(args, orgID)
	}
	return db.QueryAll(ctx, d.R(ctx), scanSpace, q+` ORDER BY org_id`, args...)
}

// itemRow is an item as stored.
type itemRow struct {
	ID, OrgID, SpaceID, ParentID, Kind, Name, NameKey string
	Size                                              int64
	ContentType, SHA256, BlobKey                      string
	Version                                           int
	CreatedBy, UpdatedBy                              string
	CreatedAt, UpdatedAt, TrashedAt                   int64
	TrashedBy, TrashRootID                            string
	// NameBox is the sealed name (seal.go) and NameOwner whose key sealed
	// it; both empty for a plaintext name.
	NameBox   []byte
	NameOwner string
}

const itemCols = `id, org_id, space_id, parent_id, kind, name, name_key, size, content_type, sha256, blob_key, version,
	created_by, updated_by, created_at, updated_at, trashed_at, trashed_by, trash_root_id, name_box, content_key`

func scanItem(r db.Scanner) (itemRow, error) {
	var x itemRow
	err := r.Scan(&x.ID, &x.OrgID, &x.SpaceID, &x.ParentID, &x.Kind, &x.Name, &x.NameKey, &x.Size, &x.ContentType, &x.SHA256, &x.BlobKey,
		&x.Version, &x.CreatedBy, &x.UpdatedBy, &x.CreatedAt, &x.UpdatedAt, &x.TrashedAt, &x.TrashedBy, &x.TrashRootID, &x.NameBox, &x.NameOwner)
	return x, err
}

// storedName is the plaintext name column of x: empty once sealed.
func storedName(x itemRow) string {
	if len(x.NameBox) > 0 {
		return ""
	}
	return x.Name
}

// nullBytes is b, or NULL when empty.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func getItem(ctx context.Context, d *db.DB, orgID, id string) (itemRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items WHERE org_id = $1 AND id = $2`, orgID, id)
}

// parentOf returns an item's folder id ("" for a root folder).
func parentOf(ctx context.Context, d *db.DB, id string) (string, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[string], `SELECT parent_id FROM drive_items WHERE id = $1`, id)
}

// insertItem inserts an item whose name was sealed (sealName).
func insertItem(ctx context.Context, d *db.DB, x itemRow) error {
	if x.ParentID == "" {
		// A root folder: its name key is "/" and its id (no name has a "/"), so that the unique
		// name index never sees two roots of a space as the same name.
		x.NameKey = "/" + x.ID
	}
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_items (`+itemCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		x.ID, x.OrgID, x.SpaceID, x.ParentID, x.Kind, storedName(x), x.NameKey, x.Size, x.ContentType, x.SHA256, x.BlobKey, x.Version,
		x.CreatedBy, x.UpdatedBy, x.CreatedAt, x.UpdatedAt, x.TrashedAt, x.TrashedBy, x.TrashRootID, nullBytes(x.NameBox), x.NameOwner)
	return err
}

// touch marks a folder changed (its ETag).
func touch(ctx context.Context, d *db.DB, id string, now int64) error {
	if id == "" {
		return nil
	}
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET updated_at = CASE WHEN updated_at >= $2 THEN updated_at + 1 ELSE $2 END
		WHERE id = $1 AND kind = 'folder'`, id, now)
	return err
}

// placeItem writes an item's folder and name (sealed by sealName).
func placeItem(ctx context.Context, d *db.DB, x itemRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET parent_id = $2, name = $3, name_key = $4, updated_by = $5, updated_at = $6,
		name_box = $7, content_key = $8 WHERE id = $1`, x.ID, x.ParentID, storedName(x), x.NameKey, x.UpdatedBy, x.UpdatedAt, nullBytes(x.NameBox), x.NameOwner)
	return err
}

// setSealedName replaces the plaintext name of a row written before
// sealing with its sealed value and keyed name key.
func setSealedName(ctx context.Context, d *db.DB, x itemRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET name = '', name_key = $2, name_box = $3, content_key = $4
		WHERE id = $1 AND content_key = ''`, x.ID, x.NameKey, nullBytes(x.NameBox), x.NameOwner)
	return err
}

// plainName is a row written before sealing, with its space.
type plainName struct {
	item  itemRow
	space spaceRow
}

// plaintextNames lists items (root folders aside) whose names are not
// sealed yet.
func plaintextNames(ctx context.Context, d *db.DB, after string, limit int) ([]plainName, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (plainName, error) {
		var x plainName
		err := r.Scan(&x.item.ID, &x.item.ParentID, &x.item.Name, &x.space.ID, &x.space.OrgID, &x.space.Kind, &x.space.OwnerAccountID)
		return x, err
	}, `SELECT i.id, i.parent_id, i.name, s.id, s.org_id, s.kind, s.owner_account_id FROM drive_items i JOIN drive_spaces s ON s.id = i.space_id
		WHERE i.content_key = '' AND i.parent_id <> '' AND i.name <> '' AND i.id > $1 ORDER BY i.id LIMIT `+strconv.Itoa(limit), after)
}

// plainUpload is an upload written before sealing, with its space.
type plainUpload struct {
	upload uploadRow
	space  spaceRow
}

func plaintextUploads(ctx context.Context, d *db.DB, after string, limit int) ([]plainUpload, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (plainUpload, error) {
		var x plainUpload
		err := r.Scan(&x.upload.ID, &x.upload.Name, &x.space.ID, &x.space.OrgID, &x.space.Kind, &x.space.OwnerAccountID)
		return x, err
	}, `SELECT u.id, u.name, s.id, s.org_id, s.kind, s.owner_account_id FROM drive_uploads u JOIN drive_spaces s ON s.id = u.space_id
		WHERE u.content_key = '' AND u.name <> '' AND u.id > $1 ORDER BY u.id LIMIT `+strconv.Itoa(limit), after)
}

func setSealedUploadName(ctx context.Context, d *db.DB, u uploadRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_uploads SET name = '', name_box = $2, content_key = $3 WHERE id = $1 AND content_key = ''`,
		u.ID, nullBytes(u.NameBox), u.NameOwner)
	return err
}

// setContent writes a file's current content.
func setContent(ctx context.Context, d *db.DB, x itemRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET size = $2, content_type = $3, sha256 = $4, blob_key = $5, version = $6,
		updated_by = $7, updated_at = $8 WHERE id = $1`, x.ID, x.Size, x.ContentType, x.SHA256, x.BlobKey, x.Version, x.UpdatedBy, x.UpdatedAt)
	return err
}

// childrenOf lists a folder's items not in the trash, in no order (the
// service sorts them by name once opened). It reads only what a listing
// shows and opens names with; the organization and the parent are the
// ones asked for, and the name key, the blob key and the trash columns
// are left empty. The columns most rows share (space, kind, type,
// creator, last writer, whose key sealed the name) are read as bytes and kept once per value, so a
// large folder costs a few allocations per row, not one per column.
//
// The folder's index (drive_items_parent) answers the query. SQLite,
// without statistics, would otherwise prefer drive_items_trash (two
// equalities), which walks every live item of the organization.
func childrenOf(ctx context.Context, d *db.DB, orgID, parentID string) ([]itemRow, error) {
	from := `drive_items`
	if d.Dialect.Name() == "sqlite" {
		from += ` INDEXED BY drive_items_parent`
	}
	out := make([]itemRow, 0, 16)
	seen := map[string]string{}
	intern := func(b sql.RawBytes) string {
		if v, ok := seen[string(b)]; ok { // no allocation for the lookup
			return v
		}
		v := string(b)
		if len(seen) < 1024 {
			seen[v] = v
		}
		return v
	}
	var space, kind, ctype, by, upd, owner sql.RawBytes
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		x := itemRow{OrgID: orgID, ParentID: parentID}
		if err := r.Scan(&x.ID, &space, &kind, &x.Name, &x.Size, &ctype, &x.SHA256, &x.Version,
			&by, &upd, &x.CreatedAt, &x.UpdatedAt, &x.NameBox, &owner); err != nil {
			return err
		}
		x.NameOwner = intern(owner)
		x.SpaceID, x.Kind, x.ContentType, x.CreatedBy, x.UpdatedBy = intern(space), intern(kind), intern(ctype), intern(by), intern(upd)
		out = append(out, x)
		return nil
	}, `SELECT id, space_id, kind, name, size, content_type, sha256, version, created_by, updated_by, created_at, updated_at,
		name_box, content_key FROM `+from+` WHERE parent_id = $1 AND org_id = $2 AND trashed_at = 0`, parentID, orgID)
	return out, err
}

// childByName returns the item of a folder with a name (its key), not in
// the trash.
func childByName(ctx context.Context, d *db.DB, parentID, key string) (itemRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items
		WHERE parent_id = $1 AND name_key = $2 AND trashed_at = 0`, parentID, key)
}

// liveTree is the ids of the item $1 and of every item below it not in
// the trash (a recursive query; both databases run it alike).
const liveTree = `WITH RECURSIVE tree(id, depth) AS (
		SELECT id, 0 FROM drive_items WHERE id = $1
		UNION ALL
		SELECT i.id, tree.depth + 1 FROM drive_items i JOIN tree ON i.parent_id = tree.id WHERE i.trashed_at = 0 AND tree.depth < 100)`

// subtree lists an item and everything below it not in the trash,
// parents before their children.
func subtree(ctx context.Context, d *db.DB, id string) ([]itemRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanItem, liveTree+` SELECT `+prefixed("x", itemCols)+` FROM drive_items x JOIN tree ON tree.id = x.id
		ORDER BY tree.depth, x.id`, id)
}

// prefixed qualifies a column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// treeIDs is the ids an item's subtree holds for purging: when the item is
// in the trash, what was trashed with it; otherwise its live subtree.
const treeIDs = liveTree + `, ids AS (SELECT id FROM tree UNION SELECT id FROM drive_items WHERE trash_root_id = $1 AND trash_root_id <> '')`

// subtreeBytes sums what an item's live subtree counts in its quota.
func subtreeBytes(ctx context.Context, d *db.DB, id string) (int64, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[int64], treeIDs+` SELECT
		COALESCE((SELECT SUM(size) FROM drive_items WHERE kind = 'file' AND id IN (SELECT id FROM ids)), 0) +
		COALESCE((SELECT SUM(size) FROM drive_versions WHERE item_id IN (SELECT id FROM ids)), 0)`, id)
}

// subtreeRefs lists the blob keys (once per reference) and the bytes of an
// item's subtree (treeIDs), versions included.
func subtreeRefs(ctx context.Context, d *db.DB, id string) ([]string, int64, error) {
	type ref struct {
		key  string
		size int64
	}
	rs, err := db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (ref, error) {
		var x ref
		err := r.Scan(&x.key, &x.size)
		return x, err
	}, treeIDs+` SELECT blob_key, size FROM drive_items WHERE kind = 'file' AND id IN (SELECT id FROM ids)
		UNION ALL SELECT blob_key, size FROM drive_versions WHERE item_id IN (SELECT id FROM ids)`, id)
	if err != nil {
		return nil, 0, err
	}
	keys := make([]string, len(rs))
	var n int64
	for i, r := range rs {
		keys[i] = r.key
		n += r.size
	}
	return keys, n, nil
}

// deleteSubtree deletes an item's subtree (treeIDs) with its versions,
// shares and links.
func deleteSubtree(ctx context.Context, d *db.DB, id string) error {
	for _, t := range []string{"drive_versions", "drive_shares", "drive_links"} {
		if _, err := d.W(ctx).ExecContext(ctx, treeIDs+` DELETE FROM `+t+` WHERE item_id IN (SELECT id FROM ids)`, id); err != nil {
			return err
		}
	}
	_, err := d.W(ctx).ExecContext(ctx, treeIDs+` DELETE FROM drive_items WHERE id IN (SELECT id FROM ids)`, id)
	return err
}

// moveSubtree moves an item's live subtree, with its versions, shares and
// links, to another space.
func moveSubtree(ctx context.Context, d *db.DB, id, spaceID string) error {
	for _, t := range []string{"drive_versions", "drive_shares", "drive_links"} {
		if _, err := d.W(ctx).ExecContext(ctx, treeIDs+` UPDATE `+t+` SET space_id = $2 WHERE item_id IN (SELECT id FROM ids)`, id, spaceID); err != nil {
			return err
		}
	}
	_, err := d.W(ctx).ExecContext(ctx, treeIDs+` UPDATE drive_items SET space_id = $2 WHERE id IN (SELECT id FROM ids)`, id, spaceID)
	return err
}

// treeRows lists an item and what moves with it (treeIDs): its live
// subtree and what was trashed with it.
func treeRows(ctx context.Context, d *db.DB, id string) ([]itemRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanItem, treeIDs+` SELECT `+prefixed("x", itemCols)+` FROM drive_items x WHERE x.id IN (SELECT id FROM ids)`, id)
}

// setNameBox stores a name sealed again under another key.
func setNameBox(ctx context.Context, d *db.DB, x itemRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET name_box = $2, content_key = $3 WHERE id = $1`, x.ID, nullBytes(x.NameBox), x.NameOwner)
	return err
}

// trashSubtree moves an item and its live subtree to the trash.
func trashSubtree(ctx context.Context, d *db.DB, id, by string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, liveTree+` UPDATE drive_items SET trashed_at = $2, trashed_by = $3, trash_root_id = $1
		WHERE id IN (SELECT id FROM tree)`, id, now, by)
	return err
}

// restoreSubtree brings back what was trashed with an item, the item
// itself into parentID.
func restoreSubtree(ctx context.Context, d *db.DB, id, parentID string, now int64) error {
	if _, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET parent_id = $2, updated_at = $3 WHERE id = $1`, id, parentID, now); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_items SET trashed_at = 0, trashed_by = '', trash_root_id = '' WHERE trash_root_id = $1`, id)
	return err
}

// trashOf lists the items trashed in a space (the trash roots), newest first.
func trashOf(ctx context.Context, d *db.DB, orgID, spaceID string) ([]itemRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items
		WHERE org_id = $1 AND space_id = $2 AND trashed_at <> 0 AND trash_root_id = id ORDER BY trashed_at DESC, id`, orgID, spaceID))
}

// orgsWithTrash lists the organizations with something in a trash.
func orgsWithTrash(ctx context.Context, d *db.DB) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT DISTINCT org_id FROM drive_items WHERE trashed_at <> 0 ORDER BY org_id`)
}

// trashBefore lists an organization's trash roots trashed before cutoff.
func trashBefore(ctx context.Context, d *db.DB, orgID string, cutoff, afterAt int64, afterID string, limit int) ([]itemRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items
		WHERE org_id = $1 AND trashed_at <> 0 AND trashed_at < $2 AND trash_root_id = id
		  AND (trashed_at > $3 OR (trashed_at = $3 AND id > $4))
		ORDER BY trashed_at, id LIMIT `+strconv.Itoa(limit), orgID, cutoff, afterAt, afterID)
}

// trashPeople lists the people that the items trashed with root (root
// included), and their earlier versions, name: a legal hold on any of them
// keeps the whole trashed tree.
func trashPeople(ctx context.Context, d *db.DB, orgID, rootID string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `
		SELECT created_by FROM drive_items WHERE org_id = $1 AND trashed_at <> 0 AND trash_root_id = $2
		UNION SELECT updated_by FROM drive_items WHERE org_id = $1 AND trashed_at <> 0 AND trash_root_id = $2
		UNION SELECT trashed_by FROM drive_items WHERE org_id = $1 AND trashed_at <> 0 AND trash_root_id = $2
		UNION SELECT v.created_by FROM drive_versions v JOIN drive_items i ON i.id = v.item_id
		      WHERE i.org_id = $1 AND i.trashed_at <> 0 AND i.trash_root_id = $2`, orgID, rootID)
}

// versionRow is an earlier version as stored.
type versionRow struct {
	ItemID                                  string
	Version                                 int
	OrgID, SpaceID                          string
	Size                                    int64
	ContentType, SHA256, BlobKey, CreatedBy string
	CreatedAt                               int64
}

const versionCols = `item_id, version, org_id, space_id, size, content_type, sha256, blob_key, created_by, created_at`

func scanVersion(r db.Scanner) (versionRow, error) {
	var x versionRow
	err := r.Scan(&x.ItemID, &x.Version, &x.OrgID, &x.SpaceID, &x.Size, &x.ContentType, &x.SHA256, &x.BlobKey, &x.CreatedBy, &x.CreatedAt)
	return x, err
}

func insertVersion(ctx context.Context, d *db.DB, x versionRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_versions (`+versionCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ItemID, x.Version, x.OrgID, x.SpaceID, x.Size, x.ContentType, x.SHA256, x.BlobKey, x.CreatedBy, x.CreatedAt)
	return err
}

func versionsOf(ctx context.Context, d *db.DB, itemID string) ([]versionRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanVersion, `SELECT `+versionCols+` FROM drive_versions WHERE item_id = $1 ORDER BY version DESC`, itemID))
}

func getVersion(ctx context.Context, d *db.DB, itemID string, v int) (versionRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanVersion, `SELECT `+versionCols+` FROM drive_versions WHERE item_id = $1 AND version = $2`, itemID, v)
}

// versionsBeyond lists a file's versions older than its keep newest.
func versionsBeyond(ctx context.Context, d *db.DB, itemID string, keep int) ([]versionRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanVersion, `SELECT `+versionCols+` FROM drive_versions WHERE item_id = $1
		ORDER BY version DESC LIMIT 1000000 OFFSET `+strconv.Itoa(keep), itemID)
}

func deleteVersion(ctx context.Context, d *db.DB, itemID string, v int) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_versions WHERE item_id = $1 AND version = $2`, itemID, v)
	return err
}

// blobRow is a body as drive counts it.
type blobRow struct {
	Key, OrgID, Owner string
	Size              int64
	SHA256            string
	Refs              int
	External          bool
	CreatedAt         int64
}

func insertBlob(ctx context.Context, d *db.DB, x blobRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_blobs (blob_key, org_id, owner, size, sha256, refs, external, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, x.Key, x.OrgID, x.Owner, x.Size, x.SHA256, x.Refs, x.External, x.CreatedAt)
	return err
}

// addRef adds n references to a body, which must be recorded.
func addRef(ctx context.Context, d *db.DB, key string, n int) error {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_blobs SET refs = refs + $2 WHERE blob_key = $1`, key, n)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return errors.Join(err, errors.New("drive: a file's body is not recorded"))
	}
	return nil
}

// release drops one reference to a body and deletes its row when none is
// left; it reports whether the bytes may go (not when another domain
// refers to them too).
func release(ctx context.Context, d *db.DB, key string) (bool, error) {
	if _, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_blobs SET refs = refs - 1 WHERE blob_key = $1`, key); err != nil {
		return false, err
	}
	var external bool
	err := d.W(ctx).QueryRowContext(ctx, `DELETE FROM drive_blobs WHERE blob_key = $1 AND refs <= 0 RETURNING external`, key).Scan(&external)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return !external, nil
}

// shareRow is a share as stored.
type shareRow struct {
	ID, OrgID, SpaceID, ItemID, Kind, SubjectID, Role, CreatedBy string
	CreatedAt                                                    int64
}

const shareCols = `id, org_id, space_id, item_id, subject_kind, subject_id, role, created_by, created_at`

func scanShare(r db.Scanner) (shareRow, error) {
	var x shareRow
	err := r.Scan(&x.ID, &x.OrgID, &x.SpaceID, &x.ItemID, &x.Kind, &x.SubjectID, &x.Role, &x.CreatedBy, &x.CreatedAt)
	return x, err
}

// sharesOn lists the shares of the given items.
func sharesOn(ctx context.Context, d *db.DB, orgID string, itemIDs []string) ([]shareRow, error) {
	if len(itemIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID}
	ph := make([]string, len(itemIDs))
	for i, id := range itemIDs {
		args = append(args, id)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanShare, `SELECT `+shareCols+` FROM drive_shares WHERE org_id = $1 AND item_id IN (`+
		strings.Join(ph, ", ")+`) ORDER BY created_at, id`, args...))
}

func upsertShare(ctx context.Context, d *db.DB, x shareRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_shares (`+shareCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (item_id, subject_kind, subject_id) DO UPDATE SET role = excluded.role`,
		x.ID, x.OrgID, x.SpaceID, x.ItemID, x.Kind, x.SubjectID, x.Role, x.CreatedBy, x.CreatedAt)
	return err
}

func shareBySubject(ctx context.Context, d *db.DB, itemID, kind, subjectID string) (shareRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanShare, `SELECT `+shareCols+` FROM drive_shares WHERE item_id = $1 AND subject_kind = $2 AND subject_id = $3`,
		itemID, kind, subjectID)
}

func deleteShare(ctx context.Context, d *db.DB, itemID, id string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_shares WHERE item_id = $1 AND id = $2`, itemID, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// sharedWith lists the live items shared with a member, their departments
// or their roles, newest share first.
func sharedWith(ctx context.Context, d *db.DB, orgID, memberID string, depts, roles []string) ([]itemRow, error) {
	cond, args := sharedTo([]any{orgID}, memberID, depts, roles)
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanItem, `SELECT `+prefixed("i", itemCols)+` FROM drive_shares s
		JOIN drive_items i ON i.id = s.item_id WHERE s.org_id = $1 AND i.trashed_at = 0 AND `+cond+`
		ORDER BY s.created_at DESC, s.id LIMIT 500`, args...))
}

// sharedTo is the condition that the share s reaches a member: them, one
// of depts (their departments with those above) or one of roles, with its
// arguments appended to args.
func sharedTo(args []any, memberID string, depts, roles []string) (string, []any) {
	args = append(args, memberID)
	conds := []string{`(s.subject_kind = 'member' AND s.subject_id = $` + strconv.Itoa(len(args)) + `)`}
	for _, g := range []struct {
		kind string
		ids  []string
	}{{SubjectDepartment, depts}, {SubjectRole, roles}} {
		if len(g.ids) == 0 {
			continue
		}
		ph := make([]string, len(g.ids))
		for i, id := range g.ids {
			args = append(args, id)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		conds = append(conds, `(s.subject_kind = '`+g.kind+`' AND s.subject_id IN (`+strings.Join(ph, ", ")+`))`)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// linkRow is a link as stored.
type linkRow struct {
	ID, OrgID, SpaceID, ItemID, TokenHash, Permission, PasswordHash string
	ExpiresAt, RevokedAt                                            int64
	CreatedBy                                                       string
	CreatedAt                                                       int64
}

const linkCols = `id, org_id, space_id, item_id, token_hash, permission, password_hash, expires_at, revoked_at, created_by, created_at`

func scanLink(r db.Scanner) (linkRow, error) {
	var x linkRow
	err := r.Scan(&x.ID, &x.OrgID, &x.SpaceID, &x.ItemID, &x.TokenHash, &x.Permission, &x.PasswordHash, &x.ExpiresAt, &x.RevokedAt, &x.CreatedBy, &x.CreatedAt)
	return x, err
}

func insertLink(ctx context.Context, d *db.DB, x linkRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_links (`+linkCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		x.ID, x.OrgID, x.SpaceID, x.ItemID, x.TokenHash, x.Permission, x.PasswordHash, x.ExpiresAt, x.RevokedAt, x.CreatedBy, x.CreatedAt)
	return err
}

func linksOf(ctx context.Context, d *db.DB, orgID, itemID string) ([]linkRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanLink, `SELECT `+linkCols+` FROM drive_links WHERE org_id = $1 AND item_id = $2
		ORDER BY created_at DESC, id`, orgID, itemID))
}

func getLink(ctx context.Context, d *db.DB, orgID, id string) (linkRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanLink, `SELECT `+linkCols+` FROM drive_links WHERE org_id = $1 AND id = $2`, orgID, id)
}

// linkByToken finds a link by its token's hash (any organization: the
// token is the credential).
func linkByToken(ctx context.Context, d *db.DB, hash string) (linkRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanLink, `SELECT `+linkCols+` FROM drive_links WHERE token_hash = $1`, hash)
}

func revokeLink(ctx context.Context, d *db.DB, id string, at int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_links SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0`, id, at)
	return err
}

// accessRow is one use of a link as stored.
type accessRow struct {
	ID, OrgID, LinkID, ItemID, Action, AccountID, Network, UserAgent, Outcome string
	At                                                                        int64
}

const accessCols = `id, org_id, link_id, item_id, action, account_id, network, user_agent, outcome, at`

func insertAccess(ctx context.Context, d *db.DB, x accessRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_link_access (`+accessCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ID, x.OrgID, x.LinkID, x.ItemID, x.Action, x.AccountID, x.Network, x.UserAgent, x.Outcome, x.At)
	return err
}

func accessOf(ctx context.Context, d *db.DB, linkID string, limit int) ([]accessRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (accessRow, error) {
		var x accessRow
		err := r.Scan(&x.ID, &x.OrgID, &x.LinkID, &x.ItemID, &x.Action, &x.AccountID, &x.Network, &x.UserAgent, &x.Outcome, &x.At)
		return x, err
	}, `SELECT `+accessCols+` FROM drive_link_access WHERE link_id = $1 ORDER BY at DESC, id DESC LIMIT `+strconv.Itoa(limit), linkID))
}

// uploadRow is a resumable upload as stored.
type uploadRow struct {
	ID, OrgID, SpaceID, ParentID, Name, ItemID, AccountID string
	Size, Received                                        int64
	SHA256, ContentType                                   string
	CreatedAt, UpdatedAt                                  int64
	// NameBox is the sealed name and NameOwner whose key sealed it.
	NameBox   []byte
	NameOwner string
}

const uploadCols = `id, org_id, space_id, parent_id, name, item_id, account_id, size, received, sha256, content_type, created_at, updated_at,
	name_box, content_key`

func insertUpload(ctx context.Context, d *db.DB, x uploadRow) error {
	name := x.Name
	if len(x.NameBox) > 0 {
		name = ""
	}
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_uploads (`+uploadCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		x.ID, x.OrgID, x.SpaceID, x.ParentID, name, x.ItemID, x.AccountID, x.Size, x.Received, x.SHA256, x.ContentType, x.CreatedAt, x.UpdatedAt,
		nullBytes(x.NameBox), x.NameOwner)
	return err
}

func getUpload(ctx context.Context, d *db.DB, orgID, id string) (uploadRow, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (uploadRow, error) {
		var x uploadRow
		err := r.Scan(&x.ID, &x.OrgID, &x.SpaceID, &x.ParentID, &x.Name, &x.ItemID, &x.AccountID, &x.Size, &x.Received, &x.SHA256, &x.ContentType,
			&x.CreatedAt, &x.UpdatedAt, &x.NameBox, &x.NameOwner)
		return x, err
	}, `SELECT `+uploadCols+` FROM drive_uploads WHERE org_id = $1 AND id = $2`, orgID, id)
}

func countParts(ctx context.Context, d *db.DB, uploadID string) (int, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[int], `SELECT COUNT(*) FROM drive_upload_parts WHERE upload_id = $1`, uploadID)
}

// advanceUpload moves an upload's offset from `from` by n; false when the
// offset is no longer `from` (another chunk was first).
func advanceUpload(ctx context.Context, d *db.DB, id string, from, n, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_uploads SET received = received + $3, updated_at = $4 WHERE id = $1 AND received = $2`,
		id, from, n, now)
	if err != nil {
		return false, err
	}
	k, err := res.RowsAffected()
	return k == 1, err
}

// partRow is one received part of an upload.
type partRow struct {
	Offset, Size int64
	BlobKey      string
}

func insertPart(ctx context.Context, d *db.DB, uploadID string, offset, size int64, key string) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_upload_parts (upload_id, "offset", size, blob_key) VALUES ($1, $2, $3, $4)`,
		uploadID, offset, size, key)
	return err
}

func partsOf(ctx context.Context, d *db.DB, uploadID string) ([]partRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (partRow, error) {
		var x partRow
		err := r.Scan(&x.Offset, &x.Size, &x.BlobKey)
		return x, err
	}, `SELECT "offset", size, blob_key FROM drive_upload_parts WHERE upload_id = $1 ORDER BY "offset"`, uploadID))
}

func deleteUpload(ctx context.Context, d *db.DB, id string) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_upload_parts WHERE upload_id = $1`, id); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_uploads WHERE id = $1`, id)
	return err
}

func uploadsIdleSince(ctx context.Context, d *db.DB, t int64, limit int) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT id FROM drive_uploads WHERE updated_at < $1 ORDER BY updated_at, id LIMIT `+strconv.Itoa(limit), t)
}

// settingsRow is an organization's drive settings as stored.
type settingsRow struct {
	OrgID, LinkSharing      string
	TrashDays, KeepVersions int
	PersonalQuota, OrgQuota int64
	UpdatedAt               int64
}

// settingsOf returns an organization's settings, the defaults when it set
// none.
func settingsOf(ctx context.Context, d *db.DB, orgID string) (settingsRow, error) {
	st, err := db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (settingsRow, error) {
		var x settingsRow
		err := r.Scan(&x.OrgID, &x.LinkSharing, &x.TrashDays, &x.KeepVersions, &x.PersonalQuota, &x.OrgQuota, &x.UpdatedAt)
		return x, err
	}, `SELECT org_id, link_sharing, trash_days, keep_versions, personal_quota, org_quota, updated_at FROM drive_settings WHERE org_id = $1`, orgID)
	if errors.Is(err, db.ErrNotFound) {
		return settingsRow{OrgID: orgID, LinkSharing: LinkSharingInside, TrashDays: 30, KeepVersions: 20}, nil
	}
	return st, err
}

func saveSettings(ctx context.Context, d *db.DB, x settingsRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_settings (org_id, link_sharing, trash_days, keep_versions, personal_quota, org_quota, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id) DO UPDATE SET link_sharing = excluded.link_sharing, trash_days = excluded.trash_days,
		keep_versions = excluded.keep_versions, personal_quota = excluded.personal_quota, org_quota = excluded.org_quota, updated_at = excluded.updated_at`,
		x.OrgID, x.LinkSharing, x.TrashDays, x.KeepVersions, x.PersonalQuota, x.OrgQuota, x.UpdatedAt)
	return err
}

// filesOfSpace lists every file of a space, in the trash or not.
func filesOfSpace(ctx context.Context, d *db.DB, spaceID string) ([]itemRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items WHERE space_id = $1 AND kind = 'file' ORDER BY id`, spaceID)
}

// orgBlobKeys lists the bodies of an organization's drive that no other
// domain refers to, and the parts of its unfinished uploads.
func orgBlobKeys(ctx context.Context, d *db.DB, orgID string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT blob_key FROM drive_blobs WHERE org_id = $1 AND NOT external
		UNION ALL SELECT p.blob_key FROM drive_upload_parts p JOIN drive_uploads u ON u.id = p.upload_id WHERE u.org_id = $1`, orgID)
}

// uploadPartsOf lists the parts of a person's unfinished uploads (in one
// organization, or every one when orgID is "").
func uploadPartsOf(ctx context.Context, d *db.DB, orgID, accountID string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT p.blob_key FROM drive_upload_parts p JOIN drive_uploads u ON u.id = p.upload_id
		WHERE u.account_id = $1 AND ($2 = '' OR u.org_id = $2)`, accountID, orgID)
}

// deleteUploadsOf deletes a person's unfinished uploads (in one
// organization, or every one when orgID is "").
func deleteUploadsOf(ctx context.Context, d *db.DB, orgID, accountID string) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_upload_parts WHERE upload_id IN
		(SELECT id FROM drive_uploads WHERE account_id = $1 AND ($2 = '' OR org_id = $2))`, accountID, orgID); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_uploads WHERE account_id = $1 AND ($2 = '' OR org_id = $2)`, accountID, orgID)
	return err
}
