package directory

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Member is an account's identity inside one organization, as the caller may
// see it.
type Member struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Role      string `json:"role"`
	Status    string `json:"status"`
	// Anonymized is true once the organization's leave policy anonymized
	// the person who held this membership: the row keeps no link to them
	// and can never be reactivated.
	Anonymized   bool                       `json:"anonymized,omitempty"`
	DisplayName  string                     `json:"display_name"`
	NamePinyin   string                     `json:"name_pinyin"`
	Title        string                     `json:"title"`
	TitleLevel   int                        `json:"title_level"`
	EmployeeNo   string                     `json:"employee_no"`
	WorkPhone    string                     `json:"work_phone"`
	Email        string                     `json:"email"`
	Office       string                     `json:"office"`
	JoinDate     string                     `json:"join_date"`
	SupervisorID string                     `json:"supervisor_id"`
	Departments  []MemberDepartment         `json:"departments"`
	Fields       map[string]json.RawMessage `json:"fields"`
	// RoleIDs are the custom roles; shown to those who manage members.
	RoleIDs []string `json:"role_ids,omitempty"`
	// MissingRequired lists required custom fields without a value; shown
	// to the member and to those who manage members.
	MissingRequired []string `json:"missing_required,omitempty"`
	// PhotoVersion is set when the member's person has a profile photo:
	// GET /api/v1/people/{account_id}/photo?size=96|512&v=….
	PhotoVersion string `json:"photo_version,omitempty"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

// MemberDepartment is one of a member's departments.
type MemberDepartment struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Leader bool   `json:"leader"`
}

// MemberPatch changes a member. Absent fields stay as they are.
type MemberPatch struct {
	DisplayName   *string                    `json:"display_name,omitempty"`
	Title         *string                    `json:"title,omitempty"`
	TitleLevel    *int                       `json:"title_level,omitempty"`
	EmployeeNo    *string                    `json:"employee_no,omitempty"`
	WorkPhone     *string                    `json:"work_phone,omitempty"`
	Email         *string                    `json:"email,omitempty"`
	Office        *string                    `json:"office,omitempty"`
	JoinDate      *string                    `json:"join_date,omitempty"`
	SupervisorID  *string                    `json:"supervisor_id,omitempty"`
	DepartmentIDs *[]string                  `json:"department_ids,omitempty"`
	Fields        map[string]json.RawMessage `json:"fields,omitempty"`
}

// anonymized reports whether the person behind the row was anonymized: the
// privacy center replaces the account id with a tombstone id.
func (r memberRow) anonymized() bool { return ids.HasPrefix(r.AccountID, "tmb") }

// AddMemberRequest adds an existing account (by email or account id) to the
// organization.
type AddMemberRequest struct {
	Email         string                     `json:"email,omitempty"`
	AccountID     string                     `json:"account_id,omitempty"`
	DisplayName   string                     `json:"display_name,omitempty"`
	Title         string                     `json:"title,omitempty"`
	TitleLevel    int                        `json:"title_level,omitempty"`
	EmployeeNo    string                     `json:"employee_no,omitempty"`
	WorkPhone     string                     `json:"work_phone,omitempty"`
	WorkEmail     string                     `json:"work_email,omitempty"`
	Office        string                     `json:"office,omitempty"`
	JoinDate      string                     `json:"join_date,omitempty"`
	SupervisorID  string                     `json:"supervisor_id,omitempty"`
	DepartmentIDs []string                   `json:"department_ids,omitempty"`
	Fields        map[string]json.RawMessage `json:"fields,omitempty"`
}

func (r AddMemberRequest) patch() MemberPatch {
	p := MemberPatch{Fields: r.Fields}
	set := func(dst **string, v string) {
		if v != "" {
			*dst = &v
		}
	}
	set(&p.DisplayName, r.DisplayName)
	set(&p.Title, r.Title)
	set(&p.EmployeeNo, r.EmployeeNo)
	set(&p.WorkPhone, r.WorkPhone)
	set(&p.Email, r.WorkEmail)
	set(&p.Office, r.Office)
	set(&p.JoinDate, r.JoinDate)
	set(&p.SupervisorID, r.SupervisorID)
	if r.TitleLevel != 0 {
		p.TitleLevel = &r.TitleLevel
	}
	if r.DepartmentIDs != nil {
		p.DepartmentIDs = &r.DepartmentIDs
	}
	return p
}

// SearchRequest filters the member list.
type SearchRequest struct {
	// Q matches the name, full pinyin or pinyin initials of Chinese names,
	// title, department name, employee number, email, or (exactly) the work
	// phone number.
	Q string
	// DepartmentID limits to one department (and its subtree if Recursive).
	DepartmentID string
	Recursive    bool
	// Status is active (default), deactivated, left or all; only those who
	// manage members see other than active.
	Status string
	Cursor string
	Limit  int
}

// MemberPage is one page of members.
type MemberPage struct {
	Items      []Member `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// viewer says what the caller may see of members.
