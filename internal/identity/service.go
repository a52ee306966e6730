// Package identity owns accounts — a natural person's login identity — and
// everything that proves who someone is: credentials (argon2id passwords,
// TOTP second factor with recovery codes), registration and password reset
// by emailed code, sessions (cookie for the web app, bearer token for the
// CLI and apps), login history with new-device alerts, and the rate limits
// that protect all of it. Limits are kept in the database, so they work
// without a cache server and survive restarts.
//
// Sensitive fields (email, phone, birth date, TOTP secret) are sealed with
// the person's data key (platform/keyring) bound to their row; email and
// phone are found by keyed hashes.
//
// The methods used by other domains (CreateAccount, StartSession, …) do no
// actor check: their callers check. The methods behind /api/v1/me act on
// the actor in the context.
//
// Each file is one room: service.go holds the Service and what all rooms
// share; account.go accounts and their sealed fields; register.go
// registration; login.go password sign-in and throttle.go its limits;
// totp.go the second factor; session.go sessions; history.go the login
// history and notices; profile.go the person's own account; reset.go
// password change and reset; code.go emailed codes; limits.go rate limits;
// operator.go the operator's tools; http.go the handlers; store.go the SQL.
package identity

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// Service is the identity service.
type Service struct {
	DB   *db.DB
	Keys *keyring.Keyring
	Log  *slog.Logger
	// BaseURL is the public URL of the server, used in emails.
	BaseURL string
	// SecureCookies marks session and CSRF cookies Secure (HTTPS).
	SecureCookies bool
	// Orgs, when set, names the organization a new sign-in starts in.
	Orgs OrgChooser
	// AgeGate is the privacy center's check of minors, asked before and
	// told after a person changes their birth date (nil: no check).
	AgeGate AgeGate

	st       store
	limits   atomic.Pointer[Limits]
	sessions *fresh.Cache[string, cachedSession] // token hash → session (session.go)
}

// New returns the identity service over d, sealing with keys.
func New(d *db.DB, keys *keyring.Keyring, log *slog.Logger) *Service {
	s := &Service{DB: d, Keys: keys, Log: log, st: store{d: d},
		sessions: fresh.NewCache[string, cachedSession](fresh.Sessions, sessionCacheMax)}
	l := DefaultLimits()
	s.limits.Store(&l)
	return s
}

// Limits returns the limits in force.
func (s *Service) Limits() Limits { return *s.limits.Load() }

// SetLimits replaces the limits (tests use small numbers). Safe while serving.
func (s *Service) SetLimits(l Limits) { s.limits.Store(&l) }

// AgeGate is what identity needs of the guardian-consent gate for minors.
type AgeGate interface {
	// CheckBirthDateChange refuses a change of the person's own birth
	// date while the gate holds them back (a minor without a guardian's
	// consent cannot type their way out of it).
	CheckBirthDateChange(ctx context.Context, accountID string) error
	// BirthDateChanged makes the gate read the new birth date at once, in
	// ctx's transaction.
	BirthDateChanged(ctx context.Context, accountID string) error
}

// client is where a request comes from (platform/reqctx), as sessions,
// the login history and alerts record it.
type client struct {
	IP        string
	UserAgent string
	DeviceID  string
}

func clientFrom(ctx context.Context) client {
	r := reqctx.From(ctx)
	return client{IP: r.ClientIP, UserAgent: r.UserAgent, DeviceID: r.DeviceID}
}

// OrgChooser says which organization a new session starts in.
type OrgChooser interface {
	// SoleOrg returns the organization accountID is an active member of
	// when it is exactly one, and "" otherwise.
	SoleOrg(ctx context.Context, accountID string) (string, error)
}

// startingOrg is the organization a sign-in's session starts in: the
// account's only one, so that a script's first organization call works
// without POST /me/org; with several the person chooses.
func (s *Service) startingOrg(ctx context.Context, accountID string) (string, error) {
	if s.Orgs == nil {
		return "", nil
	}
	return s.Orgs.SoleOrg(ctx, accountID)
}

// Errors of this package that callers may check by code.
var (
	errInvalidCredentials = apperr.New(apperr.KindUnauthenticated, "invalid_credentials", "wrong email or password")
	errTOTPRequired       = apperr.New(apperr.KindUnauthenticated, "totp_required", "enter the code from your authenticator app, or a recovery code")
	errInvalidTOTP        = apperr.New(apperr.KindUnauthenticated, "invalid_totp_code", "the authenticator code is wrong, expired or already used")
	errInvalidRecovery    = apperr.New(apperr.KindUnauthenticated, "invalid_recovery_code", "the recovery code is wrong or already used")
	errInvalidCode        = apperr.Invalid("invalid_code", "the code is wrong or has expired; request a new one")
	errInvalidPassword    = apperr.Forbidden("invalid_password", "the password is wrong")
	errNotVerified        = apperr.Forbidden("email_not_verified", "confirm your email address with the code we sent first")
	errDisabled           = apperr.Forbidden("account_disabled", "this account is disabled")
	errSecondFactor       = apperr.Forbidden("invalid_second_factor", "the authenticator or recovery code is wrong or already used")
)

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// self returns the signed-in person (actor.Caller); an app, or a client
// signed in with an app password, which cannot manage the account it acts
// for, counts as not signed in.
func self(ctx context.Context) (*actor.Actor, error) {
	a, err := actor.Caller(ctx)
	if err != nil || a.Via == actor.ViaApp || a.Via == actor.ViaAppPassword {
		return nil, apperr.ErrUnauthenticated
	}
	return a, nil
}

// Cleanup deletes expired sessions and codes and old rate-limit windows.
func (s *Service) Cleanup(ctx context.Context) error {
	now := time.Now()
	lim := s.Limits()
	horizon := max(lim.LoginWindow, lim.CodeWindow, 24*time.Hour)
	return s.st.deleteExpired(ctx, now.UnixMilli(), now.Add(-horizon).UnixMilli())
}

// StartJanitor runs Cleanup every interval until stop is called.
func (s *Service) StartJanitor(interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.Cleanup(ctx); err != nil && ctx.Err() == nil {
					s.Log.Warn("identity: cleanup failed", "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
