package identity

// Password sign-in: checking the password and the second factor, recording
// failures in the login history and the audit log, and re-authentication
// before dangerous operations. How attempts are throttled: throttle.go; the
// session a sign-in opens: session.go.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// LoginInput is the body of POST /api/v1/auth/login.
type LoginInput struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	TOTPCode     string `json:"totp_code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
	// EmailCode is a one-time code from POST /api/v1/auth/login-code: with
	// the password, it signs in while the account is being slowed down by
	// guesses from elsewhere.
	EmailCode string `json:"email_code,omitempty"`
	DeviceID  string `json:"device_id,omitempty"`
	// Bearer asks for a token in the body instead of a cookie (CLI, apps).
	Bearer bool `json:"bearer,omitempty"`
}

// login checks credentials and the second factor, counting failures
// against the account and the client address. It returns the account and
// the method used.
func (s *Service) login(ctx context.Context, in LoginInput) (accountRow, string, error) {
	if strings.TrimSpace(in.Email) == "" {
		return accountRow{}, "", apperr.InvalidField("email", "email is required")
	}
	if in.Password == "" {
		return accountRow{}, "", apperr.InvalidField("password", "password is required")
	}
	if len(in.Password) > MaxPasswordLen {
		return accountRow{}, "", errInvalidCredentials
	}
	email, _ := NormalizeEmail(in.Email)
	if email == "" {
		email = strings.ToLower(strings.TrimSpace(in.Email))
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(email))
	known := err == nil
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return accountRow{}, "", err
	}
	device := false
	if known {
		if device, err = s.knownDevice(ctx, r.ID); err != nil {
			return accountRow{}, "", err
		}
	}
	emailCode := strings.TrimSpace(in.EmailCode) != ""
	if emailCode {
		if err := s.checkLoginCode(ctx, r, known, in.EmailCode); err != nil {
			return accountRow{}, "", err
		}
	}
	att, err := s.beginSignIn(ctx, email, device, emailCode)
	if err != nil {
		return accountRow{}, "", err
	}
	r, method, err := s.checkLogin(ctx, in, r, known)
	switch {
	case err == nil || errors.Is(err, errNotVerified) || errors.Is(err, errDisabled):
		// The password was right: this attempt is not a failure.
		s.endSignIn(ctx, att)
	case errors.Is(err, errTOTPRequired):
		// The password was right but the second factor is still to come:
		// not a failure, yet the backoff earned by wrong codes stays, or
		// asking with the password alone between guesses would clear it.
		s.endAttempt(ctx, att.counted)
	}
	if err == nil && emailCode {
		method += "+email_code"
	}
	return r, method, err
}

// checkLogin is login after the attempt has been counted.
func (s *Service) checkLogin(ctx context.Context, in LoginInput, r accountRow, known bool) (accountRow, string, error) {
	var acc *accountRow
	if known {
		acc = &r
	}
	if !known {
		dummyHash(in.Password)
		return accountRow{}, "", s.failLogin(ctx, nil, "password", "unknown_account", errInvalidCredentials)
	}
	ok, err := checkPassword(r.PasswordHash, in.Password)
	if err != nil {
		return accountRow{}, "", err
	}
	if !ok || r.Status == StatusDeleted {
		return accountRow{}, "", s.failLogin(ctx, acc, "password", "bad_password", errInvalidCredentials)
	}
	switch r.Status {
	case StatusPending:
		return accountRow{}, "", errNotVerified
	case StatusDisabled:
		if err := s.recordFailure(ctx, acc, "password", "disabled", audit.Denied, nil); err != nil {
			return accountRow{}, "", err
		}
		return accountRow{}, "", errDisabled
	}
	method := "password"
	if r.TOTPEnabled {
		switch {
		case in.TOTPCode != "":
			method = "password+totp"
			ok, err := s.checkTOTP(ctx, r, in.TOTPCode)
			if err != nil {
				return accountRow{}, "", err
			}
			if !ok {
				return accountRow{}, "", s.failLogin(ctx, acc, method, "bad_totp_code", errInvalidTOTP)
			}
		case in.RecoveryCode != "":
			method = "password+recovery_code"
			ok, err := s.useRecoveryCode(ctx, r.ID, in.RecoveryCode)
			if err != nil {
				return accountRow{}, "", err
			}
			if !ok {
				return accountRow{}, "", s.failLogin(ctx, acc, method, "bad_recovery_code", errInvalidRecovery)
			}
		default:
			return accountRow{}, "", errTOTPRequired
		}
	}
	return r, method, nil
}

// failLogin records a failed sign-in (already counted by beginAttempt) and
// returns answer.
func (s *Service) failLogin(ctx context.Context, acc *accountRow, method, outcome string, answer error) error {
	if err := s.recordFailure(ctx, acc, method, outcome, audit.Failure, nil); err != nil {
		return err
	}
	return answer
}

// recordFailure writes a failed or refused sign-in to the login history
// (for known accounts) and the audit log.
func (s *Service) recordFailure(ctx context.Context, acc *accountRow, method, outcome, auditOutcome string, details map[string]any) error {
	c := clientFrom(ctx)
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		target := ""
		if acc != nil {
			target = acc.ID
			if err := s.st.insertLogin(ctx, loginRow{ID: ids.New("lgn"), AccountID: acc.ID, CreatedAt: time.Now().UnixMilli(),
				IP: c.IP, UserAgent: truncate(c.UserAgent, 512), DeviceID: c.DeviceID, Method: method, Outcome: outcome}); err != nil {
				return err
			}
		}
		if details == nil {
			details = map[string]any{}
		}
		details["reason"] = outcome
		return audit.Record(audit.WithAccount(ctx, target), s.DB,
			audit.Entry{Action: "identity.login", TargetKind: "account", TargetID: target, Outcome: auditOutcome, Details: details})
	})
}

// VerifyPassword checks the account's password again (re-authentication
// before dangerous operations). Wrong passwords count toward the lockout.
func (s *Service) VerifyPassword(ctx context.Context, accountID, password string) error {
	r, err := s.st.accountByID(ctx, accountID)
	if err != nil {
		return apperr.MapNotFound(err)
	}
	return s.reauth(ctx, r, password)
}

func (s *Service) reauth(ctx context.Context, r accountRow, password string) error {
	if len(password) > MaxPasswordLen {
		return errInvalidPassword
	}
	// Throttled by the caller's own session, not as a sign-in: guesses at
	// the address from elsewhere (which slow unknown clients down) must
	// not keep the signed-in owner from changing their password. A wrong
	// password still waits, and longer each time, in that session.
	key := "account\x00" + r.ID
	if a := actor.From(ctx); a != nil && a.SessionID != "" {
		key = "session\x00" + a.SessionID
	}
	lim := s.Limits()
	pair := s.rateKey("reauth", key)
	if err := s.claim(ctx, pair, backoff{lim.PairFreeFailures, lim.PairBackoff, lim.PairBackoffMax}, lim.LoginWindow); err != nil {
		return err
	}
	ok, err := checkPassword(r.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		return s.failLogin(ctx, &r, "reauthenticate", "bad_password", errInvalidPassword)
	}
	if err := s.st.clearThrottle(ctx, pair); err != nil {
		s.Log.WarnContext(ctx, "identity: clear re-authentication backoff", "err", err)
	}
	return nil
}
