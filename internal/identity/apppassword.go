package identity

// App passwords: secrets a person creates in Account & security for the
// apps that sync calendars (CalDAV) and files (WebDAV). Those apps send the
// account's email and the app password with HTTP Basic authentication on
// every request (AuthenticateAppPassword); the account's own password is
// never accepted that way, so a stolen app password opens neither the web
// app nor the API, and revoking it cuts off one app alone.
//
// The secret is 120 random bits written as four groups of six lowercase
// base32 letters ("abcdef-ghijkl-mnopqr-stuvwx"). Only its SHA-256 is
// stored: with that much entropy a slow hash adds nothing against guessing
// or a stolen database, and a fast one keeps the check cheap on every
// request (docs/security.md).

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// MaxAppPasswords is how many app passwords one account may hold.
const MaxAppPasswords = 50

// MaxAppPasswordName bounds an app password's name (characters).
const MaxAppPasswordName = 64

// appPasswordGroups and appPasswordGroupLen shape a secret: 4 × 6 base32
// letters = 120 bits.
const (
	appPasswordGroups   = 4
	appPasswordGroupLen = 6
)

// Errors of app passwords, by stable code.
var (
	errTooManyAppPasswords = apperr.Conflict("too_many_app_passwords", "an account can have at most 50 app passwords; revoke one first").With("max", MaxAppPasswords)
	// ErrInvalidAppPassword answers Basic authentication with a wrong email
	// or app password (or an account password, which is not accepted there).
	ErrInvalidAppPassword = apperr.New(apperr.KindUnauthenticated, "invalid_app_password",
		"sign in with your email address and an app password created in Account & security")
)

// AppPassword is one of the caller's app passwords, without its secret.
type AppPassword struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreatedAt  int64  `json:"created_at"`
	LastUsedAt int64  `json:"last_used_at,omitempty"`
	LastUsedIP string `json:"last_used_ip,omitempty"`
}

// AppPasswordList is the body of GET /api/v1/me/app-passwords.
type AppPasswordList struct {
	Items []AppPassword `json:"items"`
	// Max is how many app passwords an account may have.
	Max int `json:"max"`
}

// AppPasswordInput is the body of POST /api/v1/me/app-passwords.
type AppPasswordInput struct {
	Name string `json:"name"`
	// Password is the account's current password: creating an app
	// password is a sensitive action.
	Password string `json:"password"`
}

// NewAppPassword is the answer of creating an app password: the only time
// its secret is shown.
type NewAppPassword struct {
	AppPassword
	Password string `json:"password"`
}

// appPasswordRow is a row of app_passwords.
type appPasswordRow struct {
	ID         string
	AccountID  string
	Name       string
	SecretHash string
	CreatedAt  int64
	LastUsedAt int64
	LastUsedIP string
}

func (r appPasswordRow) public() AppPassword {
	return AppPassword{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, LastUsedIP: r.LastUsedIP}
}

var appPasswordAlphabet = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newAppPasswordSecret returns a fresh secret in its display form.
func newAppPasswordSecret() string {
	b := make([]byte, appPasswordGroups*appPasswordGroupLen*5/8) // 15 bytes = 24 letters
	_, _ = rand.Read(b)
	enc := appPasswordAlphabet.EncodeToString(b)
	groups := make([]string, 0, appPasswordGroups)
	for i := 0; i < appPasswordGroups; i++ {
		groups = append(groups, enc[i*appPasswordGroupLen:(i+1)*appPasswordGroupLen])
	}
	return strings.Join(groups, "-")
}

// normalizeAppPassword returns the secret's canonical form (lowercase, no
// separators: people retype it with spaces, dashes or in capitals), or ""
// when it cannot be an app password.
func normalizeAppPassword(secret string) string {
	if len(secret) > 64 {
		return ""
	}
	var b strings.Builder
	for _, r := range secret {
		switch {
		case r == '-' || r == ' ':
		case r >= 'a' && r <= 'z', r >= '2' && r <= '7':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
		default:
			return ""
		}
	}
	if b.Len() != appPasswordGroups*appPasswordGroupLen {
		return ""
	}
	return b.String()
}

func appPasswordHash(secret string) string {
	h := sha256.Sum256([]byte("atrium app password\x00" + normalizeAppPassword(secret)))
	return hex.EncodeToString(h[:])
}

func checkAppPasswordName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", apperr.InvalidField("name", "name the app password after the app or device that will use it")
	}
	if utf8.RuneCountInString(name) > MaxAppPasswordName {
		return "", apperr.InvalidField("name", "the name must have at most 64 characters").With("max_length", MaxAppPasswordName)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", apperr.InvalidField("name", "the name must not contain control or invisible characters")
		}
	}
	return name, nil
}

