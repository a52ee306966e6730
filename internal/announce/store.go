package announce

import (
	"context"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of announcements. Every query names the organization, which comes
// from the caller, never from the request.

// Announcement statuses.
const (
	StatusDraft     = "draft"
	StatusScheduled = "scheduled"
	StatusPublished = "published"
	StatusWithdrawn = "withdrawn"
)

// row is an announcement as stored, with the caller's own receipt.
type row struct {
	ID, OrgID, AuthorID   string
	Content               []byte
	ContentKey            string
	Category, Status      string
	Audience              string
	IncludeLater          bool
	Pinned                bool
	RequireConfirm        bool
	AllowComments         bool
	SignatureDepartmentID string
	PublishAt             int64
	PublishedAt           int64
	EditedAt              int64
	WithdrawnAt           int64
	RemindedAt            int64
	RecipientCount        int
	CreatedAt, UpdatedAt  int64
	// Recipient is true when the caller has a receipt row.
	Recipient           bool
	ReadAt, ConfirmedAt int64
}

const rowCols = `a.id, a.org_id, a.author_id, a.content, a.content_key, a.category, a.status, a.audience, a.include_later, a.pinned,
	a.require_confirm, a.allow_comments, a.signature_department_id, a.publish_at, a.published_at, a.edited_at, a.withdrawn_at,
	a.reminded_at, a.recipient_count, a.created_at, a.updated_at,
	r.account_id IS NOT NULL, COALESCE(r.read_at, 0), COALESCE(r.confirmed_at, 0)`

func scanRow(sc interface{ Scan(...any) error }) (row, error) {
	var x row
	err := sc.Scan(&x.ID, &x.OrgID, &x.AuthorID, &x.Content, &x.ContentKey, &x.Category, &x.Status, &x.Audience, &x.IncludeLater, &x.Pinned,
		&x.RequireConfirm, &x.AllowComments, &x.SignatureDepartmentID, &x.PublishAt, &x.PublishedAt, &x.EditedAt, &x.WithdrawnAt,
		&x.RemindedAt, &x.RecipientCount, &x.CreatedAt, &x.UpdatedAt, &x.Recipient, &x.ReadAt, &x.ConfirmedAt)
	return x, err
}

// queryRows lists the announcements of a query selecting rowCols.
func queryRows(ctx context.Context, d *db.DB, q string, args ...any) ([]row, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanRow, q, args...))
}

func insertAnnouncement(ctx context.Context, d *db.DB, x row) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO announcements (id, org_id, author_id, content, content_key, category, status, audience,
		include_later, pinned, require_confirm, allow_comments, signature_department_id, publish_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)`,
		x.ID, x.OrgID, x.AuthorID, x.Content, x.ContentKey, x.Category, x.Status, x.Audience,
		x.IncludeLater, x.Pinned, x.RequireConfirm, x.AllowComments, x.SignatureDepartmentID, x.PublishAt, x.CreatedAt)
	return err
}

// updateAnnouncement writes the fields an edit may change.
func updateAnnouncement(ctx context.Context, d *db.DB, x row) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE announcements SET content = $3, content_key = $4, category = $5, status = $6, audience = $7,
		include_later = $8, pinned = $9, require_confirm = $10, allow_comments = $11, signature_department_id = $12, publish_at = $13,
		edited_at = $14, updated_at = $15 WHERE org_id = $1 AND id = $2`,
		x.OrgID, x.ID, x.Content, x.ContentKey, x.Category, x.Status, x.Audience, x.IncludeLater, x.Pinned, x.RequireConfirm,
		x.AllowComments, x.SignatureDepartmentID, x.PublishAt, x.EditedAt, x.UpdatedAt)
	return err
}

// getAnnouncement returns one announcement of orgID with accountID's receipt.
func getAnnouncement(ctx context.Context, d *db.DB, orgID, id, accountID string) (row, error) {
	x, err := scanRow(d.R(ctx).QueryRowContext(ctx, `SELECT `+rowCols+` FROM announcements a
		LEFT JOIN announcement_recipients r ON r.announcement_id = a.id AND r.account_id = $3
		WHERE a.org_id = $1 AND a.id = $2`, orgID, id, accountID))
	return x, d.Classify(err)
}

