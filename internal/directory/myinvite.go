package directory

import (
	"context"
	"errors"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// MyInvitation is an invitation addressed to the caller, as they see it:
// which organization, who invited them, until when.
type MyInvitation struct {
	ID        string `json:"id"`
	OrgID     string `json:"org_id"`
	OrgName   string `json:"org_name"`
	InvitedBy string `json:"invited_by"`
	ExpiresAt int64  `json:"expires_at"`
	CreatedAt int64  `json:"created_at"`
}

// MyInvitationList lists the invitations waiting for the caller's answer.
type MyInvitationList struct {
	Items []MyInvitation `json:"items"`
}

// MyInvitations lists the usable email invitations addressed to the caller
// (by account, or by their address when sent before they registered).
func (s *Service) MyInvitations(ctx context.Context) (MyInvitationList, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return MyInvitationList{}, err
	}
	acc, err := s.accounts.GetAccount(ctx, a.AccountID)
	if err != nil {
		return MyInvitationList{}, err
	}
	rows, err := s.st.invitationsFor(ctx, acc.ID, strings.ToLower(acc.Email), s.inviteEmailHash(acc.Email), s.nowMS())
	if err != nil {
		return MyInvitationList{}, err
	}
	out := MyInvitationList{Items: []MyInvitation{}}
	for _, r := range rows {
		o, err := s.st.getOrg(ctx, r.OrgID)
		if err != nil || o.Status != "active" {
			continue
		}
		if m, err := s.getMemberByAccount(ctx, r.OrgID, acc.ID); err == nil && m.Status == StatusActive {
			continue // already in: nothing to answer
		}
		out.Items = append(out.Items, MyInvitation{ID: r.ID, OrgID: r.OrgID, OrgName: o.Name, InvitedBy: s.inviterName(ctx, r),
			ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// inviterName is the name the inviting member has in the organization.
func (s *Service) inviterName(ctx context.Context, r invitationRow) string {
	m, err := s.getMemberByAccount(ctx, r.OrgID, r.CreatedBy)
	if err != nil {
		return ""
	}
	return m.DisplayName
}

// addressedInvitation loads an invitation addressed to the caller; any
// other answers exactly like a missing one.
func (s *Service) addressedInvitation(ctx context.Context, id string, acc Account) (invitationRow, error) {
	r, err := s.st.invitationByID(ctx, id)
	s.openInvitationEmail(ctx, &r)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (r.Kind != InviteEmail || !addressedTo(r, acc))) {
		return r, apperr.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	o, err := s.st.getOrg(ctx, r.OrgID)
	if err != nil || o.Status != "active" {
		return r, apperr.ErrNotFound
	}
	r.org = o
	return r, usable(r.Invitation, s.nowMS())
}

// AcceptInvitation makes the caller a member through an invitation
// addressed to them.
func (s *Service) AcceptInvitation(ctx context.Context, id string) (JoinResult, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return JoinResult{}, err
	}
	acc, err := s.accounts.GetAccount(ctx, a.AccountID)
	if err != nil {
		return JoinResult{}, err
	}
	var res JoinResult
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		r, err := s.addressedInvitation(ctx, id, acc)
		if err != nil {
			return err
		}
		return s.useInvitation(ctx, a, acc, r, "", &res)
	})
	return res, err
}

// DeclineInvitation turns down an invitation addressed to the caller: it
// can no longer be used, and the organization sees it declined.
func (s *Service) DeclineInvitation(ctx context.Context, id string) error {
	a, err := actor.Caller(ctx)
	if err != nil {
		return err
	}
	acc, err := s.accounts.GetAccount(ctx, a.AccountID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		r, err := s.addressedInvitation(ctx, id, acc)
		if err != nil {
			return err
		}
		if err := s.st.declineInvitation(ctx, r.ID, s.nowMS()); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, r.OrgID, "invitation.declined", map[string]any{"invitation_id": r.ID}); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, acc.ID, "me.invitations_changed", map[string]any{"invitation_id": r.ID}); err != nil {
			return err
		}
		return s.audit(ctx, r.OrgID, "invitation.decline", "invitation", r.ID, nil)
	})
}
