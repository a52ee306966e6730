package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// TOTP follows RFC 6238 as authenticator apps expect it: SHA-1, 6 digits,
// 30-second steps, a 20-byte secret. One step of clock skew either way is
// accepted. The step of every accepted code is stored, and a code of that
// step or an earlier one is refused, so a code cannot be replayed.
const (
	totpPeriod        = 30
	recoveryCodeCount = 10
)

// TOTPSetup is the answer of POST /api/v1/me/2fa/setup.
type TOTPSetup struct {
	Secret     string `json:"secret"`      // base32, for manual entry
	OTPAuthURL string `json:"otpauth_url"` // for a QR code
}

// TOTPEnable is the body of POST /api/v1/me/2fa/enable.
type TOTPEnable struct {
	Code string `json:"code"`
}

// RecoveryCodes is the answer of POST /api/v1/me/2fa/enable: shown once.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// TOTPDisable is the body of POST /api/v1/me/2fa/disable.
type TOTPDisable struct {
	Password string `json:"password"`
	// Code is a current authenticator code or an unused recovery code.
	Code string `json:"code"`
}

// checkTOTP reports whether code is a valid, unused TOTP code of r's secret,
// and marks its step used.
func (s *Service) checkTOTP(ctx context.Context, r accountRow, code string) (bool, error) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 || len(r.TOTPSealed) == 0 {
		return false, nil
	}
	secret, err := s.open(ctx, r.ID, "totp_secret", r.TOTPSealed)
	if err != nil || secret == "" {
		return false, err
	}
	now := time.Now().Unix() / totpPeriod
	for _, step := range []int64{now - 1, now, now + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s.st.useTOTPStep(ctx, r.ID, step)
		}
	}
	return false, nil
}

func normalizeRecoveryCode(c string) string {
	c = strings.ToLower(c)
	return strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(c))
}

func (s *Service) recoveryHash(accountID, code string) string {
	return s.Keys.Hash("recovery_code", accountID+":"+normalizeRecoveryCode(code))
}

// useRecoveryCode spends an unused recovery code of the account.
func (s *Service) useRecoveryCode(ctx context.Context, accountID, code string) (bool, error) {
	if n := len(normalizeRecoveryCode(code)); n == 0 || n > 64 {
		return false, nil
	}
	return s.st.useRecoveryCode(ctx, accountID, s.recoveryHash(accountID, code), time.Now().UnixMilli())
}

// newRecoveryCode returns 10 random base32 characters as "xxxxx-xxxxx"
// (50 bits).
func newRecoveryCode() string {
	b := make([]byte, 7)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}

// SetupTOTP creates a new TOTP secret for the caller (not yet enabled) and
// returns it for the authenticator app. Setting up again replaces a secret
// that was never enabled.
func (s *Service) SetupTOTP(ctx context.Context) (TOTPSetup, error) {
	a, err := self(ctx)
	if err != nil {
		return TOTPSetup{}, err
	}
	var out TOTPSetup
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		r, err := s.st.accountByID(ctx, a.AccountID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if r.TOTPEnabled {
			return apperr.Conflict("totp_already_enabled", "two-factor authentication is already on; disable it first to set up a new authenticator")
		}
		email, err := s.open(ctx, r.ID, "email", r.EmailSealed)
		if err != nil {
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: "Atrium", AccountName: email, Period: totpPeriod, SecretSize: 20})
		if err != nil {
			return err
		}
		sealed, err := s.seal(ctx, r.ID, "totp_secret", key.Secret())
		if err != nil {
			return err
		}
		if err := s.st.setTOTP(ctx, r.ID, sealed, false, time.Now().UnixMilli()); err != nil {
			return err
		}
		out = TOTPSetup{Secret: key.Secret(), OTPAuthURL: key.URL()}
		return nil
	})
	return out, err
}

// EnableTOTP turns two-factor authentication on with a code from the
// authenticator set up by SetupTOTP, and returns 10 single-use recovery
// codes (stored only as keyed hashes; shown this once).
func (s *Service) EnableTOTP(ctx context.Context, in TOTPEnable) (RecoveryCodes, error) {
	a, err := self(ctx)
	if err != nil {
		return RecoveryCodes{}, err
	}
	r, err := s.st.accountByID(ctx, a.AccountID)
	if err != nil {
		return RecoveryCodes{}, apperr.MapNotFound(err)
	}
	if r.TOTPEnabled {
		return RecoveryCodes{}, apperr.Conflict("totp_already_enabled", "two-factor authentication is already on")
	}
	if len(r.TOTPSealed) == 0 {
		return RecoveryCodes{}, apperr.Conflict("totp_not_set_up", "set up an authenticator first (POST /api/v1/me/2fa/setup)")
	}
	ok, err := s.checkTOTP(ctx, r, in.Code)
	if err != nil {
		return RecoveryCodes{}, err
	}
	if !ok {
		return RecoveryCodes{}, apperr.InvalidField("code", "the authenticator code is wrong, expired or already used")
	}
	codes := make([]string, recoveryCodeCount)
	hashes := make([]string, recoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = s.recoveryHash(r.ID, codes[i])
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		now := time.Now().UnixMilli()
		if err := s.st.setTOTP(ctx, r.ID, r.TOTPSealed, true, now); err != nil {
			return err
		}
		if err := s.st.replaceRecoveryCodes(ctx, r.ID, hashes, now); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.2fa_enabled", map[string]any{}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.2fa_enable", TargetKind: "account", TargetID: r.ID})
	})
	if err != nil {
		return RecoveryCodes{}, err
	}
	return RecoveryCodes{RecoveryCodes: codes}, nil
}

// disableTOTPTries is how many times an hour an account may try to turn
// two-factor authentication off.
const disableTOTPTries = 10

// DisableTOTP turns two-factor authentication off after checking the
// password and a current authenticator code or an unused recovery code.
func (s *Service) DisableTOTP(ctx context.Context, in TOTPDisable) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	r, err := s.st.accountByID(ctx, a.AccountID)
	if err != nil {
		return apperr.MapNotFound(err)
	}
	if !r.TOTPEnabled {
		return apperr.Conflict("totp_not_enabled", "two-factor authentication is not on")
	}
	// Each try checks a second factor: without a limit, a stolen session
	// and the password would let codes be guessed until one fits.
	if err := s.hit(ctx, s.rateKey("2fa.disable", r.ID), disableTOTPTries, time.Hour); err != nil {
		return err
	}
	if err := s.reauth(ctx, r, in.Password); err != nil {
		return err
	}
	ok, err := s.checkTOTP(ctx, r, in.Code)
	if err != nil {
		return err
	}
	if !ok {
		if ok, err = s.useRecoveryCode(ctx, r.ID, in.Code); err != nil {
			return err
		}
	}
	if !ok {
		return errSecondFactor
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error { return s.disableTOTP(ctx, r.ID) })
}

func (s *Service) disableTOTP(ctx context.Context, id string) error {
	now := time.Now().UnixMilli()
	if err := s.st.setTOTP(ctx, id, nil, false, now); err != nil {
		return err
	}
	if err := s.st.replaceRecoveryCodes(ctx, id, nil, now); err != nil {
		return err
	}
	if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, id, "account.2fa_disabled", map[string]any{}); err != nil {
		return err
	}
	return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.2fa_disable", TargetKind: "account", TargetID: id})
}

// RemainingRecoveryCodes returns how many unused recovery codes the
// account has.
func (s *Service) RemainingRecoveryCodes(ctx context.Context, accountID string) (int, error) {
	return s.st.countRecoveryCodes(ctx, accountID)
}