type viewer struct {
	orgID    string
	memberID string
	admin    bool // manage_members organization-wide, or for the member's departments
}

// sealPhone seals a work phone with the organization's key, bound to the
// member row.
func (s *Service) sealPhone(ctx context.Context, orgID, memberID, phone string) ([]byte, string, error) {
	if phone == "" {
		return nil, "", nil
	}
	b, err := s.keys.Seal(ctx, orgID, "members.work_phone:"+memberID, []byte(phone))
	if err != nil {
		return nil, "", err
	}
	return b, s.keys.Hash("work_phone", phone), nil
}

func (s *Service) openPhone(ctx context.Context, orgID, memberID string, sealed []byte) string {
	if len(sealed) == 0 {
		return ""
	}
	p, err := s.keys.Open(ctx, orgID, "members.work_phone:"+memberID, sealed)
	if err != nil {
		s.log.WarnContext(ctx, "open work phone", "member_id", memberID, "err", err)
		return ""
	}
	return string(p)
}

// views turns rows into what v may see.
func (s *Service) views(ctx context.Context, v viewer, rows []memberRow) ([]Member, error) {
	out := make([]Member, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	idl := make([]string, len(rows))
	for i, r := range rows {
		idl[i] = r.ID
	}
	depts, err := s.st.departmentsOfMembers(ctx, idl)
	if err != nil {
		return nil, err
	}
	vals, err := s.fieldValues(ctx, rows)
	if err != nil {
		return nil, err
	}
	fields, err := s.st.listFields(ctx, v.orgID)
	if err != nil {
		return nil, err
	}
	accs := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.AccountID != "" {
			accs = append(accs, r.AccountID)
		}
	}
	photos := s.photoVersions(ctx, accs)
	var roles map[string][]string
	if v.admin {
		if roles, err = s.st.customRolesOfMembers(ctx, idl); err != nil {
			return nil, err
		}
	}
	for _, r := range rows {
		self := r.ID == v.memberID
		m := Member{
			ID: r.ID, AccountID: r.AccountID, Role: r.Role, Status: r.Status, DisplayName: r.DisplayName,
			NamePinyin: r.NamePinyin, Title: r.Title, TitleLevel: r.TitleLevel, EmployeeNo: r.EmployeeNo,
			WorkPhone: s.openPhone(ctx, r.OrgID, r.ID, r.WorkPhone), Email: r.Email, Office: r.Office,
			JoinDate: r.JoinDate, SupervisorID: r.SupervisorID, Departments: depts[r.ID],
			Fields: map[string]json.RawMessage{}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
			Anonymized: r.anonymized(), PhotoVersion: photos[r.AccountID],
		}
		if m.Departments == nil {
			m.Departments = []MemberDepartment{}
		}
		for _, f := range fields {
			val, has := vals[r.ID][f.ID]
			if f.Visibility == VisibleAdmins && !v.admin && !self {
				continue
			}
			if has {
				m.Fields[f.ID] = json.RawMessage(val)
			} else if f.Required && (v.admin || self) {
				m.MissingRequired = append(m.MissingRequired, f.ID)
			}
		}
		if v.admin {
			m.RoleIDs = roles[r.ID]
			if m.RoleIDs == nil {
				m.RoleIDs = []string{}
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, v viewer, r memberRow) (Member, error) {
	ms, err := s.views(ctx, v, []memberRow{r})
	if err != nil {
		return Member{}, err
	}
	return ms[0], nil
}

// visibleMember loads a member of the caller's organization that the caller
// may see: active members for everyone, others only for those who manage
// members. Anything else is not found.
func (s *Service) visibleMember(ctx context.Context, id string) (memberRow, viewer, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return memberRow{}, viewer{}, err
	}
	r, err := s.getMember(ctx, a.OrgID, id)
	if err != nil {
		return r, viewer{}, err
	}
	admin, err := s.canMember(ctx, perm.ManageMembers, r.ID)
	if err != nil {
		return r, viewer{}, err
	}
	if r.Status != StatusActive && !admin {
		return r, viewer{}, apperr.ErrNotFound
	}
	return r, viewer{orgID: a.OrgID, memberID: a.MemberID, admin: admin}, nil
}

// GetMember returns a member of the caller's organization.
func (s *Service) GetMember(ctx context.Context, id string) (Member, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Member{}, err
	}
	if id == "me" {
		id = a.MemberID
	}
	r, v, err := s.visibleMember(ctx, id)
	if err != nil {
		return Member{}, err
	}
	return s.view(ctx, v, r)
}

// SearchMembers lists and searches the caller's organization's members.
func (s *Service) SearchMembers(ctx context.Context, req SearchRequest) (MemberPage, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return MemberPage{}, err
	}
	admin, err := s.can(ctx, perm.ManageMembers, req.DepartmentID)
	if err != nil {
		return MemberPage{}, err
	}
	switch req.Status {
	case "", StatusActive:
		req.Status = StatusActive
	case StatusDeactivated, StatusLeft, "all":
		if !admin {
			return MemberPage{}, apperr.ErrForbidden
		}
	default:
		return MemberPage{}, apperr.InvalidField("status", "status must be active, deactivated, left or all")
	}
	if req.DepartmentID != "" {
		if _, err := s.st.getDepartment(ctx, a.OrgID, req.DepartmentID); err != nil {
			return MemberPage{}, err
		}
	}
	c, err := httpx.ParseCursor(req.Cursor, nil)
	if err != nil {
		return MemberPage{}, err
	}
	limit := pageLimit(req.Limit)
	q := memberQuery{orgID: a.OrgID, status: req.Status, dept: req.DepartmentID, recursive: req.Recursive, afterKey: c.Key, afterID: c.ID, limit: limit + 1}
	if t := strings.TrimSpace(req.Q); t != "" {
		if len([]rune(t)) > 100 {
			return MemberPage{}, apperr.InvalidField("q", "the query is too long")
		}
		q.text = t
		q.compact = strings.ToLower(strings.Join(strings.Fields(t), ""))
		if p, ok := looksLikePhone(t); ok {
			q.phoneHash = s.keys.Hash("work_phone", p)
		}
		if q.deptIDs, err = s.st.departmentsMatching(ctx, a.OrgID, t); err != nil {
			return MemberPage{}, err
		}
	}
	rows, err := s.st.searchMembers(ctx, q)
	s.openMembers(ctx, rows)
	if err != nil {
		return MemberPage{}, err
	}
	page := MemberPage{}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.NextCursor = httpx.Cursor{Key: last.NamePinyin, ID: last.ID}.String()
	}
	page.Items, err = s.views(ctx, viewer{orgID: a.OrgID, memberID: a.MemberID, admin: admin}, rows)
	return page, err
}

