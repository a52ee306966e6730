package directory

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the approvals' questions (approvers.go).

// departmentLeaders lists the active leaders of one department.
func (st store) departmentLeaders(ctx context.Context, orgID, deptID string) ([]AudienceMember, error) {
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), scanAudienceMember, `SELECT m.id, m.account_id, `+firstDept+`
		FROM department_members lead JOIN members m ON m.id = lead.member_id
		WHERE lead.department_id = $2 AND lead.is_leader AND m.org_id = $1 AND m.status = 'active'
		ORDER BY m.id`, orgID, deptID))
}

// parentOf returns a department's parent ("" at the top or when unknown).
func (st store) parentOf(ctx context.Context, orgID, deptID string) (string, error) {
	p, err := db.QueryOne(ctx, st.r(ctx), db.Value[string], `SELECT COALESCE(parent_id, '') FROM departments WHERE org_id = $1 AND id = $2`, orgID, deptID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	return p, err
}

// departmentsAbove lists ids and every department above them.
func (st store) departmentsAbove(ctx context.Context, orgID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return []string{}, nil
	}
	args := []any{orgID}
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), db.Value[string], `WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM departments WHERE org_id = $1 AND id IN (`+db.In(&args, ids)+`)
			UNION ALL
			SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id WHERE up.depth < 1000 AND d.org_id = $1
		) SELECT DISTINCT id FROM up ORDER BY id`, args...))
}

// memberRoleIDs lists a member's custom roles.
func (st store) memberRoleIDs(ctx context.Context, orgID, memberID string) ([]string, error) {
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), db.Value[string], `SELECT role_id FROM member_roles
		WHERE org_id = $1 AND member_id = $2 ORDER BY role_id`, orgID, memberID))
}
