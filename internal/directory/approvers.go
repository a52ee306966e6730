package directory

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Questions the approvals domain asks when it resolves who approves a
// request: the whole supervisor chain (vacancies included, so that they
// can be skipped and said so), a department's leaders up the tree, and
// what a member's conditions look at (departments with their ancestors,
// roles). None of them checks a caller: the domain asking has checked its
// own rights.

// ChainMember is one supervisor in a member's reporting line; Active is
// false for a vacancy (a supervisor who was deactivated or left).
type ChainMember struct {
	MemberID  string
	AccountID string
	Active    bool
}

// SupervisorLine returns memberID's supervisors in orgID, nearest first,
// inactive ones included.
func (s *Service) SupervisorLine(ctx context.Context, orgID, memberID string) ([]ChainMember, error) {
	ids, err := s.st.supervisorChain(ctx, orgID, memberID)
	if err != nil {
		return nil, err
	}
	out := make([]ChainMember, 0, len(ids))
	for _, id := range ids {
		m, err := s.st.getMember(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, ChainMember{MemberID: m.ID, AccountID: m.AccountID, Active: m.Status == StatusActive})
	}
	return out, nil
}

// DepartmentLeaders returns the active leaders of deptID in orgID; when
// it has none, those of the nearest department above it that has some.
// An unknown department has none.
func (s *Service) DepartmentLeaders(ctx context.Context, orgID, deptID string) ([]AudienceMember, error) {
	for i := 0; deptID != "" && i < 1000; i++ {
		ls, err := s.st.departmentLeaders(ctx, orgID, deptID)
		if err != nil || len(ls) > 0 {
			return ls, err
		}
		if deptID, err = s.st.parentOf(ctx, orgID, deptID); err != nil {
			return nil, err
		}
	}
	return []AudienceMember{}, nil
}

// MemberFacts is what approval conditions and templates look at of a
// member.
type MemberFacts struct {
	MemberID  string
	AccountID string
	Active    bool
	// Departments are the member's own departments, the first one (by
	// joining) first; WithAncestors adds every department above them.
	Departments   []string
	WithAncestors []string
	// Roles are the member's built-in role (owner, admin, member) and
	// custom role ids.
	Roles []string
}

// Facts returns what approvals need of a member of orgID (db.ErrNotFound
// when there is no such member).
func (s *Service) Facts(ctx context.Context, orgID, memberID string) (MemberFacts, error) {
	m, err := s.st.getMember(ctx, orgID, memberID)
	if err != nil {
		return MemberFacts{}, err
	}
	f := MemberFacts{MemberID: m.ID, AccountID: m.AccountID, Active: m.Status == StatusActive}
	if f.Departments, err = db.OrEmpty(s.st.memberDepartmentIDs(ctx, m.ID)); err != nil {
		return MemberFacts{}, err
	}
	if f.WithAncestors, err = s.st.departmentsAbove(ctx, orgID, f.Departments); err != nil {
		return MemberFacts{}, err
	}
	roles, err := s.st.memberRoleIDs(ctx, orgID, m.ID)
	if err != nil {
		return MemberFacts{}, err
	}
	f.Roles = append([]string{m.Role}, roles...)
	return f, nil
}

// AnyMemberOfAccount is accountID's member id in orgID whatever its
// state (left and deactivated members too), "" when there is none: for
// hooks that run as a person leaves.
func (s *Service) AnyMemberOfAccount(ctx context.Context, orgID, accountID string) string {
	m, err := s.getMemberByAccount(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return m.ID
}

// MemberOfAccount returns the id of accountID's active membership in
// orgID ("" when there is none).
func (s *Service) MemberOfAccount(ctx context.Context, orgID, accountID string) string {
	id, err := s.st.activeMemberID(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return id
}
