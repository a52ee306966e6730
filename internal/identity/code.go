package identity

// Emailed one-time codes: six digits, stored only as a keyed hash, one per
// account and purpose, burnt after CodeAttempts wrong guesses or CodeTTL.
// Registration, password reset and sign-in codes all go through here.

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

// Code purposes.
const (
	purposeRegister = "register"
	purposeReset    = "password_reset"
	purposeLogin    = "login"
)

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

func minutes(d time.Duration) string { return fmt.Sprintf("%d minutes", int(d/time.Minute)) }

// sendAllowed counts one emailed code for the address and the client.
func (s *Service) sendAllowed(ctx context.Context, email string, c client) error {
	lim := s.Limits()
	if err := s.hit(ctx, s.rateKey("code.ip", throttleAddr(c.IP)), lim.CodeSendsPerIP, lim.CodeWindow); err != nil {
		return err
	}
	return s.hit(ctx, s.rateKey("code.email", email), lim.CodeSendsPerEmail, lim.CodeWindow)
}

// codeEmail is what differs between the codes a person may ask to be
// emailed: the purpose, the message and the audit action of the request.
type codeEmail struct {
	purpose string
	subject string
	// body is the message carrying code, valid for valid ("15 minutes").
	body   func(code, valid string) string
	action string
}

// emailCode emails a new code of m's kind to the active account registered
// with email. The send counts against the address and the client first; an
// address without an active account then gets the same answer and no email,
// so the answer never tells whether it is registered.
func (s *Service) emailCode(ctx context.Context, email string, m codeEmail) error {
	e, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	if err := s.sendAllowed(ctx, e, clientFrom(ctx)); err != nil {
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
		code, err := s.issueCode(ctx, r.ID, m.purpose)
		if err != nil {
			return err
		}
		body := m.body(code, minutes(s.Limits().CodeTTL))
		if err := outbox.Send(ctx, s.DB, outbox.Message{To: e, Subject: m.subject, Body: body}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: m.action, TargetKind: "account", TargetID: r.ID})
	})
	if err != nil {
		return err
	}
	outbox.Kick(s.DB)
	return nil
}
