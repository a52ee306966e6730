package identity

// Sign-in throttling: keep password guessing slow without handing anyone a
// way to lock someone else out.
//
// A fixed lockout per account ("100 wrong passwords lock the account for an
// hour") lets anyone who knows an address lock its owner out. Instead, three
// counters, all kept in the database (so they hold across restarts and
// nodes):
//
//   - Per account and client. Each (account, address) pair — or (account,
//     known device) when the browser presents the device cookie set at an
//     earlier successful sign-in — gets PairFreeFailures free failures; after
//     that every attempt waits PairBackoff, doubling with each failure up to
//     PairBackoffMax. An attacker slows only themselves: the owner signs in
//     from their own address or device at once. A successful sign-in clears
//     the pair.
//   - Per address, across accounts: LoginFailuresPerIP failures in
//     LoginWindow, then that address is refused (credential stuffing from one
//     address). A known device is exempt.
//   - Per account, across addresses: past LoginFailures failures in
//     LoginWindow (a distributed guess), clients the account does not trust
//     share one attempt per AccountSlowEvery — slowed, never locked. A known
//     device, or a password together with a one-time code emailed to the
//     owner (POST /api/v1/auth/login-code), is not slowed.
//
// Attempts are counted before the password is checked and taken back when
// it was right, so concurrent guesses cannot overshoot a limit; a refused
// attempt writes nothing.

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
)

type deviceKey struct{}

// withDeviceToken returns ctx carrying the device token of the request
// (from the device cookie, or a new one to set after sign-in).
func withDeviceToken(ctx context.Context, tok string) context.Context {
	return context.WithValue(ctx, deviceKey{}, tok)
}

func deviceTokenFrom(ctx context.Context) string {
	t, _ := ctx.Value(deviceKey{}).(string)
	return t
}

// validDeviceToken reports whether tok has the form of a device token (so
// a junk cookie is replaced rather than stored).
func validDeviceToken(tok string) bool {
	if len(tok) != 64 {
		return false
	}
	_, err := hex.DecodeString(tok)
	return err == nil
}

func (s *Service) deviceHash(tok string) string { return s.Keys.Hash("known_device_key", tok) }

// knownDevice reports whether the request's device cookie belongs to a
// browser the account has signed in from before.
func (s *Service) knownDevice(ctx context.Context, accountID string) (bool, error) {
	tok := deviceTokenFrom(ctx)
	if tok == "" {
		return false, nil
	}
	return s.st.isKnownClient(ctx, accountID, "device_key", s.deviceHash(tok))
}

// backoff is a wait that doubles with each failure past the free ones.
type backoff struct {
	free      int
	base, max time.Duration
}

