package directory

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Org is an organization: a company or team that invites people.
type Org struct {
	ID             string      `json:"id"`
	Name           string      `json:"name"`
	Region         string      `json:"region"`
	Industry       string      `json:"industry"`
	Size           string      `json:"size"`
	OwnerAccountID string      `json:"owner_account_id"`
	Status         string      `json:"status"`
	Settings       OrgSettings `json:"settings"`
	CreatedAt      int64       `json:"created_at"`
	UpdatedAt      int64       `json:"updated_at"`

	// companyGroupID is the conversation that is the company-wide group
	// ("" until the first member joins with the setting on).
	companyGroupID string
}

// OrgSettings are the organization-wide directory settings.
type OrgSettings struct {
	// JoinRequiresApproval makes invitations create join requests that an
	// admin approves or rejects.
	JoinRequiresApproval bool `json:"join_requires_approval"`
	// LockedProfileFields lists the built-in profile fields members may not
	// change themselves (display_name, work_phone, email, office).
	LockedProfileFields []string `json:"locked_profile_fields"`
	// RecallWindowSeconds is how long a sender may delete their own
	// message for everyone (10 seconds to 7 days; default 2 minutes).
	// Group owners and admins may delete any message at any time.
	RecallWindowSeconds int `json:"recall_window_seconds"`
	// PushContent is what a push notification to a closed app may say:
	// "hidden" (only that there is a message or a mention: the default),
	// "sender" (who wrote, and in which group) or "full" (the text too).
	PushContent string `json:"push_content"`
	// CompanyGroup adds everyone who joins to the organization's
	// company-wide group (an internal group named after the organization,
	// made with the first join). On for new organizations; turning it off
	// stops adding people and leaves the group as it is.
	CompanyGroup bool `json:"company_group"`
	// MentionAll is who may mention @all (@所有人) in the organization's
	// groups: "admins" (the group's owner and admins: the default),
	// "everyone" or "nobody".
	MentionAll string `json:"mention_all"`
}

// Who may mention @all in the organization's groups (OrgSettings.MentionAll).
const (
	MentionAllAdmins   = "admins"
	MentionAllEveryone = "everyone"
	MentionAllNobody   = "nobody"
)

// mentionAllOr is v, or the default for a row written without one.
func mentionAllOr(v string) string {
	if v == "" {
		return MentionAllAdmins
	}
	return v
}

// What push notifications may carry (OrgSettings.PushContent).
const (
	PushContentHidden = "hidden"
	PushContentSender = "sender"
	PushContentFull   = "full"
)

// pushContentOr is v, or the default for a row written without one.
func pushContentOr(v string) string {
	if v == "" {
		return PushContentHidden
	}
	return v
}

// DefaultRecallWindowSeconds is a new organization's recall window.
const DefaultRecallWindowSeconds = 120

// memberEditable are the built-in member fields a member may edit about
// themselves unless the organization locks them.
var memberEditable = []string{"display_name", "work_phone", "email", "office"}

// CreateOrgRequest creates an organization.
type CreateOrgRequest struct {
	Name     string `json:"name"`
	Region   string `json:"region,omitempty"`
	Industry string `json:"industry,omitempty"`
	Size     string `json:"size,omitempty"`
}

// UpdateOrgRequest renames an organization or changes its settings.
type UpdateOrgRequest struct {
	Name                 *string   `json:"name,omitempty"`
	Region               *string   `json:"region,omitempty"`
	Industry             *string   `json:"industry,omitempty"`
	Size                 *string   `json:"size,omitempty"`
	JoinRequiresApproval *bool     `json:"join_requires_approval,omitempty"`
	LockedProfileFields  *[]string `json:"locked_profile_fields,omitempty"`
	RecallWindowSeconds  *int      `json:"recall_window_seconds,omitempty"`
	PushContent          *string   `json:"push_content,omitempty"`
	MentionAll           *string   `json:"mention_all,omitempty"`
	CompanyGroup         *bool     `json:"company_group,omitempty"`
}

// TransferRequest hands the organization to another member; the owner proves
// their password again.
type TransferRequest struct {
	MemberID string `json:"member_id"`
	Password string `json:"password"`
}

