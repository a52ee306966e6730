package identity

// Changing a password: with the current one when signed in, or with a code
// emailed to the account when it is forgotten. Either ends the account's
// other sessions (a reset ends them all) and revokes its app passwords, so
// that whoever knew the old password keeps no way in.

import (
	"context"
	"errors"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// PasswordChange is the body of POST /api/v1/me/password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session of the caller.
func (s *Service) ChangePassword(ctx context.Context, in PasswordChange) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	if err := checkNewPassword("new_password", in.NewPassword); err != nil {
		return err
	}
	r, err := s.st.accountByID(ctx, a.AccountID)
	if err != nil {
		return apperr.MapNotFound(err)
	}
	if err := s.reauth(ctx, r, in.CurrentPassword); err != nil {
		return err
	}
	h, err := hashPassword(in.NewPassword)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.setPassword(ctx, r.ID, h, time.Now().UnixMilli()); err != nil {
			return err
		}
		n, err := s.endSessions(ctx, r.ID, a.SessionID)
		if err != nil {
			return err
		}
		apw, err := s.revokeAllAppPasswords(ctx, r.ID)
		if err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.password_changed", map[string]any{}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.password_change", TargetKind: "account", TargetID: r.ID,
			Details: map[string]any{"sessions_ended": n, "app_passwords_revoked": apw}})
	})
}

// resetCode is the emailed code of a password reset.
var resetCode = codeEmail{
	purpose: purposeReset,
	subject: "Your Atrium password reset code",
	body: func(code, valid string) string {
		return "Your Atrium password reset code is " + code + "\n\nIt is valid for " + valid +
			". If you did not ask to reset your password, ignore this email: your password stays as it is."
	},
	action: "identity.password_reset_request",
}

// RequestPasswordReset emails a reset code when an active account has this
// address. The answer is the same either way.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	return s.emailCode(ctx, email, resetCode)
}

// PasswordResetConfirm is the body of POST /api/v1/auth/password-reset/confirm.
type PasswordResetConfirm struct {
	Email       string `json:"email"`
	Code        string `json:"code"`
	NewPassword string `json:"new_password"`
}

// ConfirmPasswordReset sets a new password with an emailed code and ends
// every session of the account. It also lifts a sign-in lockout, so the
// owner of a locked-out account can get back in.
func (s *Service) ConfirmPasswordReset(ctx context.Context, in PasswordResetConfirm) error {
	e, err := NormalizeEmail(in.Email)
	if err != nil {
		return err
	}
	if err := checkNewPassword("new_password", in.NewPassword); err != nil {
		return err
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(e))
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Status != StatusActive) {
		dummyHash(in.NewPassword) // answer as slowly as for a real account
		return errInvalidCode
	}
	if err != nil {
		return err
	}
	h, err := hashPassword(in.NewPassword)
	if err != nil {
		return err
	}
	ok, err := s.consumeCode(ctx, r.ID, purposeReset, in.Code, func(ctx context.Context) error {
		return s.setPasswordAndEndSessions(audit.WithAccount(ctx, r.ID), r.ID, e, h, "identity.password_reset")
	})
	if err != nil {
		return err
	}
	if !ok {
		return errInvalidCode
	}
	return nil
}

func (s *Service) setPasswordAndEndSessions(ctx context.Context, id, email, hash, action string) error {
	if err := s.st.setPassword(ctx, id, hash, time.Now().UnixMilli()); err != nil {
		return err
	}
	n, err := s.endSessions(ctx, id, "")
	if err != nil {
		return err
	}
	apw, err := s.revokeAllAppPasswords(ctx, id)
	if err != nil {
		return err
	}
	if err := s.clearSignInLimits(ctx, email); err != nil {
		return err
	}
	if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, id, "account.password_changed", map[string]any{}); err != nil {
		return err
	}
	return audit.Record(ctx, s.DB, audit.Entry{Action: action, TargetKind: "account", TargetID: id, Details: map[string]any{"sessions_ended": n, "app_passwords_revoked": apw}})
}
