package report

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of reports. Every query names the organization, which comes from
// the caller, never from the request (the background reminder reads
// every organization's templates).

// tmplRow is a template as stored.
type tmplRow struct {
	ID, OrgID, Name, Period  string
	Fields                   string
	Plans                    bool
	Submitters, Recipients   string
	Timezone, DueTime        string
	DueWeekday, DueDay       int
	Workdays                 string
	EditWindow, RemindBefore int
	RemindedPeriod           string
	Archived                 bool
	CreatedBy                string
	CreatedAt, UpdatedAt     int64
}

// schedule returns the template's schedule.
func (x tmplRow) schedule() (schedule, error) {
	var wd []int
	_ = json.Unmarshal([]byte(x.Workdays), &wd)
	return scheduleOf(x.Period, x.Timezone, x.DueTime, x.DueWeekday, x.DueDay, wd)
}

// submitters returns the template's expected submitters.
func (x tmplRow) submitters() Audience {
	var a Audience
	_ = json.Unmarshal([]byte(x.Submitters), &a)
	return a
}

const tmplCols = `id, org_id, name, period, fields, plans, submitters, recipients, tz, due_time, due_weekday, due_day, workdays,
	edit_window_minutes, remind_before_minutes, reminded_period, archived, created_by, created_at, updated_at`

func scanTemplate(r db.Scanner) (tmplRow, error) {
	var x tmplRow
	err := r.Scan(&x.ID, &x.OrgID, &x.Name, &x.Period, &x.Fields, &x.Plans, &x.Submitters, &x.Recipients, &x.Timezone, &x.DueTime,
		&x.DueWeekday, &x.DueDay, &x.Workdays, &x.EditWindow, &x.RemindBefore, &x.RemindedPeriod, &x.Archived, &x.CreatedBy,
		&x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func insertTemplate(ctx context.Context, d *db.DB, x tmplRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO report_templates (`+tmplCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		x.ID, x.OrgID, x.Name, x.Period, x.Fields, x.Plans, x.Submitters, x.Recipients, x.Timezone, x.DueTime, x.DueWeekday, x.DueDay,
		x.Workdays, x.EditWindow, x.RemindBefore, x.RemindedPeriod, x.Archived, x.CreatedBy, x.CreatedAt, x.UpdatedAt)
	return err
}

// updateTemplate writes a template's settings.
func updateTemplate(ctx context.Context, d *db.DB, x tmplRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE report_templates SET name = $3, period = $4, fields = $5, plans = $6, submitters = $7,
		recipients = $8, tz = $9, due_time = $10, due_weekday = $11, due_day = $12, workdays = $13, edit_window_minutes = $14,
		remind_before_minutes = $15, reminded_period = $16, updated_at = $17 WHERE org_id = $1 AND id = $2`,
		x.OrgID, x.ID, x.Name, x.Period, x.Fields, x.Plans, x.Submitters, x.Recipients, x.Timezone, x.DueTime, x.DueWeekday, x.DueDay,
		x.Workdays, x.EditWindow, x.RemindBefore, x.RemindedPeriod, x.UpdatedAt)
	return err
}

func getTemplate(ctx context.Context, d *db.DB, orgID, id string) (tmplRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanTemplate, `SELECT `+tmplCols+` FROM report_templates WHERE org_id = $1 AND id = $2`, orgID, id)
}

// listTemplates lists orgID's templates by name, archived ones too when
// archived is set.
func listTemplates(ctx context.Context, d *db.DB, orgID string, archived bool) ([]tmplRow, error) {
	q := `SELECT ` + tmplCols + ` FROM report_templates WHERE org_id = $1`
	args := []any{orgID}
	if !archived {
		q += ` AND archived = ` + db.Arg(&args, false)
	}
	return db.QueryAll(ctx, d.R(ctx), scanTemplate, q+` ORDER BY name, id`, args...)
}

func archiveTemplate(ctx context.Context, d *db.DB, orgID, id string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE report_templates SET archived = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`, orgID, id, true, now)
	return err
}

// scheduledTemplates lists every organization's active scheduled templates.
func scheduledTemplates(ctx context.Context, d *db.DB) ([]tmplRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanTemplate, `SELECT `+tmplCols+` FROM report_templates
		WHERE archived = $1 AND period <> 'custom' ORDER BY id`, false)
}

// setReminded records a period's reminders unless another node did.
func setReminded(ctx context.Context, d *db.DB, id, prev, period string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE report_templates SET reminded_period = $3 WHERE id = $1 AND reminded_period = $2`, id, prev, period)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// repRow is a report as stored, with the caller's receipt.
type repRow struct {
	ID, OrgID, TemplateID, AuthorID, MemberID, DepartmentID string
	Period                                                  string
	DueAt                                                   int64
	Status                                                  string
	Content                                                 []byte
	ContentKey                                              string
	SubmittedAt                                             int64
	Late                                                    bool
	EditedAt, CreatedAt, UpdatedAt                          int64
	// Recipient is true when the caller received it.
	Recipient  bool
	ReadAt     int64
	ReceivedAt int64
}

const repCols = `p.id, p.org_id, p.template_id, p.author_id, p.member_id, p.department_id, p.period, p.due_at, p.status, p.content,
	p.content_key, p.submitted_at, p.late, p.edited_at, p.created_at, p.updated_at,
	r.account_id IS NOT NULL, COALESCE(r.read_at, 0), COALESCE(r.created_at, 0)`

func scanReport(r db.Scanner) (repRow, error) {
	var x repRow
	err := r.Scan(&x.ID, &x.OrgID, &x.TemplateID, &x.AuthorID, &x.MemberID, &x.DepartmentID, &x.Period, &x.DueAt, &x.Status, &x.Content,
		&x.ContentKey, &x.SubmittedAt, &x.Late, &x.EditedAt, &x.CreatedAt, &x.UpdatedAt, &x.Recipient, &x.ReadAt, &x.ReceivedAt)
	return x, err
}

func insertReport(ctx context.Context, d *db.DB, x repRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO reports (id, org_id, template_id, author_id, member_id, department_id, period, due_at,
		status, content, content_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		x.ID, x.OrgID, x.TemplateID, x.AuthorID, x.MemberID, x.DepartmentID, x.Period, x.DueAt, x.Status, x.Content, x.ContentKey, x.CreatedAt)
	return d.Classify(err)
}

// reportFor returns the id of a member's report for a period.
func reportFor(ctx context.Context, d *db.DB, templateID, memberID, period string) (string, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[string], `SELECT id FROM reports WHERE template_id = $1 AND member_id = $2 AND period = $3`,
		templateID, memberID, period)
}

