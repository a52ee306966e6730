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
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/mail"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// Account statuses.
const (
	StatusPending  = "pending"  // registered, email not verified yet
	StatusActive   = "active"   // may sign in
	StatusDisabled = "disabled" // blocked by an operator
	StatusDeleted  = "deleted"  // deleted by the person; kept only as long as erasure needs
)

// Session kinds: how the token is carried.
const (
	KindCookie = "cookie"
	KindBearer = "bearer"
)

// SessionTTL is how long a session lives after it was last used.
const SessionTTL = 30 * 24 * time.Hour

// touchEvery bounds how often a session's last-seen time is written.
const touchEvery = time.Minute

// Code purposes.
const (
	purposeRegister = "register"
	purposeReset    = "password_reset"
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

	st     store
	limits atomic.Pointer[Limits]
}

// New returns the identity service over d, sealing with keys.
func New(d *db.DB, keys *keyring.Keyring, log *slog.Logger) *Service {
	s := &Service{DB: d, Keys: keys, Log: log, st: store{d: d}}
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

// Account is a person's account as other code sees it.
type Account struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Phone       string `json:"phone,omitempty"`
	Name        string `json:"name"`
	BirthDate   string `json:"birth_date,omitempty"` // YYYY-MM-DD
	Locale      string `json:"locale,omitempty"`
	Status      string `json:"status"`
	TOTPEnabled bool   `json:"totp_enabled"`
	CreatedAt   int64  `json:"created_at"`
}

// NewAccount is what CreateAccount needs. Password may be empty: the person
// then sets one with a password reset.
type NewAccount struct {
	Email     string
	Password  string
	Name      string
	Phone     string // optional, international format
	BirthDate string // optional, YYYY-MM-DD
	Locale    string // optional, e.g. "en" or "zh-CN"
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

func tooMany(retry time.Duration) *apperr.Error {
	secs := int((retry + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return apperr.New(apperr.KindRateLimited, "too_many_attempts", "too many attempts; try again later").With("retry_after_seconds", secs)
}

// ---- normalization and validation

// NormalizeEmail trims and lower-cases an email address and checks its form.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	if e == "" {
		return "", apperr.InvalidField("email", "email is required")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e || len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>") {
		return "", apperr.InvalidField("email", "email must be an address like name@example.com")
	}
	at := strings.LastIndexByte(e, '@')
	if at < 1 || at == len(e)-1 {
		return "", apperr.InvalidField("email", "email must be an address like name@example.com")
	}
	return e, nil
}

// NormalizePhone turns a phone number in international format ("+49 30
// 1234-567", "0049 …") into "+" and its digits (E.164: 8 to 15 digits).
func NormalizePhone(s string) (string, error) {
	bad := apperr.InvalidField("phone", "phone must be in international format, e.g. +49 30 1234567")
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if !strings.HasPrefix(s, "+") {
		return "", bad
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", bad
		}
	}
	p := b.String()
	if n := len(p) - 1; n < 8 || n > 15 || p[1] == '0' {
		return "", bad
	}
	return p, nil
}

var localeRe = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", apperr.InvalidField("name", "name is required")
	}
	if utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\r\n") {
		return "", apperr.InvalidField("name", "name must be at most 100 characters on one line")
	}
	return name, nil
}

func checkLocale(l string) error {
	if l != "" && (len(l) > 35 || !localeRe.MatchString(l)) {
		return apperr.InvalidField("locale", "locale must be a language tag such as en or zh-CN")
	}
	return nil
}

func checkBirthDate(d string) error {
	if d == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", d)
	if err != nil || t.Year() < 1900 || t.After(time.Now()) {
		return apperr.InvalidField("birth_date", "birth_date must be a past date as YYYY-MM-DD")
	}
	return nil
}

// checkNewPassword enforces the password policy on a new password
// (password.go: checkPasswordPolicy) and names field in the error.
func checkNewPassword(field, pw string) error {
	if err := checkPasswordPolicy(pw); err != nil {
		return err.With("field", field)
	}
	return nil
}

// ---- sealing

func aad(field, id string) string { return "accounts." + field + ":" + id }

func (s *Service) emailHash(email string) string { return s.Keys.Hash("email", email) }
func (s *Service) phoneHash(phone string) string { return s.Keys.Hash("phone", phone) }

func (s *Service) seal(ctx context.Context, id, field, v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	return s.Keys.Seal(ctx, id, aad(field, id), []byte(v))
}

// open returns the plaintext of a sealed field ("" when absent or when the
// person's key has been destroyed).
func (s *Service) open(ctx context.Context, id, field string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := s.Keys.Open(ctx, id, aad(field, id), sealed)
	if errors.Is(err, keyring.ErrKeyDestroyed) || errors.Is(err, keyring.ErrNoKey) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("identity: open %s of %s: %w", field, id, err)
	}
	return string(b), nil
}