// DisbandRequest disbands the organization; the owner proves their password
// again and types the organization's name.
type DisbandRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// SwitchOrgRequest changes the session's current organization ("" leaves
// every organization).
type SwitchOrgRequest struct {
	OrgID string `json:"org_id"`
}

// MyOrg is one of the caller's company identities.
type MyOrg struct {
	OrgID       string `json:"org_id"`
	Name        string `json:"name"`
	MemberID    string `json:"member_id"`
	Role        string `json:"role"`
	DisplayName string `json:"display_name"`
	Title       string `json:"title"`
	Current     bool   `json:"current"`
}

func validOrg(req CreateOrgRequest) (CreateOrgRequest, error) {
	var err error
	if req.Name, err = text("name", req.Name, 1, 100); err != nil {
		return req, err
	}
	if req.Region, err = text("region", req.Region, 0, 100); err != nil {
		return req, err
	}
	if req.Industry, err = text("industry", req.Industry, 0, 100); err != nil {
		return req, err
	}
	if req.Size, err = text("size", req.Size, 0, 50); err != nil {
		return req, err
	}
	return req, nil
}

// createOrg creates an organization owned by acc, with acc as its owner
// member, in ctx's transaction.
func (s *Service) createOrg(ctx context.Context, acc Account, req CreateOrgRequest) (Org, string, error) {
	req, err := validOrg(req)
	if err != nil {
		return Org{}, "", err
	}
	now := s.nowMS()
	o := Org{ID: ids.New("org"), Name: req.Name, Region: req.Region, Industry: req.Industry, Size: req.Size,
		OwnerAccountID: acc.ID, Status: "active", Settings: OrgSettings{LockedProfileFields: []string{}, RecallWindowSeconds: DefaultRecallWindowSeconds, PushContent: PushContentHidden, MentionAll: MentionAllAdmins, CompanyGroup: true}, CreatedAt: now, UpdatedAt: now}
	name := acc.Name
	if name == "" {
		name = acc.Email
	}
	m := memberRow{ID: ids.New("mem"), OrgID: o.ID, AccountID: acc.ID, Role: RoleOwner, Status: StatusActive,
		DisplayName: name, Email: acc.Email, CreatedAt: now, UpdatedAt: now}
	m.NamePinyin, m.NameInitials = pinyinOf(name)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.insertOrg(ctx, o); err != nil {
			return err
		}
		if err := s.insertMember(ctx, m); err != nil {
			return err
		}
		if err := s.joinCompanyGroup(ctx, o.ID, acc.ID); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, o.ID, "org.created", map[string]any{"org_id": o.ID}); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, acc.ID, "me.orgs_changed", map[string]any{"org_id": o.ID}); err != nil {
			return err
		}
		return s.audit(ctx, o.ID, "org.create", "org", o.ID, map[string]any{"name": o.Name})
	})
	return o, m.ID, err
}

// CreateOrg creates an organization owned by the caller and makes it the
// session's current organization.
func (s *Service) CreateOrg(ctx context.Context, req CreateOrgRequest) (Org, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return Org{}, err
	}
	acc, err := s.accounts.GetAccount(ctx, a.AccountID)
	if err != nil {
		return Org{}, err
	}
	var o Org
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if o, _, err = s.createOrg(ctx, acc, req); err != nil {
			return err
		}
		if a.SessionID != "" {
			return s.accounts.SetSessionOrg(ctx, a.SessionID, o.ID)
		}
		return nil
	})
	return o, err
}

