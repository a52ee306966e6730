package approval

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Moving a request along other paths than approval: back to an earlier
// step or to the applicant (who resubmits), to another approver
// (transfer), or past more approvers (加签, before or after oneself).

// ReturnInput is the body of POST /api/v1/approvals/{id}/return: ToStep
// is an earlier step, or "" for the applicant.
type ReturnInput struct {
	ToStep  string `json:"to_step"`
	Comment string `json:"comment"`
}

// ResubmitInput is the body of POST /api/v1/approvals/{id}/resubmit.
type ResubmitInput struct {
	Form   json.RawMessage     `json:"form"`
	Chosen map[string][]string `json:"chosen,omitempty"`
}

// TransferInput is the body of POST /api/v1/approvals/{id}/transfer.
type TransferInput struct {
	To      string `json:"to"`
	Comment string `json:"comment"`
}

// AddApproverInput is the body of POST /api/v1/approvals/{id}/add-approver.
type AddApproverInput struct {
	MemberIDs []string `json:"member_ids"`
	// Position is before (they approve before the caller decides) or
	// after (after the caller approves).
	Position string `json:"position"`
	Comment  string `json:"comment"`
}

// TaskReturned is the status of the task its approver returned.
const TaskReturned = "returned"

// Return sends a request back to an earlier step, whose approvers decide
// again, or to its applicant, who changes it and resubmits. The request
// starts a new round: the decisions before it stay in the timeline.
func (s *Service) Return(ctx context.Context, id string, in ReturnInput) (Request, error) {
	comment, err := safetext.Field("comment", in.Comment, 0, MaxComment, true)
	if err != nil {
		return Request{}, err
	}
	return s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		t, err := st.myTask(a.AccountID)
		if err != nil {
			return err
		}
		cur := st.stepOf(t.StepIdx)
		to := -1
		if in.ToStep != "" {
			to = slices.IndexFunc(st.steps, func(s stepRow) bool { return s.StepID == in.ToStep })
			if to < 0 || st.steps[to].Idx >= cur.Idx || st.steps[to].Status == StepSkipped {
				return apperr.InvalidField("to_step", "return to a step before this one that was not skipped")
			}
		}
		if err := s.note(ctx, st, a.AccountID, "returned", cur.StepID, comment, map[string]any{"to_step": in.ToStep}); err != nil {
			return err
		}
		box, key, err := s.sealComment(ctx, st.req.OrgID, taskAAD(t.ID), comment)
		if err != nil {
			return err
		}
		if _, err := decideTask(ctx, s.DB, t.ID, TaskReturned, []string{TaskPending}, box, key, s.now()); err != nil {
			return err
		}
		if err := closeOpenTasks(ctx, s.DB, st.req.ID, st.req.Round, s.now()); err != nil {
			return err
		}
		cur.Status, cur.DecidedAt = StepReturned, s.now()
		if err := setStep(ctx, s.DB, *cur); err != nil {
			return err
		}
		st.req.Round++
		st.tasks = nil
		if err := s.record(ctx, a.OrgID, "approval.return", "approval_request", st.req.ID, map[string]any{"to_step": in.ToStep}); err != nil {
			return err
		}
		if to < 0 {
			st.req.Status, st.req.CurrentStep = StatusReturned, ""
			st.todo = append(st.todo, st.req.ApplicantID)
			return nil
		}
		return s.rerun(ctx, st, st.steps[to].Idx)
	})
}

// rerun resolves a request's flow again from the step at idx on, with
// its form and choices, and moves it on from there.
func (s *Service) rerun(ctx context.Context, st *state, from int) error {
	steps, err := s.resolveFiled(ctx, st)
	if err != nil {
		return err
	}
	for i := range st.steps {
		sr := &st.steps[i]
		if sr.Idx < from || sr.Idx >= len(steps) {
			continue
		}
		r := steps[sr.Idx]
		sr.Status, sr.Reason, sr.ActivatedAt, sr.DecidedAt = StepWaiting, r.Reason, 0, 0
		if r.Skipped {
			sr.Status = StepSkipped
		}
		if err := setStep(ctx, s.DB, *sr); err != nil {
			return err
		}
	}
	if err := s.plan(ctx, st, steps, from); err != nil {
		return err
	}
	return s.advance(ctx, st)
}