// nameOf returns the account's name: opened, or the plaintext of a row
// written before names were sealed.
func (s *Service) nameOf(ctx context.Context, r accountRow) (string, error) {
	if len(r.NameSealed) == 0 {
		return r.Name, nil
	}
	return s.open(ctx, r.ID, "name", r.NameSealed)
}

// sealName seals name into r, clearing the plaintext column.
func (s *Service) sealName(ctx context.Context, r *accountRow, name string) error {
	var err error
	r.Name = ""
	r.NameSealed, err = s.seal(ctx, r.ID, "name", name)
	return err
}

func (s *Service) account(ctx context.Context, r accountRow) (Account, error) {
	a := Account{ID: r.ID, Locale: r.Locale, Status: r.Status, TOTPEnabled: r.TOTPEnabled, CreatedAt: r.CreatedAt}
	var err error
	if a.Name, err = s.nameOf(ctx, r); err != nil {
		return Account{}, err
	}
	if a.Email, err = s.open(ctx, r.ID, "email", r.EmailSealed); err != nil {
		return Account{}, err
	}
	if a.Phone, err = s.open(ctx, r.ID, "phone", r.PhoneSealed); err != nil {
		return Account{}, err
	}
	if a.BirthDate, err = s.open(ctx, r.ID, "birth_date", r.BirthSealed); err != nil {
		return Account{}, err
	}
	return a, nil
}

// ---- lookups for other domains

// GetAccount returns the account with id.
func (s *Service) GetAccount(ctx context.Context, id string) (Account, error) {
	r, err := s.st.accountByID(ctx, id)
	if err != nil {
		return Account{}, apperr.MapNotFound(err)
	}
	return s.account(ctx, r)
}

// AccountByEmail returns the account registered with email.
func (s *Service) AccountByEmail(ctx context.Context, email string) (Account, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Account{}, apperr.ErrNotFound
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(e))
	if err != nil {
		return Account{}, apperr.MapNotFound(err)
	}
	return s.account(ctx, r)
}

// AccountByPhone returns the account whose phone number is phone.
func (s *Service) AccountByPhone(ctx context.Context, phone string) (Account, error) {
	p, err := NormalizePhone(phone)
	if err != nil {
		return Account{}, apperr.ErrNotFound
	}
	r, err := s.st.accountByPhoneHash(ctx, s.phoneHash(p))
	if err != nil {
		return Account{}, apperr.MapNotFound(err)
	}
	return s.account(ctx, r)
}

// CreateAccount creates an active account (first-run setup, the operator's
// CLI, invitations). It does not check the actor: callers do. A taken email
// or phone is a 409.
func (s *Service) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return Account{}, err
	}
	name, err := checkName(n.Name)
	if err != nil {
		return Account{}, err
	}
	phone := ""
	if strings.TrimSpace(n.Phone) != "" {
		if phone, err = NormalizePhone(n.Phone); err != nil {
			return Account{}, err
		}
	}
	if err := checkBirthDate(n.BirthDate); err != nil {
		return Account{}, err
	}
	if err := checkLocale(n.Locale); err != nil {
		return Account{}, err
	}
	pwHash := ""
	if n.Password != "" {
		if err := checkNewPassword("password", n.Password); err != nil {
			return Account{}, err
		}
		if pwHash, err = hashPassword(n.Password); err != nil {
			return Account{}, err
		}
	}
	now := time.Now().UnixMilli()
	r := accountRow{ID: ids.New("acc"), EmailHash: s.emailHash(email), Name: name, PasswordHash: pwHash,
		Status: StatusActive, Locale: n.Locale, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		// Checked first because a failed INSERT aborts a PostgreSQL
		// transaction; the unique index still decides a race (as email_taken).
		if phone != "" {
			if _, err := s.st.accountByPhoneHash(ctx, s.phoneHash(phone)); err == nil {
				return apperr.Conflict("phone_taken", "another account already uses this phone number")
			} else if !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
		if err := s.sealAccount(ctx, &r, email, phone, n.BirthDate); err != nil {
			return err
		}
		if err := s.sealName(ctx, &r, name); err != nil {
			return err
		}
		if err := s.st.insertAccount(ctx, r); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("email_taken", "an account with this email already exists")
			}
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.created", map[string]any{"account_id": r.ID}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.account_create", TargetKind: "account", TargetID: r.ID})
	})
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, r)
}

