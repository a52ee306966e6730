package server

import (
	"github.com/atrium-hq/atrium/internal/audit"
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
		{Pattern: "GET /api/v1/stream", Handler: s.Stream.Serve, Auth: Account, Summary: "Real-time stream (WebSocket): replay after last_pos, then live events, typing and presence; see docs/api.md"},
		{Pattern: "GET /api/v1/audit", Handler: s.Audit.HandleList, Auth: Member, Summary: "The organization's audit log, newest first (permission audit.read)", Response: audit.Page{}},
	}
}
