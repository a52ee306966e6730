package approval

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Urging (催办): the applicant reminds the current approvers, at most once
// an hour.

var errUrgedRecently = apperr.New(apperr.KindRateLimited, "urged_recently", "you urged the approvers of this request less than an hour ago")

// Urge reminds the approvers a pending request waits for.
func (s *Service) Urge(ctx context.Context, id string) error {
	_, err := s.act(ctx, id, func(ctx context.Context, a *actor.Actor, st *state) error {
		if st.req.ApplicantID != a.AccountID {
			return apperr.Forbidden("not_applicant", "only the applicant urges a request")
		}
		if st.req.Status != StatusPending {
			return errNotPending
		}
		now := s.now()
		if st.req.UrgedAt != 0 && now-st.req.UrgedAt < urgeEvery {
			return errUrgedRecently.With("retry_at", st.req.UrgedAt+urgeEvery)
		}
		st.req.UrgedAt = now
		var to []string
		for _, t := range st.tasks {
			if t.Status == TaskPending {
				to = append(to, t.ApproverID)
			}
		}
		if err := s.note(ctx, st, a.AccountID, "urged", st.req.CurrentStep, "", nil); err != nil {
			return err
		}
		return s.publish(ctx, st.req.OrgID, "approval.urged", map[string]string{"id": st.req.ID, "org_id": st.req.OrgID}, to)
	})
	return err
}
