package identity

// Registration: a pending account and an emailed code, then verification
// with the code. The answer never tells whether an address already has an
// account.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

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
	if err := s.hit(ctx, s.rateKey("register.ip", throttleAddr(c.IP)), lim.RegistrationsPerIP, lim.CodeWindow); err != nil {
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

// Verify confirms a registration with the emailed code and the password
// chosen with it, and activates the account. The caller then starts a
// session.
//
// The password is asked again because registering an address whose account
// is still pending replaces its password and sends a new code to the same
// inbox: without it, someone who registered the address first, with their
// own password, and again after its owner, would have the owner activate
// an account that opens with the other person's password.
func (s *Service) Verify(ctx context.Context, email, code, password string) (Account, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return Account{}, err
	}
	if password == "" {
		return Account{}, apperr.InvalidField("password", "the password chosen when registering")
	}
	r, err := s.st.accountByEmailHash(ctx, s.emailHash(e))
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.Status != StatusPending) {
		dummyHash(password)
		return Account{}, errInvalidCode
	}
	if err != nil {
		return Account{}, err
	}
	// The same answer as a wrong code: the account's password is the last
	// registration's, and only its registrant knows it.
	if ok, err := checkPassword(r.PasswordHash, password); err != nil {
		return Account{}, err
	} else if !ok {
		return Account{}, errInvalidCode
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
