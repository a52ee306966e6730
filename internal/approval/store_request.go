package approval

import (
	"context"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of requests, their steps, tasks, history and copies. Changes run
// in a transaction that locked the request first (lockRequest).

// reqRow is a request as stored.
type reqRow struct {
	ID, OrgID, TemplateID      string
	Version                    int
	ApplicantID, MemberID      string
	DepartmentID, Title        string
	Status                     string
	Form                       []byte
	FormKey                    string
	Chosen                     string
	CurrentStep                string
	Round, LockSeq             int
	ClientID                   string
	UrgedAt, SubmittedAt       int64
	FinishedAt, UpdatedAt      int64
	TemplateName, TemplateBase string
}

const reqCols = `r.id, r.org_id, r.template_id, r.version, r.applicant_id, r.member_id, r.department_id, r.title, r.status, r.form,
	r.form_key, r.chosen, r.current_step, r.round, r.lock_seq, r.client_id, r.urged_at, r.submitted_at, r.finished_at, r.updated_at`

func scanRequest(r db.Scanner) (reqRow, error) {
	var x reqRow
	err := r.Scan(&x.ID, &x.OrgID, &x.TemplateID, &x.Version, &x.ApplicantID, &x.MemberID, &x.DepartmentID, &x.Title, &x.Status,
		&x.Form, &x.FormKey, &x.Chosen, &x.CurrentStep, &x.Round, &x.LockSeq, &x.ClientID, &x.UrgedAt, &x.SubmittedAt, &x.FinishedAt,
		&x.UpdatedAt)
	return x, err
}

func insertRequest(ctx context.Context, d *db.DB, x reqRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_requests (id, org_id, template_id, version, applicant_id, member_id,
		department_id, title, status, form, form_key, chosen, current_step, round, client_id, submitted_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
		x.ID, x.OrgID, x.TemplateID, x.Version, x.ApplicantID, x.MemberID, x.DepartmentID, x.Title, x.Status, x.Form, x.FormKey,
		x.Chosen, x.CurrentStep, x.Round, x.ClientID, x.SubmittedAt)
	return d.Classify(err)
}

// getRequest returns one request of orgID.
func getRequest(ctx context.Context, d *db.DB, orgID, id string) (reqRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanRequest, `SELECT `+reqCols+` FROM approval_requests r WHERE r.org_id = $1 AND r.id = $2`, orgID, id)
}

// requestByClientID returns the applicant's request filed with a client
// id, for retries.
func requestByClientID(ctx context.Context, d *db.DB, orgID, applicantID, clientID string) (string, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[string], `SELECT id FROM approval_requests WHERE org_id = $1 AND applicant_id = $2 AND client_id = $3`,
		orgID, applicantID, clientID)
}

// lockRequest takes the request's row lock for the rest of the
// transaction (a write: PostgreSQL holds the row lock until COMMIT, and
// SQLite has one writer) and returns the request as it is now, after
// every change committed before. Concurrent changes of one request are
// therefore serialized, each seeing the one before.
func lockRequest(ctx context.Context, d *db.DB, orgID, id string) (reqRow, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_requests SET lock_seq = lock_seq + 1 WHERE org_id = $1 AND id = $2`, orgID, id)
	if err != nil {
		return reqRow{}, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = db.ErrNotFound
		}
		return reqRow{}, err
	}
	return db.QueryOne(ctx, d.W(ctx), scanRequest, `SELECT `+reqCols+` FROM approval_requests r WHERE r.org_id = $1 AND r.id = $2`+
		d.Dialect.ForUpdate(), orgID, id)
}

// updateRequest writes a request's state.
func updateRequest(ctx context.Context, d *db.DB, x reqRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_requests SET status = $3, current_step = $4, round = $5, form = $6, form_key = $7,
		chosen = $8, urged_at = $9, finished_at = $10, updated_at = $11 WHERE org_id = $1 AND id = $2`,
		x.OrgID, x.ID, x.Status, x.CurrentStep, x.Round, x.Form, x.FormKey, x.Chosen, x.UrgedAt, x.FinishedAt, x.UpdatedAt)
	return err
}

// stepRow is one step of a request's flow as resolved.
type stepRow struct {
	RequestID, OrgID       string
	Idx                    int
	StepID, Name, Mode     string
	Status, Reason         string
	Approvers              string
	ActivatedAt, DecidedAt int64
}

