package audit

import (
	"net/http"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HandleList serves GET /api/v1/audit: the caller's organization's audit
// log, newest first. Query: limit, cursor, action (exact, or a prefix ending
// in "."), actor (account id), person (a member id: entries by or about
// them), target_kind, target_id, outcome, since and
// until (unix milliseconds).
func (s *Service) HandleList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := Filter{
		Action:         q.Get("action"),
		ActorAccountID: q.Get("actor"),
		Person:         q.Get("person"),
		TargetKind:     q.Get("target_kind"),
		TargetID:       q.Get("target_id"),
		Outcome:        q.Get("outcome"),
	}
	switch f.Outcome {
	case "", Success, Failure, Denied:
	default:
		return apperr.InvalidField("outcome", "outcome must be success, failure or denied")
	}
	before, err := ParseCursor(q.Get("cursor"))
	if err != nil {
		return err
	}
	f.Before = before
	ints := []struct {
		name string
		dst  *int64
	}{{"since", &f.Since}, {"until", &f.Until}}
	for _, p := range ints {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return apperr.InvalidField(p.name, p.name+" must be a non-negative whole number")
			}
			*p.dst = n
		}
	}
	page, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	f.Limit = page.Limit
	p, err := s.List(r.Context(), f)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleVerify serves GET /api/v1/audit/verify: whether the audit chain is
// intact (checked at most once a minute).
func (s *Service) HandleVerify(w http.ResponseWriter, r *http.Request) error {
	st, err := s.VerifyChain(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}