func (s *Service) sealAccount(ctx context.Context, r *accountRow, email, phone, birth string) error {
	var err error
	if r.EmailSealed, err = s.seal(ctx, r.ID, "email", email); err != nil {
		return err
	}
	r.PhoneHash.Valid, r.PhoneHash.String = false, ""
	r.PhoneSealed = nil
	if phone != "" {
		r.PhoneHash.Valid, r.PhoneHash.String = true, s.phoneHash(phone)
		if r.PhoneSealed, err = s.seal(ctx, r.ID, "phone", phone); err != nil {
			return err
		}
	}
	if r.BirthSealed, err = s.seal(ctx, r.ID, "birth_date", birth); err != nil {
		return err
	}
	return nil
}

// ---- rate limits

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

// ---- codes

// newCode returns a uniformly random 6-digit code.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func (s *Service) codeHash(accountID, purpose, code string) string {
	return s.Keys.Hash("code", accountID+":"+purpose+":"+code)
}

// issueCode stores a new code for the account and purpose (replacing an
// older one) and returns it.
func (s *Service) issueCode(ctx context.Context, accountID, purpose string) (string, error) {
	code := newCode()
	now := time.Now()
	err := s.st.putCode(ctx, accountID, purpose, s.codeHash(accountID, purpose, code), now.UnixMilli(), now.Add(s.Limits().CodeTTL).UnixMilli())
	return code, err
}

// consumeCode checks code for the account and purpose in one transaction.
// A right code is deleted and then runs onOK in the same transaction; a
// wrong one counts an attempt, and the code is burnt after CodeAttempts
// wrong guesses or when expired. It reports whether the code was right.
func (s *Service) consumeCode(ctx context.Context, accountID, purpose, code string, onOK func(ctx context.Context) error) (bool, error) {
	code = strings.TrimSpace(code)
	ok := false
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		c, err := s.st.getCode(ctx, accountID, purpose)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.ExpiresAt <= time.Now().UnixMilli() || c.Attempts >= s.Limits().CodeAttempts {
			return s.st.deleteCode(ctx, accountID, purpose)
		}
		if subtle.ConstantTimeCompare([]byte(c.CodeHash), []byte(s.codeHash(accountID, purpose, code))) != 1 {
			if c.Attempts+1 >= s.Limits().CodeAttempts {
				return s.st.deleteCode(ctx, accountID, purpose)
			}
			return s.st.countCodeAttempt(ctx, accountID, purpose)
		}
		if err := s.st.deleteCode(ctx, accountID, purpose); err != nil {
			return err
		}
		ok = true
		return onOK(ctx)
	})
	if err != nil {
		return false, err
	}
	return ok, nil
}

// ---- registration

// RegisterInput is the body of POST /api/v1/auth/register.
type RegisterInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Phone    string `json:"phone,omitempty"`
}

// Register starts a registration: it creates (or refreshes) a pending
// account and emails a 6-digit code. An email that already has an account
// gets the same answer, and its owner an email saying so, so that the
// answer never tells whether an address is registered.
func (s *Service) Register(ctx context.Context, in RegisterInput) error {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return err
	}
	if err := checkNewPassword("password", in.Password); err != nil {
		return err
	}
	name, err := checkName(in.Name)
	if err != nil {
		return err
	}
	phone := ""
	if strings.TrimSpace(in.Phone) != "" {
		if phone, err = NormalizePhone(in.Phone); err != nil {
			return err
		}
	}
	c := clientFrom(ctx)
	lim := s.Limits()
	if err := s.hit(ctx, s.rateKey("register.ip", c.IP), lim.RegistrationsPerIP, lim.CodeWindow); err != nil {
		return err
	}
	if err := s.sendAllowed(ctx, email, c); err != nil {
		return err
	}
	pwHash, err := hashPassword(in.Password)
	if err != nil {
		return err
	}
	now := time.Now().UnixMilli()
	eh := s.emailHash(email)
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		existing, err := s.st.accountByEmailHash(ctx, eh)
		switch {
		case err == nil && existing.Status != StatusPending:
			if err := outbox.Send(ctx, s.DB, outbox.Message{To: email, Subject: "You already have an Atrium account",
				Body: "Someone (hopefully you) tried to register a new Atrium account with this email address, " +
					"but you already have one.\n\nSign in at " + s.BaseURL + " — if you forgot your password, use \"Forgot password\" to get a reset code.\n\n" +
					"If this was not you, you can ignore this email."}); err != nil {
				return err
			}
			return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.register", TargetKind: "account", TargetID: existing.ID,
				Outcome: audit.Failure, Details: map[string]any{"reason": "email_registered"}})
		case err != nil && !errors.Is(err, db.ErrNotFound):
			return err
		}
		r := accountRow{ID: ids.New("acc"), EmailHash: eh, Name: name, PasswordHash: pwHash, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
		if err == nil {
			r.ID, r.CreatedAt = existing.ID, existing.CreatedAt
		}
		// A phone number already used by another account is dropped rather
		// than refused, so that the answer does not reveal it; the person can
		// add a phone later in their profile.
		if phone != "" {
			if other, e := s.st.accountByPhoneHash(ctx, s.phoneHash(phone)); e == nil && other.ID != r.ID {
				phone = ""
			} else if e != nil && !errors.Is(e, db.ErrNotFound) {
				return e
			}
		}
		if err := s.sealAccount(ctx, &r, email, phone, ""); err != nil {
			return err
		}
		if err := s.sealName(ctx, &r, name); err != nil {
			return err
		}
		if err == nil && existing.ID != "" {
			err = s.st.updatePending(ctx, r)
		} else {
			err = s.st.insertAccount(ctx, r)
		}
		if err != nil {
			return err
		}
		code, err := s.issueCode(ctx, r.ID, purposeRegister)
		if err != nil {
			return err
		}
		if err := outbox.Send(ctx, s.DB, outbox.Message{To: email, Subject: "Your Atrium verification code",
			Body: "Your Atrium verification code is " + code + "\n\nIt is valid for " + minutes(s.Limits().CodeTTL) +
				". If you did not register, ignore this email."}); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.registered", map[string]any{"account_id": r.ID}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.register", TargetKind: "account", TargetID: r.ID})
	})
	if err != nil {
		return err
	}
	outbox.Kick(s.DB)
	return nil
}

