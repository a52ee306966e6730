package approval

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// People's actions on a request. Each runs in one transaction that locks
// the request first, so concurrent actions on one request happen one
// after another and each sees the outcome of the one before.

// DecisionInput is the body of approve and reject.
type DecisionInput struct {
	Comment string `json:"comment"`
}

// MaxComment bounds a decision's comment.
const MaxComment = 2000

// act runs fn on a request the caller may see, under its lock, then
// saves it and returns it as the caller sees it.
func (s *Service) act(ctx context.Context, id string, fn func(ctx context.Context, a *actor.Actor, st *state) error) (Request, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Request{}, err
	}
	var done *state
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.visible(ctx, a, id); err != nil {
			return err
		}
		st, err := s.load(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := fn(ctx, a, st); err != nil {
			return err
		}
		done = st
		return s.save(ctx, st)
	})
	if err != nil {
		return Request{}, err
	}
	s.sendCards(ctx, a.AccountID, done)
	return s.Get(ctx, id)
}

// myTask returns the caller's pending task on the active step: 409
// step_closed when their task was closed (by someone else's decision),
// 409 not_pending when the request ended, 403 not_your_turn otherwise.
func (st *state) myTask(accountID string) (*taskRow, error) {
	var last *taskRow
	for i := range st.tasks {
		t := &st.tasks[i]
		if t.ApproverID != accountID {
			continue
		}
		if t.Status == TaskPending && st.req.Status == StatusPending {
			return t, nil
		}
		last = t
	}
	switch {
	case last != nil && last.Status == TaskWaiting && st.req.Status == StatusPending:
		return nil, errNotYourTurn
	case last != nil && last.Status != TaskWaiting:
		return nil, errStepClosed
	case st.req.Status != StatusPending:
		return nil, errNotPending
	}
	return nil, errNotYourTurn
}

// Approve approves the caller's task on a request.
func (s *Service) Approve(ctx context.Context, id string, in DecisionInput) (Request, error) {
	return s.decide(ctx, id, in, TaskApproved)
}

// Reject rejects a request at the caller's step; the flow stops.
func (s *Service) Reject(ctx context.Context, id string, in DecisionInput) (Request, error) {
	return s.decide(ctx, id, in, TaskRejected)
}

func (s *Service) decide(ctx context.Context, id string, in DecisionInput, status string) (Request, error) {
	comment, err := safetext.Field("comment", in.Comment, 0, MaxComment, true)
	if err != nil {
		return Request{}, err
	}
	return s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		t, err := st.myTask(a.AccountID)
		if err != nil {
			return err
		}
		stepID := st.stepOf(t.StepIdx).StepID
		if err := s.note(ctx, st, a.AccountID, status, stepID, comment, nil); err != nil {
			return err
		}
		if err := s.approve(ctx, st, t, status, comment); err != nil {
			return err
		}
		if status == TaskApproved {
			if err := s.advance(ctx, st); err != nil {
				return err
			}
		}
		// Literal action names: the vocabulary catalog reads them.
		action := "approval.reject"
		if status == TaskApproved {
			action = "approval.approve"
		}
		return s.record(ctx, a.OrgID, action, "approval_request", st.req.ID, map[string]any{"step_id": stepID})
	})
}

// Withdraw withdraws the caller's own request while it is pending (409
// not_pending once it was decided).
func (s *Service) Withdraw(ctx context.Context, id string) (Request, error) {
	return s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		if st.req.ApplicantID != a.AccountID {
			return apperr.Forbidden("not_applicant", "only the applicant withdraws a request")
		}
		if st.req.Status != StatusPending && st.req.Status != StatusReturned {
			return errNotPending
		}
		if err := s.finish(ctx, st, StatusWithdrawn); err != nil {
			return err
		}
		if err := s.note(ctx, st, a.AccountID, "withdrawn", "", "", nil); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.withdraw", "approval_request", st.req.ID, nil)
	})
}