func insertSteps(ctx context.Context, d *db.DB, steps []stepRow) error {
	for _, s := range steps {
		if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_steps (request_id, org_id, idx, step_id, name, mode, status, reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.RequestID, s.OrgID, s.Idx, s.StepID, s.Name, s.Mode, s.Status, s.Reason); err != nil {
			return err
		}
	}
	return nil
}

func deleteSteps(ctx context.Context, d *db.DB, requestID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM approval_steps WHERE request_id = $1`, requestID)
	return err
}

func listSteps(ctx context.Context, d *db.DB, requestID string) ([]stepRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (stepRow, error) {
		var s stepRow
		err := r.Scan(&s.RequestID, &s.OrgID, &s.Idx, &s.StepID, &s.Name, &s.Mode, &s.Status, &s.Reason, &s.ActivatedAt, &s.DecidedAt)
		return s, err
	}, `SELECT request_id, org_id, idx, step_id, name, mode, status, reason, activated_at, decided_at FROM approval_steps
		WHERE request_id = $1 ORDER BY idx`, requestID))
}

// setStep writes a step's status, reason and times.
func setStep(ctx context.Context, d *db.DB, s stepRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_steps SET status = $3, reason = $4, activated_at = $5, decided_at = $6
		WHERE request_id = $1 AND idx = $2`, s.RequestID, s.Idx, s.Status, s.Reason, s.ActivatedAt, s.DecidedAt)
	return err
}

// taskRow is one approver's task.
type taskRow struct {
	ID, RequestID, OrgID   string
	StepIdx, Round, Seq    int
	ApproverID, MemberID   string
	OnBehalfOf, Status     string
	WaitsFor, Origin       string
	Comment                []byte
	CommentKey             string
	ActivatedAt, DecidedAt int64
	RemindedAt, CreatedAt  int64
}

const taskCols = `id, request_id, org_id, step_idx, round, seq, approver_id, member_id, on_behalf_of, status, waits_for, origin, comment,
	comment_key, activated_at, decided_at, reminded_at, created_at`

func scanTask(r db.Scanner) (taskRow, error) {
	var t taskRow
	err := r.Scan(&t.ID, &t.RequestID, &t.OrgID, &t.StepIdx, &t.Round, &t.Seq, &t.ApproverID, &t.MemberID, &t.OnBehalfOf, &t.Status,
		&t.WaitsFor, &t.Origin, &t.Comment, &t.CommentKey, &t.ActivatedAt, &t.DecidedAt, &t.RemindedAt, &t.CreatedAt)
	return t, err
}

func insertTask(ctx context.Context, d *db.DB, t taskRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_tasks (`+taskCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		t.ID, t.RequestID, t.OrgID, t.StepIdx, t.Round, t.Seq, t.ApproverID, t.MemberID, t.OnBehalfOf, t.Status, t.WaitsFor, t.Origin,
		t.Comment, t.CommentKey, t.ActivatedAt, t.DecidedAt, t.RemindedAt, t.CreatedAt)
	return err
}

// listTasks lists a request's tasks of one round (-1: every round).
func listTasks(ctx context.Context, d *db.DB, requestID string, round int) ([]taskRow, error) {
	q := `SELECT ` + taskCols + ` FROM approval_tasks WHERE request_id = $1`
	args := []any{requestID}
	if round >= 0 {
		q += ` AND round = ` + db.Arg(&args, round)
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanTask, q+` ORDER BY round, step_idx, seq, created_at, id`, args...))
}

// decideTask moves a task from one of the statuses in from to status and
// reports whether it did (false: someone else closed it first).
func decideTask(ctx context.Context, d *db.DB, id, status string, from []string, box []byte, key string, now int64) (bool, error) {
	args := []any{id, status, box, key, now}
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET status = $2, comment = $3, comment_key = $4, decided_at = $5, due_at = 0
		WHERE id = $1 AND status IN (`+db.In(&args, from)+`)`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// planTask turns a planned task into a pending or waiting one.
func planTask(ctx context.Context, d *db.DB, t taskRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET status = $2, waits_for = $3, activated_at = $4, approver_id = $5,
		member_id = $6, origin = $7, on_behalf_of = $8 WHERE id = $1 AND status = 'planned'`,
		t.ID, t.Status, t.WaitsFor, t.ActivatedAt, t.ApproverID, t.MemberID, t.Origin, t.OnBehalfOf)
	return err
}

// activateTask makes a waiting task pending.
func activateTask(ctx context.Context, d *db.DB, id string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET status = 'pending', activated_at = $2 WHERE id = $1 AND status = 'waiting'`, id, now)
	return err
}

// waitFor makes a task wait for another one.
func waitFor(ctx context.Context, d *db.DB, id, waitsFor string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET status = 'waiting', waits_for = $2 WHERE id = $1`, id, waitsFor)
	return err
}

// rewait points the tasks waiting for one task at another.
func rewait(ctx context.Context, d *db.DB, requestID, from, to string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET waits_for = $3 WHERE request_id = $1 AND waits_for = $2`, requestID, from, to)
	return err
}

