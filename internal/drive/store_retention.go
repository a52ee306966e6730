package drive

import (
	"context"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(limit)
}

func notHeld(args *[]any, held []string, cols ...string) string {
	if len(held) == 0 {
		return ""
	}
	out := ""
	for _, c := range cols {
		out += " AND " + c + " NOT IN (" + db.In(args, held) + ")"
	}
	return out
}

// notHeldInTree keeps a trash root (drive_items) when an item trashed with
// it, or an earlier version of one, names a held person: deleting the root
// deletes them all.
func notHeldInTree(args *[]any, held []string) string {
	if len(held) == 0 {
		return ""
	}
	in := db.In(args, held)
	return ` AND NOT EXISTS (SELECT 1 FROM drive_items c WHERE c.org_id = drive_items.org_id AND c.trashed_at <> 0
		AND c.trash_root_id = drive_items.id
		AND (c.created_by IN (` + in + `) OR c.updated_by IN (` + in + `) OR c.trashed_by IN (` + in + `)
		     OR EXISTS (SELECT 1 FROM drive_versions v WHERE v.item_id = c.id AND v.created_by IN (` + in + `))))`
}

// notHeldVersions keeps a file (item names its id) when one of its earlier
// versions was saved by a held person.
func notHeldVersions(args *[]any, held []string, item string) string {
	if len(held) == 0 {
		return ""
	}
	return ` AND NOT EXISTS (SELECT 1 FROM drive_versions v WHERE v.item_id = ` + item + ` AND v.created_by IN (` + db.In(args, held) + `))`
}

// sweepItems lists what a retention class deletes: trash roots trashed
// before cutoff (trash), or live files of organization spaces last
// changed before cutoff (files); none naming a held person.
func sweepItems(ctx context.Context, d *db.DB, orgID string, trash bool, cutoff int64, held []string, limit int, count bool) ([]itemRow, error) {
	args := []any{orgID, cutoff}
	var where string
	if trash {
		where = `org_id = $1 AND trashed_at <> 0 AND trash_root_id = id AND trashed_at < $2` + notHeld(&args, held, "trashed_by", "created_by", "updated_by") +
			notHeldInTree(&args, held)
	} else {
		where = `org_id = $1 AND kind = 'file' AND trashed_at = 0 AND updated_at < $2
			AND space_id IN (SELECT id FROM drive_spaces WHERE org_id = $1 AND kind <> 'personal')` + notHeld(&args, held, "created_by", "updated_by") +
			notHeldVersions(&args, held, "drive_items.id")
	}
	if count {
		n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT COUNT(*) FROM drive_items WHERE `+where, args...)
		return make([]itemRow, n), err
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanItem, `SELECT `+itemCols+` FROM drive_items WHERE `+where+` ORDER BY id`+limitClause(limit), args...))
}

// sweepVersions lists the earlier versions saved before cutoff, none by a held person.
func sweepVersions(ctx context.Context, d *db.DB, orgID string, cutoff int64, held []string, limit int, count bool) ([]versionRow, error) {
	args := []any{orgID, cutoff}
	where := `org_id = $1 AND created_at < $2` + notHeld(&args, held, "created_by")
	if count {
		n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT COUNT(*) FROM drive_versions WHERE `+where, args...)
		return make([]versionRow, n), err
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanVersion, `SELECT `+versionCols+` FROM drive_versions WHERE `+where+` ORDER BY item_id, version`+limitClause(limit), args...))
}

// sweepLinkAccess counts or deletes the link-access log older than cutoff.
func sweepLinkAccess(ctx context.Context, d *db.DB, orgID string, cutoff int64, held []string, limit int, count bool) (int64, error) {
	args := []any{orgID, cutoff}
	where := `org_id = $1 AND at < $2` + notHeld(&args, held, "account_id")
	if count {
		return db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT COUNT(*) FROM drive_link_access WHERE `+where, args...)
	}
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM drive_link_access WHERE id IN (SELECT id FROM drive_link_access WHERE `+where+` ORDER BY id`+limitClause(limit)+`)`, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