// AddMember invites a person — by email, or by the account id of someone
// the caller has met — to the caller's organization, with the profile the
// request prepares. Nobody becomes a member without accepting: the person
// gets the invitation by email and, if they have an account, in the app.
// The answer is the same whether or not an account exists, so that the
// route tells nobody who is registered; the invitation shows no address the
// caller did not type.
func (s *Service) AddMember(ctx context.Context, req AddMemberRequest) (Invitation, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Invitation{}, err
	}
	// Organization-wide right, or the right for every department the new
	// member goes into.
	if len(req.DepartmentIDs) == 0 {
		if err := s.Authorize(ctx, perm.ManageMembers, ""); err != nil {
			return Invitation{}, err
		}
	}
	for _, d := range req.DepartmentIDs {
		if err := s.Authorize(ctx, perm.ManageMembers, d); err != nil {
			return Invitation{}, err
		}
	}
	invReq := CreateInvitationRequest{Kind: InviteEmail}
	invitee := ""
	switch {
	case req.AccountID != "" && req.Email != "":
		return Invitation{}, apperr.InvalidField("email", "give email or account_id, not both")
	case req.AccountID != "":
		if !ids.HasPrefix(req.AccountID, "acc") {
			return Invitation{}, apperr.InvalidField("account_id", "account_id must be an account id")
		}
		invitee = req.AccountID
	case req.Email != "":
		e, err := normEmail("email", req.Email)
		if err != nil {
			return Invitation{}, err
		}
		invReq.Email = e
	default:
		return Invitation{}, apperr.InvalidField("email", "email or account_id is required")
	}
	p := req.patch()
	if err := s.checkPatch(ctx, a.OrgID, p); err != nil {
		return Invitation{}, err
	}
	var inv Invitation
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.createInvitation(ctx, a.OrgID, a.AccountID, invReq, 14*24, &p, invitee); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "member.invite", "invitation", inv.ID, nil)
	})
	// The person accepts through the email or the app; the link and code
	// are not needed here.
	inv.Link, inv.Code = "", ""
	return inv, err
}