// closeOpenTasks skips every open task of a request's round (planned
// ones stay planned: their approvers were never reached).
func closeOpenTasks(ctx context.Context, d *db.DB, requestID string, round int, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET status = 'skipped', decided_at = $3
		WHERE request_id = $1 AND round = $2 AND status IN ('pending', 'waiting')`, requestID, round, now)
	return err
}

// openTasksOf lists the open tasks of an account in orgID, on requests
// still pending.
func openTasksOf(ctx context.Context, d *db.DB, orgID, accountID string) ([]taskRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanTask, `SELECT `+prefixed("t.", taskCols)+` FROM approval_tasks t
		JOIN approval_requests r ON r.id = t.request_id AND r.round = t.round
		WHERE t.org_id = $1 AND t.approver_id = $2 AND t.status IN ('pending', 'waiting') AND r.status = 'pending'
		ORDER BY t.request_id, t.id`, orgID, accountID))
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// eventRow is one entry of a request's history.
type eventRow struct {
	ID, RequestID, OrgID string
	Seq                  int
	At                   int64
	ActorID, Action      string
	StepID               string
	Comment              []byte
	CommentKey           string
	Detail               string
}

func insertEvent(ctx context.Context, d *db.DB, e eventRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_events (id, request_id, org_id, seq, at, actor_id, action, step_id, comment,
		comment_key, detail) VALUES ($1, $2, $3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM approval_events WHERE request_id = $2), $4, $5, $6,
		$7, $8, $9, $10)`, e.ID, e.RequestID, e.OrgID, e.At, e.ActorID, e.Action, e.StepID, e.Comment, e.CommentKey, e.Detail)
	return err
}

func listEvents(ctx context.Context, d *db.DB, requestID string) ([]eventRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (eventRow, error) {
		var e eventRow
		err := r.Scan(&e.ID, &e.RequestID, &e.OrgID, &e.Seq, &e.At, &e.ActorID, &e.Action, &e.StepID, &e.Comment, &e.CommentKey, &e.Detail)
		return e, err
	}, `SELECT id, request_id, org_id, seq, at, actor_id, action, step_id, comment, comment_key, detail FROM approval_events
		WHERE request_id = $1 ORDER BY seq LIMIT 2000`, requestID))
}