// MyOrgs lists the caller's active memberships ("company identities").
func (s *Service) MyOrgs(ctx context.Context) ([]MyOrg, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	ms, names, err := s.st.myOrgs(ctx, a.AccountID)
	if err != nil {
		return nil, err
	}
	s.openMembers(ctx, ms)
	out := make([]MyOrg, len(ms))
	for i, m := range ms {
		out[i] = MyOrg{OrgID: m.OrgID, Name: names[i], MemberID: m.ID, Role: m.Role, DisplayName: m.DisplayName,
			Title: m.Title, Current: m.OrgID == a.OrgID}
	}
	// By name: the names are sealed, so they are sorted here.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SoleOrg returns the organization accountID is an active member of when
// it is exactly one, and "" otherwise: a new sign-in starts in it.
func (s *Service) SoleOrg(ctx context.Context, accountID string) (string, error) {
	orgs, _, err := s.st.myOrgs(ctx, accountID)
	if err != nil || len(orgs) != 1 {
		return "", err
	}
	return orgs[0].OrgID, nil
}

// SwitchOrg makes orgID the current organization of the caller's session.
func (s *Service) SwitchOrg(ctx context.Context, orgID string) (SwitchOrgResult, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return SwitchOrgResult{}, err
	}
	if a.SessionID == "" {
		return SwitchOrgResult{}, apperr.Forbidden("no_session", "only a session can switch organizations")
	}
	res := SwitchOrgResult{OrgID: orgID}
	if orgID != "" {
		mid, err := s.st.activeMemberID(ctx, orgID, a.AccountID)
		if errors.Is(err, db.ErrNotFound) {
			return res, apperr.ErrNotFound
		}
		if err != nil {
			return res, err
		}
		res.MemberID = mid
	}
	return res, s.accounts.SetSessionOrg(ctx, a.SessionID, orgID)
}

// SwitchOrgResult is the session's new organization.
type SwitchOrgResult struct {
	OrgID    string `json:"org_id"`
	MemberID string `json:"member_id"`
}

// PushContent is what push notifications about the organization's
// messages may say (OrgSettings.PushContent); "hidden" for an unknown or
// disbanded organization.
func (s *Service) PushContent(ctx context.Context, orgID string) string {
	o, err := s.st.getOrg(ctx, orgID)
	if err != nil {
		return PushContentHidden
	}
	return pushContentOr(o.Settings.PushContent)
}

// PushContentBetween is what a push about a direct message between two
// people may say: the strictest push_content of the organizations both are
// active members of, "hidden" when they share none.
func (s *Service) PushContentBetween(ctx context.Context, a, b string) string {
	as, _, err := s.st.myOrgs(ctx, a)
	if err != nil {
		return PushContentHidden
	}
	bs, _, err := s.st.myOrgs(ctx, b)
	if err != nil {
		return PushContentHidden
	}
	rank := map[string]int{PushContentHidden: 0, PushContentSender: 1, PushContentFull: 2}
	out := ""
	for _, ma := range as {
		for _, mb := range bs {
			if ma.OrgID != mb.OrgID {
				continue
			}
			v := s.PushContent(ctx, ma.OrgID)
			if out == "" || rank[v] < rank[out] {
				out = v
			}
		}
	}
	return pushContentOr(out)
}

// RecallWindow is how long a sender may delete their own message for
// everyone in conversations the organization owns (its setting); ok is
// false for an unknown or disbanded organization. Chat asks it when a
// sender deletes a message.
func (s *Service) RecallWindow(ctx context.Context, orgID string) (time.Duration, bool) {
	o, err := s.st.getOrg(ctx, orgID)
	if err != nil || o.Settings.RecallWindowSeconds <= 0 {
		return 0, false
	}
	return time.Duration(o.Settings.RecallWindowSeconds) * time.Second, true
}

// MentionAllPolicy is who may mention @all in the organization's groups
// (OrgSettings.MentionAll): "admins" for an unknown or disbanded
// organization. Chat asks it when a message mentions @all.
func (s *Service) MentionAllPolicy(ctx context.Context, orgID string) string {
	o, err := s.st.getOrg(ctx, orgID)
	if err != nil {
		return MentionAllAdmins
	}
	return mentionAllOr(o.Settings.MentionAll)
}

// CurrentOrg returns the caller's current organization.
func (s *Service) CurrentOrg(ctx context.Context) (Org, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Org{}, err
	}
	return s.st.getOrg(ctx, a.OrgID)
}

