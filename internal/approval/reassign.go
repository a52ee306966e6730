package approval

import (
	"context"
	"slices"
)

// When an approver leaves the organization (deactivated, removed or
// quit), the directory tells approvals in the same transaction
// (MemberLeft): each task still waiting for them goes to their active
// supervisor or, when they have none, to the first of the organization's
// approval admins, and the request's timeline says so. Steps not reached
// yet are handled when they open (openStep).

// MemberLeft reassigns a leaver's open tasks.
func (s *Service) MemberLeft(ctx context.Context, orgID, accountID string) error {
	tasks, err := openTasksOf(ctx, s.DB, orgID, accountID)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, t := range tasks {
		if done[t.RequestID] {
			continue
		}
		done[t.RequestID] = true
		st, err := s.load(ctx, orgID, t.RequestID)
		if err != nil {
			return err
		}
		if err := s.reassign(ctx, st, accountID); err != nil {
			return err
		}
		if err := s.save(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// reassign moves a leaver's open tasks of a request to who takes over.
func (s *Service) reassign(ctx context.Context, st *state, accountID string) error {
	for i := range st.tasks {
		t := st.tasks[i]
		if t.ApproverID != accountID || !open(t) {
			continue
		}
		sub, err := s.substitute(ctx, st.req.OrgID, Person{MemberID: t.MemberID, AccountID: t.ApproverID})
		if err != nil {
			return err
		}
		sr := st.stepOf(t.StepIdx)
		detail := map[string]any{"from": t.MemberID, "to": sub.MemberID, "reason": "left"}
		if err := s.note(ctx, st, "", "reassigned", sr.StepID, "", detail); err != nil {
			return err
		}
		if err := s.handOver(ctx, st, &st.tasks[i], sub, "reassigned"); err != nil {
			return err
		}
	}
	return s.advance(ctx, st)
}

// handOver closes a task as transferred and gives it to someone else,
// with its place in the step: the tasks waiting for it wait for the new
// one. When that person already has an open task on the step, theirs
// stands for both; with nobody to take over the task is skipped.
func (s *Service) handOver(ctx context.Context, st *state, t *taskRow, to Person, origin string) error {
	now := s.now()
	status := TaskTransferred
	if to.AccountID == "" {
		status = TaskSkipped
	}
	if _, err := decideTask(ctx, s.DB, t.ID, status, []string{TaskPending, TaskWaiting}, nil, "", now); err != nil {
		return err
	}
	was := t.Status
	t.Status, t.DecidedAt = status, now
	sr := st.stepOf(t.StepIdx)
	if i := slices.IndexFunc(st.tasks, func(o taskRow) bool {
		return o.StepIdx == t.StepIdx && o.ApproverID == to.AccountID && open(o)
	}); i >= 0 || to.AccountID == "" {
		target := ""
		if i >= 0 {
			target = st.tasks[i].ID
		}
		if err := rewait(ctx, s.DB, st.req.ID, t.ID, target); err != nil {
			return err
		}
		for k := range st.tasks {
			if st.tasks[k].WaitsFor == t.ID {
				st.tasks[k].WaitsFor = target
				if target == "" && st.tasks[k].Status == TaskWaiting {
					if err := activateTask(ctx, s.DB, st.tasks[k].ID, now); err != nil {
						return err
					}
					st.tasks[k].Status, st.tasks[k].ActivatedAt = TaskPending, now
					st.todo = append(st.todo, st.tasks[k].ApproverID)
				}
			}
		}
		if !slices.ContainsFunc(st.tasks, func(o taskRow) bool { return o.StepIdx == sr.Idx && open(o) }) {
			return s.closeStep(ctx, st, sr, StepApproved)
		}
		return nil
	}
	old := t.ID
	n, err := s.newTask(ctx, st, t.StepIdx, t.Seq, to, was, t.WaitsFor, origin)
	if err != nil {
		return err
	}
	for k := range st.tasks {
		if st.tasks[k].WaitsFor == old && st.tasks[k].ID != n.ID {
			st.tasks[k].WaitsFor = n.ID
		}
	}
	return rewait(ctx, s.DB, st.req.ID, old, n.ID)
}