// AppPasswords lists the caller's app passwords, newest first.
func (s *Service) AppPasswords(ctx context.Context) (AppPasswordList, error) {
	a, err := self(ctx)
	if err != nil {
		return AppPasswordList{}, err
	}
	return s.appPasswords(ctx, a.AccountID)
}

func (s *Service) appPasswords(ctx context.Context, accountID string) (AppPasswordList, error) {
	rows, err := s.st.listAppPasswords(ctx, accountID)
	if err != nil {
		return AppPasswordList{}, err
	}
	out := AppPasswordList{Items: make([]AppPassword, 0, len(rows)), Max: MaxAppPasswords}
	for _, r := range rows {
		out.Items = append(out.Items, r.public())
	}
	return out, nil
}

// CreateAppPassword creates an app password for the caller after checking
// their current password, and returns it with its secret (shown once).
func (s *Service) CreateAppPassword(ctx context.Context, in AppPasswordInput) (NewAppPassword, error) {
	a, err := self(ctx)
	if err != nil {
		return NewAppPassword{}, err
	}
	name, err := checkAppPasswordName(in.Name)
	if err != nil {
		return NewAppPassword{}, err
	}
	if in.Password == "" {
		return NewAppPassword{}, apperr.InvalidField("password", "enter your current password")
	}
	r, err := s.st.accountByID(ctx, a.AccountID)
	if err != nil {
		return NewAppPassword{}, apperr.MapNotFound(err)
	}
	if err := s.reauth(ctx, r, in.Password); err != nil {
		return NewAppPassword{}, err
	}
	return s.createAppPassword(ctx, r.ID, name)
}

func (s *Service) createAppPassword(ctx context.Context, accountID, name string) (NewAppPassword, error) {
	secret := newAppPasswordSecret()
	row := appPasswordRow{ID: ids.New("apw"), AccountID: accountID, Name: name, SecretHash: appPasswordHash(secret),
		CreatedAt: time.Now().UnixMilli()}
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		// The account row is locked first, so that concurrent creations
		// cannot both pass the count.
		if err := s.st.lockAccount(ctx, accountID); err != nil {
			return apperr.MapNotFound(err)
		}
		n, err := s.st.countAppPasswords(ctx, accountID)
		if err != nil {
			return err
		}
		if n >= MaxAppPasswords {
			return errTooManyAppPasswords
		}
		if err := s.st.insertAppPassword(ctx, row); err != nil {
			return err
		}
		return audit.Record(audit.WithAccount(ctx, accountID), s.DB, audit.Entry{Action: "identity.app_password_create",
			TargetKind: "app_password", TargetID: row.ID, Details: map[string]any{"account_id": accountID}})
	})
	if err != nil {
		return NewAppPassword{}, err
	}
	return NewAppPassword{AppPassword: row.public(), Password: secret}, nil
}

// RevokeAppPassword deletes one of the caller's app passwords: the next
// request made with it is refused. Another person's id answers not found,
// exactly like a missing one.
func (s *Service) RevokeAppPassword(ctx context.Context, id string) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	return s.revokeAppPassword(ctx, a.AccountID, id)
}

func (s *Service) revokeAppPassword(ctx context.Context, accountID, id string) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.deleteAppPassword(ctx, id, accountID); err != nil {
			return apperr.MapNotFound(err)
		}
		return audit.Record(audit.WithAccount(ctx, accountID), s.DB, audit.Entry{Action: "identity.app_password_revoke",
			TargetKind: "app_password", TargetID: id, Details: map[string]any{"account_id": accountID}})
	})
}

// revokeAllAppPasswords deletes every app password of the account (in
// ctx's transaction) and returns how many there were.
func (s *Service) revokeAllAppPasswords(ctx context.Context, accountID string) (int, error) {
	ended, err := s.st.deleteAppPasswords(ctx, accountID)
	return len(ended), err
}