func minutes(d time.Duration) string { return fmt.Sprintf("%d minutes", int(d/time.Minute)) }

// sendAllowed counts one emailed code for the address and the client.
func (s *Service) sendAllowed(ctx context.Context, email string, c client) error {
	lim := s.Limits()
	if err := s.hit(ctx, s.rateKey("code.ip", c.IP), lim.CodeSendsPerIP, lim.CodeWindow); err != nil {
		return err
	}
	return s.hit(ctx, s.rateKey("code.email", email), lim.CodeSendsPerEmail, lim.CodeWindow)
}

// Verify confirms a registration with the emailed code and activates the
// account. The caller then starts a session.
func (s *Service) Verify(ctx context.Context, email, code string) (Account, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Account{}, err
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(e))
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Status != StatusPending) {
		return Account{}, errInvalidCode
	}
	if err != nil {
		return Account{}, err
	}
	ok, err := s.consumeCode(ctx, r.ID, purposeRegister, code, func(ctx context.Context) error {
		if _, err := s.st.setStatus(ctx, r.ID, StatusPending, StatusActive, time.Now().UnixMilli()); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.activated", map[string]any{"account_id": r.ID}); err != nil {
			return err
		}
		return audit.Record(audit.WithAccount(ctx, r.ID), s.DB,
			audit.Entry{Action: "identity.verify", TargetKind: "account", TargetID: r.ID})
	})
	if err != nil {
		return Account{}, err
	}
	if !ok {
		return Account{}, errInvalidCode
	}
	r.Status = StatusActive
	return s.account(ctx, r)
}

// ---- login

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
	if err == nil || errors.Is(err, errTOTPRequired) || errors.Is(err, errNotVerified) || errors.Is(err, errDisabled) {
		// The password was right: this attempt is not a failure.
		s.endSignIn(ctx, att)
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ---- sessions

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// openSession creates a session for acc and records the sign-in: login
// history, known devices and networks (with a notice and an email when one
// is new), an event and an audit entry.
func (s *Service) openSession(ctx context.Context, acc accountRow, orgID, kind, method string) (string, sessionRow, error) {
	c := clientFrom(ctx)
	token := ids.Token(32)
	now := time.Now()
	sess := sessionRow{ID: ids.New("ses"), TokenHash: tokenHash(token), AccountID: acc.ID, OrgID: orgID, Kind: kind,
		IP: c.IP, UserAgent: truncate(c.UserAgent, 512), DeviceID: c.DeviceID,
		CreatedAt: now.UnixMilli(), LastSeenAt: now.UnixMilli(), ExpiresAt: now.Add(SessionTTL).UnixMilli()}
	sent := false
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.insertSession(ctx, sess); err != nil {
			return err
		}
		if err := s.st.insertLogin(ctx, loginRow{ID: ids.New("lgn"), AccountID: acc.ID, CreatedAt: sess.CreatedAt,
			IP: c.IP, UserAgent: sess.UserAgent, DeviceID: c.DeviceID, Method: method, Outcome: "success"}); err != nil {
			return err
		}
		var err error
		if sent, err = s.noticeNewClient(ctx, acc, c, sess.CreatedAt); err != nil {
			return err
		}
		// The browser becomes a known device of the account (throttle.go).
		if tok := deviceTokenFrom(ctx); tok != "" {
			if _, err := s.st.rememberClient(ctx, acc.ID, "device_key", s.deviceHash(tok), sess.CreatedAt); err != nil {
				return err
			}
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, acc.ID, "session.created", map[string]any{"session_id": sess.ID}); err != nil {
			return err
		}
		via := actor.ViaCookie
		if kind == KindBearer {
			via = actor.ViaBearer
		}
		actx := actor.With(ctx, &actor.Actor{AccountID: acc.ID, SessionID: sess.ID, Via: via, OrgID: orgID})
		return audit.Record(actx, s.DB, audit.Entry{Action: "identity.login", TargetKind: "account", TargetID: acc.ID,
			Details: map[string]any{"method": method, "session_id": sess.ID, "kind": kind}})
	})
	if err != nil {
		return "", sessionRow{}, err
	}
	if sent {
		outbox.Kick(s.DB)
	}
	return token, sess, nil
}