// delay is how long the next attempt waits after failures failures.
func (b backoff) delay(failures int) time.Duration {
	if failures < b.free || b.base <= 0 {
		return 0
	}
	d := b.base
	for i := b.free; i < failures && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// claim counts one attempt on key unless key is still waiting, and sets
// how long the next one waits. Counts older than window are forgotten. Two
// concurrent claims on one key cannot both pass: the update is conditional
// on the row being unchanged, and the loser is told to wait.
func (s *Service) claim(ctx context.Context, key string, b backoff, window time.Duration) error {
	now := time.Now()
	row, found, err := s.st.getThrottle(ctx, key)
	if err != nil {
		return err
	}
	failures := row.failures
	if found && now.Sub(time.UnixMilli(row.updatedAt)) > window {
		failures, row.nextAt = 0, 0
	}
	if found && row.nextAt > now.UnixMilli() {
		return tooMany(time.UnixMilli(row.nextAt).Sub(now))
	}
	next := throttleRow{failures: failures + 1, nextAt: now.Add(b.delay(failures + 1)).UnixMilli(), updatedAt: now.UnixMilli()}
	ok, err := s.st.claimThrottle(ctx, key, found, row, next)
	if err != nil {
		return err
	}
	if !ok {
		return tooMany(time.Second)
	}
	return nil
}

// limitKey is a rate-limit counter and its maximum (0: counted only).
type limitKey struct {
	key string
	max int
}

// attempt is a counted sign-in attempt: the counters it incremented.
type attempt struct {
	keys   []string
	starts []int64
}

// beginAttempt counts a sign-in attempt as a failure before the password
// is checked, so that concurrent guesses cannot overshoot a limit; endAttempt
// takes it back when the password was right. A key already at its limit
// refuses with a 429 and writes nothing, so a flood of refused attempts is
// not a flood of writes.
func (s *Service) beginAttempt(ctx context.Context, keys []limitKey, win time.Duration) (*attempt, error) {
	for _, k := range keys {
		if k.max <= 0 {
			continue // counted only
		}
		if err := s.limited(ctx, k.key, k.max, win); err != nil {
			return nil, err
		}
	}
	a := &attempt{}
	now := time.Now()
	for _, k := range keys {
		n, start, err := s.st.hitRate(ctx, k.key, now.UnixMilli(), win.Milliseconds())
		if err != nil {
			return nil, err
		}
		a.keys, a.starts = append(a.keys, k.key), append(a.starts, start)
		if k.max > 0 && n > k.max {
			s.endAttempt(ctx, a)
			return nil, tooMany(time.UnixMilli(start).Add(win).Sub(now))
		}
	}
	return a, nil
}

// endAttempt takes back the counts of a sign-in attempt that did not fail.
func (s *Service) endAttempt(ctx context.Context, a *attempt) {
	for i, k := range a.keys {
		if err := s.st.unhitRate(ctx, k, a.starts[i]); err != nil {
			s.Log.WarnContext(ctx, "identity: release rate-limit count", "err", err)
		}
	}
}

// signIn is a counted sign-in attempt.
type signIn struct {
	pairKey string
	counted *attempt
}

// beginSignIn counts a sign-in attempt for email from the client in ctx,
// or refuses it with a 429. device says the request carries the device
// cookie of a browser this account signed in from; emailCode that it
// carries a valid one-time code emailed to the account.
func (s *Service) beginSignIn(ctx context.Context, email string, device, emailCode bool) (*signIn, error) {
	lim := s.Limits()
	c := clientFrom(ctx)
	si := &signIn{}
	if !emailCode {
		si.pairKey = s.rateKey("login.pair", email+"\x00"+throttleAddr(c.IP))
		if device {
			si.pairKey = s.rateKey("login.device", email+"\x00"+deviceTokenFrom(ctx))
		}
		if err := s.claim(ctx, si.pairKey, backoff{lim.PairFreeFailures, lim.PairBackoff, lim.PairBackoffMax}, lim.LoginWindow); err != nil {
			return nil, err
		}
	}
	var keys []limitKey
	if !device && !emailCode {
		keys = append(keys, limitKey{s.rateKey("login.fail.ip", throttleAddr(c.IP)), lim.LoginFailuresPerIP})
	}
	// The account's count is a plain counter (no maximum here): past
	// LoginFailures, untrusted clients share the slow lane below.
	acctKey := s.rateKey("login.fail.account", email)
	keys = append(keys, limitKey{acctKey, 0})
	att, err := s.beginAttempt(ctx, keys, lim.LoginWindow)
	if err != nil {
		return nil, err
	}
	si.counted = att
	if device || emailCode {
		return si, nil
	}
	n, _, err := s.st.peekRate(ctx, acctKey)
	if err != nil {
		s.endAttempt(ctx, att)
		return nil, err
	}
	if n > lim.LoginFailures {
		slow := backoff{0, lim.AccountSlowEvery, lim.AccountSlowEvery}
		if err := s.claim(ctx, s.rateKey("login.slow.account", email), slow, lim.LoginWindow); err != nil {
			s.endAttempt(ctx, att)
			return nil, err
		}
	}
	return si, nil
}

// endSignIn takes back the counts of an attempt whose password was right
// and clears the client's own backoff.
func (s *Service) endSignIn(ctx context.Context, si *signIn) {
	if si == nil {
		return
	}
	s.endAttempt(ctx, si.counted)
	if si.pairKey != "" {
		if err := s.st.clearThrottle(ctx, si.pairKey); err != nil {
			s.Log.WarnContext(ctx, "identity: clear sign-in backoff", "err", err)
		}
	}
}

// checkLoginCode consumes an emailed sign-in code for the account.
func (s *Service) checkLoginCode(ctx context.Context, r accountRow, known bool, code string) error {
	if !known {
		return errInvalidCode
	}
	ok, err := s.consumeCode(ctx, r.ID, purposeLogin, code, func(context.Context) error { return nil })
	if err != nil {
		return err
	}
	if !ok {
		if err := s.recordFailure(ctx, &r, "password+email_code", "bad_email_code", audit.Failure, nil); err != nil {
			return err
		}
		return errInvalidCode
	}
	return nil
}

// LoginCodeRequest is the body of POST /api/v1/auth/login-code.
type LoginCodeRequest struct {
	Email string `json:"email"`
}

// loginCode is the emailed code of a sign-in.
var loginCode = codeEmail{
	purpose: purposeLogin,
	subject: "Your Atrium sign-in code",
	body: func(code, valid string) string {
		return "Your Atrium sign-in code is " + code + "\n\nEnter it with your password. It is valid for " + valid +
			". If you did not ask for it, someone may be trying to guess your password: you can ignore this email, and change your password if in doubt."
	},
	action: "identity.login_code_request",
}

// RequestLoginCode emails a one-time sign-in code to an active account. The
// code, sent with the password (LoginInput.EmailCode), lets the owner sign
// in while guesses from elsewhere slow the account down. Unknown addresses
// get the same answer and no email.
func (s *Service) RequestLoginCode(ctx context.Context, email string) error {
	return s.emailCode(ctx, email, loginCode)
}

// clearSignInLimits forgets the account's failure count and slow lane
// (after a password reset: whoever reset it holds the mailbox).
func (s *Service) clearSignInLimits(ctx context.Context, email string) error {
	if err := s.st.clearRate(ctx, s.rateKey("login.fail.account", email)); err != nil {
		return err
	}
	return s.st.clearThrottle(ctx, s.rateKey("login.slow.account", email))
}
