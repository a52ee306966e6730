package drive

import (
	"context"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the search index (search.go): drive_search and its text index
// drive_fts (see db.Dialect).

// upsertSearchName writes an item's name to its index row (creating it)
// and returns the row's rid, its text and the checksum the text was read
// from.
func upsertSearchName(ctx context.Context, d *db.DB, itemID, name string) (rid int64, body, sha string, err error) {
	err = d.W(ctx).QueryRowContext(ctx, `INSERT INTO drive_search (item_id, name) VALUES ($1, $2)
		ON CONFLICT (item_id) DO UPDATE SET name = excluded.name RETURNING rid, body, text_sha256`, itemID, name).Scan(&rid, &body, &sha)
	return rid, body, sha, err
}

// setSearchText writes the text read from a file's content of checksum sha.
func setSearchText(ctx context.Context, d *db.DB, rid int64, text, sha string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_search SET body = $2, text_sha256 = $3 WHERE rid = $1`, rid, text, sha)
	return err
}

// setSearchTextIf is setSearchText unless the row changed since it was
// read as stale (another node indexed it, or the content changed again).
func setSearchTextIf(ctx context.Context, d *db.DB, rid int64, text, sha, was string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE drive_search SET body = $2, text_sha256 = $3 WHERE rid = $1 AND text_sha256 = $4`, rid, text, sha, was)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// setTextIndex replaces the text index entry of a row (an FTS5 table
// takes no upsert).
func setTextIndex(ctx context.Context, d *db.DB, rid int64, body string) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_fts WHERE rowid = $1`, rid); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO drive_fts (rowid, body) VALUES ($1, $2)`, rid, body)
	return err
}

// emptySearch deletes the whole index.
func emptySearch(ctx context.Context, d *db.DB) error {
	if _, err := d.W(ctx).ExecContext(ctx, d.Dialect.EmptyTextIndex("drive_fts")); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_search`)
	return err
}

// staleText is a file whose text in the index is not its content's.
type staleText struct {
	rid                                             int64
	itemID, name, blobKey, sha, oldSHA, contentType string
	size                                            int64
}

// staleTexts lists files of text and PDF types whose index text was read
// from another content (or not yet), oldest index rows first.
func staleTexts(ctx context.Context, d *db.DB, limit int) ([]staleText, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (staleText, error) {
		var x staleText
		err := r.Scan(&x.rid, &x.itemID, &x.name, &x.blobKey, &x.sha, &x.oldSHA, &x.contentType, &x.size)
		return x, err
	}, `SELECT x.rid, i.id, x.name, i.blob_key, i.sha256, x.text_sha256, i.content_type, i.size
		FROM drive_search x JOIN drive_items i ON i.id = x.item_id
		WHERE i.kind = 'file' AND x.text_sha256 <> i.sha256
		AND (i.content_type LIKE 'text/%' OR i.content_type LIKE 'application/pdf%' OR i.content_type LIKE 'application/json%'
			OR i.content_type LIKE 'application/xml%')
		ORDER BY x.rid LIMIT `+strconv.Itoa(limit))
}

// itemsAfter lists items other than root folders by id, after the id
// given, for Reindex.
func itemsAfter(ctx context.Context, d *db.DB, after string, limit int) ([]itemRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items WHERE id > $1 AND parent_id <> ''
		ORDER BY id LIMIT `+strconv.Itoa(limit), after)
}

// searchRow is an item found in the index with its indexed text.
type searchRow struct {
	item itemRow
	body string
}

func scanSearchRow(r db.Scanner) (searchRow, error) {
	var x searchRow
	var it itemRow
	err := r.Scan(&it.ID, &it.OrgID, &it.SpaceID, &it.ParentID, &it.Kind, &it.Name, &it.NameKey, &it.Size, &it.ContentType, &it.SHA256, &it.BlobKey,
		&it.Version, &it.CreatedBy, &it.UpdatedBy, &it.CreatedAt, &it.UpdatedAt, &it.TrashedAt, &it.TrashedBy, &it.TrashRootID, &it.NameBox, &it.NameOwner,
		&x.body)
	x.item = it
	return x, err
}