// UpdateOrg renames the current organization or changes its settings.
func (s *Service) UpdateOrg(ctx context.Context, req UpdateOrgRequest) (Org, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Org{}, err
	}
	if err := s.Authorize(ctx, perm.ManageOrg, ""); err != nil {
		return Org{}, err
	}
	var o Org
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.st.getOrg(ctx, a.OrgID); err != nil {
			return err
		}
		changed := map[string]any{}
		cur := CreateOrgRequest{Name: o.Name, Region: o.Region, Industry: o.Industry, Size: o.Size}
		if req.Name != nil {
			cur.Name, changed["name"] = *req.Name, true
		}
		if req.Region != nil {
			cur.Region, changed["region"] = *req.Region, true
		}
		if req.Industry != nil {
			cur.Industry, changed["industry"] = *req.Industry, true
		}
		if req.Size != nil {
			cur.Size, changed["size"] = *req.Size, true
		}
		if cur, err = validOrg(cur); err != nil {
			return err
		}
		o.Name, o.Region, o.Industry, o.Size = cur.Name, cur.Region, cur.Industry, cur.Size
		if req.JoinRequiresApproval != nil {
			o.Settings.JoinRequiresApproval, changed["join_requires_approval"] = *req.JoinRequiresApproval, *req.JoinRequiresApproval
		}
		if req.LockedProfileFields != nil {
			locked := []string{}
			for _, f := range *req.LockedProfileFields {
				if !slices.Contains(memberEditable, f) {
					return apperr.InvalidField("locked_profile_fields", "only display_name, work_phone, email and office can be locked").With("value", f)
				}
				if !slices.Contains(locked, f) {
					locked = append(locked, f)
				}
			}
			o.Settings.LockedProfileFields, changed["locked_profile_fields"] = locked, locked
		}
		if req.RecallWindowSeconds != nil {
			if v := *req.RecallWindowSeconds; v < 10 || v > 7*24*3600 {
				return apperr.InvalidField("recall_window_seconds", "the recall window is 10 seconds to 7 days (604800 seconds)").With("value", v)
			}
			o.Settings.RecallWindowSeconds, changed["recall_window_seconds"] = *req.RecallWindowSeconds, *req.RecallWindowSeconds
		}
		if req.PushContent != nil {
			switch v := *req.PushContent; v {
			case PushContentHidden, PushContentSender, PushContentFull:
				o.Settings.PushContent, changed["push_content"] = v, v
			default:
				return apperr.InvalidField("push_content", "push_content is hidden, sender or full").With("value", v)
			}
		}
		if req.MentionAll != nil {
			switch v := *req.MentionAll; v {
			case MentionAllAdmins, MentionAllEveryone, MentionAllNobody:
				o.Settings.MentionAll, changed["mention_all"] = v, v
			default:
				return apperr.InvalidField("mention_all", "mention_all is admins, everyone or nobody").With("value", v)
			}
		}
		turnedOn := false
		if req.CompanyGroup != nil {
			turnedOn = *req.CompanyGroup && !o.Settings.CompanyGroup
			o.Settings.CompanyGroup, changed["company_group"] = *req.CompanyGroup, *req.CompanyGroup
		}
		o.UpdatedAt = s.nowMS()
		if err := s.st.updateOrg(ctx, o); err != nil {
			return err
		}
		if turnedOn {
			if err := s.fillCompanyGroup(ctx, &o); err != nil {
				return err
			}
		}
		if err := s.orgEvent(ctx, o.ID, "org.updated", map[string]any{"org_id": o.ID}); err != nil {
			return err
		}
		return s.audit(ctx, o.ID, "org.update", "org", o.ID, changed)
	})
	return o, err
}

// reauth checks the caller's password for a dangerous action, recording a
// denied attempt in the audit log.
func (s *Service) reauth(ctx context.Context, orgID, action, password string) error {
	a, err := actor.Caller(ctx)
	if err != nil {
		return err
	}
	if password == "" {
		return apperr.InvalidField("password", "password is required to confirm this action")
	}
	if err := s.accounts.VerifyPassword(ctx, a.AccountID, password); err != nil {
		if k := apperr.KindOf(err); k == apperr.KindInternal || k == apperr.KindUnavailable {
			return err
		}
		s.auditDenied(ctx, orgID, action, "org", orgID, "reauthentication_failed")
		return apperr.Forbidden("reauthentication_failed", "the password is not correct")
	}
	return nil
}