// joinAccount makes acc an active member of orgID (a new row, or the old row
// of someone who had quit), in ctx's transaction, and appends the event.
func (s *Service) joinAccount(ctx context.Context, orgID string, acc Account, deptIDs []string) (memberRow, error) {
	now := s.nowMS()
	name := acc.Name
	if name == "" {
		name, _, _ = strings.Cut(acc.Email, "@")
	}
	r, err := s.getMemberByAccount(ctx, orgID, acc.ID)
	switch {
	case err == nil && r.Status == StatusActive:
		return r, apperr.Conflict("already_member", "this person is already a member of the organization")
	case err == nil && r.Status == StatusDeactivated:
		return r, apperr.Conflict("member_deactivated", "this person's membership is deactivated; an admin can reactivate it")
	case err == nil:
		// Back after leaving (quit or removed): as a plain member, whatever
		// role or leadership the old membership had.
		r.Status, r.UpdatedAt, r.LeftAt, r.Role = StatusActive, now, 0, RoleMember
		if err := s.st.setMemberStatus(ctx, orgID, r.ID, StatusActive, now); err != nil {
			return r, err
		}
		if err := s.st.dropPrivileges(ctx, orgID, r.ID, now); err != nil {
			return r, err
		}
	case errors.Is(err, db.ErrNotFound):
		r = memberRow{ID: ids.New("mem"), OrgID: orgID, AccountID: acc.ID, Role: RoleMember, Status: StatusActive,
			DisplayName: name, Email: acc.Email, CreatedAt: now, UpdatedAt: now}
		r.NamePinyin, r.NameInitials = pinyinOf(name)
		if err := s.insertMember(ctx, r); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return r, apperr.Conflict("already_member", "this person is already a member of the organization")
			}
			return r, err
		}
	default:
		return r, err
	}
	for _, d := range deptIDs {
		if d == "" {
			continue
		}
		if _, err := s.st.getDepartment(ctx, orgID, d); err != nil {
			continue // the department was deleted since the invitation was made
		}
		if err := s.st.addDepartmentMember(ctx, orgID, d, r.ID, now); err != nil {
			return r, err
		}
	}
	if err := s.joinCompanyGroup(ctx, orgID, acc.ID); err != nil {
		return r, err
	}
	if err := s.orgEvent(ctx, orgID, "member.joined", map[string]any{"member_id": r.ID}); err != nil {
		return r, err
	}
	if err := s.accountEvent(ctx, acc.ID, "me.orgs_changed", map[string]any{"org_id": orgID}); err != nil {
		return r, err
	}
	return r, nil
}