// network returns the /24 (IPv4) or /48 (IPv6) network of an address.
func network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// noticeNewClient remembers the client's device and network; when either is
// new for an account that has signed in before, it records a notice and
// emails the person. It reports whether an email was queued.
func (s *Service) noticeNewClient(ctx context.Context, acc accountRow, c client, now int64) (bool, error) {
	before, err := s.st.hasKnownClients(ctx, acc.ID)
	if err != nil {
		return false, err
	}
	newNet, newDev := false, false
	if c.IP != "" {
		seen, err := s.st.rememberClient(ctx, acc.ID, "network", s.Keys.Hash("known_network", network(c.IP)), now)
		if err != nil {
			return false, err
		}
		newNet = !seen
	}
	if c.DeviceID != "" {
		seen, err := s.st.rememberClient(ctx, acc.ID, "device", s.Keys.Hash("known_device", c.DeviceID), now)
		if err != nil {
			return false, err
		}
		newDev = !seen
	}
	// The first sign-in of an account has nothing to compare with.
	if !before || (!newNet && !newDev) {
		return false, nil
	}
	data := map[string]any{"ip": c.IP, "user_agent": truncate(c.UserAgent, 512), "device_id": c.DeviceID, "new_device": newDev, "new_network": newNet}
	b, _ := json.Marshal(data)
	if err := s.st.insertNotice(ctx, noticeRow{ID: ids.New("ntc"), AccountID: acc.ID, Kind: "new_sign_in", Data: string(b), CreatedAt: now}); err != nil {
		return false, err
	}
	email, err := s.open(ctx, acc.ID, "email", acc.EmailSealed)
	if err != nil || email == "" {
		return false, err
	}
	what := "a new device"
	if !newDev {
		what = "a new network"
	}
	body := fmt.Sprintf("Your Atrium account was just signed in to from %s.\n\nTime: %s\nIP address: %s\nBrowser or app: %s\n",
		what, time.UnixMilli(now).UTC().Format("2006-01-02 15:04 UTC"), c.IP, orDash(truncate(c.UserAgent, 200)))
	if c.DeviceID != "" {
		body += "Device id: " + truncate(c.DeviceID, 100) + "\n"
	}
	body += "\nIf this was you, there is nothing to do. If not, change your password at " + s.BaseURL +
		" and end the sessions you do not recognize under Account → Sessions."
	if err := outbox.Send(ctx, s.DB, outbox.Message{To: email, Subject: "New sign-in to your Atrium account", Body: body}); err != nil {
		return false, err
	}
	return true, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Authenticate returns the actor of a session token, or
// apperr.ErrUnauthenticated. It slides the session's expiry, writing the
// last-seen time at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string, via actor.Via) (*actor.Actor, error) {
	if len(token) != 64 {
		return nil, apperr.ErrUnauthenticated
	}
	if _, err := hex.DecodeString(token); err != nil {
		return nil, apperr.ErrUnauthenticated
	}
	r, status, err := s.st.sessionByToken(ctx, tokenHash(token))
	if errors.Is(err, db.ErrNotFound) {
		return nil, apperr.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if r.ExpiresAt <= now.UnixMilli() || status != StatusActive {
		return nil, apperr.ErrUnauthenticated
	}
	if now.Sub(time.UnixMilli(r.LastSeenAt)) >= touchEvery {
		if err := s.st.touchSession(ctx, r.ID, now.UnixMilli(), now.Add(SessionTTL).UnixMilli()); err != nil {
			s.Log.WarnContext(ctx, "identity: touch session", "session_id", r.ID, "err", err)
		}
	}
	return &actor.Actor{AccountID: r.AccountID, SessionID: r.ID, Via: via, OrgID: r.OrgID}, nil
}

// SetSessionOrg switches the session's current organization. The caller
// checks that the account is a member there.
func (s *Service) SetSessionOrg(ctx context.Context, sessionID, orgID string) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		accountID, err := s.st.setSessionOrg(ctx, sessionID, orgID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, accountID, "session.org_changed",
			map[string]any{"session_id": sessionID, "org_id": orgID})
		return err
	})
}

