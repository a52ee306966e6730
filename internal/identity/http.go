package identity

import (
	"context"
	"net/http"
	"time"
	"unicode"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// Cookie names: this package sets them, the server reads them; both name
// them through platform/reqctx.
const (
	SessionCookie = reqctx.SessionCookie
	CSRFCookie    = reqctx.CSRFCookie
)

// Accepted is the body of a 202 answer.
type Accepted struct {
	Status string `json:"status"`
}

// VerifyInput is the body of POST /api/v1/auth/verify.
type VerifyInput struct {
	Email string `json:"email"`
	Code  string `json:"code"`
	// Password is the one chosen when registering.
	Password string `json:"password"`
	DeviceID string `json:"device_id,omitempty"`
	Bearer   bool   `json:"bearer,omitempty"`
}

// PasswordResetRequest is the body of POST /api/v1/auth/password-reset.
type PasswordResetRequest struct {
	Email string `json:"email"`
}

// LoginResult is the answer of a successful sign-in. Token is only present
// for bearer sign-ins; cookie sign-ins get the atrium_session (HttpOnly)
// and atrium_csrf cookies instead.
type LoginResult struct {
	Account   Account `json:"account"`
	SessionID string  `json:"session_id"`
	// OrgID is the organization the session starts in: the account's only
	// one, or "" when it has none or several (choose with POST /me/org).
	OrgID     string `json:"org_id,omitempty"`
	Token     string `json:"token,omitempty"`
	ExpiresAt int64  `json:"expires_at"`
}

func checkDeviceID(id string) error {
	if len(id) > 128 {
		return apperr.InvalidField("device_id", "device_id must be at most 128 characters")
	}
	for _, r := range id {
		if !unicode.IsPrint(r) {
			return apperr.InvalidField("device_id", "device_id must be printable text")
		}
	}
	return nil
}

// RequestContext returns r's context naming the client's device (the
// address and user agent are already there: platform/reqctx), for
// StartSession and the login history.
func (s *Service) RequestContext(r *http.Request, deviceID string) context.Context {
	if deviceID == "" {
		return r.Context()
	}
	return reqctx.WithDevice(r.Context(), deviceID)
}

func (s *Service) setSessionCookies(w http.ResponseWriter, token string) {
	maxAge := int(SessionTTL / time.Second)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: ids.Token(16), Path: "/", MaxAge: maxAge,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Service) clearSessionCookies(w http.ResponseWriter) {
	for _, name := range []string{SessionCookie, CSRFCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookie, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
}

// DeviceCookie holds a random token set at a successful sign-in; presented
// again, it marks the browser as a device the account has signed in from.
// Only its keyed hash is stored (known_clients, kind "device_key").
const DeviceCookie = "atrium_device"

// deviceCookieTTL is how long a browser stays a known device.
const deviceCookieTTL = 365 * 24 * time.Hour

// deviceContext returns ctx with the request's device token: the cookie's,
// or for a cookie sign-in a fresh one (set as the cookie once signed in).
// Bearer sign-ins set no cookies, so they get no device token.
func deviceContext(ctx context.Context, r *http.Request, bearer bool) context.Context {
	if c, err := r.Cookie(DeviceCookie); err == nil && validDeviceToken(c.Value) {
		return withDeviceToken(ctx, c.Value)
	}
	if bearer {
		return ctx
	}
	return withDeviceToken(ctx, ids.Token(32))
}

func (s *Service) setDeviceCookie(ctx context.Context, w http.ResponseWriter) {
	tok := deviceTokenFrom(ctx)
	if tok == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: tok, Path: "/api/v1/auth/", MaxAge: int(deviceCookieTTL / time.Second),
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteStrictMode})
}