// searchIndex finds the live items of the scope whose name or text
// contains q (three characters or more) through the text index, newest
// first.
func searchIndex(ctx context.Context, d *db.DB, orgID string, sc searchScope, q string, limit int) ([]searchRow, error) {
	if sc.empty() {
		return []searchRow{}, nil
	}
	cte, cond, args := sc.with([]any{orgID, d.Dialect.TextPattern(q)})
	if cte != "" {
		cte = "WITH RECURSIVE " + cte + " "
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanSearchRow, cte+`SELECT `+prefixed("i", itemCols)+`, x.body
		FROM drive_fts f JOIN drive_search x ON x.rid = f.rowid JOIN drive_items i ON i.id = x.item_id
		WHERE `+d.Dialect.TextMatch("drive_fts", "f.body", "$2")+` AND `+cond+`
		ORDER BY i.updated_at DESC, i.id LIMIT `+strconv.Itoa(limit), args...))
}

// searchShort finds the live items of the scope whose name or text
// contains q (one or two characters, which trigrams cannot find) by
// scanning the newest window index rows of those items, newest first.
func searchShort(ctx context.Context, d *db.DB, orgID string, sc searchScope, q string, window, limit int) ([]searchRow, error) {
	if sc.empty() {
		return []searchRow{}, nil
	}
	cte, cond, args := sc.with([]any{orgID, "%" + db.EscapeLike(q) + "%"})
	with := "WITH "
	if cte != "" {
		with = "WITH RECURSIVE " + cte + ", "
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanSearchRow, with+`recent AS (SELECT x.rid FROM drive_search x
			JOIN drive_items i ON i.id = x.item_id WHERE `+cond+` ORDER BY x.rid DESC LIMIT `+strconv.Itoa(window)+`)
		SELECT `+prefixed("i", itemCols)+`, x.body FROM recent r JOIN drive_search x ON x.rid = r.rid JOIN drive_items i ON i.id = x.item_id
		WHERE (`+d.Dialect.ILike("x.name", "$2")+` OR `+d.Dialect.ILike("x.body", "$2")+`)
		ORDER BY i.updated_at DESC, i.id LIMIT `+strconv.Itoa(limit), args...))
}

// sharedItem is an item shared with someone, with its space.
type sharedItem struct{ id, spaceID string }

// sharedRoots lists the live items shared with a member (them, one of
// depts — their departments with those above — or one of roles), once
// each.
func sharedRoots(ctx context.Context, d *db.DB, orgID, memberID string, depts, roles []string) ([]sharedItem, error) {
	cond, args := sharedTo([]any{orgID}, memberID, depts, roles)
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (sharedItem, error) {
		var x sharedItem
		err := r.Scan(&x.id, &x.spaceID)
		return x, err
	}, `SELECT DISTINCT i.id, i.space_id FROM drive_shares s JOIN drive_items i ON i.id = s.item_id
		WHERE s.org_id = $1 AND i.org_id = $1 AND i.trashed_at = 0 AND `+cond+` ORDER BY i.id`, args...))
}

// searchScope is where a search looks: the live items of whole spaces,
// and those of the subtrees of items shared one by one.
type searchScope struct {
	spaces []string
	shared []string
}

func (sc searchScope) empty() bool { return len(sc.spaces) == 0 && len(sc.shared) == 0 }

// with is the search's recursive part (the shared subtrees, "shared"),
// "" when nothing is shared, and the condition that the item i is live in
// the scope, with their arguments appended to args ($1 is the
// organization).
func (sc searchScope) with(args []any) (cte, cond string, _ []any) {
	ph := func(ids []string) string {
		out := make([]string, len(ids))
		for i, s := range ids {
			args = append(args, s)
			out[i] = "$" + strconv.Itoa(len(args))
		}
		return strings.Join(out, ", ")
	}
	var or []string
	if len(sc.spaces) > 0 {
		or = append(or, `i.space_id IN (`+ph(sc.spaces)+`)`)
	}
	if len(sc.shared) > 0 {
		cte = `shared(id, depth) AS (
			SELECT id, 0 FROM drive_items WHERE org_id = $1 AND trashed_at = 0 AND id IN (` + ph(sc.shared) + `)
			UNION ALL
			SELECT c.id, shared.depth + 1 FROM drive_items c JOIN shared ON c.parent_id = shared.id
			WHERE c.trashed_at = 0 AND shared.depth < 100)`
		or = append(or, `i.id IN (SELECT id FROM shared)`)
	}
	return cte, `i.org_id = $1 AND i.trashed_at = 0 AND (` + strings.Join(or, " OR ") + `)`, args
}