// UpdateMember changes a member. Those who manage the member's departments
// may change everything; a member may change their own display name, work
// phone, email and office (unless the organization locks them) and their
// custom fields that are not locked.
func (s *Service) UpdateMember(ctx context.Context, id string, p MemberPatch) (Member, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Member{}, err
	}
	if id == "me" {
		id = a.MemberID
	}
	if id != a.MemberID {
		// Changing someone else takes manage_members: without it anywhere,
		// the 403 comes before the lookup (see gate).
		if err := s.gate(ctx, perm.ManageMembers); err != nil {
			return Member{}, err
		}
	}
	var out Member
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		r, v, err := s.visibleMember(ctx, id)
		if err != nil {
			return err
		}
		if !v.admin && r.ID != a.MemberID {
			return apperr.ErrForbidden
		}
		changed, err := s.applyPatch(ctx, &r, p, v.admin)
		if err != nil {
			return err
		}
		if v.admin && r.ID != a.MemberID && len(changed) > 0 {
			if err := s.audit(ctx, a.OrgID, "member.update", "member", r.ID, map[string]any{"fields": changed}); err != nil {
				return err
			}
		}
		out, err = s.view(ctx, v, r)
		return err
	})
	return out, err
}

// ReplayProfileErasure applies again, after a restore from a backup, a
// person's deletion of their own profile fields in an organization (p
// clears them). It runs without an actor and ignores the organization's
// locks: the person already exercised the right. A member who is gone has
// nothing left to delete.
func (s *Service) ReplayProfileErasure(ctx context.Context, orgID, accountID string, p MemberPatch) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		r, err := s.getMemberByAccount(ctx, orgID, accountID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.applyPatch(ctx, &r, p, true)
		return err
	})
}