// getReport returns one report of orgID with accountID's receipt.
func getReport(ctx context.Context, d *db.DB, orgID, id, accountID string) (repRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanReport, `SELECT `+repCols+` FROM reports p
		LEFT JOIN report_recipients r ON r.report_id = p.id AND r.account_id = $3
		WHERE p.org_id = $1 AND p.id = $2`, orgID, id, accountID)
}

// markSubmitted submits a draft and reports whether it did.
func markSubmitted(ctx context.Context, d *db.DB, orgID, id string, now int64, late bool) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE reports SET status = 'submitted', submitted_at = $3, late = $4, updated_at = $3
		WHERE org_id = $1 AND id = $2 AND status = 'draft'`, orgID, id, now, late)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// updateContent writes a report's sealed content and edit time.
func updateContent(ctx context.Context, d *db.DB, orgID, id string, box []byte, key string, now, edited int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE reports SET content = $3, content_key = $4, updated_at = $5, edited_at = $6
		WHERE org_id = $1 AND id = $2`, orgID, id, box, key, now, edited)
	return err
}

// deleteDraft deletes a draft and reports whether it did.
func deleteDraft(ctx context.Context, d *db.DB, orgID, id string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM reports WHERE org_id = $1 AND id = $2 AND status = 'draft'`, orgID, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// recipientBatch is how many recipients one INSERT carries (5 parameters
// each), as in announcements.
const recipientBatch = 100

// insertRecipients records who a report went to.
func insertRecipients(ctx context.Context, d *db.DB, reportID, orgID string, rs []Person, now int64) error {
	for len(rs) > 0 {
		chunk := rs[:min(recipientBatch, len(rs))]
		rs = rs[len(chunk):]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*5)
		sb.WriteString(`INSERT INTO report_recipients (report_id, org_id, account_id, member_id, created_at) VALUES `)
		for i, r := range chunk {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(" + db.Arg(&args, reportID) + ", " + db.Arg(&args, orgID) + ", " + db.Arg(&args, r.AccountID) + ", " +
				db.Arg(&args, r.MemberID) + ", " + db.Arg(&args, now) + ")")
		}
		sb.WriteString(` ON CONFLICT (report_id, account_id) DO NOTHING`)
		if _, err := d.W(ctx).ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// readersOf lists a report's recipients and their read times.
func readersOf(ctx context.Context, d *db.DB, orgID, reportID string) ([]Reader, error) {
	out, err := db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Reader, error) {
		var x Reader
		err := r.Scan(&x.AccountID, &x.MemberID, &x.ReadAt)
		return x, err
	}, `SELECT account_id, member_id, read_at FROM report_recipients WHERE org_id = $1 AND report_id = $2 ORDER BY member_id`, orgID, reportID)
	if out == nil && err == nil {
		out = []Reader{}
	}
	return out, err
}

// markRead sets accountID's read time once and reports whether it did.
func markRead(ctx context.Context, d *db.DB, reportID, accountID string, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE report_recipients SET read_at = $3 WHERE report_id = $1 AND account_id = $2 AND read_at = 0`,
		reportID, accountID, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// listMine lists accountID's reports in orgID, newest first, before the
// cursor (created_at, id).
func listMine(ctx context.Context, d *db.DB, orgID, accountID, templateID, status string, beforeAt int64, beforeID string, limit int) ([]repRow, error) {
	args := []any{orgID, accountID}
	q := `SELECT ` + repCols + ` FROM reports p LEFT JOIN report_recipients r ON r.report_id = p.id AND r.account_id = $2
		WHERE p.org_id = $1 AND p.author_id = $2`
	if templateID != "" {
		q += ` AND p.template_id = ` + db.Arg(&args, templateID)
	}
	if status != "" {
		q += ` AND p.status = ` + db.Arg(&args, status)
	}
	if beforeID != "" {
		at, id := db.Arg(&args, beforeAt), db.Arg(&args, beforeID)
		q += ` AND (p.created_at < ` + at + ` OR (p.created_at = ` + at + ` AND p.id < ` + id + `))`
	}
	return db.QueryAll(ctx, d.R(ctx), scanReport, q+` ORDER BY p.created_at DESC, p.id DESC LIMIT `+strconv.Itoa(limit), args...)
}

// listInbox lists the reports accountID received in orgID (recipients
// are recorded when a report is submitted, and a report never goes back
// to draft), newest first, before the cursor (received at, id).
func listInbox(ctx context.Context, d *db.DB, orgID, accountID, templateID string, unread bool, beforeAt int64, beforeID string, limit int) ([]repRow, error) {
	args := []any{orgID, accountID}
	q := `SELECT ` + repCols + ` FROM report_recipients r JOIN reports p ON p.id = r.report_id
		WHERE r.org_id = $1 AND r.account_id = $2`
	if templateID != "" {
		q += ` AND p.template_id = ` + db.Arg(&args, templateID)
	}
	if unread {
		q += ` AND r.read_at = 0`
	}
	if beforeID != "" {
		at, id := db.Arg(&args, beforeAt), db.Arg(&args, beforeID)
		q += ` AND (r.created_at < ` + at + ` OR (r.created_at = ` + at + ` AND r.report_id < ` + id + `))`
	}
	return db.QueryAll(ctx, d.R(ctx), scanReport, q+` ORDER BY r.created_at DESC, r.report_id DESC LIMIT `+strconv.Itoa(limit), args...)
}

// unreadCount counts the reports accountID received and has not read.
func unreadCount(ctx context.Context, d *db.DB, orgID, accountID string) (int, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[int], `SELECT COUNT(*) FROM report_recipients
		WHERE account_id = $1 AND org_id = $2 AND read_at = 0`, accountID, orgID)
}