// EndSessions ends every session of the account except exceptSessionID
// ("" ends all), effective for the next request.
func (s *Service) EndSessions(ctx context.Context, accountID, exceptSessionID string) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := s.endSessions(ctx, accountID, exceptSessionID)
		return err
	})
}

// EndOrgSessions ends the account's sessions whose current organization is
// orgID: a member who is deactivated or removed is signed out there at
// once, on every device. When the account itself is the caller (it quits
// the organization), its own session stays signed in without an
// organization instead.
func (s *Service) EndOrgSessions(ctx context.Context, accountID, orgID string) error {
	if orgID == "" {
		return nil
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		except := ""
		if a := actor.From(ctx); a != nil && a.AccountID == accountID && a.SessionID != "" {
			except = a.SessionID
			if err := s.st.detachSessionOrg(ctx, except, orgID); err != nil {
				return err
			}
		}
		ended, err := s.st.deleteOrgSessions(ctx, accountID, orgID, except)
		if err != nil || len(ended) == 0 {
			return err
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, accountID, "session.ended", map[string]any{"session_ids": ended})
		return err
	})
}

func (s *Service) endSessions(ctx context.Context, accountID, except string) (int, error) {
	ended, err := s.st.deleteSessions(ctx, accountID, except)
	if err != nil {
		return 0, err
	}
	if len(ended) > 0 {
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, accountID, "session.ended", map[string]any{"session_ids": ended}); err != nil {
			return 0, err
		}
	}
	return len(ended), nil
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
	email, err := s.open(ctx, r.ID, "email", r.EmailSealed)
	if err != nil {
		return err
	}
	if len(password) > MaxPasswordLen {
		return errInvalidPassword
	}
	att, err := s.beginSignIn(ctx, email, false, false)
	if err != nil {
		return err
	}
	ok, err := checkPassword(r.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		return s.failLogin(ctx, &r, "reauthenticate", "bad_password", errInvalidPassword)
	}
	s.endSignIn(ctx, att)
	return nil
}

// ---- the signed-in person

func self(ctx context.Context) (*actor.Actor, error) {
	a := actor.From(ctx)
	if a == nil || a.AccountID == "" || a.Via == actor.ViaApp {
		return nil, apperr.ErrUnauthenticated
	}
	return a, nil
}

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context) (Account, error) {
	a, err := self(ctx)
	if err != nil {
		return Account{}, err
	}
	return s.GetAccount(ctx, a.AccountID)
}

// MePatch is the body of PATCH /api/v1/me: absent fields stay as they are;
// an empty phone or birth date removes it.
type MePatch struct {
	Name   *string `json:"name,omitempty"`
	Locale *string `json:"locale,omitempty"`
	Phone  *string `json:"phone,omitempty"`
	// BirthDate is YYYY-MM-DD; it decides whether a guardian must consent.
	BirthDate *string `json:"birth_date,omitempty"`
}

