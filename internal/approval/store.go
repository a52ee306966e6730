package approval

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of templates and their versions. Every query names the
// organization, which comes from the caller, never from the request.

// tmplRow is a template with one of its versions.
type tmplRow struct {
	ID, OrgID, Builtin       string
	Version                  int
	AvailableTo              string
	Archived                 bool
	CreatedBy                string
	CreatedAt, UpdatedAt     int64
	Name, Description, Group string
	Fields, Flow             string
}

const tmplCols = `t.id, t.org_id, t.builtin, v.version, t.available_to, t.archived, t.created_by, t.created_at, t.updated_at,
	v.name, v.description, v.group_name, v.fields, v.flow`

func scanTemplate(r db.Scanner) (tmplRow, error) {
	var x tmplRow
	err := r.Scan(&x.ID, &x.OrgID, &x.Builtin, &x.Version, &x.AvailableTo, &x.Archived, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt,
		&x.Name, &x.Description, &x.Group, &x.Fields, &x.Flow)
	return x, err
}

// insertTemplate writes a new template and its first version.
func insertTemplate(ctx context.Context, d *db.DB, x tmplRow) error {
	if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_templates (id, org_id, builtin, version, available_to, archived, created_by,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		x.ID, x.OrgID, x.Builtin, x.Version, x.AvailableTo, false, x.CreatedBy, x.CreatedAt); err != nil {
		return d.Classify(err)
	}
	return insertVersion(ctx, d, x)
}

// insertVersion writes a template version.
func insertVersion(ctx context.Context, d *db.DB, x tmplRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO approval_template_versions (template_id, org_id, version, name, description, group_name,
		fields, flow, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ID, x.OrgID, x.Version, x.Name, x.Description, x.Group, x.Fields, x.Flow, x.CreatedBy, x.UpdatedAt)
	return d.Classify(err)
}

// bumpTemplate makes version the template's current one, unless another
// edit got there first (it reports false then).
func bumpTemplate(ctx context.Context, d *db.DB, orgID, id string, from int, availableTo string, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_templates SET version = $4, available_to = $5, updated_at = $6
		WHERE org_id = $1 AND id = $2 AND version = $3`, orgID, id, from, from+1, availableTo, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// getTemplate returns a template at its current version.
func getTemplate(ctx context.Context, d *db.DB, orgID, id string) (tmplRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanTemplate, `SELECT `+tmplCols+` FROM approval_templates t
		JOIN approval_template_versions v ON v.template_id = t.id AND v.version = t.version
		WHERE t.org_id = $1 AND t.id = $2`, orgID, id)
}

// getVersion returns a template at one version.
func getVersion(ctx context.Context, d *db.DB, orgID, id string, version int) (tmplRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanTemplate, `SELECT `+tmplCols+` FROM approval_templates t
		JOIN approval_template_versions v ON v.template_id = t.id AND v.version = $3
		WHERE t.org_id = $1 AND t.id = $2`, orgID, id, version)
}

// listTemplates lists orgID's templates by group and name, archived ones
// too when archived is set.
func listTemplates(ctx context.Context, d *db.DB, orgID string, archived bool) ([]tmplRow, error) {
	q := `SELECT ` + tmplCols + ` FROM approval_templates t
		JOIN approval_template_versions v ON v.template_id = t.id AND v.version = t.version WHERE t.org_id = $1`
	args := []any{orgID}
	if !archived {
		q += ` AND t.archived = ` + db.Arg(&args, false)
	}
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanTemplate, q+` ORDER BY v.group_name, v.name, t.id`, args...))
}

// setArchived archives or restores a template.
func setArchived(ctx context.Context, d *db.DB, orgID, id string, archived bool, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE approval_templates SET archived = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`,
		orgID, id, archived, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// builtinKeys lists the keys of an organization's built-in templates.
func builtinKeys(ctx context.Context, d *db.DB, orgID string) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT builtin FROM approval_templates WHERE org_id = $1 AND builtin <> ''`, orgID)
}

// statusCounts counts a template's requests by status.
func statusCounts(ctx context.Context, d *db.DB, orgID, templateID string) (map[string]int, error) {
	out := map[string]int{}
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		var st string
		var n int
		if err := r.Scan(&st, &n); err != nil {
			return err
		}
		out[st] = n
		return nil
	}, `SELECT status, COUNT(*) FROM approval_requests WHERE org_id = $1 AND template_id = $2 GROUP BY status`, orgID, templateID)
	return out, err
}

// stepTime is one step's decided tasks and their total time.
type stepTime struct {
	StepID, Name string
	Decided      int
	TotalMillis  int64
}

// stepTimes sums the decided tasks of a template's requests per step.
func stepTimes(ctx context.Context, d *db.DB, orgID, templateID string) ([]stepTime, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (stepTime, error) {
		var x stepTime
		err := r.Scan(&x.StepID, &x.Name, &x.Decided, &x.TotalMillis)
		return x, err
	}, `SELECT s.step_id, MAX(s.name), COUNT(*), COALESCE(SUM(t.decided_at - t.activated_at), 0)
		FROM approval_tasks t JOIN approval_requests r ON r.id = t.request_id
		JOIN approval_steps s ON s.request_id = t.request_id AND s.idx = t.step_idx
		WHERE r.org_id = $1 AND r.template_id = $2 AND t.status IN ('approved', 'rejected') AND t.activated_at > 0
		GROUP BY s.step_id ORDER BY MIN(s.idx), s.step_id`, orgID, templateID))
}

// templateRequests lists a template's requests, oldest first.
func templateRequests(ctx context.Context, d *db.DB, orgID, templateID string) ([]reqRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanRequest, `SELECT `+reqCols+` FROM approval_requests r
		WHERE r.org_id = $1 AND r.template_id = $2 ORDER BY r.submitted_at, r.id LIMIT 100000`, orgID, templateID))
}
