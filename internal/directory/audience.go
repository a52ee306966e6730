package directory

import (
	"context"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// AudienceQuery chooses members of an organization: everyone (All), or the
// union of departments (with their sub-departments), roles (the built-in
// owner, admin and member, or custom role ids) and members.
type AudienceQuery struct {
	All           bool
	DepartmentIDs []string
	RoleIDs       []string
	MemberIDs     []string
}

// AudienceMember is one member an audience reaches, with the department it
// is counted under (its first department; "" for none).
type AudienceMember struct {
	MemberID     string
	AccountID    string
	DepartmentID string
}

// Audience resolves q to the organization's active members, ordered by
// member id. Ids that name nothing in the organization are refused (400
// invalid_field), the same for another organization's ids and made-up
// ones. It checks no caller: the domain asking has checked its own rights.
func (s *Service) Audience(ctx context.Context, orgID string, q AudienceQuery) ([]AudienceMember, error) {
	q.DepartmentIDs = uniq(q.DepartmentIDs)
	q.RoleIDs = uniq(q.RoleIDs)
	q.MemberIDs = uniq(q.MemberIDs)
	var custom []string
	for _, r := range q.RoleIDs {
		if r != RoleOwner && r != RoleAdmin && r != RoleMember {
			custom = append(custom, r)
		}
	}
	for _, c := range []struct {
		field, table string
		ids          []string
	}{{"department_ids", "departments", q.DepartmentIDs}, {"role_ids", "roles", custom}, {"member_ids", "members", q.MemberIDs}} {
		if len(c.ids) == 0 {
			continue
		}
		n, err := s.st.countInOrg(ctx, c.table, orgID, c.ids)
		if err != nil {
			return nil, err
		}
		if n != len(c.ids) {
			return nil, apperr.InvalidField(c.field, "names something that is not in the organization")
		}
	}
	return s.st.audience(ctx, orgID, q, custom)
}

// HasDepartment reports whether id is a department of orgID.
func (s *Service) HasDepartment(ctx context.Context, orgID, id string) bool {
	n, err := s.st.countInOrg(ctx, "departments", orgID, []string{id})
	return err == nil && n == 1
}

func uniq(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Supervisor returns memberID's supervisor when they have one who is an
// active member of orgID (an empty list otherwise). It checks no caller.
func (s *Service) Supervisor(ctx context.Context, orgID, memberID string) ([]AudienceMember, error) {
	return s.st.supervisorOf(ctx, orgID, memberID)
}

// Leaders returns the active leaders of memberID's departments in orgID,
// memberID excluded, ordered by member id. It checks no caller.
func (s *Service) Leaders(ctx context.Context, orgID, memberID string) ([]AudienceMember, error) {
	return s.st.leadersOf(ctx, orgID, memberID)
}

// Leads reports whether memberID leads deptID, or a department of orgID
// above it. It checks no caller.
func (s *Service) Leads(ctx context.Context, orgID, memberID, deptID string) (bool, error) {
	led, err := s.st.ledDepartments(ctx, orgID, memberID)
	if err != nil {
		return false, err
	}
	for _, l := range led {
		if ok, err := s.st.deptWithin(ctx, orgID, l, deptID); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}