// StartSession opens a session for an active account and, for a cookie
// session, sets the session and CSRF cookies on w. It returns the token
// (which a bearer client keeps). The caller has proven who the person is.
// The client's address and user agent come from ctx (platform/reqctx).
func (s *Service) StartSession(ctx context.Context, w http.ResponseWriter, accountID, orgID string, via actor.Via) (string, error) {
	r, err := s.st.accountByID(ctx, accountID)
	if err != nil {
		return "", apperr.MapNotFound(err)
	}
	if r.Status != StatusActive {
		return "", apperr.Conflict("account_not_active", "the account is not active")
	}
	token, _, err := s.startSession(ctx, w, r, orgID, via == actor.ViaCookie, "session_start")
	return token, err
}

func (s *Service) startSession(ctx context.Context, w http.ResponseWriter, r accountRow, orgID string, cookie bool, method string) (string, sessionRow, error) {
	kind := KindBearer
	if cookie {
		kind = KindCookie
	}
	token, sess, err := s.openSession(ctx, r, orgID, kind, method)
	if err != nil {
		return "", sessionRow{}, err
	}
	if cookie {
		s.setSessionCookies(w, token)
		s.setDeviceCookie(ctx, w)
	}
	return token, sess, nil
}

func (s *Service) signedIn(ctx context.Context, w http.ResponseWriter, r accountRow, bearer bool, method string) error {
	orgID, err := s.startingOrg(ctx, r.ID)
	if err != nil {
		return err
	}
	token, sess, err := s.startSession(ctx, w, r, orgID, !bearer, method)
	if err != nil {
		return err
	}
	acc, err := s.account(ctx, r)
	if err != nil {
		return err
	}
	out := LoginResult{Account: acc, SessionID: sess.ID, OrgID: orgID, ExpiresAt: sess.ExpiresAt}
	if bearer {
		out.Token = token
	}
	return httpx.OK(w, out)
}

// HandleRegister is POST /api/v1/auth/register.
func (s *Service) HandleRegister(w http.ResponseWriter, r *http.Request) error {
	var in RegisterInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.Register(s.RequestContext(r, ""), in); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, Accepted{Status: "code_sent"})
}

// HandleVerify is POST /api/v1/auth/verify.
func (s *Service) HandleVerify(w http.ResponseWriter, r *http.Request) error {
	var in VerifyInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := checkDeviceID(in.DeviceID); err != nil {
		return err
	}
	ctx := deviceContext(s.RequestContext(r, in.DeviceID), r, in.Bearer)
	acc, err := s.Verify(ctx, in.Email, in.Code, in.Password)
	if err != nil {
		return err
	}
	row, err := s.st.accountByID(ctx, acc.ID)
	if err != nil {
		return err
	}
	return s.signedIn(ctx, w, row, in.Bearer, "email_code")
}

// HandleLogin is POST /api/v1/auth/login.
func (s *Service) HandleLogin(w http.ResponseWriter, r *http.Request) error {
	var in LoginInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := checkDeviceID(in.DeviceID); err != nil {
		return err
	}
	ctx := deviceContext(s.RequestContext(r, in.DeviceID), r, in.Bearer)
	row, method, err := s.login(ctx, in)
	if err != nil {
		return err
	}
	return s.signedIn(ctx, w, row, in.Bearer, method)
}

// HandleLogout is POST /api/v1/auth/logout.
func (s *Service) HandleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Logout(r.Context()); err != nil {
		return err
	}
	if a := actor.From(r.Context()); a != nil && a.Via == actor.ViaCookie {
		s.clearSessionCookies(w)
	}
	return httpx.NoContent(w)
}

// HandlePasswordReset is POST /api/v1/auth/password-reset.
func (s *Service) HandlePasswordReset(w http.ResponseWriter, r *http.Request) error {
	var in PasswordResetRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.RequestPasswordReset(s.RequestContext(r, ""), in.Email); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, Accepted{Status: "code_sent_if_registered"})
}

// HandleLoginCode is POST /api/v1/auth/login-code.
func (s *Service) HandleLoginCode(w http.ResponseWriter, r *http.Request) error {
	var in LoginCodeRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.RequestLoginCode(s.RequestContext(r, ""), in.Email); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusAccepted, Accepted{Status: "code_sent_if_registered"})
}