// UpdateMe changes the caller's name, locale, phone or birth date.
func (s *Service) UpdateMe(ctx context.Context, p MePatch) (Account, error) {
	a, err := self(ctx)
	if err != nil {
		return Account{}, err
	}
	var name, phone string
	if p.Name != nil {
		if name, err = checkName(*p.Name); err != nil {
			return Account{}, err
		}
	}
	if p.Locale != nil {
		if err := checkLocale(*p.Locale); err != nil {
			return Account{}, err
		}
	}
	if p.Phone != nil && strings.TrimSpace(*p.Phone) != "" {
		if phone, err = NormalizePhone(*p.Phone); err != nil {
			return Account{}, err
		}
	}
	if p.BirthDate != nil {
		*p.BirthDate = strings.TrimSpace(*p.BirthDate)
		if err := checkBirthDate(*p.BirthDate); err != nil {
			return Account{}, err
		}
	}
	var out accountRow
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		r, err := s.st.accountByID(ctx, a.AccountID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		changed := []string{}
		cur, err := s.nameOf(ctx, r)
		if err != nil {
			return err
		}
		if p.Name != nil && name != cur {
			cur = name
			changed = append(changed, "name")
		}
		// Every write seals the name (a row from before sealing included).
		if err := s.sealName(ctx, &r, cur); err != nil {
			return err
		}
		if p.Locale != nil && *p.Locale != r.Locale {
			r.Locale = *p.Locale
			changed = append(changed, "locale")
		}
		if p.Phone != nil {
			r.PhoneHash.Valid, r.PhoneHash.String, r.PhoneSealed = false, "", nil
			if phone != "" {
				ph := s.phoneHash(phone)
				if other, err := s.st.accountByPhoneHash(ctx, ph); err == nil && other.ID != r.ID {
					return apperr.Conflict("phone_taken", "another account already uses this phone number")
				} else if err != nil && !errors.Is(err, db.ErrNotFound) {
					return err
				}
				r.PhoneHash.Valid, r.PhoneHash.String = true, ph
				if r.PhoneSealed, err = s.seal(ctx, r.ID, "phone", phone); err != nil {
					return err
				}
			}
			changed = append(changed, "phone")
		}
		if p.BirthDate != nil {
			old, err := s.open(ctx, r.ID, "birth_date", r.BirthSealed)
			if err != nil {
				return err
			}
			if old != *p.BirthDate {
				if s.AgeGate != nil {
					if err := s.AgeGate.CheckBirthDateChange(ctx, r.ID); err != nil {
						return err
					}
				}
				if r.BirthSealed, err = s.seal(ctx, r.ID, "birth_date", *p.BirthDate); err != nil {
					return err
				}
				changed = append(changed, "birth_date")
			}
		}
		out = r
		if len(changed) == 0 {
			return nil
		}
		r.UpdatedAt = time.Now().UnixMilli()
		if err := s.st.updateProfile(ctx, r); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("phone_taken", "another account already uses this phone number")
			}
			return err
		}
		if slices.Contains(changed, "birth_date") && s.AgeGate != nil {
			if err := s.AgeGate.BirthDateChanged(ctx, r.ID); err != nil {
				return err
			}
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.updated", map[string]any{"fields": changed})
		return err
	})
	if err != nil {
		return Account{}, err
	}
	return s.account(ctx, out)
}

// Session is one of the caller's sessions.
type Session struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"` // cookie or bearer
	OrgID      string `json:"org_id,omitempty"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
	DeviceID   string `json:"device_id,omitempty"`
	CreatedAt  int64  `json:"created_at"`
	LastSeenAt int64  `json:"last_seen_at"`
	ExpiresAt  int64  `json:"expires_at"`
	Current    bool   `json:"current"`
}

// SessionList is the body of GET /api/v1/me/sessions.
type SessionList struct {
	Items []Session `json:"items"`
}

// Sessions lists the caller's live sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context) (SessionList, error) {
	a, err := self(ctx)
	if err != nil {
		return SessionList{}, err
	}
	rows, err := s.st.listSessions(ctx, a.AccountID, time.Now().UnixMilli())
	if err != nil {
		return SessionList{}, err
	}
	out := SessionList{Items: make([]Session, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, Session{ID: r.ID, Kind: r.Kind, OrgID: r.OrgID, IP: r.IP, UserAgent: r.UserAgent, DeviceID: r.DeviceID,
			CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, Current: r.ID == a.SessionID})
	}
	return out, nil
}

// RevokeSession ends one of the caller's sessions. Another person's session
// id answers not found, exactly like a missing one.
func (s *Service) RevokeSession(ctx context.Context, id string) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.deleteSession(ctx, id, a.AccountID); err != nil {
			return apperr.MapNotFound(err)
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "session.ended", map[string]any{"session_ids": []string{id}}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.session_revoke", TargetKind: "session", TargetID: id,
			Details: map[string]any{"current": id == a.SessionID}})
	})
}

// Logout ends the caller's own session.
func (s *Service) Logout(ctx context.Context) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.deleteSession(ctx, a.SessionID, a.AccountID); err != nil {
			return apperr.MapNotFound(err)
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "session.ended", map[string]any{"session_ids": []string{a.SessionID}}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.logout", TargetKind: "session", TargetID: a.SessionID})
	})
}

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
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, r.ID, "account.password_changed", map[string]any{}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.password_change", TargetKind: "account", TargetID: r.ID,
			Details: map[string]any{"sessions_ended": n}})
	})
}

// ---- password reset

// RequestPasswordReset emails a reset code when an active account has this
// address. The answer is the same either way.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	e, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	c := clientFrom(ctx)
	if err := s.sendAllowed(ctx, e, c); err != nil {
		return err
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(e))
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Status != StatusActive) {
		return nil
	}
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		code, err := s.issueCode(ctx, r.ID, purposeReset)
		if err != nil {
			return err
		}
		if err := outbox.Send(ctx, s.DB, outbox.Message{To: e, Subject: "Your Atrium password reset code",
			Body: "Your Atrium password reset code is " + code + "\n\nIt is valid for " + minutes(s.Limits().CodeTTL) +
				". If you did not ask to reset your password, ignore this email: your password stays as it is."}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB,
			audit.Entry{Action: "identity.password_reset_request", TargetKind: "account", TargetID: r.ID})
	})
	if err != nil {
		return err
	}
	outbox.Kick(s.DB)
	return nil
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
	if err := s.clearSignInLimits(ctx, email); err != nil {
		return err
	}
	if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, id, "account.password_changed", map[string]any{}); err != nil {
		return err
	}
	return audit.Record(ctx, s.DB, audit.Entry{Action: action, TargetKind: "account", TargetID: id, Details: map[string]any{"sessions_ended": n}})
}

// ---- history and notices

// LoginEntry is one sign-in attempt in the login history.
type LoginEntry struct {
	ID        string `json:"id"`
	At        int64  `json:"at"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	DeviceID  string `json:"device_id,omitempty"`
	Method    string `json:"method"`
	Outcome   string `json:"outcome"` // success, bad_password, bad_totp_code, locked, …
}

