package server

import (
	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
)

// routeTable lists every route of the API, one line each. A route missing
// here does not exist; the OpenAPI document and the authorization matrix are
// generated from this table.
//
// Handlers are methods on concrete pointer types (never on interface
// values), so that the table can be built from a zero Server to generate the
// OpenAPI document.
func (s *Server) routeTable() []Route {
	return []Route{
		{Pattern: "GET /api/v1/health", Handler: s.health, Auth: Public, Summary: "Liveness and database status", Response: Health{}},
		{Pattern: "GET /api/v1/openapi.json", Handler: s.openapi, Auth: Public, Summary: "This API's OpenAPI 3.1 document", Response: map[string]any{}},

		// Identity: registration, sign-in, sessions, 2FA (internal/identity).
		{Pattern: "POST /api/v1/auth/register", Handler: s.ident().HandleRegister, Auth: Public, Summary: "Register with email and password; emails a 6-digit code", Request: identity.RegisterInput{}, Response: identity.Accepted{}},
		{Pattern: "POST /api/v1/auth/verify", Handler: s.ident().HandleVerify, Auth: Public, Summary: "Confirm a registration with the emailed code and sign in", Request: identity.VerifyInput{}, Response: identity.LoginResult{}},
		{Pattern: "POST /api/v1/auth/login", Handler: s.ident().HandleLogin, Auth: Public, Summary: "Sign in: cookie session, or a bearer token with bearer=true", Request: identity.LoginInput{}, Response: identity.LoginResult{}},
		{Pattern: "POST /api/v1/auth/logout", Handler: s.ident().HandleLogout, Auth: Account, Summary: "End the current session"},
		{Pattern: "POST /api/v1/auth/password-reset", Handler: s.ident().HandlePasswordReset, Auth: Public, Summary: "Email a password reset code (same answer for unknown addresses)", Request: identity.PasswordResetRequest{}, Response: identity.Accepted{}},
		{Pattern: "POST /api/v1/auth/password-reset/confirm", Handler: s.ident().HandlePasswordResetConfirm, Auth: Public, Summary: "Set a new password with the emailed code; ends every session", Request: identity.PasswordResetConfirm{}},
		{Pattern: "GET /api/v1/me", Handler: s.ident().HandleMe, Auth: Account, Summary: "The signed-in person's account", Response: identity.Account{}},
		{Pattern: "PATCH /api/v1/me", Handler: s.ident().HandleUpdateMe, Auth: Account, Summary: "Change name, locale or phone", Request: identity.MePatch{}, Response: identity.Account{}},
		{Pattern: "GET /api/v1/me/sessions", Handler: s.ident().HandleSessions, Auth: Account, Summary: "The person's live sessions (current one marked)", Response: identity.SessionList{}},
		{Pattern: "DELETE /api/v1/me/sessions/{id}", Handler: s.ident().HandleRevokeSession, Auth: Account, Summary: "End one of the person's sessions"},
		{Pattern: "POST /api/v1/me/password", Handler: s.ident().HandleChangePassword, Auth: Account, Summary: "Change the password; ends every other session", Request: identity.PasswordChange{}},
		{Pattern: "GET /api/v1/me/login-history", Handler: s.ident().HandleLoginHistory, Auth: Account, Summary: "Sign-in attempts on the account, newest first", Response: identity.LoginHistoryPage{}},
		{Pattern: "GET /api/v1/me/notices", Handler: s.ident().HandleNotices, Auth: Account, Summary: "Security notices (e.g. sign-in from a new device or network)", Response: identity.NoticePage{}},
		{Pattern: "POST /api/v1/me/2fa/setup", Handler: s.ident().HandleTOTPSetup, Auth: Account, Summary: "Start TOTP setup: secret and otpauth URL", Response: identity.TOTPSetup{}},
		{Pattern: "POST /api/v1/me/2fa/enable", Handler: s.ident().HandleTOTPEnable, Auth: Account, Summary: "Turn TOTP on with a code; returns 10 recovery codes once", Request: identity.TOTPEnable{}, Response: identity.RecoveryCodes{}},
		{Pattern: "POST /api/v1/me/2fa/disable", Handler: s.ident().HandleTOTPDisable, Auth: Account, Summary: "Turn TOTP off (password and a code)", Request: identity.TOTPDisable{}},
		// Directory: first-run setup, organizations, members, departments, roles, fields, invitations, contacts (internal/directory).
		{Pattern: "GET /api/v1/setup", Handler: s.Directory.HandleSetupStatus, Auth: Public, Summary: "Whether the first organization still has to be created", Response: directory.SetupStatus{}},
		{Pattern: "POST /api/v1/setup", Handler: s.Directory.HandleSetup, Auth: Public, Summary: "Create the first organization and its owner with the one-time setup token; signs the owner in", Request: directory.SetupRequest{}, Response: directory.SetupResult{}},
		{Pattern: "POST /api/v1/orgs", Handler: s.Directory.HandleCreateOrg, Auth: Account, Summary: "Create an organization owned by the caller and switch to it", Request: directory.CreateOrgRequest{}, Response: directory.Org{}},
		{Pattern: "GET /api/v1/me/orgs", Handler: s.Directory.HandleMyOrgs, Auth: Account, Summary: "The caller's organizations (company identities), current one marked", Response: directory.MyOrgList{}},
		{Pattern: "POST /api/v1/me/org", Handler: s.Directory.HandleSwitchOrg, Auth: Account, Summary: "Switch the session's current organization", Request: directory.SwitchOrgRequest{}, Response: directory.SwitchOrgResult{}},
		{Pattern: "GET /api/v1/me/permissions", Handler: s.Directory.HandleMyPermissions, Auth: Member, Summary: "The caller's role and permissions in the current organization", Response: directory.MyPermissions{}},
		{Pattern: "GET /api/v1/me/privacy", Handler: s.Directory.HandleMyPrivacy, Auth: Account, Summary: "The caller's privacy settings (finding, adding, what external contacts see)", Response: directory.PrivacySettings{}},
		{Pattern: "PATCH /api/v1/me/privacy", Handler: s.Directory.HandleUpdateMyPrivacy, Auth: Account, Summary: "Change privacy settings; effective on the next request", Request: directory.PrivacyPatch{}, Response: directory.PrivacySettings{}},
		{Pattern: "GET /api/v1/me/join-requests", Handler: s.Directory.HandleMyJoinRequests, Auth: Account, Summary: "The caller's requests to join organizations", Response: directory.JoinRequestList{}},
		{Pattern: "GET /api/v1/orgs/current", Handler: s.Directory.HandleCurrentOrg, Auth: Member, Summary: "The current organization and its settings", Response: directory.Org{}},
		{Pattern: "PATCH /api/v1/orgs/current", Handler: s.Directory.HandleUpdateOrg, Auth: Member, Summary: "Rename the organization or change its settings (manage_org)", Request: directory.UpdateOrgRequest{}, Response: directory.Org{}},
		{Pattern: "POST /api/v1/orgs/current/transfer", Handler: s.Directory.HandleTransferOrg, Auth: Member, Summary: "Transfer ownership to another member (owner, password again)", Request: directory.TransferRequest{}, Response: directory.Org{}},
		{Pattern: "POST /api/v1/orgs/current/disband", Handler: s.Directory.HandleDisbandOrg, Auth: Member, Summary: "Disband the organization (owner, password again, name typed)", Request: directory.DisbandRequest{}},
		{Pattern: "POST /api/v1/orgs/current/quit", Handler: s.Directory.HandleQuitOrg, Auth: Member, Summary: "Leave the current organization"},
		{Pattern: "GET /api/v1/members", Handler: s.Directory.HandleSearchMembers, Auth: Member, Summary: "Search members: name, pinyin, initials, title, department, employee number, phone; paged", Response: directory.MemberPage{}},
		{Pattern: "POST /api/v1/members", Handler: s.Directory.HandleAddMember, Auth: Member, Summary: "Create a member from an existing account (manage_members)", Request: directory.AddMemberRequest{}, Response: directory.Member{}},
		{Pattern: "POST /api/v1/members/import", Handler: s.Directory.HandleImportMembers, Auth: Member, Summary: "Import members from a CSV body (?dry_run=true reports row errors only)", Response: directory.ImportReport{}},
		{Pattern: "GET /api/v1/members/export", Handler: s.Directory.HandleExportMembers, Auth: Member, Summary: "Export every member as CSV (manage_members)"},
		{Pattern: "GET /api/v1/members/{id}", Handler: s.Directory.HandleGetMember, Auth: Member, Summary: "A member of the current organization (id or me)", Response: directory.Member{}},
		{Pattern: "PATCH /api/v1/members/{id}", Handler: s.Directory.HandleUpdateMember, Auth: Member, Summary: "Change a member (admins) or one's own unlocked fields", Request: directory.MemberPatch{}, Response: directory.Member{}},
		{Pattern: "DELETE /api/v1/members/{id}", Handler: s.Directory.HandleRemoveMember, Auth: Member, Summary: "Remove a member from the organization (manage_members)"},
		{Pattern: "POST /api/v1/members/{id}/deactivate", Handler: s.Directory.HandleDeactivateMember, Auth: Member, Summary: "Deactivate a member: their access ends at once", Response: directory.Member{}},
		{Pattern: "POST /api/v1/members/{id}/reactivate", Handler: s.Directory.HandleReactivateMember, Auth: Member, Summary: "Reactivate a deactivated member", Response: directory.Member{}},
		{Pattern: "GET /api/v1/members/{id}/supervisors", Handler: s.Directory.HandleSupervisorChain, Auth: Member, Summary: "A member's supervisor chain, nearest first", Response: directory.MemberList{}},
		{Pattern: "PUT /api/v1/members/{id}/roles", Handler: s.Directory.HandleAssignRoles, Auth: Member, Summary: "Set a member's built-in role and custom roles (manage_roles)", Request: directory.AssignRolesRequest{}, Response: directory.Member{}},
		{Pattern: "GET /api/v1/departments", Handler: s.Directory.HandleListDepartments, Auth: Member, Summary: "The department tree, parents first", Response: directory.DepartmentList{}},
		{Pattern: "POST /api/v1/departments", Handler: s.Directory.HandleCreateDepartment, Auth: Member, Summary: "Create a department (manage_departments)", Request: directory.CreateDepartmentRequest{}, Response: directory.Department{}},
		{Pattern: "GET /api/v1/departments/{id}", Handler: s.Directory.HandleGetDepartment, Auth: Member, Summary: "A department with its leaders", Response: directory.Department{}},
		{Pattern: "PATCH /api/v1/departments/{id}", Handler: s.Directory.HandleUpdateDepartment, Auth: Member, Summary: "Rename or move a department with its subtree (409 department_cycle)", Request: directory.UpdateDepartmentRequest{}, Response: directory.Department{}},
		{Pattern: "DELETE /api/v1/departments/{id}", Handler: s.Directory.HandleDeleteDepartment, Auth: Member, Summary: "Delete a department without sub-departments"},
		{Pattern: "GET /api/v1/departments/{id}/members", Handler: s.Directory.HandleDepartmentMembers, Auth: Member, Summary: "A department's members (?recursive=true for the subtree); paged", Response: directory.MemberPage{}},
		{Pattern: "PUT /api/v1/departments/{id}/leaders", Handler: s.Directory.HandleSetLeaders, Auth: Member, Summary: "Set a department's leaders", Request: directory.LeadersRequest{}, Response: directory.Department{}},
		{Pattern: "GET /api/v1/roles", Handler: s.Directory.HandleListRoles, Auth: Member, Summary: "Built-in and custom roles, and every permission", Response: directory.RoleList{}},
		{Pattern: "POST /api/v1/roles", Handler: s.Directory.HandleCreateRole, Auth: Member, Summary: "Create a custom role (manage_roles)", Request: directory.RoleRequest{}, Response: directory.Role{}},
		{Pattern: "GET /api/v1/roles/{id}", Handler: s.Directory.HandleGetRole, Auth: Member, Summary: "A role", Response: directory.Role{}},
		{Pattern: "PUT /api/v1/roles/{id}", Handler: s.Directory.HandleUpdateRole, Auth: Member, Summary: "Replace a custom role (manage_roles)", Request: directory.RoleRequest{}, Response: directory.Role{}},
		{Pattern: "DELETE /api/v1/roles/{id}", Handler: s.Directory.HandleDeleteRole, Auth: Member, Summary: "Delete a custom role (manage_roles)"},
		{Pattern: "GET /api/v1/fields", Handler: s.Directory.HandleListFields, Auth: Member, Summary: "The organization's custom profile fields", Response: directory.FieldList{}},
		{Pattern: "POST /api/v1/fields", Handler: s.Directory.HandleCreateField, Auth: Member, Summary: "Create a custom profile field (manage_fields)", Request: directory.FieldRequest{}, Response: directory.Field{}},
		{Pattern: "GET /api/v1/fields/{id}", Handler: s.Directory.HandleGetField, Auth: Member, Summary: "A custom profile field", Response: directory.Field{}},
		{Pattern: "PATCH /api/v1/fields/{id}", Handler: s.Directory.HandleUpdateField, Auth: Member, Summary: "Change a custom profile field: lock, visibility, required (manage_fields)", Request: directory.FieldPatch{}, Response: directory.Field{}},
		{Pattern: "DELETE /api/v1/fields/{id}", Handler: s.Directory.HandleDeleteField, Auth: Member, Summary: "Delete a custom profile field and its values (manage_fields)"},
		{Pattern: "GET /api/v1/invitations", Handler: s.Directory.HandleListInvitations, Auth: Member, Summary: "The organization's invitations with links and codes (manage_invitations)", Response: directory.InvitationList{}},
		{Pattern: "POST /api/v1/invitations", Handler: s.Directory.HandleCreateInvitation, Auth: Member, Summary: "Create a link or email invitation (manage_invitations)", Request: directory.CreateInvitationRequest{}, Response: directory.Invitation{}},
		{Pattern: "GET /api/v1/invitations/{id}", Handler: s.Directory.HandleGetInvitation, Auth: Member, Summary: "An invitation with its link and team code", Response: directory.Invitation{}},
		{Pattern: "DELETE /api/v1/invitations/{id}", Handler: s.Directory.HandleRevokeInvitation, Auth: Member, Summary: "Revoke an invitation", Response: directory.Invitation{}},
		{Pattern: "GET /api/v1/invitations/{id}/qr.png", Handler: s.Directory.HandleInvitationQRPNG, Auth: Member, Summary: "QR code of the invitation link (PNG image)"},
		{Pattern: "GET /api/v1/invitations/{id}/qr.svg", Handler: s.Directory.HandleInvitationQRSVG, Auth: Member, Summary: "QR code of the invitation link (SVG image)"},
		{Pattern: "POST /api/v1/join/preview", Handler: s.Directory.HandlePreviewJoin, Auth: Account, Summary: "What an invitation token or team code is for", Request: directory.JoinRequest{}, Response: directory.InvitationPreview{}},
		{Pattern: "POST /api/v1/join", Handler: s.Directory.HandleJoin, Auth: Account, Summary: "Join with an invitation token or team code (or ask to, when approval is required)", Request: directory.JoinRequest{}, Response: directory.JoinResult{}},
		{Pattern: "GET /api/v1/join-requests", Handler: s.Directory.HandleListJoinRequests, Auth: Member, Summary: "Requests to join the organization (?status=pending|approved|rejected|all)", Response: directory.JoinRequestList{}},
		{Pattern: "POST /api/v1/join-requests/{id}/approve", Handler: s.Directory.HandleApproveJoinRequest, Auth: Member, Summary: "Approve a join request: the person becomes a member", Response: directory.JoinRequestItem{}},
		{Pattern: "POST /api/v1/join-requests/{id}/reject", Handler: s.Directory.HandleRejectJoinRequest, Auth: Member, Summary: "Reject a join request", Response: directory.JoinRequestItem{}},
		{Pattern: "GET /api/v1/contacts", Handler: s.Directory.HandleListContacts, Auth: Account, Summary: "The caller's contacts", Response: directory.ContactList{}},
		{Pattern: "POST /api/v1/contacts", Handler: s.Directory.HandleAddContact, Auth: Account, Summary: "Add a contact by account id, email or phone, or via a group or card (201 added, 202 request sent)", Request: directory.AddContactRequest{}, Response: directory.AddContactResult{}},
		{Pattern: "DELETE /api/v1/contacts/{account_id}", Handler: s.Directory.HandleRemoveContact, Auth: Account, Summary: "Remove a contact"},
		{Pattern: "POST /api/v1/contacts/{account_id}/card", Handler: s.Directory.HandleShareCard, Auth: Account, Summary: "A contact card of a person to pass on", Response: directory.ContactCard{}},
		{Pattern: "GET /api/v1/contact-requests", Handler: s.Directory.HandleContactRequests, Auth: Account, Summary: "Pending contact requests, incoming and outgoing", Response: directory.ContactRequestList{}},
		{Pattern: "POST /api/v1/contact-requests/{id}/accept", Handler: s.Directory.HandleAcceptContactRequest, Auth: Account, Summary: "Accept a contact request", Response: directory.ContactRequest{}},
		{Pattern: "POST /api/v1/contact-requests/{id}/decline", Handler: s.Directory.HandleDeclineContactRequest, Auth: Account, Summary: "Decline a contact request", Response: directory.ContactRequest{}},
		{Pattern: "GET /api/v1/people/{account_id}", Handler: s.Directory.HandleGetPerson, Auth: Account, Summary: "What the caller may see of a person (their privacy settings decide)", Response: directory.Person{}},
		{Pattern: "POST /api/v1/people/lookup", Handler: s.Directory.HandleLookupPerson, Auth: Account, Summary: "Find a person by email or phone (only discoverable people, colleagues and contacts)", Request: directory.LookupRequest{}, Response: directory.Person{}},
		{Pattern: "GET /api/v1/stream", Handler: s.Stream.Serve, Auth: Account, Summary: "Real-time stream (WebSocket): replay after last_pos, then live events, typing and presence; see docs/api.md"},
		{Pattern: "GET /api/v1/audit", Handler: s.Audit.HandleList, Auth: Member, Summary: "The organization's audit log, newest first (permission audit.read)", Response: audit.Page{}},
	}
}
