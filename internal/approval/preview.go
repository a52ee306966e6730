package approval

import (
	"context"
	"encoding/json"

	"github.com/atrium-hq/atrium/internal/platform/actor"
)

// Preview: the flow a request would take if the caller filed it now.

// PreviewInput is the body of POST /api/v1/approval-templates/{id}/preview.
type PreviewInput struct {
	Form   json.RawMessage     `json:"form"`
	Chosen map[string][]string `json:"chosen,omitempty"`
}

// ResolvedStep is one step of a previewed flow.
type ResolvedStep struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Mode      string      `json:"mode"`
	Approvers []PersonRef `json:"approvers"`
	Skipped   bool        `json:"skipped"`
	// Reason says why a step is skipped (condition, no_approver) or where
	// its approvers came from (approval_admins).
	Reason string `json:"reason"`
}

// PreviewResult is the flow a request would take.
type PreviewResult struct {
	Steps []ResolvedStep `json:"steps"`
}

// Preview resolves a template's flow for the caller and a draft of the
// form. Approver choices not made yet leave their step without
// approvers rather than failing.
func (s *Service) Preview(ctx context.Context, id string, in PreviewInput) (PreviewResult, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return PreviewResult{}, err
	}
	t, err := s.loadTemplate(ctx, a.OrgID, id)
	if err != nil {
		return PreviewResult{}, err
	}
	if err := s.mayFile(ctx, a, t); err != nil {
		return PreviewResult{}, err
	}
	values, err := checkForm(ctx, Schema(t.Fields), in.Form, resolver{s, a.OrgID})
	if err != nil {
		return PreviewResult{}, err
	}
	app, err := s.facts(ctx, a)
	if err != nil {
		return PreviewResult{}, err
	}
	flow := flowOf(t.Flow)
	steps, err := s.resolvePreview(ctx, a.OrgID, app, flow, Schema(t.Fields), values, orEmptyMap(in.Chosen))
	if err != nil {
		return PreviewResult{}, err
	}
	n := &namer{s: s, orgID: a.OrgID, names: map[string]string{}}
	out := PreviewResult{Steps: make([]ResolvedStep, 0, len(steps))}
	for _, r := range steps {
		rs := ResolvedStep{ID: r.ID, Name: r.Name, Mode: r.Mode, Approvers: []PersonRef{}, Skipped: r.Skipped, Reason: r.Reason}
		for _, p := range r.People {
			rs.Approvers = append(rs.Approvers, n.ref(p.AccountID, p.MemberID))
		}
		out.Steps = append(out.Steps, rs)
	}
	return out, nil
}

// resolvePreview is resolve, with applicant_choice steps that have no
// choice yet resolved to nobody instead of refused.
func (s *Service) resolvePreview(ctx context.Context, orgID string, app Facts, f Flow, schema Schema, v Values, chosen map[string][]string) ([]resolvedStep, error) {
	for i, st := range f.Steps {
		if st.Approvers.Type == TypeApplicantChoice && len(chosen[st.ID]) == 0 {
			f.Steps[i].Approvers = Approvers{Type: TypeMembers}
		}
	}
	return s.resolve(ctx, orgID, app, f, schema, v, chosen)
}