// AuthenticateAppPassword returns the actor of a standard client that
// presents login (the account's email address) and an app password with
// HTTP Basic authentication, or ErrInvalidAppPassword. The account's own
// password is never accepted. The actor acts in the account's only
// organization, if it has exactly one (Via actor.ViaAppPassword, no
// session).
//
// Failures are throttled like password sign-ins (throttle.go): they count
// toward the address's limit shared with sign-ins, and each (account,
// address) pair past its free failures waits, doubling. A request whose
// credentials are right writes nothing but the last-used time (at most once
// a minute), so a client that authenticates every request stays cheap.
func (s *Service) AuthenticateAppPassword(ctx context.Context, login, secret string) (*actor.Actor, error) {
	email, _ := NormalizeEmail(login)
	if email == "" {
		email = strings.ToLower(strings.TrimSpace(login))
	}
	if len(email) > 320 {
		email = email[:320]
	}
	lim := s.Limits()
	c := clientFrom(ctx)
	ipKey := s.rateKey("login.fail.ip", throttleAddr(c.IP))
	pairKey := s.rateKey("apppw.pair", email+"\x00"+throttleAddr(c.IP))
	if err := s.limited(ctx, ipKey, lim.LoginFailuresPerIP, lim.LoginWindow); err != nil {
		return nil, err
	}
	now := time.Now()
	if row, found, err := s.st.getThrottle(ctx, pairKey); err != nil {
		return nil, err
	} else if found && row.nextAt > now.UnixMilli() && now.Sub(time.UnixMilli(row.updatedAt)) <= lim.LoginWindow {
		return nil, tooMany(time.UnixMilli(row.nextAt).Sub(now))
	}
	fail := func(acc *accountRow, outcome string) error {
		if _, _, err := s.st.hitRate(ctx, ipKey, now.UnixMilli(), lim.LoginWindow.Milliseconds()); err != nil {
			return err
		}
		// claim counts the failure and sets the pair's next wait; it refuses
		// only a concurrent attempt, which is already a failure.
		if err := s.claim(ctx, pairKey, backoff{lim.PairFreeFailures, lim.PairBackoff, lim.PairBackoffMax}, lim.LoginWindow); err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.KindRateLimited {
				return err
			}
		}
		if err := s.recordFailure(ctx, acc, "app_password", outcome, audit.Failure, nil); err != nil {
			return err
		}
		return ErrInvalidAppPassword
	}
	if normalizeAppPassword(secret) == "" {
		return nil, fail(nil, "malformed_app_password")
	}
	p, status, err := s.st.appPasswordByHash(ctx, appPasswordHash(secret))
	if errors.Is(err, db.ErrNotFound) {
		return nil, fail(nil, "unknown_app_password")
	}
	if err != nil {
		return nil, err
	}
	acc, err := s.st.accountByID(ctx, p.AccountID)
	if err != nil {
		return nil, apperr.MapNotFound(err)
	}
	if acc.EmailHash != s.emailHash(email) {
		// A valid secret with another address: a misconfigured client, or
		// someone holding a leaked secret without knowing whose it is.
		return nil, fail(&acc, "app_password_wrong_login")
	}
	if status != StatusActive {
		return nil, fail(&acc, "account_"+status)
	}
	if now.Sub(time.UnixMilli(p.LastUsedAt)) >= touchEvery || p.LastUsedIP != c.IP {
		if err := s.st.touchAppPassword(ctx, p.ID, now.UnixMilli(), c.IP); err != nil {
			s.Log.WarnContext(ctx, "identity: touch app password", "app_password_id", p.ID, "err", err)
		}
	}
	orgID, err := s.startingOrg(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	return &actor.Actor{AccountID: acc.ID, Via: actor.ViaAppPassword, OrgID: orgID}, nil
}

// The operator's tools (`atrium user app-password …`).

// CreateAppPasswordByEmail creates an app password for an active account
// and returns it with its secret.
func (s *Service) CreateAppPasswordByEmail(ctx context.Context, email, name string) (NewAppPassword, error) {
	name, err := checkAppPasswordName(name)
	if err != nil {
		return NewAppPassword{}, err
	}
	r, _, err := s.rowByEmail(ctx, email)
	if err != nil {
		return NewAppPassword{}, err
	}
	if r.Status != StatusActive {
		return NewAppPassword{}, apperr.Conflict("account_not_active", "the account is "+r.Status)
	}
	return s.createAppPassword(ctx, r.ID, name)
}

// AppPasswordsByEmail lists an account's app passwords.
func (s *Service) AppPasswordsByEmail(ctx context.Context, email string) (AppPasswordList, error) {
	r, _, err := s.rowByEmail(ctx, email)
	if err != nil {
		return AppPasswordList{}, err
	}
	return s.appPasswords(ctx, r.ID)
}

// RevokeAppPasswordByEmail revokes one of an account's app passwords.
func (s *Service) RevokeAppPasswordByEmail(ctx context.Context, email, id string) error {
	r, _, err := s.rowByEmail(ctx, email)
	if err != nil {
		return err
	}
	return s.revokeAppPassword(ctx, r.ID, id)
}