// applyPatch checks and applies p to r in ctx's transaction and appends the
// event. It returns the names of the changed fields (no values: they may be
// personal).
func (s *Service) applyPatch(ctx context.Context, r *memberRow, p MemberPatch, admin bool) ([]string, error) {
	var changed []string
	o, err := s.st.getOrg(ctx, r.OrgID)
	if err != nil {
		return nil, err
	}
	// may says whether the caller may change a built-in field.
	may := func(field string) error {
		if admin {
			return nil
		}
		if !slices.Contains(memberEditable, field) {
			return apperr.Forbidden("field_not_editable", "only an admin can change "+field).With("field", field)
		}
		if slices.Contains(o.Settings.LockedProfileFields, field) {
			return apperr.Forbidden("field_locked", "the organization does not allow members to change "+field).With("field", field)
		}
		return nil
	}
	str := func(field string, v *string, dst *string, clean func(string) (string, error)) error {
		if v == nil {
			return nil
		}
		if err := may(field); err != nil {
			return err
		}
		nv, err := clean(*v)
		if err != nil {
			return err
		}
		if nv != *dst {
			*dst = nv
			changed = append(changed, field)
		}
		return nil
	}
	if err := str("display_name", p.DisplayName, &r.DisplayName, func(s string) (string, error) { return text("display_name", s, 1, 100) }); err != nil {
		return nil, err
	}
	r.NamePinyin, r.NameInitials = pinyinOf(r.DisplayName)
	if err := str("title", p.Title, &r.Title, func(s string) (string, error) { return text("title", s, 0, 100) }); err != nil {
		return nil, err
	}
	if p.TitleLevel != nil {
		if err := may("title_level"); err != nil {
			return nil, err
		}
		if *p.TitleLevel < 0 || *p.TitleLevel > 1000 {
			return nil, apperr.InvalidField("title_level", "title_level must be between 0 and 1000")
		}
		if *p.TitleLevel != r.TitleLevel {
			r.TitleLevel = *p.TitleLevel
			changed = append(changed, "title_level")
		}
	}
	if err := str("employee_no", p.EmployeeNo, &r.EmployeeNo, func(s string) (string, error) { return text("employee_no", s, 0, 64) }); err != nil {
		return nil, err
	}
	if err := str("email", p.Email, &r.Email, func(s string) (string, error) { return normEmail("email", s) }); err != nil {
		return nil, err
	}
	if err := str("office", p.Office, &r.Office, func(s string) (string, error) { return text("office", s, 0, 200) }); err != nil {
		return nil, err
	}
	if err := str("join_date", p.JoinDate, &r.JoinDate, func(s string) (string, error) { return date("join_date", s) }); err != nil {
		return nil, err
	}
	phoneChanged := false
	if p.WorkPhone != nil {
		if err := may("work_phone"); err != nil {
			return nil, err
		}
		ph, err := normPhone("work_phone", *p.WorkPhone)
		if err != nil {
			return nil, err
		}
		if r.WorkPhone, r.WorkPhoneHash, err = s.sealPhone(ctx, r.OrgID, r.ID, ph); err != nil {
			return nil, err
		}
		phoneChanged = true
		changed = append(changed, "work_phone")
	}
	if p.SupervisorID != nil {
		if err := may("supervisor_id"); err != nil {
			return nil, err
		}
		if err := s.checkSupervisor(ctx, r, *p.SupervisorID); err != nil {
			return nil, err
		}
		if *p.SupervisorID != r.SupervisorID {
			r.SupervisorID = *p.SupervisorID
			changed = append(changed, "supervisor_id")
		}
	}
	r.UpdatedAt = s.nowMS()
	if err := s.updateMember(ctx, *r, phoneChanged); err != nil {
		if errors.Is(err, db.ErrConflict) {
			return nil, apperr.Conflict("employee_no_taken", "another member has this employee number").With("field", "employee_no")
		}
		return nil, err
	}
	if p.DepartmentIDs != nil {
		if err := may("department_ids"); err != nil {
			return nil, err
		}
		if err := s.setDepartments(ctx, r, *p.DepartmentIDs); err != nil {
			return nil, err
		}
		changed = append(changed, "department_ids")
	}
	if len(p.Fields) > 0 {
		fc, err := s.setFieldValues(ctx, r, p.Fields, admin)
		if err != nil {
			return nil, err
		}
		changed = append(changed, fc...)
	}
	if len(changed) > 0 {
		if err := s.orgEvent(ctx, r.OrgID, "member.updated", map[string]any{"member_id": r.ID}); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

// checkSupervisor checks that sup ("" = none) is a member of r's
// organization and that making it r's supervisor makes no cycle.
func (s *Service) checkSupervisor(ctx context.Context, r *memberRow, sup string) error {
	if sup == "" {
		return nil
	}
	if sup == r.ID {
		return apperr.Conflict("supervisor_cycle", "a member cannot be their own supervisor")
	}
	if _, err := s.getMember(ctx, r.OrgID, sup); err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return apperr.InvalidField("supervisor_id", "no such member")
		}
		return err
	}
	chain, err := s.st.supervisorChain(ctx, r.OrgID, sup)
	if err != nil {
		return err
	}
	if slices.Contains(chain, r.ID) {
		return apperr.Conflict("supervisor_cycle", "this would make the member their own (indirect) supervisor")
	}
	return nil
}

