package identity

// Rate limits: the Limits in force and the counters behind them, kept in
// the database. How the sign-in limits fit together: throttle.go.

import (
	"context"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Limits are the rate limits and code rules. Counters live in the database
// (tables rate_limits and login_throttle), so they hold across restarts and
// nodes. How the sign-in limits fit together: throttle.go.
type Limits struct {
	// PairFreeFailures is how many failed sign-ins one client (an account
	// from one address, or from one known device) may have before each
	// further attempt waits PairBackoff, doubling per failure up to
	// PairBackoffMax. Only that client waits.
	PairFreeFailures int
	PairBackoff      time.Duration
	PairBackoffMax   time.Duration
	// LoginFailures is how many failed sign-ins an account may have in
	// LoginWindow from all clients together; past it, clients the account
	// does not trust (no known-device cookie, no emailed code) share one
	// attempt per AccountSlowEvery. Slowed, never locked out.
	LoginFailures    int
	AccountSlowEvery time.Duration
	// LoginFailuresPerIP is how many failed sign-ins one address may have
	// in LoginWindow over all accounts before that address is refused.
	LoginFailuresPerIP int
	LoginWindow        time.Duration
	// CodeSendsPerEmail and CodeSendsPerIP limit how many emailed codes
	// (registration, password reset, sign-in) may be requested in CodeWindow.
	CodeSendsPerEmail int
	CodeSendsPerIP    int
	// RegistrationsPerIP limits registrations from one address in CodeWindow.
	RegistrationsPerIP int
	CodeWindow         time.Duration
	// CodeTTL is how long an emailed code is valid; CodeAttempts how many
	// wrong guesses burn it.
	CodeTTL      time.Duration
	CodeAttempts int
}

// DefaultLimits are the limits of a production server. One address gets 5
// free guesses at an account, then waits 1 s, 2 s, 4 s … up to 15 minutes
// (about 15 guesses in the first hour, 4 an hour after); past 50 failures an
// hour from everywhere, unknown clients get one guess per 30 s together.
func DefaultLimits() Limits {
	return Limits{
		PairFreeFailures:   5,
		PairBackoff:        time.Second,
		PairBackoffMax:     15 * time.Minute,
		LoginFailures:      50,
		AccountSlowEvery:   30 * time.Second,
		LoginFailuresPerIP: 1000,
		LoginWindow:        time.Hour,
		CodeSendsPerEmail:  5,
		CodeSendsPerIP:     50,
		RegistrationsPerIP: 50,
		CodeWindow:         time.Hour,
		CodeTTL:            15 * time.Minute,
		CodeAttempts:       5,
	}
}

func tooMany(retry time.Duration) *apperr.Error {
	secs := int((retry + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return apperr.New(apperr.KindRateLimited, "too_many_attempts", "too many attempts; try again later").With("retry_after_seconds", secs)
}

func (s *Service) rateKey(kind, value string) string {
	return kind + ":" + s.Keys.Hash("ratelimit", value)
}

// limited returns a 429 when key has reached max hits in the current window.
func (s *Service) limited(ctx context.Context, key string, max int, win time.Duration) error {
	n, start, err := s.st.peekRate(ctx, key)
	if err != nil {
		return err
	}
	now := time.Now()
	end := time.UnixMilli(start).Add(win)
	if n >= max && end.After(now) {
		return tooMany(end.Sub(now))
	}
	return nil
}

// hit counts one hit on key and returns a 429 when it exceeds max.
func (s *Service) hit(ctx context.Context, key string, max int, win time.Duration) error {
	now := time.Now()
	n, start, err := s.st.hitRate(ctx, key, now.UnixMilli(), win.Milliseconds())
	if err != nil {
		return err
	}
	if n > max {
		return tooMany(time.UnixMilli(start).Add(win).Sub(now))
	}
	return nil
}