// visible is the condition of the announcements accountID ($2) sees in
// orgID ($1): published ones that reached them, and whole-organization
// ones offered to people who joined later.
const visible = `a.org_id = $1 AND a.status = 'published' AND (r.account_id IS NOT NULL OR a.include_later)`

// listVisible lists the published announcements accountID sees: the
// pinned ones (all of them), or a page of the others, newest first,
// before the cursor (published_at, id).
func listVisible(ctx context.Context, d *db.DB, orgID, accountID string, pinned bool, beforeAt int64, beforeID string, limit int) ([]row, error) {
	args := []any{orgID, accountID, pinned}
	cond := ""
	if beforeID != "" {
		args = append(args, beforeAt, beforeID)
		cond = ` AND (a.published_at < $4 OR (a.published_at = $4 AND a.id < $5))`
	}
	q := `SELECT ` + rowCols + ` FROM announcements a
		LEFT JOIN announcement_recipients r ON r.announcement_id = a.id AND r.account_id = $2
		WHERE ` + visible + ` AND a.pinned = $3` + cond + ` ORDER BY a.published_at DESC, a.id DESC`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	return queryRows(ctx, d, q, args...)
}

// unreadCount counts the visible announcements accountID has not read.
func unreadCount(ctx context.Context, d *db.DB, orgID, accountID string) (int, error) {
	var n int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM announcements a
		LEFT JOIN announcement_recipients r ON r.announcement_id = a.id AND r.account_id = $2
		WHERE `+visible+` AND COALESCE(r.read_at, 0) = 0`, orgID, accountID).Scan(&n)
	return n, err
}

// listAll lists every announcement of orgID (status "" for all), newest
// first, before the cursor (created_at, id).
func listAll(ctx context.Context, d *db.DB, orgID, accountID, status string, beforeAt int64, beforeID string, limit int) ([]row, error) {
	args := []any{orgID, accountID}
	var conds []string
	if status != "" {
		args = append(args, status)
		conds = append(conds, ` AND a.status = $3`)
	}
	if beforeID != "" {
		args = append(args, beforeAt, beforeID)
		n := len(args)
		conds = append(conds, ` AND (a.created_at < $`+strconv.Itoa(n-1)+` OR (a.created_at = $`+strconv.Itoa(n-1)+` AND a.id < $`+strconv.Itoa(n)+`))`)
	}
	return queryRows(ctx, d, `SELECT `+rowCols+` FROM announcements a
		LEFT JOIN announcement_recipients r ON r.announcement_id = a.id AND r.account_id = $2
		WHERE a.org_id = $1`+strings.Join(conds, "")+` ORDER BY a.created_at DESC, a.id DESC LIMIT `+strconv.Itoa(limit), args...)
}

// markPublished moves a draft or scheduled announcement to published and
// reports whether it did (another node may have been first).
func markPublished(ctx context.Context, d *db.DB, orgID, id string, now int64, recipients int) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE announcements SET status = 'published', published_at = $3, recipient_count = $4, updated_at = $3
		WHERE org_id = $1 AND id = $2 AND status IN ('draft', 'scheduled')`, orgID, id, now, recipients)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// markWithdrawn withdraws a published announcement.
func markWithdrawn(ctx context.Context, d *db.DB, orgID, id string, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE announcements SET status = 'withdrawn', withdrawn_at = $3, pinned = $4, updated_at = $3
		WHERE org_id = $1 AND id = $2 AND status = 'published'`, orgID, id, now, false)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// deleteUnpublished deletes a draft or scheduled announcement.
func deleteUnpublished(ctx context.Context, d *db.DB, orgID, id string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM announcements WHERE org_id = $1 AND id = $2 AND status IN ('draft', 'scheduled')`, orgID, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// dueAnnouncements lists scheduled announcements due at now: (org, id).
func dueAnnouncements(ctx context.Context, d *db.DB, now int64, limit int) ([][2]string, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) ([2]string, error) {
		var p [2]string
		err := r.Scan(&p[0], &p[1])
		return p, err
	}, `SELECT org_id, id FROM announcements WHERE status = 'scheduled' AND publish_at <= $1
		ORDER BY publish_at, id LIMIT `+strconv.Itoa(limit), now)
}

// recipientBatch is how many recipients one INSERT carries (7 parameters
// each). SQLite finds a "$n" parameter by a linear search, so a statement
// with thousands of them costs quadratic time; a few hundred stay cheap.
const recipientBatch = 100

