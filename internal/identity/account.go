package identity

// Accounts: the Account as other code sees it, the checks on its fields,
// the sealing of its personal fields with the person's key, lookups by id,
// email and phone for other domains, and creating an active account.

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// Account statuses.
const (
	StatusPending  = "pending"  // registered, email not verified yet
	StatusActive   = "active"   // may sign in
	StatusDisabled = "disabled" // blocked by an operator
	StatusDeleted  = "deleted"  // deleted by the person; kept only as long as erasure needs
)

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
