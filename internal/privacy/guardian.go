package privacy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/mail"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Mailer queues an email in ctx's transaction (platform/outbox).
type Mailer func(ctx context.Context, to, subject, body string) error

// GuardianLinkTTL is how long a guardian's confirmation link works.
const GuardianLinkTTL = 7 * 24 * time.Hour

// GuardianRequestInput names the parent or guardian a minor asks.
type GuardianRequestInput struct {
	GuardianName  string `json:"guardian_name"`
	GuardianEmail string `json:"guardian_email"`
	Relationship  string `json:"relationship"`
}

// GuardianRequest is a pending request, as the minor sees it.
type GuardianRequest struct {
	ID            string `json:"id"`
	GuardianName  string `json:"guardian_name"`
	GuardianEmail string `json:"guardian_email"`
	Relationship  string `json:"relationship,omitempty"`
	CreatedAt     int64  `json:"created_at"`
	ExpiresAt     int64  `json:"expires_at"`
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte("atrium.guardian:" + t))
	return hex.EncodeToString(h[:])
}

// RequestGuardianConsent emails the named parent or guardian a one-time
// link to confirm their consent for the caller, a minor.
func (s *Service) RequestGuardianConsent(ctx context.Context, in GuardianRequestInput) (GuardianRequest, error) {
	a, err := caller(ctx)
	if err != nil {
		return GuardianRequest{}, err
	}
	need, err := s.isUnconsentedMinor(ctx, a.AccountID)
	if err != nil {
		return GuardianRequest{}, err
	}
	if !need {
		return GuardianRequest{}, apperr.Conflict("guardian_consent_not_required", "no guardian consent is needed for this account")
	}
	in.GuardianName = strings.TrimSpace(in.GuardianName)
	addr, perr := mail.ParseAddress(strings.TrimSpace(in.GuardianEmail))
	switch {
	case in.GuardianName == "" || len(in.GuardianName) > 200:
		return GuardianRequest{}, apperr.InvalidField("guardian_name", "the guardian's name is required (at most 200 characters)")
	case perr != nil || addr.Name != "" || len(addr.Address) > 254:
		return GuardianRequest{}, apperr.InvalidField("guardian_email", "the guardian's email address is not valid")
	case len(in.Relationship) > 100:
		return GuardianRequest{}, apperr.InvalidField("relationship", "at most 100 characters")
	}
	if s.Mail == nil {
		return GuardianRequest{}, apperr.New(apperr.KindUnavailable, "email_unavailable", "email is not available on this server")
	}
	now := s.now()
	r := GuardianRequest{ID: ids.New("grq"), GuardianName: in.GuardianName, GuardianEmail: addr.Address, Relationship: in.Relationship,
		CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(GuardianLinkTTL).UnixMilli()}
	token := ids.Token(24)
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		n, err := pendingGuardianRequests(ctx, s.DB, a.AccountID, now.UnixMilli())
		if err != nil {
			return err
		}
		if n >= 5 {
			return apperr.New(apperr.KindRateLimited, "too_many_requests", "wait for the links already sent, or for them to expire")
		}
		if err := insertGuardianRequest(ctx, s.DB, r, a.AccountID, hashToken(token)); err != nil {
			return err
		}
		link := s.BaseURL + "/guardian-consent?token=" + token
		body := "Hello " + r.GuardianName + ",\n\n" +
			"A young person has asked you, as their parent or guardian, to consent to their use of Atrium, the\n" +
			"workplace chat and collaboration service run by this organization.\n\n" +
			"If you agree, open this link within 7 days and confirm:\n\n  " + link + "\n\n" +
			"If you did not expect this email, ignore it; nothing happens without your confirmation.\n"
		if err := s.Mail(ctx, r.GuardianEmail, "Consent requested for an Atrium account", body); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.guardian_consent.request", TargetKind: "account", TargetID: a.AccountID,
			Details: map[string]any{"request_id": r.ID}})
	})
	return r, err
}

// GuardianLinkInfo is what the link shows the guardian before confirming.
type GuardianLinkInfo struct {
	GuardianName string `json:"guardian_name"`
	Relationship string `json:"relationship,omitempty"`
	ExpiresAt    int64  `json:"expires_at"`
}

// GuardianLink returns what a (valid, unused) link is for.
func (s *Service) GuardianLink(ctx context.Context, token string) (GuardianLinkInfo, error) {
	r, _, err := s.guardianByToken(ctx, token)
	if err != nil {
		return GuardianLinkInfo{}, err
	}
	return GuardianLinkInfo{GuardianName: r.GuardianName, Relationship: r.Relationship, ExpiresAt: r.ExpiresAt}, nil
}

func (s *Service) guardianByToken(ctx context.Context, token string) (GuardianRequest, string, error) {
	if len(token) < 16 || len(token) > 128 {
		return GuardianRequest{}, "", apperr.ErrNotFound
	}
	r, acc, confirmed, err := guardianRequestByHash(ctx, s.DB, hashToken(token))
	if errors.Is(err, db.ErrNotFound) {
		return GuardianRequest{}, "", apperr.ErrNotFound
	}
	if err != nil {
		return GuardianRequest{}, "", err
	}
	if confirmed != 0 || r.ExpiresAt <= s.nowMS() {
		return GuardianRequest{}, "", apperr.New(apperr.KindGone, "link_expired", "this link has expired or was already used")
	}
	return r, acc, nil
}

// GuardianConfirmInput is the guardian's confirmation.
type GuardianConfirmInput struct {
	GuardianName string `json:"guardian_name"`
	Consent      bool   `json:"consent"`
}

// ConfirmGuardianConsent records the consent given through the link: who
// (the name typed and the address the link went to), how (email
// confirmation) and when.
func (s *Service) ConfirmGuardianConsent(ctx context.Context, token string, in GuardianConfirmInput) error {
	if !in.Consent {
		return apperr.InvalidField("consent", "confirm with consent: true")
	}
	if strings.TrimSpace(in.GuardianName) == "" || len(in.GuardianName) > 200 {
		return apperr.InvalidField("guardian_name", "type your name to confirm")
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		r, acc, err := s.guardianByToken(ctx, token)
		if err != nil {
			return err
		}
		now := s.nowMS()
		if err := confirmGuardianRequest(ctx, s.DB, r.ID, now); err != nil {
			return err
		}
		gc := GuardianConsent{AccountID: acc, GuardianName: strings.TrimSpace(in.GuardianName), GuardianContact: r.GuardianEmail,
			Relationship: r.Relationship, Method: "email_confirmation", RecordedBy: "guardian:" + r.ID, RecordedAt: now}
		if err := putGuardianConsent(ctx, s.DB, gc); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, acc, "guardian_consent.recorded", map[string]any{"method": gc.Method}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.guardian_consent.record", TargetKind: "account", TargetID: acc,
			Details: map[string]any{"method": gc.Method, "request_id": r.ID}})
	})
}