// resolveFiled resolves a filed request's flow again, with its form and
// choices as they are now.
func (s *Service) resolveFiled(ctx context.Context, st *state) ([]resolvedStep, error) {
	v, err := getVersion(ctx, s.DB, st.req.OrgID, st.req.TemplateID, st.req.Version)
	if err != nil {
		return nil, err
	}
	app, err := s.Directory.Facts(ctx, st.req.OrgID, st.req.MemberID)
	if err != nil {
		return nil, apperr.MapNotFound(err)
	}
	form := Values{}
	_ = json.Unmarshal(s.open(ctx, st.req.FormKey, formAAD(st.req.ID), st.req.Form), &form)
	var chosen map[string][]string
	_ = json.Unmarshal([]byte(st.req.Chosen), &chosen)
	return s.resolve(ctx, st.req.OrgID, app, st.flow, schemaOf(v.Fields), form, chosen)
}

// Resubmit files a returned request again, with a changed form: its flow
// is resolved anew and starts from the first step.
func (s *Service) Resubmit(ctx context.Context, id string, in ResubmitInput) (Request, error) {
	return s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		if st.req.ApplicantID != a.AccountID {
			return apperr.Forbidden("not_applicant", "only the applicant resubmits a request")
		}
		if st.req.Status != StatusReturned {
			return apperr.Conflict("not_returned", "only a request returned to its applicant is resubmitted")
		}
		v, err := getVersion(ctx, s.DB, st.req.OrgID, st.req.TemplateID, st.req.Version)
		if err != nil {
			return err
		}
		files := &fileIDs{}
		values, err := schemaOf(v.Fields).Check(ctx, in.Form, resolver{s, a.OrgID, files})
		if err != nil {
			return err
		}
		if err := s.attach(ctx, a.OrgID, a.AccountID, st.req.ID, files.ids); err != nil {
			return err
		}
		if in.Chosen != nil {
			b, _ := json.Marshal(in.Chosen)
			st.req.Chosen = string(b)
		}
		var chosen map[string][]string
		_ = json.Unmarshal([]byte(st.req.Chosen), &chosen)
		app, err := s.facts(ctx, a)
		if err != nil {
			return err
		}
		steps, err := s.resolve(ctx, a.OrgID, app, st.flow, schemaOf(v.Fields), values, chosen)
		if err != nil {
			return err
		}
		form, _ := json.Marshal(values)
		if st.req.Form, st.req.FormKey, err = s.seal(ctx, a.OrgID, formAAD(st.req.ID), form); err != nil {
			return err
		}
		if err := deleteSteps(ctx, s.DB, st.req.ID); err != nil {
			return err
		}
		st.req.Status = StatusPending
		if err := s.start(ctx, st, steps, a.AccountID, "resubmitted"); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.resubmit", "approval_request", st.req.ID, nil)
	})
}

// Transfer hands the caller's task to another active member, in the
// caller's place.
func (s *Service) Transfer(ctx context.Context, id string, in TransferInput) (Request, error) {
	comment, err := safetext.Field("comment", in.Comment, 0, MaxComment, true)
	if err != nil {
		return Request{}, err
	}
	return s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		t, err := st.myTask(a.AccountID)
		if err != nil {
			return err
		}
		to, err := s.Directory.Audience(ctx, a.OrgID, Audience{MemberIDs: []string{in.To}})
		if err != nil || len(to) != 1 || in.To == "" {
			return apperr.InvalidField("to", "transfer to an active member of the organization")
		}
		if to[0].AccountID == a.AccountID {
			return apperr.InvalidField("to", "transfer to someone else")
		}
		if to[0].AccountID == st.req.ApplicantID {
			return apperr.InvalidField("to", "transfer to someone other than the applicant")
		}
		sr := st.stepOf(t.StepIdx)
		if err := s.note(ctx, st, a.AccountID, "transferred", sr.StepID, comment, map[string]any{"from": t.MemberID, "to": in.To}); err != nil {
			return err
		}
		if err := s.handOver(ctx, st, t, to[0], "transfer"); err != nil {
			return err
		}
		if err := s.advance(ctx, st); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.transfer", "approval_request", st.req.ID, map[string]any{"to": in.To})
	})
}