// insertCC records that a request was copied to someone.
func insertCC(ctx context.Context, d *db.DB, requestID, orgID string, p Person, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_cc (request_id, org_id, account_id, member_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id, account_id) DO NOTHING`, requestID, orgID, p.AccountID, p.MemberID, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func listCC(ctx context.Context, d *db.DB, requestID string) ([]Person, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Person, error) {
		var p Person
		err := r.Scan(&p.AccountID, &p.MemberID)
		return p, err
	}, `SELECT account_id, member_id FROM approval_cc WHERE request_id = $1 ORDER BY created_at, account_id`, requestID))
}

// involved reports whether an account is an approver (of a step
// reached) (or the one a
// delegate acts for) of a request, or it was copied to them.
func involved(ctx context.Context, d *db.DB, requestID, accountID string) (bool, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[bool], `SELECT EXISTS (SELECT 1 FROM approval_tasks WHERE request_id = $1
			AND (approver_id = $2 OR on_behalf_of = $2) AND status <> 'planned')
		OR EXISTS (SELECT 1 FROM approval_cc WHERE request_id = $1 AND account_id = $2)`, requestID, accountID)
}

// listArgs filters a list query.
type listArgs struct {
	orgID, accountID, box, status, templateID string
	text                                      string
	applicants                                []string
	beforeAt                                  int64
	beforeID                                  string
	limit                                     int
}

// listRow is a request in a list with its sort key and active step.
type listRow struct {
	reqRow
	SortAt           int64
	StepID, StepName string
}

// listBox lists one of an account's boxes, newest first by the box's
// time (when a task became pending, a request was filed, copied or
// decided), before the cursor.
func listBox(ctx context.Context, d *db.DB, q listArgs) ([]listRow, error) {
	args := []any{q.orgID, q.accountID}
	var from, where, at string
	switch q.box {
	case "todo":
		from = `approval_tasks k JOIN approval_requests r ON r.id = k.request_id AND r.round = k.round`
		where, at = `k.approver_id = $2 AND k.status = 'pending' AND k.org_id = $1`, `k.activated_at`
	case "mine":
		from, where, at = `approval_requests r`, `r.org_id = $1 AND r.applicant_id = $2`, `r.submitted_at`
	case "cc":
		from = `approval_cc c JOIN approval_requests r ON r.id = c.request_id`
		where, at = `c.account_id = $2 AND c.org_id = $1`, `c.created_at`
	default:
		from = `(SELECT request_id, MAX(decided_at) AS decided_at FROM approval_tasks
			WHERE approver_id = $2 AND org_id = $1 AND status IN ('approved', 'rejected', 'transferred') GROUP BY request_id) k
			JOIN approval_requests r ON r.id = k.request_id`
		where, at = `r.org_id = $1`, `k.decided_at`
	}
	q2 := `SELECT ` + reqCols + `, ` + at + `, COALESCE(s.step_id, ''), COALESCE(s.name, '') FROM ` + from +
		` LEFT JOIN approval_steps s ON s.request_id = r.id AND s.status = 'active' WHERE ` + where
	if q.status != "" {
		q2 += ` AND r.status = ` + db.Arg(&args, q.status)
	}
	if q.templateID != "" {
		q2 += ` AND r.template_id = ` + db.Arg(&args, q.templateID)
	}
	if q.text != "" {
		cond := d.Dialect.ILike(`r.title`, db.Arg(&args, "%"+db.EscapeLike(q.text)+"%"))
		if len(q.applicants) > 0 {
			cond += ` OR r.applicant_id IN (` + db.In(&args, q.applicants) + `)`
		}
		q2 += ` AND (` + cond + `)`
	}
	if q.beforeID != "" {
		b, id := db.Arg(&args, q.beforeAt), db.Arg(&args, q.beforeID)
		q2 += ` AND (` + at + ` < ` + b + ` OR (` + at + ` = ` + b + ` AND r.id < ` + id + `))`
	}
	q2 += ` ORDER BY ` + at + ` DESC, r.id DESC LIMIT ` + db.Arg(&args, q.limit)
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (listRow, error) {
		var x listRow
		err := s.Scan(&x.ID, &x.OrgID, &x.TemplateID, &x.Version, &x.ApplicantID, &x.MemberID, &x.DepartmentID, &x.Title, &x.Status,
			&x.Form, &x.FormKey, &x.Chosen, &x.CurrentStep, &x.Round, &x.LockSeq, &x.ClientID, &x.UrgedAt, &x.SubmittedAt, &x.FinishedAt,
			&x.UpdatedAt, &x.SortAt, &x.StepID, &x.StepName)
		return x, err
	}, q2, args...))
}

// applicantsOf lists the accounts that filed requests in orgID.
func applicantsOf(ctx context.Context, d *db.DB, orgID string) ([]string, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT DISTINCT applicant_id FROM approval_requests WHERE org_id = $1`, orgID))
}

// commentRow is a comment as stored.
type commentRow struct {
	ID, RequestID, OrgID string
	AuthorID, MemberID   string
	Content              []byte
	ContentKey           string
	Mentions, FileIDs    string
	CreatedAt            int64
}

func insertComment(ctx context.Context, d *db.DB, c commentRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_comments (id, request_id, org_id, author_id, member_id, content, content_key,
		mentions, file_ids, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.RequestID, c.OrgID, c.AuthorID, c.MemberID, c.Content, c.ContentKey, c.Mentions, c.FileIDs, c.CreatedAt)
	return err
}

func listComments(ctx context.Context, d *db.DB, requestID string) ([]commentRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (commentRow, error) {
		var c commentRow
		err := r.Scan(&c.ID, &c.RequestID, &c.OrgID, &c.AuthorID, &c.MemberID, &c.Content, &c.ContentKey, &c.Mentions, &c.FileIDs, &c.CreatedAt)
		return c, err
	}, `SELECT id, request_id, org_id, author_id, member_id, content, content_key, mentions, file_ids, created_at FROM approval_comments
		WHERE request_id = $1 ORDER BY created_at, id LIMIT 1000`, requestID))
}