// submittedFor returns the members who submitted a report for a period.
func submittedFor(ctx context.Context, d *db.DB, templateID, period string) (map[string]bool, error) {
	ms, err := db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT member_id FROM reports
		WHERE template_id = $1 AND period = $2 AND status = 'submitted'`, templateID, period)
	out := make(map[string]bool, len(ms))
	for _, m := range ms {
		out[m] = true
	}
	return out, err
}

// submissions maps (member, period) to lateness for the submitted reports
// of the periods from first to last (period keys sort in time order).
func submissions(ctx context.Context, d *db.DB, templateID, first, last string) (map[[2]string]bool, error) {
	out := map[[2]string]bool{}
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		var m, p string
		var late bool
		if err := r.Scan(&m, &p, &late); err != nil {
			return err
		}
		out[[2]string{m, p}] = late
		return nil
	}, `SELECT member_id, period, late FROM reports WHERE template_id = $1 AND status = 'submitted' AND period >= $2 AND period <= $3`,
		templateID, first, last)
	return out, err
}

// commentRow is a comment as stored.
type commentRow struct {
	ID, ReportID, OrgID, AuthorID string
	Content                       []byte
	ContentKey                    string
	Mentions                      string
	CreatedAt                     int64
}

func insertComment(ctx context.Context, d *db.DB, c commentRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO report_comments (id, report_id, org_id, author_id, content, content_key, mentions, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.ID, c.ReportID, c.OrgID, c.AuthorID, c.Content, c.ContentKey, c.Mentions, c.CreatedAt)
	return err
}

// listComments lists a report's comments, oldest first.
func listComments(ctx context.Context, d *db.DB, orgID, reportID string) ([]commentRow, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (commentRow, error) {
		var c commentRow
		err := r.Scan(&c.ID, &c.ReportID, &c.OrgID, &c.AuthorID, &c.Content, &c.ContentKey, &c.Mentions, &c.CreatedAt)
		return c, err
	}, `SELECT id, report_id, org_id, author_id, content, content_key, mentions, created_at FROM report_comments
		WHERE org_id = $1 AND report_id = $2 ORDER BY created_at, id LIMIT 1000`, orgID, reportID)
}
