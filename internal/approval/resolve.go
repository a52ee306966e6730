package approval

import (
	"context"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Resolving a flow: which steps apply to this request (their conditions
// on the form and the applicant), and who approves each — members, a
// role, the supervisor chain (vacancies skipped), department leaders, or
// whom the applicant chose. A step that resolves to nobody is skipped; if
// no step is left to approve, the request goes to the organization's
// approval admins.

// Reasons a step is skipped, or where its approvers came from.
const (
	ReasonCondition  = "condition"
	ReasonNoApprover = "no_approver"
	ReasonAdmins     = "approval_admins"
)

// resolvedStep is one step of a flow for one request.
type resolvedStep struct {
	Step
	Skipped bool
	Reason  string
	People  []Person
	// Vacancies are supervisors skipped because they left.
	Vacancies int
}

// applicantOf returns what conditions look at of an applicant.
func applicantOf(f Facts) Applicant {
	return Applicant{DepartmentIDs: f.WithAncestors, RoleIDs: f.Roles}
}

// resolve resolves a flow for an applicant and their form values.
func (s *Service) resolve(ctx context.Context, orgID string, app Facts, f Flow, schema Schema, v Values, chosen map[string][]string) ([]resolvedStep, error) {
	out := make([]resolvedStep, 0, len(f.Steps))
	for _, st := range f.Steps {
		r := resolvedStep{Step: st}
		if st.When != nil && !st.When.Match(schema, v, applicantOf(app)) {
			r.Skipped, r.Reason = true, ReasonCondition
			out = append(out, r)
			continue
		}
		people, vac, err := s.approversOf(ctx, orgID, app, st, chosen[st.ID])
		if err != nil {
			return nil, err
		}
		r.People, r.Vacancies = people, vac
		if len(people) == 0 {
			r.Skipped, r.Reason = true, ReasonNoApprover
		}
		out = append(out, r)
	}
	open := slices.ContainsFunc(out, func(r resolvedStep) bool { return !r.Skipped })
	if i := slices.IndexFunc(out, func(r resolvedStep) bool { return r.Reason == ReasonNoApprover }); !open && i >= 0 {
		admins, err := s.admins(ctx, orgID)
		if err != nil {
			return nil, err
		}
		if len(admins) > 0 {
			out[i].People, out[i].Skipped, out[i].Reason, out[i].Mode = admins, false, ReasonAdmins, ModeAny
		}
	}
	return out, nil
}

// admins are the organization's approval admins: its owner and admins
// (the directory's built-in roles "owner" and "admin").
func (s *Service) admins(ctx context.Context, orgID string) ([]Person, error) {
	return s.Directory.Audience(ctx, orgID, Audience{RoleIDs: []string{"owner", "admin"}})
}

// approversOf resolves one step's approvers, each once.
func (s *Service) approversOf(ctx context.Context, orgID string, app Facts, st Step, chosen []string) ([]Person, int, error) {
	ap := st.Approvers
	var people []Person
	vacancies := 0
	switch ap.Type {
	case TypeMembers:
		people = s.activeMembers(ctx, orgID, ap.MemberIDs)
	case TypeRole:
		ps, err := s.Directory.Audience(ctx, orgID, Audience{RoleIDs: []string{ap.RoleID}})
		if apperr.KindOf(err) != apperr.KindInvalid {
			if err != nil {
				return nil, 0, err
			}
			people = ps
		}
	case TypeSupervisor:
		chain, err := s.Directory.Supervisors(ctx, orgID, app.MemberID)
		if err != nil {
			return nil, 0, err
		}
		for _, l := range chain {
			if len(people) == ap.Levels {
				break
			}
			if !l.Active {
				vacancies++
				continue
			}
			people = append(people, l.Person)
		}
	case TypeDepartmentLeaders:
		dept := ap.DepartmentID
		if dept == "" && len(app.Departments) > 0 {
			dept = app.Departments[0]
		}
		if dept != "" {
			ps, err := s.Directory.DepartmentLeaders(ctx, orgID, dept)
			if err != nil {
				return nil, 0, err
			}
			people = ps
		}
	case TypeApplicantChoice:
		if len(chosen) == 0 || (!ap.Multiple && len(chosen) > 1) || len(chosen) > 20 {
			return nil, 0, apperr.InvalidField("chosen", "choose the approvers of this step").With("step", st.ID)
		}
		// Nobody approves their own request by choosing themselves (with
		// auto_approve.applicant it would pass without anyone's look).
		if slices.Contains(chosen, app.MemberID) {
			return nil, 0, apperr.InvalidField("chosen", "choose someone other than yourself").With("step", st.ID)
		}
		ps, err := s.Directory.Audience(ctx, orgID, Audience{MemberIDs: chosen})
		if err != nil {
			return nil, 0, apperr.InvalidField("chosen", "choose active members of the organization").With("step", st.ID)
		}
		// In the order chosen.
		for _, id := range chosen {
			if i := slices.IndexFunc(ps, func(p Person) bool { return p.MemberID == id }); i >= 0 {
				people = append(people, ps[i])
			}
		}
	}
	return dedupe(people), vacancies, nil
}

// activeMembers returns the active ones of ids, in order; those who left
// are passed over.
func (s *Service) activeMembers(ctx context.Context, orgID string, ids []string) []Person {
	var out []Person
	for _, id := range ids {
		if ps, err := s.Directory.Audience(ctx, orgID, Audience{MemberIDs: []string{id}}); err == nil {
			out = append(out, ps...)
		}
	}
	return out
}

func dedupe(ps []Person) []Person {
	out := make([]Person, 0, len(ps))
	for _, p := range ps {
		if !slices.ContainsFunc(out, func(q Person) bool { return q.AccountID == p.AccountID }) {
			out = append(out, p)
		}
	}
	return out
}
