package approval

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Delegation while on leave: from From until Until, tasks that open for
// a member go to the member they chose instead, who acts on their behalf
// (the task keeps both). Times are unix milliseconds, like every time in
// the API; values below 10^11 are taken as unix seconds.

// Delegation is a member's delegation.
type Delegation struct {
	To    PersonRef `json:"to"`
	From  int64     `json:"from"`
	Until int64     `json:"until"`
	// Active is whether it applies now.
	Active bool `json:"active"`
}

// DelegationInput is the body of PUT /api/v1/approval-delegation.
type DelegationInput struct {
	To    string `json:"to"`
	From  int64  `json:"from"`
	Until int64  `json:"until"`
}

// DelegationState is the answer of GET /api/v1/approval-delegation:
// Delegation is null when there is none.
type DelegationState struct {
	Delegation *Delegation `json:"delegation"`
}

// millis reads a time in milliseconds, or in seconds when it is small.
func millis(v int64) int64 {
	if v > 0 && v < 100_000_000_000 {
		return v * 1000
	}
	return v
}

// SetDelegation sets the caller's delegation.
func (s *Service) SetDelegation(ctx context.Context, in DelegationInput) (DelegationState, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return DelegationState{}, err
	}
	from, until := millis(in.From), millis(in.Until)
	if from <= 0 || until <= from {
		return DelegationState{}, apperr.InvalidField("until", "a delegation ends after it starts")
	}
	to, err := s.Directory.Audience(ctx, a.OrgID, Audience{MemberIDs: []string{in.To}})
	if err != nil || in.To == "" || len(to) != 1 || to[0].AccountID == a.AccountID {
		return DelegationState{}, apperr.InvalidField("to", "delegate to another active member of the organization")
	}
	d := delegationRow{OrgID: a.OrgID, AccountID: a.AccountID, MemberID: a.MemberID, ToAccount: to[0].AccountID, ToMember: to[0].MemberID,
		FromAt: from, UntilAt: until, CreatedAt: s.now()}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := putDelegation(ctx, s.DB, d); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.delegate", "member", a.MemberID, map[string]any{"to": d.ToMember, "from": from, "until": until})
	})
	if err != nil {
		return DelegationState{}, err
	}
	return s.GetDelegation(ctx)
}

// GetDelegation returns the caller's delegation.
func (s *Service) GetDelegation(ctx context.Context) (DelegationState, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return DelegationState{}, err
	}
	d, err := getDelegation(ctx, s.DB, a.OrgID, a.AccountID)
	if errors.Is(err, db.ErrNotFound) {
		return DelegationState{}, nil
	}
	if err != nil {
		return DelegationState{}, err
	}
	n := &namer{s: s, orgID: a.OrgID, names: map[string]string{}}
	now := s.now()
	return DelegationState{Delegation: &Delegation{To: n.ref(d.ToAccount, d.ToMember), From: d.FromAt, Until: d.UntilAt,
		Active: d.FromAt <= now && now < d.UntilAt}}, nil
}

// DeleteDelegation ends the caller's delegation.
func (s *Service) DeleteDelegation(ctx context.Context) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := deleteDelegation(ctx, s.DB, a.OrgID, a.AccountID); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.delegate.end", "member", a.MemberID, nil)
	})
}

// delegate returns whom an approver's tasks go to now, if anyone: an
// active delegate of an active delegation.
func (s *Service) delegate(ctx context.Context, orgID, accountID string) (Person, bool, error) {
	d, err := getDelegation(ctx, s.DB, orgID, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return Person{}, false, nil
	}
	if err != nil {
		return Person{}, false, err
	}
	now := s.now()
	if now < d.FromAt || now >= d.UntilAt {
		return Person{}, false, nil
	}
	ps := s.activeMembers(ctx, orgID, []string{d.ToMember})
	if len(ps) == 0 {
		return Person{}, false, nil
	}
	return ps[0], true, nil
}