// HandlePasswordResetConfirm is POST /api/v1/auth/password-reset/confirm.
func (s *Service) HandlePasswordResetConfirm(w http.ResponseWriter, r *http.Request) error {
	var in PasswordResetConfirm
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.ConfirmPasswordReset(s.RequestContext(r, ""), in); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleMe is GET /api/v1/me. For cookie sessions it also renews the
// cookies' lifetime, matching the sliding session.
func (s *Service) HandleMe(w http.ResponseWriter, r *http.Request) error {
	acc, err := s.Me(r.Context())
	if err != nil {
		return err
	}
	if a := actor.From(r.Context()); a != nil && a.Via == actor.ViaCookie {
		maxAge := int(SessionTTL / time.Second)
		for _, name := range []string{SessionCookie, CSRFCookie} {
			if c, err := r.Cookie(name); err == nil && c.Value != "" {
				http.SetCookie(w, &http.Cookie{Name: name, Value: c.Value, Path: "/", MaxAge: maxAge,
					HttpOnly: name == SessionCookie, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
			}
		}
	}
	return httpx.OK(w, acc)
}

// HandleUpdateMe is PATCH /api/v1/me.
func (s *Service) HandleUpdateMe(w http.ResponseWriter, r *http.Request) error {
	var in MePatch
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	acc, err := s.UpdateMe(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, acc)
}

// HandleSessions is GET /api/v1/me/sessions.
func (s *Service) HandleSessions(w http.ResponseWriter, r *http.Request) error {
	out, err := s.Sessions(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleRevokeSession is DELETE /api/v1/me/sessions/{id}.
func (s *Service) HandleRevokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.RevokeSession(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleChangePassword is POST /api/v1/me/password.
func (s *Service) HandleChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in PasswordChange
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.ChangePassword(s.RequestContext(r, ""), in); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// pageParams reads ?cursor= and ?limit= through the one paging validator.
func pageParams(r *http.Request) (string, int, error) {
	p, err := httpx.PageOf(r)
	return p.Cursor, p.Limit, err
}

// HandleLoginHistory is GET /api/v1/me/login-history.
func (s *Service) HandleLoginHistory(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	out, err := s.LoginHistory(r.Context(), cursor, limit)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleNotices is GET /api/v1/me/notices.
func (s *Service) HandleNotices(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	out, err := s.Notices(r.Context(), cursor, limit)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleTOTPSetup is POST /api/v1/me/2fa/setup.
func (s *Service) HandleTOTPSetup(w http.ResponseWriter, r *http.Request) error {
	out, err := s.SetupTOTP(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleTOTPEnable is POST /api/v1/me/2fa/enable.
func (s *Service) HandleTOTPEnable(w http.ResponseWriter, r *http.Request) error {
	var in TOTPEnable
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.EnableTOTP(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleTOTPDisable is POST /api/v1/me/2fa/disable.
func (s *Service) HandleTOTPDisable(w http.ResponseWriter, r *http.Request) error {
	var in TOTPDisable
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.DisableTOTP(s.RequestContext(r, ""), in); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleAppPasswords is GET /api/v1/me/app-passwords.
func (s *Service) HandleAppPasswords(w http.ResponseWriter, r *http.Request) error {
	out, err := s.AppPasswords(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, out)
}

// HandleCreateAppPassword is POST /api/v1/me/app-passwords.
func (s *Service) HandleCreateAppPassword(w http.ResponseWriter, r *http.Request) error {
	var in AppPasswordInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.CreateAppPassword(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, out)
}

// HandleRevokeAppPassword is DELETE /api/v1/me/app-passwords/{id}.
func (s *Service) HandleRevokeAppPassword(w http.ResponseWriter, r *http.Request) error {
	if err := s.RevokeAppPassword(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}
