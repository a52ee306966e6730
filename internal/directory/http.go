package directory

import (
	"bytes"
	"context"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// SessionStarter opens a session after first-run setup (identity).
type SessionStarter interface {
	StartSession(ctx context.Context, w http.ResponseWriter, accountID, orgID string, via actor.Via) (string, error)
}

// SetSessions sets what opens the owner's session after setup.
func (s *Service) SetSessions(ss SessionStarter) { s.sessions = ss }

// MaxImportBody bounds an uploaded member CSV.
const MaxImportBody = 5 << 20

func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	err := httpx.DecodeJSON(w, r, &v)
	return v, err
}

// ---- setup ----

// HandleSetupStatus is GET /api/v1/setup.
func (s *Service) HandleSetupStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.SetupNeeded(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandleSetup is POST /api/v1/setup: it creates the first organization and
// its owner, and signs the owner in with a cookie session.
func (s *Service) HandleSetup(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SetupRequest](w, r)
	if err != nil {
		return err
	}
	res, err := s.Setup(r.Context(), in)
	if err != nil {
		return err
	}
	if s.sessions != nil {
		if _, err := s.sessions.StartSession(r.Context(), w, res.AccountID, res.Org.ID, actor.ViaCookie); err != nil {
			return err
		}
	}
	return httpx.Created(w, res)
}

// ---- organizations ----

// HandleCreateOrg is POST /api/v1/orgs.
func (s *Service) HandleCreateOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[CreateOrgRequest](w, r)
	if err != nil {
		return err
	}
	o, err := s.CreateOrg(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, o)
}

// MyOrgList lists the caller's organizations.
type MyOrgList struct {
	Items []MyOrg `json:"items"`
}

// HandleMyOrgs is GET /api/v1/me/orgs.
func (s *Service) HandleMyOrgs(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyOrgs(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, MyOrgList{Items: out})
}

// HandleSwitchOrg is POST /api/v1/me/org.
func (s *Service) HandleSwitchOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SwitchOrgRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.SwitchOrg(r.Context(), in.OrgID)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleMyPermissions is GET /api/v1/me/permissions.
func (s *Service) HandleMyPermissions(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyPermissions(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleCurrentOrg is GET /api/v1/orgs/current.
func (s *Service) HandleCurrentOrg(w http.ResponseWriter, r *http.Request) error {
	o, err := s.CurrentOrg(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, o)
}

// HandleUpdateOrg is PATCH /api/v1/orgs/current.
func (s *Service) HandleUpdateOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[UpdateOrgRequest](w, r)
	if err != nil {
		return err
	}
	o, err := s.UpdateOrg(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, o)
}

// HandleTransferOrg is POST /api/v1/orgs/current/transfer.
func (s *Service) HandleTransferOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[TransferRequest](w, r)
	if err != nil {
		return err
	}
	o, err := s.TransferOwnership(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, o)
}

// HandleDisbandOrg is POST /api/v1/orgs/current/disband.
func (s *Service) HandleDisbandOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[DisbandRequest](w, r)
	if err != nil {
		return err
	}
	if err := s.DisbandOrg(r.Context(), in); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// ---- members ----

func queryBool(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	return v == "1" || v == "true" || v == "yes"
}

func searchFrom(r *http.Request) (SearchRequest, error) {
	q := r.URL.Query()
	page, err := httpx.PageOf(r)
	return SearchRequest{Q: q.Get("q"), DepartmentID: q.Get("department_id"), Recursive: queryBool(r, "recursive"),
		Status: q.Get("status"), Cursor: page.Cursor, Limit: page.Limit}, err
}

// HandleSearchMembers is GET /api/v1/members?q=&department_id=&recursive=&status=&limit=&cursor=.
func (s *Service) HandleSearchMembers(w http.ResponseWriter, r *http.Request) error {
	req, err := searchFrom(r)
	if err != nil {
		return err
	}
	page, err := s.SearchMembers(r.Context(), req)
	if err != nil {
		return err
	}
	return httpx.OK(w, page)
}

// HandleAddMember is POST /api/v1/members.
func (s *Service) HandleAddMember(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AddMemberRequest](w, r)
	if err != nil {
		return err
	}
	inv, err := s.AddMember(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, inv)
}