// AddApprover adds approvers to the caller's step: before the caller
// (they approve first, then the caller decides) or after (they approve
// once the caller did), one after another in the order given.
func (s *Service) AddApprover(ctx context.Context, id string, in AddApproverInput) (Request, error) {
	comment, err := safetext.Field("comment", in.Comment, 0, MaxComment, true)
	if err != nil {
		return Request{}, err
	}
	if in.Position != "before" && in.Position != "after" {
		return Request{}, apperr.InvalidField("position", "position is before or after")
	}
	if len(in.MemberIDs) == 0 || len(in.MemberIDs) > 20 {
		return Request{}, apperr.InvalidField("member_ids", "add 1 to 20 approvers")
	}
	return s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		t, err := st.myTask(a.AccountID)
		if err != nil {
			return err
		}
		ps, err := s.Directory.Audience(ctx, a.OrgID, Audience{MemberIDs: in.MemberIDs})
		if err != nil {
			return apperr.InvalidField("member_ids", "add active members of the organization")
		}
		var add []Person
		for _, id := range in.MemberIDs {
			i := slices.IndexFunc(ps, func(p Person) bool { return p.MemberID == id })
			if i < 0 || ps[i].AccountID == a.AccountID || slices.ContainsFunc(add, func(p Person) bool { return p.MemberID == id }) {
				continue
			}
			if ps[i].AccountID == st.req.ApplicantID {
				return apperr.InvalidField("member_ids", "the applicant cannot approve their own request").With("member_id", id)
			}
			if slices.ContainsFunc(st.tasks, func(o taskRow) bool { return o.StepIdx == t.StepIdx && o.ApproverID == ps[i].AccountID && open(o) }) {
				return apperr.Conflict("already_approver", "someone added already has a task on this step").With("member_id", id)
			}
			add = append(add, ps[i])
		}
		if len(add) == 0 {
			return apperr.InvalidField("member_ids", "add someone other than yourself")
		}
		sr := st.stepOf(t.StepIdx)
		if err := s.note(ctx, st, a.AccountID, "added_approver", sr.StepID, comment,
			map[string]any{"member_ids": in.MemberIDs, "position": in.Position}); err != nil {
			return err
		}
		me, mine := t.ID, t.Seq
		var behind []string
		for _, o := range st.tasks {
			if o.WaitsFor == me && open(o) {
				behind = append(behind, o.ID)
			}
		}
		prev := ""
		if in.Position == "after" {
			prev = me
		}
		for _, p := range add {
			status := TaskWaiting
			if prev == "" {
				status = TaskPending
			}
			n, err := s.newTask(ctx, st, sr.Idx, mine, p, status, prev, "add_"+in.Position)
			if err != nil {
				return err
			}
			prev = n.ID
		}
		if in.Position == "before" {
			if err := waitFor(ctx, s.DB, me, prev); err != nil {
				return err
			}
			if mt := st.task(me); mt != nil {
				mt.Status, mt.WaitsFor = TaskWaiting, prev
			}
		} else {
			for _, b := range behind {
				if err := waitFor(ctx, s.DB, b, prev); err != nil {
					return err
				}
				st.task(b).WaitsFor = prev
			}
		}
		if err := s.advance(ctx, st); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.add_approver", "approval_request", st.req.ID, map[string]any{"position": in.Position})
	})
}
