package approval_test

import (
	"context"
	"slices"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// org is a directory for tests and benchmarks that need no server: its
// people, every caller a manager, and boss supervising everyone else (and
// the organization's only admin).
type org struct {
	people []approval.Person
	boss   approval.Person
	others []approval.Person // members who are neither (the benchmark's other supervisors)
}

func (o *org) all() []approval.Person {
	return append(append(slices.Clone(o.people), o.others...), o.boss)
}

func (o *org) Authorize(context.Context, perm.Permission, string) error { return nil }

func (o *org) Audience(_ context.Context, _ string, a approval.Audience) ([]approval.Person, error) {
	if len(a.RoleIDs) > 0 {
		return []approval.Person{o.boss}, nil
	}
	var out []approval.Person
	for _, id := range a.MemberIDs {
		i := slices.IndexFunc(o.all(), func(p approval.Person) bool { return p.MemberID == id })
		if i < 0 {
			return nil, apperr.InvalidField("member_ids", "not in the organization")
		}
		out = append(out, o.all()[i])
	}
	return out, nil
}

func (o *org) Supervisors(_ context.Context, _, memberID string) ([]approval.Link, error) {
	if memberID == o.boss.MemberID {
		return nil, nil
	}
	return []approval.Link{{Person: o.boss, Active: true}}, nil
}

func (o *org) DepartmentLeaders(context.Context, string, string) ([]approval.Person, error) {
	return []approval.Person{o.boss}, nil
}

func (o *org) Facts(_ context.Context, _, memberID string) (approval.Facts, error) {
	for _, p := range o.all() {
		if p.MemberID == memberID {
			return approval.Facts{MemberID: p.MemberID, AccountID: p.AccountID, Active: true, Departments: []string{}, WithAncestors: []string{},
				Roles: []string{"member"}}, nil
		}
	}
	return approval.Facts{}, apperr.ErrNotFound
}

func (o *org) Member(_ context.Context, _, accountID string) string {
	for _, p := range o.all() {
		if p.AccountID == accountID {
			return p.MemberID
		}
	}
	return ""
}

func (o *org) Name(context.Context, string, string) string { return "" }
