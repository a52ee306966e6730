package directory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Invitation kinds.
const (
	InviteLink  = "link"  // a shareable link (and QR code) plus a short team code
	InviteEmail = "email" // sent to one address; only that account may use it
)

// Invitation is a way into an organization.
type Invitation struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	Email        string `json:"email,omitempty"`
	DepartmentID string `json:"department_id"`
	CreatedBy    string `json:"created_by"`
	ExpiresAt    int64  `json:"expires_at"`
	// MaxUses is 0 for no limit.
	MaxUses   int   `json:"max_uses"`
	Uses      int   `json:"uses"`
	RevokedAt int64 `json:"revoked_at,omitempty"`
	// DeclinedAt is when the person it was addressed to declined it.
	DeclinedAt int64 `json:"declined_at,omitempty"`
	CreatedAt  int64 `json:"created_at"`
	// Status is active, expired, used_up, revoked or declined.
	Status string `json:"status"`
	// Link and Code are shown to those who manage invitations.
	Link string `json:"link,omitempty"`
	Code string `json:"code,omitempty"`

	// emailBox is Email sealed with the organization's key, emailHash its
	// keyed hash (sealed_requests.go).
	emailBox  []byte
	emailHash string
}

// CreateInvitationRequest creates an invitation.
type CreateInvitationRequest struct {
	Kind  string `json:"kind"`
	Email string `json:"email,omitempty"`
	// ExpiresInHours defaults to 7 days; at most 90 days.
	ExpiresInHours int `json:"expires_in_hours,omitempty"`
	// MaxUses defaults to 0 (no limit) for links and is 1 for emails.
	MaxUses      int    `json:"max_uses,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
}

// InvitationList lists invitations.
type InvitationList struct {
	Items []Invitation `json:"items"`
}

// JoinRequest uses an invitation: the link's token or the team code.
type JoinRequest struct {
	Token   string `json:"token,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// JoinResult says whether the caller joined or now waits for approval.
type JoinResult struct {
	// Status is "joined" or "pending".
	Status    string `json:"status"`
	OrgID     string `json:"org_id"`
	OrgName   string `json:"org_name"`
	MemberID  string `json:"member_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// InvitationPreview tells an invitee what they are joining.
type InvitationPreview struct {
	OrgName          string `json:"org_name"`
	RequiresApproval bool   `json:"requires_approval"`
	ExpiresAt        int64  `json:"expires_at"`
}

// JoinRequestItem is a request to join an organization awaiting an admin.
type JoinRequestItem struct {
	ID           string `json:"id"`
	OrgID        string `json:"org_id"`
	AccountID    string `json:"account_id"`
	InvitationID string `json:"invitation_id"`
	DisplayName  string `json:"display_name"`
	Message      string `json:"message"`
	// Status is pending, approved or rejected.
	Status    string `json:"status"`
	DecidedBy string `json:"decided_by,omitempty"`
	DecidedAt int64  `json:"decided_at,omitempty"`
	CreatedAt int64  `json:"created_at"`

	// nameBox and messageBox are DisplayName and Message sealed with the
	// person's key (sealed_requests.go).
	nameBox, messageBox []byte
}

// JoinRequestList lists join requests.
type JoinRequestList struct {
	Items []JoinRequestItem `json:"items"`
}

type inviteSecret struct {
	Token string `json:"t"`
	Code  string `json:"c"`
}

// codeAlphabet leaves out look-alikes (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func newCode() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// normCode uppercases a typed team code and drops spaces and dashes.
func normCode(c string) string {
	c = strings.ToUpper(c)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, c)
}

func tokenHash(t string) string {
	h := sha256.Sum256([]byte("atrium.invitation:" + t))
	return hex.EncodeToString(h[:])
}

func (s *Service) codeHash(c string) string { return s.keys.Hash("team_code", normCode(c)) }

func (s *Service) inviteLink(token string) string {
	return strings.TrimRight(s.baseURL, "/") + "/join?token=" + token
}

func (inv *Invitation) computeStatus(now int64) {
	switch {
	case inv.RevokedAt != 0:
		inv.Status = "revoked"
	case inv.DeclinedAt != 0:
		inv.Status = "declined"
	case inv.ExpiresAt <= now:
		inv.Status = "expired"
	case inv.MaxUses > 0 && inv.Uses >= inv.MaxUses:
		inv.Status = "used_up"
	default:
		inv.Status = "active"
	}
}

// reveal fills the link and code of an invitation from its sealed secret.
func (s *Service) reveal(ctx context.Context, orgID string, inv *Invitation, sealed []byte) error {
	b, err := s.keys.Open(ctx, orgID, "invitations.secret:"+inv.ID, sealed)
	if err != nil {
		return err
	}
	var sec inviteSecret
	if err := json.Unmarshal(b, &sec); err != nil {
		return err
	}
	inv.Link, inv.Code = s.inviteLink(sec.Token), sec.Code
	return nil
}

// CreateInvitation creates a link or email invitation. Email invitations
// are sent through the outbox.
func (s *Service) CreateInvitation(ctx context.Context, req CreateInvitationRequest) (Invitation, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Invitation{}, err
	}
	if err := s.gate(ctx, perm.ManageInvitations); err != nil {
		return Invitation{}, err
	}
	if req.DepartmentID != "" {
		if _, err := s.st.getDepartment(ctx, a.OrgID, req.DepartmentID); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return Invitation{}, apperr.InvalidField("department_id", "no such department")
			}
			return Invitation{}, err
		}
	}
	if err := s.Authorize(ctx, perm.ManageInvitations, req.DepartmentID); err != nil {
		return Invitation{}, err
	}
	hours := req.ExpiresInHours
	if hours == 0 {
		hours = 7 * 24
	}
	if hours < 1 || hours > 90*24 {
		return Invitation{}, apperr.InvalidField("expires_in_hours", "an invitation lasts between 1 hour and 90 days")
	}
	if req.MaxUses < 0 || req.MaxUses > 100000 {
		return Invitation{}, apperr.InvalidField("max_uses", "max_uses must be between 0 (no limit) and 100000")
	}
	return s.createInvitation(ctx, a.OrgID, a.AccountID, req, hours, nil, "")
}

// createInvitation stores an invitation (and mails it) in ctx's transaction.
// An email invitation is addressed to one person: to the account invitee
// when given (its address is then neither stored nor shown), else to the
// account registered with the email, if any, who also sees it in the app.
func (s *Service) createInvitation(ctx context.Context, orgID, by string, req CreateInvitationRequest, hours int, prefill *MemberPatch, invitee string) (Invitation, error) {
	now := s.nowMS()
	inv := Invitation{ID: ids.New("inv"), Kind: req.Kind, DepartmentID: req.DepartmentID, CreatedBy: by,
		ExpiresAt: now + int64(hours)*int64(time.Hour/time.Millisecond), MaxUses: req.MaxUses, CreatedAt: now}
	switch req.Kind {
	case InviteLink:
	case InviteEmail:
		inv.MaxUses = 1
		if invitee != "" {
			break
		}
		e, err := normEmail("email", req.Email)
		if err != nil {
			return inv, err
		}
		if e == "" {
			return inv, apperr.InvalidField("email", "email is required for an email invitation")
		}
		inv.Email = e
	default:
		return inv, apperr.InvalidField("kind", "kind must be link or email")
	}
	// Where the email goes: the address typed, or the invitee's own.
	to := inv.Email
	if inv.Kind == InviteEmail {
		if invitee != "" {
			if acc, err := s.accounts.GetAccount(ctx, invitee); err == nil {
				to = acc.Email
			} else if !apperr.IsNotFound(err) && !errors.Is(err, db.ErrNotFound) {
				return inv, err
			}
		} else if acc, err := s.accounts.AccountByEmail(ctx, inv.Email); err == nil {
			invitee = acc.ID
		} else if !apperr.IsNotFound(err) && !errors.Is(err, db.ErrNotFound) {
			return inv, err
		}
	}
	sec := inviteSecret{Token: ids.Token(24), Code: newCode()}
	b, _ := json.Marshal(sec)
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		sealed, err := s.keys.Seal(ctx, orgID, "invitations.secret:"+inv.ID, b)
		if err != nil {
			return err
		}
		if err := s.sealInvitationEmail(ctx, orgID, &inv); err != nil {
			return err
		}
		var pre []byte
		if prefill != nil {
			pb, _ := json.Marshal(prefill)
			if pre, err = s.keys.Seal(ctx, orgID, "invitations.prefill:"+inv.ID, pb); err != nil {
				return err
			}
		}
		if err := s.st.insertInvitation(ctx, orgID, inv, tokenHash(sec.Token), s.codeHash(sec.Code), sealed, pre, invitee); err != nil {
			return err
		}
		inv.Link, inv.Code = s.inviteLink(sec.Token), sec.Code
		inv.computeStatus(now)
		if inv.Kind == InviteEmail && to != "" {
			o, err := s.st.getOrg(ctx, orgID)
			if err != nil {
				return err
			}
			if s.mail == nil {
				return apperr.Internalf("directory: no mailer")
			}
			body := fmt.Sprintf("You are invited to join %s on Atrium.\n\nOpen this link to join:\n%s\n\nOr enter the team code %s after signing in.\n"+
				"If you already have an account, you can also accept or decline the invitation in Atrium.\n\nThe invitation expires on %s.\n",
				o.Name, inv.Link, inv.Code, time.UnixMilli(inv.ExpiresAt).UTC().Format("2006-01-02 15:04 UTC"))
			if err := s.mail(ctx, to, "Invitation to join "+o.Name, body); err != nil {
				return err
			}
		}
		if inv.Kind == InviteEmail && invitee != "" {
			if err := s.accountEvent(ctx, invitee, "me.invitations_changed", map[string]any{"invitation_id": inv.ID}); err != nil {
				return err
			}
		}
		if err := s.orgEvent(ctx, orgID, "invitation.created", map[string]any{"invitation_id": inv.ID}); err != nil {
			return err
		}
		return s.audit(ctx, orgID, "invitation.create", "invitation", inv.ID, map[string]any{"kind": inv.Kind, "max_uses": inv.MaxUses, "expires_at": inv.ExpiresAt, "department_id": inv.DepartmentID})
	})
	return inv, err
}

// ListInvitations lists the organization's invitations, newest first.
func (s *Service) ListInvitations(ctx context.Context) (InvitationList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return InvitationList{}, err
	}
	if err := s.Authorize(ctx, perm.ManageInvitations, ""); err != nil {
		return InvitationList{}, err
	}
	rows, err := s.st.listInvitations(ctx, a.OrgID)
	if err != nil {
		return InvitationList{}, err
	}
	now := s.nowMS()
	out := InvitationList{Items: make([]Invitation, 0, len(rows))}
	for _, r := range rows {
		s.openInvitationEmail(ctx, &r)
		inv := r.Invitation
		inv.computeStatus(now)
		if err := s.reveal(ctx, a.OrgID, &inv, r.secret); err != nil {
			s.log.WarnContext(ctx, "open invitation secret", "invitation_id", inv.ID, "err", err)
		}
		out.Items = append(out.Items, inv)
	}
	return out, nil
}

// GetInvitation returns one invitation with its link and code.
func (s *Service) GetInvitation(ctx context.Context, id string) (Invitation, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Invitation{}, err
	}
	r, err := s.st.getInvitation(ctx, a.OrgID, id)
	if err != nil {
		return Invitation{}, err
	}
	// Invitations are not readable without the permission: 404, like a
	// missing one.
	if err := hidden(s.Authorize(ctx, perm.ManageInvitations, r.DepartmentID)); err != nil {
		return Invitation{}, err
	}
	s.openInvitationEmail(ctx, &r)
	inv := r.Invitation
	inv.computeStatus(s.nowMS())
	if err := s.reveal(ctx, a.OrgID, &inv, r.secret); err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// RevokeInvitation makes an invitation unusable.
func (s *Service) RevokeInvitation(ctx context.Context, id string) (Invitation, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		r, err := s.st.getInvitation(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		// Invitations are not readable without the permission: 404.
		if err := hidden(s.Authorize(ctx, perm.ManageInvitations, r.DepartmentID)); err != nil {
			return err
		}
		s.openInvitationEmail(ctx, &r)
		inv = r.Invitation
		if inv.RevokedAt == 0 {
			inv.RevokedAt = s.nowMS()
			if err := s.st.revokeInvitation(ctx, a.OrgID, inv.ID, inv.RevokedAt); err != nil {
				return err
			}
			if err := s.orgEvent(ctx, a.OrgID, "invitation.revoked", map[string]any{"invitation_id": inv.ID}); err != nil {
				return err
			}
			if err := s.audit(ctx, a.OrgID, "invitation.revoke", "invitation", inv.ID, nil); err != nil {
				return err
			}
		}
		inv.computeStatus(s.nowMS())
		return nil
	})
	return inv, err
}

// findInvitation looks an invitation up by token or code and explains why
// it cannot be used.
func (s *Service) findInvitation(ctx context.Context, req JoinRequest) (invitationRow, error) {
	var r invitationRow
	var err error
	switch {
	case req.Token != "":
		r, err = s.st.invitationByToken(ctx, tokenHash(req.Token))
	case req.Code != "":
		r, err = s.st.invitationByCode(ctx, s.codeHash(req.Code))
	default:
		return r, apperr.InvalidField("token", "token or code is required")
	}
	if errors.Is(err, db.ErrNotFound) {
		return r, apperr.New(apperr.KindNotFound, "invitation_not_found", "no such invitation")
	}
	if err != nil {
		return r, err
	}
	s.openInvitationEmail(ctx, &r)
	o, err := s.st.getOrg(ctx, r.OrgID)
	if err != nil || o.Status != "active" {
		return r, apperr.New(apperr.KindNotFound, "invitation_not_found", "no such invitation")
	}
	r.org = o
	return r, usable(r.Invitation, s.nowMS())
}

func usable(inv Invitation, now int64) error {
	inv.computeStatus(now)
	switch inv.Status {
	case "revoked":
		return apperr.New(apperr.KindGone, "invitation_revoked", "this invitation has been revoked")
	case "expired":
		return apperr.New(apperr.KindGone, "invitation_expired", "this invitation has expired")
	case "used_up":
		return apperr.New(apperr.KindGone, "invitation_used_up", "this invitation has been used as many times as it allows")
	case "declined":
		return apperr.New(apperr.KindGone, "invitation_declined", "this invitation has been declined")
	}
	return nil
}

// PreviewInvitation tells a signed-in person what an invitation is for.
func (s *Service) PreviewInvitation(ctx context.Context, req JoinRequest) (InvitationPreview, error) {
	if _, err := actor.Caller(ctx); err != nil {
		return InvitationPreview{}, err
	}
	r, err := s.findInvitation(ctx, req)
	if err != nil {
		return InvitationPreview{}, err
	}
	return InvitationPreview{OrgName: r.org.Name, RequiresApproval: r.org.Settings.JoinRequiresApproval && r.Kind != InviteEmail, ExpiresAt: r.ExpiresAt}, nil
}

// LinkPreview is what anyone holding an invitation link may learn before
// they have an account: the organization it is from and whether it can
// still be used (status active, revoked, expired, used_up or declined), so
// that a dead link says so before sign-up rather than after.
type LinkPreview struct {
	OrgName          string `json:"org_name"`
	Status           string `json:"status"`
	RequiresApproval bool   `json:"requires_approval"`
	ExpiresAt        int64  `json:"expires_at"`
}

// PreviewLink answers for an invitation link's token, signed in or not.
// The token is the secret the organization handed out, so its holder
// learns the organization's name; team codes, short enough to guess, are
// previewed only signed in (PreviewInvitation). Unknown tokens, and those
// of disbanded organizations, answer 404 invitation_not_found.
func (s *Service) PreviewLink(ctx context.Context, token string) (LinkPreview, error) {
	if token == "" || len(token) > 200 {
		return LinkPreview{}, apperr.InvalidField("token", "token is required")
	}
	r, err := s.findInvitation(ctx, JoinRequest{Token: token})
	if err != nil && apperr.KindOf(err) != apperr.KindGone {
		return LinkPreview{}, err
	}
	r.computeStatus(s.nowMS())
	return LinkPreview{OrgName: r.org.Name, Status: r.Status, RequiresApproval: r.org.Settings.JoinRequiresApproval && r.Kind != InviteEmail,
		ExpiresAt: r.ExpiresAt}, nil
}

// Join uses an invitation. When the organization requires approval, the
// caller gets a pending join request; otherwise they become a member.
func (s *Service) Join(ctx context.Context, req JoinRequest) (JoinResult, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return JoinResult{}, err
	}
	msg, err := text("message", req.Message, 0, 500)
	if err != nil {
		return JoinResult{}, err
	}
	acc, err := s.accounts.GetAccount(ctx, a.AccountID)
	if err != nil {
		return JoinResult{}, err
	}
	var res JoinResult
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		r, err := s.findInvitation(ctx, req)
		if err != nil {
			return err
		}
		return s.useInvitation(ctx, a, acc, r, msg, &res)
	})
	return res, err
}

// addressedTo reports whether invitation r is meant for acc: email
// invitations only for the person they were sent to.
func addressedTo(r invitationRow, acc Account) bool {
	if r.Kind != InviteEmail {
		return true
	}
	if r.invitee != "" {
		return r.invitee == acc.ID
	}
	return strings.EqualFold(r.Email, acc.Email)
}

// useInvitation lets acc in through invitation r, in ctx's transaction. An
// email invitation was addressed to this person by an admin, so it admits
// them at once; links and team codes wait for an admin's approval when the
// organization requires it.
func (s *Service) useInvitation(ctx context.Context, a *actor.Actor, acc Account, r invitationRow, msg string, res *JoinResult) error {
	res.OrgID, res.OrgName = r.OrgID, r.org.Name
	if !addressedTo(r, acc) {
		return apperr.Forbidden("invitation_email_mismatch", "this invitation was sent to another email address")
	}
	if m, err := s.getMemberByAccount(ctx, r.OrgID, acc.ID); err == nil {
		switch m.Status {
		case StatusActive:
			return apperr.Conflict("already_member", "you are already a member of this organization")
		case StatusDeactivated:
			return apperr.Forbidden("member_deactivated", "your membership of this organization is deactivated")
		}
	}
	ok, err := s.st.useInvitation(ctx, r.ID, s.nowMS())
	if err != nil {
		return err
	}
	if !ok {
		return apperr.New(apperr.KindGone, "invitation_used_up", "this invitation has been used as many times as it allows")
	}
	if r.org.Settings.JoinRequiresApproval && r.Kind != InviteEmail {
		jr := JoinRequestItem{ID: ids.New("jrq"), OrgID: r.OrgID, AccountID: acc.ID, InvitationID: r.ID, DisplayName: acc.Name, Message: msg, Status: "pending", CreatedAt: s.nowMS()}
		if err := s.sealJoinRequest(ctx, &jr); err != nil {
			return err
		}
		if err := s.st.insertJoinRequest(ctx, jr); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("join_request_pending", "you already asked to join; an admin will decide")
			}
			return err
		}
		res.Status, res.RequestID = "pending", jr.ID
		if err := s.orgEvent(ctx, r.OrgID, "join_request.created", map[string]any{"request_id": jr.ID}); err != nil {
			return err
		}
		return s.audit(ctx, r.OrgID, "join_request.create", "join_request", jr.ID, map[string]any{"invitation_id": r.ID})
	}
	m, err := s.admit(ctx, r, acc)
	if err != nil {
		return err
	}
	res.Status, res.MemberID = "joined", m.ID
	// A session in no organization yet goes straight into the new one.
	if a.OrgID == "" && a.SessionID != "" {
		if err := s.accounts.SetSessionOrg(ctx, a.SessionID, r.OrgID); err != nil {
			return err
		}
	}
	if r.invitee != "" {
		if err := s.accountEvent(ctx, r.invitee, "me.invitations_changed", map[string]any{"invitation_id": r.ID}); err != nil {
			return err
		}
	}
	return s.audit(ctx, r.OrgID, "member.join", "member", m.ID, map[string]any{"invitation_id": r.ID})
}

// admit makes acc a member through invitation r, applying what the
// invitation prepared (department, imported profile).
func (s *Service) admit(ctx context.Context, r invitationRow, acc Account) (memberRow, error) {
	ctx = asSystem(ctx)
	m, err := s.joinAccount(ctx, r.OrgID, acc, []string{r.DepartmentID})
	if err != nil {
		return m, err
	}
	if len(r.prefill) > 0 {
		b, err := s.keys.Open(ctx, r.OrgID, "invitations.prefill:"+r.ID, r.prefill)
		if err != nil {
			return m, err
		}
		var p MemberPatch
		if err := json.Unmarshal(b, &p); err != nil {
			return m, err
		}
		// Each try in a savepoint: a refused write (a unique employee
		// number another invitation's person took first) must not abort
		// the joining transaction (PostgreSQL), nor leave half a profile.
		try := func(p MemberPatch) error {
			saved := m
			err := s.savepointed(ctx, func(ctx context.Context) error {
				_, err := s.applyPatch(ctx, &m, p, true)
				return err
			})
			if err != nil {
				m = saved
			}
			return err
		}
		err = try(p)
		if err != nil && p.SupervisorID != nil {
			// The supervisor may have left since: the rest still applies.
			p.SupervisorID = nil
			err = try(p)
		}
		if err != nil && p.EmployeeNo != nil {
			// Nor does an employee number someone else has since.
			p.EmployeeNo = nil
			err = try(p)
		}
		if err != nil {
			// A prepared profile that no longer fits (say a department
			// was deleted) must not keep the person out.
			s.log.WarnContext(ctx, "apply invitation profile", "invitation_id", r.ID, "err", err)
		}
	}
	return m, nil
}

// ListJoinRequests lists the organization's join requests (pending first).
func (s *Service) ListJoinRequests(ctx context.Context, status string) (JoinRequestList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return JoinRequestList{}, err
	}
	if err := s.Authorize(ctx, perm.ManageInvitations, ""); err != nil {
		return JoinRequestList{}, err
	}
	switch status {
	case "", "pending", "approved", "rejected", "all":
	default:
		return JoinRequestList{}, apperr.InvalidField("status", "status must be pending, approved, rejected or all")
	}
	if status == "" {
		status = "pending"
	}
	items, err := s.st.listJoinRequests(ctx, "org_id", a.OrgID, status)
	s.openJoinRequests(ctx, items)
	return JoinRequestList{Items: items}, err
}

// MyJoinRequests lists the caller's own join requests.
func (s *Service) MyJoinRequests(ctx context.Context) (JoinRequestList, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return JoinRequestList{}, err
	}
	items, err := s.st.listJoinRequests(ctx, "account_id", a.AccountID, "all")
	s.openJoinRequests(ctx, items)
	return JoinRequestList{Items: items}, err
}

// DecideJoinRequest approves (the person becomes a member) or rejects a
// pending join request.
func (s *Service) DecideJoinRequest(ctx context.Context, id string, approve bool) (JoinRequestItem, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return JoinRequestItem{}, err
	}
	var jr JoinRequestItem
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		// Join requests are not readable without the permission: 404, like
		// a missing one.
		if err := hidden(s.Authorize(ctx, perm.ManageInvitations, "")); err != nil {
			return err
		}
		var err error
		if jr, err = s.st.getJoinRequest(ctx, a.OrgID, id); err != nil {
			return err
		}
		s.openJoinRequest(ctx, &jr)
		if jr.Status != "pending" {
			return apperr.Conflict("join_request_decided", "this request has already been decided")
		}
		jr.Status, jr.DecidedBy, jr.DecidedAt = "rejected", a.MemberID, s.nowMS()
		action := "join_request.reject"
		if approve {
			jr.Status, action = "approved", "join_request.approve"
			acc, err := s.accounts.GetAccount(ctx, jr.AccountID)
			if err != nil {
				return err
			}
			r := invitationRow{}
			r.OrgID = a.OrgID
			if jr.InvitationID != "" {
				if ir, err := s.st.getInvitation(ctx, a.OrgID, jr.InvitationID); err == nil {
					r = ir
				}
			}
			if _, err := s.admit(ctx, r, acc); err != nil {
				return err
			}
		}
		if err := s.st.decideJoinRequest(ctx, jr); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "join_request.decided", map[string]any{"request_id": jr.ID, "status": jr.Status}); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, jr.AccountID, "me.join_request_decided", map[string]any{"request_id": jr.ID, "status": jr.Status}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, action, "join_request", jr.ID, map[string]any{"account_id": jr.AccountID})
	})
	return jr, err
}

type systemKey struct{}

// asSystem marks ctx as the directory acting on its own (applying what an
// admin prepared earlier), so that department placement is not checked
// against the joining person's own rights.
func asSystem(ctx context.Context) context.Context { return context.WithValue(ctx, systemKey{}, true) }

func isSystem(ctx context.Context) bool { v, _ := ctx.Value(systemKey{}).(bool); return v }
