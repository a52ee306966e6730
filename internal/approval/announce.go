package approval

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Events for other domains: when a built-in leave, overtime, trip or
// correction request is approved, approval appends "approval.approved"
// to the event log — attendance adjusts the day's result, the calendar
// shows leave as busy. The event is addressed to the applicant's account
// (so that no one else's stream carries it) and its form values are
// sealed with the organization's key, spliced in by the log's readers:
// {"request_id","builtin","applicant_id","member_id","form":{...}}.
// Approved requests are final, so "approval.revoked" is not sent yet.

// announced are the built-ins other domains hear about.
var announced = []string{"leave", "overtime", "trip", "correction"}

func approvedAAD(id string) string { return "approval_requests.approved:" + id }

// announceApproved appends approval.approved for a built-in request.
func (s *Service) announceApproved(ctx context.Context, st *state) error {
	if !slices.Contains(announced, st.builtin) {
		return nil
	}
	data := map[string]any{"request_id": st.req.ID, "builtin": st.builtin, "applicant_id": st.req.ApplicantID, "member_id": st.req.MemberID}
	form := s.open(ctx, st.req.FormKey, formAAD(st.req.ID), st.req.Form)
	if len(form) == 0 {
		form = []byte("{}")
	}
	if s.Sealer == nil {
		data["form"] = json.RawMessage(form)
		if _, err := events.Append(ctx, s.DB, st.req.OrgID, events.ScopeAccount, st.req.ApplicantID, "approval.approved", data); err != nil {
			return err
		}
	} else {
		members := append([]byte(`"form":`), form...)
		box, key, err := s.seal(ctx, st.req.OrgID, approvedAAD(st.req.ID), members)
		if err != nil {
			return err
		}
		if _, err := events.AppendSealed(ctx, s.DB, st.req.OrgID, events.ScopeAccount, st.req.ApplicantID, "approval.approved", data,
			&events.Sealed{Owner: key, AAD: approvedAAD(st.req.ID), Box: box}); err != nil {
			return err
		}
	}
	if s.Announced != nil {
		return s.Announced(ctx, st.req.ID)
	}
	return nil
}