// setDepartments replaces r's departments, keeping leadership where the
// department stays.
func (s *Service) setDepartments(ctx context.Context, r *memberRow, want []string) error {
	cur, err := s.st.memberDepartmentIDs(ctx, r.ID)
	if err != nil {
		return err
	}
	now := s.nowMS()
	for _, d := range want {
		if slices.Contains(cur, d) {
			continue
		}
		if _, err := s.st.getDepartment(ctx, r.OrgID, d); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return apperr.InvalidField("department_ids", "no such department").With("department_id", d)
			}
			return err
		}
		if !isSystem(ctx) {
			if err := s.Authorize(ctx, perm.ManageMembers, d); err != nil {
				return err
			}
		}
		if err := s.st.addDepartmentMember(ctx, r.OrgID, d, r.ID, now); err != nil {
			return err
		}
	}
	for _, d := range cur {
		if slices.Contains(want, d) {
			continue
		}
		if !isSystem(ctx) {
			if err := s.Authorize(ctx, perm.ManageMembers, d); err != nil {
				return err
			}
		}
		if err := s.st.removeDepartmentMember(ctx, d, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// memberAction loads a member the caller may manage, refusing the owner and
// the caller themselves.
func (s *Service) memberAction(ctx context.Context, id, action string) (memberRow, *actor.Actor, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return memberRow{}, nil, err
	}
	// Without manage_members anywhere: 403 before the lookup, whatever the
	// id names. With a department-limited grant: a member the caller cannot
	// read (deactivated, outside the grant) is not found; one they can read
	// but not manage is 403.
	if err := s.gate(ctx, perm.ManageMembers); err != nil {
		if apperr.KindOf(err) == apperr.KindForbidden {
			err = deny(a.OrgID, action, "member", id, "forbidden", err)
		}
		return memberRow{}, a, err
	}
	r, v, err := s.visibleMember(ctx, id)
	if err != nil {
		return r, a, err
	}
	if !v.admin {
		return r, a, deny(a.OrgID, action, "member", r.ID, "forbidden", apperr.ErrForbidden)
	}
	if r.Role == RoleOwner {
		return r, a, apperr.Conflict("owner_protected", "the owner cannot be deactivated or removed; transfer ownership first")
	}
	if r.ID == a.MemberID {
		return r, a, apperr.Conflict("cannot_act_on_self", "you cannot do this to yourself; quit the organization instead")
	}
	if r.Role == RoleAdmin {
		role, err := s.st.activeRole(ctx, a.OrgID, a.MemberID)
		if err != nil {
			return r, a, err
		}
		if role != RoleOwner {
			return r, a, deny(a.OrgID, action, "member", r.ID, "not_owner", apperr.Forbidden("owner_only", "only the owner can deactivate or remove an admin"))
		}
	}
	return r, a, nil
}

// DeactivateMember deactivates a member (resignation): their access to the
// organization ends at once and their sessions there end.
func (s *Service) DeactivateMember(ctx context.Context, id string) (Member, error) {
	var out Member
	err := s.tx(ctx, func(ctx context.Context) error {
		r, a, err := s.memberAction(ctx, id, "member.deactivate")
		if err != nil {
			return err
		}
		if r.Status != StatusActive {
			return apperr.Conflict("member_not_active", "the member is not active")
		}
		now := s.nowMS()
		if err := s.st.setMemberStatus(ctx, a.OrgID, r.ID, StatusDeactivated, now); err != nil {
			return err
		}
		r.Status, r.UpdatedAt, r.LeftAt = StatusDeactivated, now, now
		if err := s.leave(ctx, r); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "member.deactivated", map[string]any{"member_id": r.ID}); err != nil {
			return err
		}
		if err := s.audit(ctx, a.OrgID, "member.deactivate", "member", r.ID, map[string]any{"account_id": r.AccountID}); err != nil {
			return err
		}
		out, err = s.view(ctx, viewer{orgID: a.OrgID, memberID: a.MemberID, admin: true}, r)
		return err
	})
	return out, err
}

