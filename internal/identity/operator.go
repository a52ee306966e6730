package identity

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// The operator's tools (`atrium user …`) run on the server machine with
// direct access to the database; they have no actor and check nothing
// beyond the input. Each records an audit entry.

// ListAccounts returns every account, oldest first.
func (s *Service) ListAccounts(ctx context.Context) ([]Account, error) {
	rows, err := s.st.listAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(rows))
	for _, r := range rows {
		a, err := s.account(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (s *Service) rowByEmail(ctx context.Context, email string) (accountRow, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return accountRow{}, "", err
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(e))
	if errors.Is(err, db.ErrNotFound) {
		return accountRow{}, "", apperr.New(apperr.KindNotFound, "no_account", "no account has this email address")
	}
	return r, e, err
}

// SetPasswordByEmail sets an account's password, ends all its sessions and
// lifts a sign-in lockout.
func (s *Service) SetPasswordByEmail(ctx context.Context, email, password string) error {
	if err := checkNewPassword("password", password); err != nil {
		return err
	}
	r, e, err := s.rowByEmail(ctx, email)
	if err != nil {
		return err
	}
	h, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		return s.setPasswordAndEndSessions(ctx, r.ID, e, h, "identity.password_reset")
	})
}

// IssueResetCode creates a password-reset code for the account and returns
// it (instead of emailing it), for the person to use with
// POST /api/v1/auth/password-reset/confirm or the web app.
func (s *Service) IssueResetCode(ctx context.Context, email string) (string, error) {
	r, _, err := s.rowByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	if r.Status != StatusActive {
		return "", apperr.Conflict("account_not_active", "the account is "+r.Status)
	}
	var code string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		code, err = s.issueCode(ctx, r.ID, purposeReset)
		return err
	})
	return code, err
}

// DisableTOTPByEmail turns off two-factor authentication of an account
// (the person lost their authenticator and their recovery codes).
func (s *Service) DisableTOTPByEmail(ctx context.Context, email string) error {
	r, _, err := s.rowByEmail(ctx, email)
	if err != nil {
		return err
	}
	if !r.TOTPEnabled && len(r.TOTPSealed) == 0 {
		return apperr.Conflict("totp_not_enabled", "two-factor authentication is not on for this account")
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error { return s.disableTOTP(ctx, r.ID) })
}