// LoginHistoryPage is a page of the login history.
type LoginHistoryPage struct {
	Items      []LoginEntry `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

func checkPage(cursor, prefix string, limit int) (int, error) {
	if cursor != "" && !ids.HasPrefix(cursor, prefix) {
		return 0, apperr.Invalid("invalid_cursor", "the cursor is not valid").With("field", "cursor")
	}
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 200 {
		return 0, apperr.Invalid("invalid_limit", "limit must be from 1 to 200").With("field", "limit")
	}
	return limit, nil
}

// LoginHistory returns the caller's sign-in attempts, newest first.
func (s *Service) LoginHistory(ctx context.Context, cursor string, limit int) (LoginHistoryPage, error) {
	a, err := self(ctx)
	if err != nil {
		return LoginHistoryPage{}, err
	}
	if limit, err = checkPage(cursor, "lgn", limit); err != nil {
		return LoginHistoryPage{}, err
	}
	rows, err := s.st.listLogins(ctx, a.AccountID, cursor, limit+1)
	if err != nil {
		return LoginHistoryPage{}, err
	}
	p := LoginHistoryPage{Items: []LoginEntry{}}
	for i, r := range rows {
		if i == limit {
			p.NextCursor = rows[i-1].ID
			break
		}
		p.Items = append(p.Items, LoginEntry{ID: r.ID, At: r.CreatedAt, IP: r.IP, UserAgent: r.UserAgent, DeviceID: r.DeviceID, Method: r.Method, Outcome: r.Outcome})
	}
	return p, nil
}

// Notice is a security notice for the person.
type Notice struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"` // new_sign_in
	Data      json.RawMessage `json:"data"`
	CreatedAt int64           `json:"created_at"`
}

// NoticePage is a page of notices.
type NoticePage struct {
	Items      []Notice `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// Notices returns the caller's security notices, newest first.
func (s *Service) Notices(ctx context.Context, cursor string, limit int) (NoticePage, error) {
	a, err := self(ctx)
	if err != nil {
		return NoticePage{}, err
	}
	if limit, err = checkPage(cursor, "ntc", limit); err != nil {
		return NoticePage{}, err
	}
	rows, err := s.st.listNotices(ctx, a.AccountID, cursor, limit+1)
	if err != nil {
		return NoticePage{}, err
	}
	p := NoticePage{Items: []Notice{}}
	for i, r := range rows {
		if i == limit {
			p.NextCursor = rows[i-1].ID
			break
		}
		p.Items = append(p.Items, Notice{ID: r.ID, Kind: r.Kind, Data: json.RawMessage(r.Data), CreatedAt: r.CreatedAt})
	}
	return p, nil
}

// ---- maintenance

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

// ResealNames seals the names of accounts written before names were
// sealed, clearing the plaintext, in batches; the server runs it at
// start-up and a second run finds nothing. It returns how many it sealed.
func (s *Service) ResealNames(ctx context.Context) (int, error) {
	n := 0
	for {
		rows, err := s.st.legacyNames(ctx, 200)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				box, err := s.seal(ctx, r.ID, "name", r.Name)
				if errors.Is(err, keyring.ErrKeyDestroyed) {
					box, err = nil, nil // an erased person's leftover name: dropped
				}
				if err != nil {
					return err
				}
				if err := s.st.setName(ctx, r.ID, box); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(rows)
	}
}