// insertRecipients records who an announcement reached.
func insertRecipients(ctx context.Context, d *db.DB, annID, orgID string, rs []Recipient, late bool, now int64) error {
	for len(rs) > 0 {
		chunk := rs[:min(recipientBatch, len(rs))]
		rs = rs[len(chunk):]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*7)
		sb.WriteString(`INSERT INTO announcement_recipients (announcement_id, org_id, account_id, member_id, department_id, late, created_at) VALUES `)
		for i, r := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			n := len(args)
			sb.WriteString("(")
			for j := 1; j <= 7; j++ {
				if j > 1 {
					sb.WriteString(", ")
				}
				sb.WriteString("$" + strconv.Itoa(n+j))
			}
			sb.WriteString(")")
			args = append(args, annID, orgID, r.AccountID, r.MemberID, r.DepartmentID, late, now)
		}
		sb.WriteString(` ON CONFLICT (announcement_id, account_id) DO NOTHING`)
		if _, err := d.W(ctx).ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// receiptRow is one recipient's state.
type receiptRow struct {
	AccountID, MemberID, DepartmentID string
	Late                              bool
	ReadAt, ConfirmedAt, LeftAt       int64
}

// receiptsOf lists an announcement's recipients by department and member.
func receiptsOf(ctx context.Context, d *db.DB, orgID, annID string) ([]receiptRow, error) {
	out, err := db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (receiptRow, error) {
		var x receiptRow
		err := r.Scan(&x.AccountID, &x.MemberID, &x.DepartmentID, &x.Late, &x.ReadAt, &x.ConfirmedAt, &x.LeftAt)
		return x, err
	}, `SELECT account_id, member_id, department_id, late, read_at, confirmed_at, left_at
		FROM announcement_recipients WHERE org_id = $1 AND announcement_id = $2 ORDER BY department_id, member_id`, orgID, annID)
	if out == nil && err == nil {
		out = []receiptRow{}
	}
	return out, err
}

// pendingAccounts lists the recipients still in the organization who have
// not read (or, when confirmation is required, not confirmed).
func pendingAccounts(ctx context.Context, d *db.DB, orgID, annID string, confirm bool) ([]string, error) {
	col := "read_at"
	if confirm {
		col = "confirmed_at"
	}
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT account_id FROM announcement_recipients
		WHERE org_id = $1 AND announcement_id = $2 AND left_at = 0 AND `+col+` = 0 ORDER BY account_id`, orgID, annID)
}

// markRead sets accountID's read time once (and the confirm time too when
// confirm is set).
func markRead(ctx context.Context, d *db.DB, annID, accountID string, now int64, confirm bool) error {
	q := `UPDATE announcement_recipients SET read_at = CASE WHEN read_at = 0 THEN $3 ELSE read_at END`
	if confirm {
		q += `, confirmed_at = CASE WHEN confirmed_at = 0 THEN $3 ELSE confirmed_at END`
	}
	_, err := d.W(ctx).ExecContext(ctx, q+` WHERE announcement_id = $1 AND account_id = $2`, annID, accountID, now)
	return err
}

// setReminded records a reminder unless another was recorded since prev.
func setReminded(ctx context.Context, d *db.DB, orgID, id string, prev, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE announcements SET reminded_at = $4 WHERE org_id = $1 AND id = $2 AND reminded_at = $3`, orgID, id, prev, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// markLeft marks accountID's receipts in orgID as those of someone who left.
func markLeft(ctx context.Context, d *db.DB, orgID, accountID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE announcement_recipients SET left_at = $3 WHERE org_id = $1 AND account_id = $2 AND left_at = 0`, orgID, accountID, now)
	return err
}

// markBack clears left_at when someone who left reads again (they are back).
func markBack(ctx context.Context, d *db.DB, annID, accountID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE announcement_recipients SET left_at = 0 WHERE announcement_id = $1 AND account_id = $2`, annID, accountID)
	return err
}

// unschedule makes a scheduled announcement that could not be published a
// draft again.
func unschedule(ctx context.Context, d *db.DB, orgID, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE announcements SET status = 'draft' WHERE org_id = $1 AND id = $2 AND status = 'scheduled'`, orgID, id)
	return err
}