// HandleGetMember is GET /api/v1/members/{id} ("me" for the caller).
func (s *Service) HandleGetMember(w http.ResponseWriter, r *http.Request) error {
	m, err := s.GetMember(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleUpdateMember is PATCH /api/v1/members/{id} ("me" for the caller).
func (s *Service) HandleUpdateMember(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MemberPatch](w, r)
	if err != nil {
		return err
	}
	m, err := s.UpdateMember(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleDeactivateMember is POST /api/v1/members/{id}/deactivate.
func (s *Service) HandleDeactivateMember(w http.ResponseWriter, r *http.Request) error {
	m, err := s.DeactivateMember(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleReactivateMember is POST /api/v1/members/{id}/reactivate.
func (s *Service) HandleReactivateMember(w http.ResponseWriter, r *http.Request) error {
	m, err := s.ReactivateMember(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleRemoveMember is DELETE /api/v1/members/{id}.
func (s *Service) HandleRemoveMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.RemoveMember(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// MemberList is a list of members.
type MemberList struct {
	Items []Member `json:"items"`
}

// HandleSupervisorChain is GET /api/v1/members/{id}/supervisors.
func (s *Service) HandleSupervisorChain(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.SupervisorChain(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, MemberList{Items: ms})
}

// HandleAssignRoles is PUT /api/v1/members/{id}/roles.
func (s *Service) HandleAssignRoles(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AssignRolesRequest](w, r)
	if err != nil {
		return err
	}
	m, err := s.AssignRoles(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleImportMembers is POST /api/v1/members/import?dry_run=true with a
// text/csv body.
func (s *Service) HandleImportMembers(w http.ResponseWriter, r *http.Request) error {
	body := http.MaxBytesReader(w, r.Body, MaxImportBody)
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(body); err != nil {
		return apperr.New(apperr.KindInvalid, "body_too_large", "the file exceeds 5 MiB").With("limit", MaxImportBody)
	}
	rep, err := s.ImportMembers(r.Context(), &buf, queryBool(r, "dry_run"))
	if err != nil {
		return err
	}
	return httpx.OK(w, rep)
}

// HandleExportMembers is GET /api/v1/members/export (text/csv).
func (s *Service) HandleExportMembers(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := s.ExportMembers(r.Context(), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="members.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// ---- departments ----

// HandleListDepartments is GET /api/v1/departments.
func (s *Service) HandleListDepartments(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListDepartments(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleCreateDepartment is POST /api/v1/departments.
func (s *Service) HandleCreateDepartment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[CreateDepartmentRequest](w, r)
	if err != nil {
		return err
	}
	d, err := s.CreateDepartment(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, d)
}

// HandleGetDepartment is GET /api/v1/departments/{id}.
func (s *Service) HandleGetDepartment(w http.ResponseWriter, r *http.Request) error {
	d, err := s.GetDepartment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, d)
}

// HandleUpdateDepartment is PATCH /api/v1/departments/{id}.
func (s *Service) HandleUpdateDepartment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[UpdateDepartmentRequest](w, r)
	if err != nil {
		return err
	}
	d, err := s.UpdateDepartment(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, d)
}

// HandleDeleteDepartment is DELETE /api/v1/departments/{id}.
func (s *Service) HandleDeleteDepartment(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteDepartment(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleDepartmentMembers is GET /api/v1/departments/{id}/members?recursive=.
func (s *Service) HandleDepartmentMembers(w http.ResponseWriter, r *http.Request) error {
	req, err := searchFrom(r)
	if err != nil {
		return err
	}
	req.DepartmentID = r.PathValue("id")
	page, err := s.SearchMembers(r.Context(), req)
	if err != nil {
		return err
	}
	return httpx.OK(w, page)
}

// HandleSetLeaders is PUT /api/v1/departments/{id}/leaders.
func (s *Service) HandleSetLeaders(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LeadersRequest](w, r)
	if err != nil {
		return err
	}
	d, err := s.SetLeaders(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, d)
}

// ---- roles ----

// HandleListRoles is GET /api/v1/roles.
func (s *Service) HandleListRoles(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListRoles(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleCreateRole is POST /api/v1/roles.
func (s *Service) HandleCreateRole(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[RoleRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.CreateRole(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, out)
}

// HandleGetRole is GET /api/v1/roles/{id}.
func (s *Service) HandleGetRole(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetRole(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleUpdateRole is PUT /api/v1/roles/{id}.
func (s *Service) HandleUpdateRole(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[RoleRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.UpdateRole(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleDeleteRole is DELETE /api/v1/roles/{id}.
func (s *Service) HandleDeleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteRole(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// ---- fields ----

// HandleListFields is GET /api/v1/fields.
func (s *Service) HandleListFields(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListFields(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleCreateField is POST /api/v1/fields.
func (s *Service) HandleCreateField(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[FieldRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.CreateField(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, out)
}

// HandleGetField is GET /api/v1/fields/{id}.
func (s *Service) HandleGetField(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetField(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleUpdateField is PATCH /api/v1/fields/{id}.
func (s *Service) HandleUpdateField(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[FieldPatch](w, r)
	if err != nil {
		return err
	}
	out, err := s.UpdateField(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleDeleteField is DELETE /api/v1/fields/{id}.
func (s *Service) HandleDeleteField(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteField(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// ---- invitations and join requests ----

// HandleListInvitations is GET /api/v1/invitations.
func (s *Service) HandleListInvitations(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListInvitations(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleCreateInvitation is POST /api/v1/invitations.
func (s *Service) HandleCreateInvitation(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[CreateInvitationRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.CreateInvitation(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, out)
}

// HandleGetInvitation is GET /api/v1/invitations/{id}.
func (s *Service) HandleGetInvitation(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetInvitation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleRevokeInvitation is DELETE /api/v1/invitations/{id}.
func (s *Service) HandleRevokeInvitation(w http.ResponseWriter, r *http.Request) error {
	out, err := s.RevokeInvitation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

func (s *Service) qr(w http.ResponseWriter, r *http.Request, format, ctype string) error {
	b, err := s.InvitationQR(r.Context(), r.PathValue("id"), format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(b)
	return err
}

// HandleInvitationQRPNG is GET /api/v1/invitations/{id}/qr.png.
func (s *Service) HandleInvitationQRPNG(w http.ResponseWriter, r *http.Request) error {
	return s.qr(w, r, "png", "image/png")
}

// HandleInvitationQRSVG is GET /api/v1/invitations/{id}/qr.svg.
func (s *Service) HandleInvitationQRSVG(w http.ResponseWriter, r *http.Request) error {
	return s.qr(w, r, "svg", "image/svg+xml")
}

// HandlePreviewJoin is POST /api/v1/join/preview.
func (s *Service) HandlePreviewJoin(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[JoinRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.PreviewInvitation(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// LinkPreviewInput is the body of POST /api/v1/invitation-links/preview.
type LinkPreviewInput struct {
	Token string `json:"token"`
}

// HandlePreviewLink is POST /api/v1/invitation-links/preview (no account
// needed; the token travels in the body, never in a logged URL).
func (s *Service) HandlePreviewLink(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LinkPreviewInput](w, r)
	if err != nil {
		return err
	}
	out, err := s.PreviewLink(r.Context(), in.Token)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleJoin is POST /api/v1/join.
func (s *Service) HandleJoin(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[JoinRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.Join(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleListJoinRequests is GET /api/v1/join-requests?status=.
func (s *Service) HandleListJoinRequests(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListJoinRequests(r.Context(), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleMyJoinRequests is GET /api/v1/me/join-requests.
func (s *Service) HandleMyJoinRequests(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyJoinRequests(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleApproveJoinRequest is POST /api/v1/join-requests/{id}/approve.
func (s *Service) HandleApproveJoinRequest(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DecideJoinRequest(r.Context(), r.PathValue("id"), true)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleRejectJoinRequest is POST /api/v1/join-requests/{id}/reject.
func (s *Service) HandleRejectJoinRequest(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DecideJoinRequest(r.Context(), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// ---- contacts, people, privacy ----

// HandleListContacts is GET /api/v1/contacts.
func (s *Service) HandleListContacts(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListContacts(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleAddContact is POST /api/v1/contacts.
func (s *Service) HandleAddContact(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AddContactRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.AddContact(r.Context(), in)
	if err != nil {
		return err
	}
	if out.Status == "pending" {
		return httpx.WriteJSON(w, http.StatusAccepted, out)
	}
	return httpx.Created(w, out)
}

// HandleRemoveContact is DELETE /api/v1/contacts/{account_id}.
func (s *Service) HandleRemoveContact(w http.ResponseWriter, r *http.Request) error {
	if err := s.RemoveContact(r.Context(), r.PathValue("account_id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleShareCard is POST /api/v1/contacts/{account_id}/card.
func (s *Service) HandleShareCard(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ShareCard(r.Context(), r.PathValue("account_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleContactRequests is GET /api/v1/contact-requests.
func (s *Service) HandleContactRequests(w http.ResponseWriter, r *http.Request) error {
	out, err := s.ListContactRequests(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleAcceptContactRequest is POST /api/v1/contact-requests/{id}/accept.
func (s *Service) HandleAcceptContactRequest(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DecideContactRequest(r.Context(), r.PathValue("id"), true)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleDeclineContactRequest is POST /api/v1/contact-requests/{id}/decline.
func (s *Service) HandleDeclineContactRequest(w http.ResponseWriter, r *http.Request) error {
	out, err := s.DecideContactRequest(r.Context(), r.PathValue("id"), false)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleGetPerson is GET /api/v1/people/{account_id}.
func (s *Service) HandleGetPerson(w http.ResponseWriter, r *http.Request) error {
	out, err := s.GetPerson(r.Context(), r.PathValue("account_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleLookupPerson is POST /api/v1/people/lookup.
func (s *Service) HandleLookupPerson(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LookupRequest](w, r)
	if err != nil {
		return err
	}
	out, err := s.LookupPerson(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleMyPrivacy is GET /api/v1/me/privacy.
func (s *Service) HandleMyPrivacy(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyPrivacy(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleUpdateMyPrivacy is PATCH /api/v1/me/privacy.
func (s *Service) HandleUpdateMyPrivacy(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PrivacyPatch](w, r)
	if err != nil {
		return err
	}
	out, err := s.UpdateMyPrivacy(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleMyInvitations is GET /api/v1/me/invitations.
func (s *Service) HandleMyInvitations(w http.ResponseWriter, r *http.Request) error {
	out, err := s.MyInvitations(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleAcceptInvitation is POST /api/v1/me/invitations/{id}/accept.
func (s *Service) HandleAcceptInvitation(w http.ResponseWriter, r *http.Request) error {
	out, err := s.AcceptInvitation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleDeclineInvitation is POST /api/v1/me/invitations/{id}/decline.
func (s *Service) HandleDeclineInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeclineInvitation(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