// delegationRow is a member's delegation as stored.
type delegationRow struct {
	OrgID, AccountID, MemberID string
	ToAccount, ToMember        string
	FromAt, UntilAt, CreatedAt int64
}

func putDelegation(ctx context.Context, d *db.DB, x delegationRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_delegations (org_id, account_id, member_id, to_account, to_member, from_at,
		until_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (org_id, account_id) DO UPDATE SET
		to_account = excluded.to_account, to_member = excluded.to_member, from_at = excluded.from_at, until_at = excluded.until_at,
		created_at = excluded.created_at`, x.OrgID, x.AccountID, x.MemberID, x.ToAccount, x.ToMember, x.FromAt, x.UntilAt, x.CreatedAt)
	return err
}

func getDelegation(ctx context.Context, d *db.DB, orgID, accountID string) (delegationRow, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (delegationRow, error) {
		var x delegationRow
		err := r.Scan(&x.OrgID, &x.AccountID, &x.MemberID, &x.ToAccount, &x.ToMember, &x.FromAt, &x.UntilAt, &x.CreatedAt)
		return x, err
	}, `SELECT org_id, account_id, member_id, to_account, to_member, from_at, until_at, created_at FROM approval_delegations
		WHERE org_id = $1 AND account_id = $2`, orgID, accountID)
}

func deleteDelegation(ctx context.Context, d *db.DB, orgID, accountID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM approval_delegations WHERE org_id = $1 AND account_id = $2`, orgID, accountID)
	return err
}

// fileRow is an uploaded file as stored.
type fileRow struct {
	ID, OrgID, UploaderID, RequestID string
	Meta                             []byte
	MetaKey, ContentType             string
	Size                             int64
	SHA256, BlobKey                  string
	CreatedAt                        int64
}

func insertFile(ctx context.Context, d *db.DB, f fileRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_files (id, org_id, uploader_id, request_id, meta, meta_key, content_type, size,
		sha256, blob_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		f.ID, f.OrgID, f.UploaderID, f.RequestID, f.Meta, f.MetaKey, f.ContentType, f.Size, f.SHA256, f.BlobKey, f.CreatedAt)
	return err
}

func getFile(ctx context.Context, d *db.DB, orgID, id string) (fileRow, error) {
	return db.QueryOne(ctx, d.R(ctx), func(r db.Scanner) (fileRow, error) {
		var f fileRow
		err := r.Scan(&f.ID, &f.OrgID, &f.UploaderID, &f.RequestID, &f.Meta, &f.MetaKey, &f.ContentType, &f.Size, &f.SHA256, &f.BlobKey, &f.CreatedAt)
		return f, err
	}, `SELECT id, org_id, uploader_id, request_id, meta, meta_key, content_type, size, sha256, blob_key, created_at FROM approval_files
		WHERE org_id = $1 AND id = $2`, orgID, id)
}

// attachFile attaches a file to a request.
func attachFile(ctx context.Context, d *db.DB, id, requestID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_files SET request_id = $2 WHERE id = $1 AND request_id = ''`, id, requestID)
	return err
}

// dueTask is a pending task whose timeout fell due.
type dueTask struct {
	ID, RequestID, OrgID string
	DueAt                int64
}

// dueTasks lists the tasks whose timeout fell due by now, oldest first.
func dueTasks(ctx context.Context, d *db.DB, now int64, limit int) ([]dueTask, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (dueTask, error) {
		var x dueTask
		err := r.Scan(&x.ID, &x.RequestID, &x.OrgID, &x.DueAt)
		return x, err
	}, `SELECT id, request_id, org_id, due_at FROM approval_tasks WHERE due_at > 0 AND due_at <= $1 ORDER BY due_at, id LIMIT $2`, now, limit))
}

// setTaskDue sets when a task's timeout falls due.
func setTaskDue(ctx context.Context, d *db.DB, id string, at int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET due_at = $2 WHERE id = $1`, id, at)
	return err
}

// claimDue clears a task's due time unless another node did, and
// reports whether this call did.
func claimDue(ctx context.Context, d *db.DB, id string, at int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_tasks SET due_at = 0, reminded_at = $2 WHERE id = $1 AND due_at = $2`, id, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
