package approval

import (
	"context"
	"slices"
)

// Step timeouts: a step may say that after some hours its pending tasks
// remind their approver (remind) or go to the approver's supervisor
// (escalate). A task's due time is set when it becomes pending; the
// background job (approval.timeouts_due, every minute) handles what fell
// due, each task once even with several nodes (claimDue decides).

// Timeout actions.
const (
	TimeoutRemind   = "remind"
	TimeoutEscalate = "escalate"
)

// setDue gives a pending task its step's due time.
func (s *Service) setDue(ctx context.Context, st *state, t *taskRow) error {
	if t.Status != TaskPending {
		return nil
	}
	sr := st.stepOf(t.StepIdx)
	i := slices.IndexFunc(st.flow.Steps, func(fs Step) bool { return fs.ID == sr.StepID })
	if i < 0 || st.flow.Steps[i].Timeout == nil {
		return nil
	}
	return setTaskDue(ctx, s.DB, t.ID, t.ActivatedAt+int64(st.flow.Steps[i].Timeout.Hours)*3_600_000)
}

// TimeoutsDue handles the timeouts that fell due, each request in its
// own transaction, and returns how many tasks it handled.
func (s *Service) TimeoutsDue(ctx context.Context) (int, error) {
	due, err := dueTasks(ctx, s.DB, s.now(), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range due {
		err := s.DB.Tx(ctx, func(ctx context.Context) error {
			ok, err := claimDue(ctx, s.DB, t.ID, t.DueAt)
			if err != nil || !ok {
				return err
			}
			st, err := s.load(ctx, t.OrgID, t.RequestID)
			if err != nil {
				return err
			}
			cur := st.task(t.ID)
			if cur == nil || cur.Status != TaskPending || st.req.Status != StatusPending {
				return nil
			}
			sr := st.stepOf(cur.StepIdx)
			action := TimeoutRemind
			if i := slices.IndexFunc(st.flow.Steps, func(fs Step) bool { return fs.ID == sr.StepID }); i >= 0 && st.flow.Steps[i].Timeout != nil {
				action = st.flow.Steps[i].Timeout.Action
			}
			n++
			if action == TimeoutEscalate {
				sub, err := s.substitute(ctx, st.req.OrgID, Person{MemberID: cur.MemberID, AccountID: cur.ApproverID})
				if err != nil {
					return err
				}
				if sub.AccountID != "" && sub.AccountID != cur.ApproverID {
					if err := s.note(ctx, st, "", "escalated", sr.StepID, "", map[string]any{"from": cur.MemberID, "to": sub.MemberID}); err != nil {
						return err
					}
					if err := s.handOver(ctx, st, cur, sub, "escalated"); err != nil {
						return err
					}
					if err := s.advance(ctx, st); err != nil {
						return err
					}
					return s.save(ctx, st)
				}
			}
			if err := s.note(ctx, st, "", "reminded", sr.StepID, "", map[string]any{"approver": cur.MemberID}); err != nil {
				return err
			}
			if err := s.publish(ctx, st.req.OrgID, "approval.urged", map[string]string{"id": st.req.ID, "org_id": st.req.OrgID}, []string{cur.ApproverID}); err != nil {
				return err
			}
			return s.save(ctx, st)
		})
		if err != nil {
			s.Log.WarnContext(ctx, "approval: timeout", "task", t.ID, "err", err)
		}
	}
	return n, nil
}