// ownerOnly checks that the caller owns the current organization.
func (s *Service) ownerOnly(ctx context.Context, action string) (*Org, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.st.getOrg(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	if o.OwnerAccountID != a.AccountID {
		s.auditDenied(ctx, o.ID, action, "org", o.ID, "not_owner")
		return nil, apperr.Forbidden("owner_only", "only the owner of the organization can do this")
	}
	return &o, nil
}

// TransferOwnership makes another active member the owner; the old owner
// becomes an admin.
func (s *Service) TransferOwnership(ctx context.Context, req TransferRequest) (Org, error) {
	o, err := s.ownerOnly(ctx, "org.transfer")
	if err != nil {
		return Org{}, err
	}
	if err := s.reauth(ctx, o.ID, "org.transfer", req.Password); err != nil {
		return Org{}, err
	}
	a := actor.From(ctx)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		m, err := s.getMember(ctx, o.ID, req.MemberID)
		if err != nil {
			return err
		}
		if m.Status != StatusActive {
			return apperr.Conflict("member_not_active", "ownership can only go to an active member")
		}
		if m.AccountID == o.OwnerAccountID {
			return apperr.Conflict("already_owner", "this member already owns the organization")
		}
		now := s.nowMS()
		// First, and only while the caller still owns it: of two transfers
		// at once, one finds the organization handed over already.
		if err := s.st.setOrgOwner(ctx, o.ID, a.AccountID, m.AccountID, now); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return apperr.Conflict("owner_changed", "the organization was handed over meanwhile")
			}
			return err
		}
		if err := s.st.setMemberRole(ctx, o.ID, a.MemberID, RoleAdmin, now); err != nil {
			return err
		}
		if err := s.st.setMemberRole(ctx, o.ID, m.ID, RoleOwner, now); err != nil {
			return err
		}
		o.OwnerAccountID, o.UpdatedAt = m.AccountID, now
		if err := s.orgEvent(ctx, o.ID, "org.owner_changed", map[string]any{"org_id": o.ID, "member_id": m.ID}); err != nil {
			return err
		}
		return s.audit(ctx, o.ID, "org.transfer", "member", m.ID, map[string]any{"from_member_id": a.MemberID, "reauthenticated": true})
	})
	return *o, err
}

// DisbandOrg disbands the current organization: nobody acts in it any more.
// What happens to its data is decided by the privacy domain.
func (s *Service) DisbandOrg(ctx context.Context, req DisbandRequest) error {
	o, err := s.ownerOnly(ctx, "org.disband")
	if err != nil {
		return err
	}
	if req.Name != o.Name {
		return apperr.InvalidField("name", "type the organization's name to confirm")
	}
	if err := s.reauth(ctx, o.ID, "org.disband", req.Password); err != nil {
		return err
	}
	a := actor.From(ctx)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.disbandOrg(ctx, o.ID, s.nowMS()); err != nil {
			return err
		}
		if a.SessionID != "" {
			if err := s.accounts.SetSessionOrg(ctx, a.SessionID, ""); err != nil {
				return err
			}
		}
		if err := s.orgEvent(ctx, o.ID, "org.disbanded", map[string]any{"org_id": o.ID}); err != nil {
			return err
		}
		return s.audit(ctx, o.ID, "org.disband", "org", o.ID, map[string]any{"name": o.Name, "reauthenticated": true})
	})
}

// QuitOrg makes the caller leave their current organization. The owner must
// hand the organization over first.
func (s *Service) QuitOrg(ctx context.Context) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		m, err := s.getMember(ctx, a.OrgID, a.MemberID)
		if err != nil {
			return err
		}
		if m.Role == RoleOwner {
			return apperr.Conflict("owner_cannot_quit", "transfer ownership before leaving the organization")
		}
		if err := s.st.setMemberStatus(ctx, a.OrgID, m.ID, StatusLeft, s.nowMS()); err != nil {
			return err
		}
		// Whoever comes back joins as a plain member: an admin who quit
		// does not find their rights again.
		if err := s.st.dropPrivileges(ctx, a.OrgID, m.ID, s.nowMS()); err != nil {
			return err
		}
		if err := s.memberLeft(ctx, a.OrgID, a.AccountID); err != nil {
			return err
		}
		if a.SessionID != "" {
			if err := s.accounts.SetSessionOrg(ctx, a.SessionID, ""); err != nil {
				return err
			}
		}
		if err := s.accounts.EndOrgSessions(ctx, a.AccountID, a.OrgID); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "member.left", map[string]any{"member_id": m.ID}); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, a.AccountID, "me.orgs_changed", map[string]any{"org_id": a.OrgID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "member.quit", "member", m.ID, nil)
	})
}
