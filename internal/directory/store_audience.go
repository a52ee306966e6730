package directory

import (
	"context"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of audiences (audience.go): who an announcement or another
// organization-wide message reaches.

// countInOrg counts how many of ids are rows of table (departments, roles
// or members) in orgID.
func (st store) countInOrg(ctx context.Context, table, orgID string, ids []string) (int, error) {
	args := []any{orgID}
	var q string
	switch table {
	case "departments":
		q = `SELECT COUNT(*) FROM departments WHERE org_id = $1 AND id IN (`
	case "roles":
		q = `SELECT COUNT(*) FROM roles WHERE org_id = $1 AND id IN (`
	default:
		q = `SELECT COUNT(*) FROM members WHERE org_id = $1 AND id IN (`
	}
	var n int
	err := st.r(ctx).QueryRowContext(ctx, q+db.In(&args, ids)+`)`, args...).Scan(&n)
	return n, err
}

// audience lists the active members q reaches, each with its first
// department (by the time it joined it).
func (st store) audience(ctx context.Context, orgID string, q AudienceQuery, customRoles []string) ([]AudienceMember, error) {
	args := []any{orgID}
	var with string
	var ors []string
	if !q.All {
		if len(q.DepartmentIDs) > 0 {
			with = `WITH RECURSIVE sub (id, depth) AS (
				SELECT id, 0 FROM departments WHERE org_id = $1 AND id IN (` + db.In(&args, q.DepartmentIDs) + `)
				UNION ALL
				SELECT d.id, sub.depth + 1 FROM departments d JOIN sub ON d.parent_id = sub.id WHERE sub.depth < 1000
			) `
			ors = append(ors, `EXISTS (SELECT 1 FROM department_members dm WHERE dm.member_id = m.id AND dm.department_id IN (SELECT id FROM sub))`)
		}
		var builtin []string
		for _, r := range q.RoleIDs {
			if r == RoleOwner || r == RoleAdmin || r == RoleMember {
				builtin = append(builtin, r)
			}
		}
		if len(builtin) > 0 {
			ors = append(ors, `m.role IN (`+db.In(&args, builtin)+`)`)
		}
		if len(customRoles) > 0 {
			ors = append(ors, `EXISTS (SELECT 1 FROM member_roles mr WHERE mr.member_id = m.id AND mr.role_id IN (`+db.In(&args, customRoles)+`))`)
		}
		if len(q.MemberIDs) > 0 {
			ors = append(ors, `m.id IN (`+db.In(&args, q.MemberIDs)+`)`)
		}
		if len(ors) == 0 {
			return []AudienceMember{}, nil
		}
	}
	cond := ""
	if len(ors) > 0 {
		cond = ` AND (` + strings.Join(ors, ` OR `) + `)`
	}
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (AudienceMember, error) {
		var a AudienceMember
		err := s.Scan(&a.MemberID, &a.AccountID, &a.DepartmentID)
		return a, err
	}, with+`SELECT m.id, m.account_id,
		COALESCE((SELECT dm.department_id FROM department_members dm WHERE dm.member_id = m.id ORDER BY dm.created_at, dm.department_id LIMIT 1), '')
		FROM members m WHERE m.org_id = $1 AND m.status = 'active'`+cond+` ORDER BY m.id`, args...))
}

// firstDept is the department a member is counted under: its first one.
const firstDept = `COALESCE((SELECT dm.department_id FROM department_members dm WHERE dm.member_id = m.id ORDER BY dm.created_at, dm.department_id LIMIT 1), '')`

func scanAudienceMember(r db.Scanner) (AudienceMember, error) {
	var a AudienceMember
	err := r.Scan(&a.MemberID, &a.AccountID, &a.DepartmentID)
	return a, err
}

// supervisorOf lists memberID's active supervisor (none or one).
func (st store) supervisorOf(ctx context.Context, orgID, memberID string) ([]AudienceMember, error) {
	out, err := db.QueryAll(ctx, st.r(ctx), scanAudienceMember, `SELECT m.id, m.account_id, `+firstDept+`
		FROM members e JOIN members m ON m.id = e.supervisor_id
		WHERE e.org_id = $1 AND e.id = $2 AND m.org_id = $1 AND m.status = 'active'`, orgID, memberID)
	if out == nil && err == nil {
		out = []AudienceMember{}
	}
	return out, err
}

// leadersOf lists the active leaders of memberID's departments.
func (st store) leadersOf(ctx context.Context, orgID, memberID string) ([]AudienceMember, error) {
	out, err := db.QueryAll(ctx, st.r(ctx), scanAudienceMember, `SELECT m.id, m.account_id, `+firstDept+`
		FROM members m WHERE m.org_id = $1 AND m.status = 'active' AND m.id <> $2 AND EXISTS (
			SELECT 1 FROM department_members mine JOIN department_members lead ON lead.department_id = mine.department_id
			WHERE mine.member_id = $2 AND lead.member_id = m.id AND lead.is_leader)
		ORDER BY m.id`, orgID, memberID)
	if out == nil && err == nil {
		out = []AudienceMember{}
	}
	return out, err
}

// ledDepartments lists the departments of orgID that memberID leads.
func (st store) ledDepartments(ctx context.Context, orgID, memberID string) ([]string, error) {
	return db.QueryAll(ctx, st.r(ctx), db.Value[string], `SELECT d.id FROM departments d
		JOIN department_members dm ON dm.department_id = d.id
		WHERE d.org_id = $1 AND dm.member_id = $2 AND dm.is_leader ORDER BY d.id`, orgID, memberID)
}