// leave runs what every departure does: hooks, sessions, the person's event.
func (s *Service) leave(ctx context.Context, r memberRow) error {
	if err := s.memberLeft(ctx, r.OrgID, r.AccountID); err != nil {
		return err
	}
	if err := s.accounts.EndOrgSessions(ctx, r.AccountID, r.OrgID); err != nil {
		return err
	}
	return s.accountEvent(ctx, r.AccountID, "me.orgs_changed", map[string]any{"org_id": r.OrgID})
}

// ReactivateMember gives a deactivated member their access back.
func (s *Service) ReactivateMember(ctx context.Context, id string) (Member, error) {
	var out Member
	err := s.tx(ctx, func(ctx context.Context) error {
		r, a, err := s.memberAction(ctx, id, "member.reactivate")
		if err != nil {
			return err
		}
		switch {
		case r.anonymized():
			return apperr.Conflict("member_anonymized", "this membership was anonymized when the person left; invite them again instead")
		case r.Status == StatusLeft:
			return apperr.Conflict("member_left", "this person left the organization; invite them again instead")
		case r.Status != StatusDeactivated:
			return apperr.Conflict("member_not_deactivated", "only a deactivated member can be reactivated")
		}
		now := s.nowMS()
		if err := s.st.reactivateMember(ctx, a.OrgID, r.ID, r.AccountID, now); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				// The leave policy's erasure ran meanwhile.
				return apperr.Conflict("member_anonymized", "this membership was anonymized when the person left; invite them again instead")
			}
			return err
		}
		r.Status, r.UpdatedAt, r.LeftAt = StatusActive, now, 0
		if err := s.orgEvent(ctx, a.OrgID, "member.reactivated", map[string]any{"member_id": r.ID}); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, r.AccountID, "me.orgs_changed", map[string]any{"org_id": r.OrgID}); err != nil {
			return err
		}
		if err := s.audit(ctx, a.OrgID, "member.reactivate", "member", r.ID, nil); err != nil {
			return err
		}
		out, err = s.view(ctx, viewer{orgID: a.OrgID, memberID: a.MemberID, admin: true}, r)
		return err
	})
	return out, err
}

// RemoveMember deletes a member from the organization.
func (s *Service) RemoveMember(ctx context.Context, id string) error {
	return s.tx(ctx, func(ctx context.Context) error {
		r, a, err := s.memberAction(ctx, id, "member.remove")
		if err != nil {
			return err
		}
		if r.Status == StatusActive {
			if err := s.leave(ctx, r); err != nil {
				return err
			}
		}
		if err := s.st.deleteMember(ctx, a.OrgID, r.ID); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "member.removed", map[string]any{"member_id": r.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "member.remove", "member", r.ID, map[string]any{"account_id": r.AccountID})
	})
}

// SupervisorChain returns a member's supervisors, nearest first.
func (s *Service) SupervisorChain(ctx context.Context, id string) ([]Member, error) {
	r, v, err := s.visibleMember(ctx, id)
	if err != nil {
		return nil, err
	}
	chain, err := s.st.supervisorChain(ctx, r.OrgID, r.ID)
	if err != nil {
		return nil, err
	}
	rows := make([]memberRow, 0, len(chain))
	for _, mid := range chain {
		m, err := s.getMember(ctx, r.OrgID, mid)
		if err != nil {
			return nil, err
		}
		rows = append(rows, m)
	}
	v.admin = false
	if ok, err := s.can(ctx, perm.ManageMembers, ""); err == nil {
		v.admin = ok
	}
	return s.views(ctx, v, rows)
}
