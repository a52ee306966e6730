package privacy

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Policy document kinds.
const (
	KindPrivacy   = "privacy"    // the operator's privacy policy
	KindTerms     = "terms"      // the operator's terms of service
	KindOrgNotice = "org_notice" // an organization's own notice
)

// Document is one published version of a policy.
type Document struct {
	ID          string `json:"id"`
	OrgID       string `json:"org_id,omitempty"`
	Kind        string `json:"kind"`
	Version     string `json:"version"`
	Seq         int    `json:"seq"`
	Significant bool   `json:"significant"`
	RequiredSeq int    `json:"-"`
	Summary     string `json:"summary,omitempty"`
	Body        string `json:"body,omitempty"`
	PublishedAt int64  `json:"published_at"`
}

// PublishInput is a new policy version.
type PublishInput struct {
	Kind        string `json:"kind"`
	Version     string `json:"version"`
	Significant bool   `json:"significant"`
	Summary     string `json:"summary"`
	Body        string `json:"body"`
}

var versionRe = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.\-_]{0,31}$`)

func (in *PublishInput) validate(orgNotice bool) error {
	in.Kind = strings.TrimSpace(in.Kind)
	switch {
	case orgNotice:
		in.Kind = KindOrgNotice
	case in.Kind != KindPrivacy && in.Kind != KindTerms:
		return apperr.InvalidField("kind", "kind must be privacy or terms")
	}
	if !versionRe.MatchString(in.Version) {
		return apperr.InvalidField("version", "version must be 1–32 letters, digits, dots, dashes or underscores")
	}
	if strings.TrimSpace(in.Body) == "" {
		return apperr.InvalidField("body", "the document text is empty")
	}
	if len(in.Body) > 512<<10 {
		return apperr.InvalidField("body", "the document is longer than 512 KiB")
	}
	if len(in.Summary) > 4000 {
		return apperr.InvalidField("summary", "the summary is longer than 4000 characters")
	}
	if in.Significant && strings.TrimSpace(in.Summary) == "" {
		return apperr.InvalidField("summary", "a significant version needs a summary of what changed")
	}
	return nil
}

// PublishPolicy publishes a new version of the operator's privacy policy
// or terms. It is an operator action (the CLI): no actor is required. The
// first version of a kind, and every significant one, must be accepted by
// everybody before they go on using the service.
func (s *Service) PublishPolicy(ctx context.Context, in PublishInput) (Document, error) {
	if err := in.validate(false); err != nil {
		return Document{}, err
	}
	return s.publish(ctx, "", in)
}

// PublishOrgNotice publishes the caller's organization's own notice, shown
// to its members beside the operator's policy.
func (s *Service) PublishOrgNotice(ctx context.Context, in PublishInput) (Document, error) {
	a, err := s.admin(ctx, PermManagePrivacyRequests)
	if err != nil {
		return Document{}, err
	}
	if err := in.validate(true); err != nil {
		return Document{}, err
	}
	return s.publish(ctx, a.OrgID, in)
}

func (s *Service) publish(ctx context.Context, orgID string, in PublishInput) (Document, error) {
	var doc Document
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		prev, err := latestDocument(ctx, s.DB, orgID, in.Kind)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		doc = Document{ID: ids.New("pol"), OrgID: orgID, Kind: in.Kind, Version: in.Version, Significant: in.Significant,
			Summary: in.Summary, Body: in.Body, PublishedAt: s.nowMS(), Seq: 1, RequiredSeq: 1}
		if err == nil {
			doc.Seq = prev.Seq + 1
			doc.RequiredSeq = prev.RequiredSeq
			if in.Significant {
				doc.RequiredSeq = doc.Seq
			}
		}
		by := ""
		if a := actor.From(ctx); a != nil {
			by = a.AccountID
		}
		if err := insertDocument(ctx, s.DB, doc, by); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("version_exists", "this version is already published")
			}
			return err
		}
		if _, err := events.Append(ctx, s.DB, orgID, events.ScopeOrg, orgID, "policy.published",
			map[string]any{"id": doc.ID, "kind": doc.Kind, "version": doc.Version, "significant": doc.Significant}); err != nil {
			return err
		}
		s.gate.invalidate()
		if err := s.mailPolicyUpdate(ctx, doc); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.policy.publish", TargetKind: "policy", TargetID: doc.ID,
			Details: map[string]any{"kind": doc.Kind, "version": doc.Version, "significant": doc.Significant}})
	})
	return doc, err
}

// An operator policy's event has an empty org scope and reaches nobody:
// clients learn of it from the 403 on their next request.

// Policies returns the current operator documents and, for a member, their
// organization's notice.
func (s *Service) Policies(ctx context.Context) ([]Document, error) {
	orgID := ""
	if a := actor.From(ctx); a != nil {
		orgID = a.OrgID
	}
	return currentDocuments(ctx, s.DB, orgID)
}

// PolicyStatus is what the person has accepted and what they still must.
type PolicyStatus struct {
	Current  []Document   `json:"current"`
	Pending  []Document   `json:"pending"`
	Accepted []Acceptance `json:"accepted"`
}

// Acceptance is one recorded acceptance.
type Acceptance struct {
	DocumentID string `json:"document_id"`
	OrgID      string `json:"org_id,omitempty"`
	Kind       string `json:"kind"`
	Version    string `json:"version"`
	AcceptedAt int64  `json:"accepted_at"`
}

// MyPolicies returns the caller's policy status.
func (s *Service) MyPolicies(ctx context.Context) (PolicyStatus, error) {
	a, err := caller(ctx)
	if err != nil {
		return PolicyStatus{}, err
	}
	cur, err := currentDocuments(ctx, s.DB, a.OrgID)
	if err != nil {
		return PolicyStatus{}, err
	}
	pend, err := pendingDocuments(ctx, s.DB, a.AccountID)
	if err != nil {
		return PolicyStatus{}, err
	}
	acc, err := listAcceptances(ctx, s.DB, a.AccountID)
	if err != nil {
		return PolicyStatus{}, err
	}
	return PolicyStatus{Current: nonNil(cur), Pending: nonNil(pend), Accepted: nonNil(acc)}, nil
}

// AcceptInput names the documents the person accepts.
type AcceptInput struct {
	DocumentIDs []string `json:"document_ids"`
}

// AcceptPolicies records the caller's acceptance of current documents.
func (s *Service) AcceptPolicies(ctx context.Context, in AcceptInput) (PolicyStatus, error) {
	a, err := caller(ctx)
	if err != nil {
		return PolicyStatus{}, err
	}
	if len(in.DocumentIDs) == 0 || len(in.DocumentIDs) > 10 {
		return PolicyStatus{}, apperr.InvalidField("document_ids", "name the documents you accept (1–10)")
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		for _, id := range in.DocumentIDs {
			d, err := getDocument(ctx, s.DB, id)
			if errors.Is(err, db.ErrNotFound) || (err == nil && d.OrgID != "" && d.OrgID != a.OrgID) {
				return apperr.ErrNotFound.With("document_id", id)
			}
			if err != nil {
				return err
			}
			latest, err := latestDocument(ctx, s.DB, d.OrgID, d.Kind)
			if err != nil {
				return err
			}
			if latest.ID != d.ID {
				return apperr.Conflict("not_current_version", "a newer version of this document has been published").With("document_id", id)
			}
			if err := insertAcceptance(ctx, s.DB, ids.New("pac"), a.AccountID, d, s.nowMS()); err != nil {
				return err
			}
			if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "policy.accepted",
				map[string]any{"document_id": d.ID, "kind": d.Kind, "version": d.Version}); err != nil {
				return err
			}
			if err := audit.Record(ctx, s.DB, audit.Entry{OrgID: d.OrgID, Action: "privacy.policy.accept", TargetKind: "policy", TargetID: d.ID,
				Details: map[string]any{"kind": d.Kind, "version": d.Version}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PolicyStatus{}, err
	}
	return s.MyPolicies(ctx)
}

// ---- the gate ----------------------------------------------------------------

// exemptPrefixes are the routes a person may use before accepting the
// current policy or while waiting for a guardian's consent: signing in and
// out, reading and accepting the policies, and exercising their privacy
// rights (reading and downloading their data, withdrawing consents,
// deleting their account).
var exemptPrefixes = []string{
	"/api/v1/auth/",
	"/api/v1/health",
	"/api/v1/openapi.json",
	"/api/v1/policies",
	"/api/v1/me/policies",
	"/api/v1/me/guardian-consent",
	"/api/v1/me/data",
	"/api/v1/me/exports",
	"/api/v1/me/consents",
	"/api/v1/me/erasures/account",
	"/api/v1/me/requests",
	"/api/v1/guardian-consents/",
}

// exempt reports whether the route pattern ("GET /api/v1/…") is usable
// before acceptance.
func exempt(pattern string) bool {
	_, path, ok := strings.Cut(pattern, " ")
	if !ok {
		path = pattern
	}
	if path == "/api/v1/me" || path == "/api/v1/me/orgs" || path == "/api/v1/me/sessions" {
		return true
	}
	for _, p := range exemptPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return !strings.HasPrefix(path, "/api/")
}

// Gate runs before every authenticated route (internal/server calls it): a
// person who has not accepted the current version of a published policy
// gets 403 policy_acceptance_required, and a minor without a recorded
// guardian consent gets 403 guardian_consent_required. When no policy has
// been published nothing is required. Acceptances and age are checked on
// every request through a small cache (see gateCache).
func (s *Service) Gate(ctx context.Context, a *actor.Actor, pattern string) error {
	if a == nil || a.AccountID == "" || exempt(pattern) {
		return nil
	}
	req, g, cacheable, err := s.requiredVersions(ctx)
	if err != nil {
		return err
	}
	if !s.policiesPass(a.AccountID, req, g, cacheable) {
		pend, err := pendingDocuments(ctx, s.DB, a.AccountID)
		if err != nil {
			return err
		}
		if len(pend) > 0 {
			docs := make([]map[string]any, len(pend))
			for i, d := range pend {
				docs[i] = map[string]any{"id": d.ID, "kind": d.Kind, "version": d.Version, "significant": d.Significant, "summary": d.Summary}
			}
			return apperr.Forbidden("policy_acceptance_required", "accept the current privacy policy and terms to go on").With("documents", docs)
		}
		if cacheable {
			s.rememberAccepted(a.AccountID, req, g)
		}
	}
	if s.agePass(a.AccountID, g, cacheable) {
		return nil
	}
	minor, err := s.isUnconsentedMinor(ctx, a.AccountID)
	if err != nil {
		return err
	}
	if minor {
		return apperr.Forbidden("guardian_consent_required", "a parent or guardian must consent before you can use this service")
	}
	if cacheable {
		s.rememberAge(a.AccountID, g)
	}
	return nil
}

// ---- minors ----------------------------------------------------------------

// ageRecheck is how long a computed age gate is trusted before the birth
// date is read again.
const ageRecheck = 10 * time.Minute

func (s *Service) isUnconsentedMinor(ctx context.Context, accountID string) (bool, error) {
	if s.MinAge <= 0 {
		return false, nil
	}
	g, err := getAgeGate(ctx, s.DB, accountID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return false, err
	}
	now := s.now()
	if errors.Is(err, db.ErrNotFound) || now.UnixMilli()-g.CheckedAt > ageRecheck.Milliseconds() {
		g.MinorUntil = 0
		if s.Accounts != nil {
			bd, ok, err := s.Accounts.BirthDate(ctx, accountID)
			if err != nil {
				return false, err
			}
			if ok {
				g.MinorUntil = bd.AddDate(s.MinAge, 0, 0).UnixMilli()
			}
		}
		g.CheckedAt = now.UnixMilli()
		if err := putAgeGate(ctx, s.DB, accountID, g.MinorUntil, g.CheckedAt); err != nil {
			return false, err
		}
	}
	if g.MinorUntil <= now.UnixMilli() {
		return false, nil
	}
	return !g.HasGuardian, nil
}

// GuardianConsent is a recorded consent of a minor's parent or guardian.
type GuardianConsent struct {
	AccountID       string `json:"account_id"`
	GuardianName    string `json:"guardian_name"`
	GuardianContact string `json:"guardian_contact,omitempty"`
	Relationship    string `json:"relationship,omitempty"`
	Method          string `json:"method"`
	RecordedBy      string `json:"recorded_by,omitempty"`
	RecordedAt      int64  `json:"recorded_at"`
}

// GuardianStatus tells a person whether they need a guardian's consent.
type GuardianStatus struct {
	Required bool             `json:"required"`
	MinAge   int              `json:"min_age"`
	Consent  *GuardianConsent `json:"consent,omitempty"`
}

// MyGuardianStatus returns the caller's guardian-consent status.
func (s *Service) MyGuardianStatus(ctx context.Context) (GuardianStatus, error) {
	a, err := caller(ctx)
	if err != nil {
		return GuardianStatus{}, err
	}
	req, err := s.isUnconsentedMinor(ctx, a.AccountID)
	if err != nil {
		return GuardianStatus{}, err
	}
	st := GuardianStatus{Required: req, MinAge: s.MinAge}
	if gc, err := getGuardianConsent(ctx, s.DB, a.AccountID); err == nil {
		st.Consent = &gc
	}
	return st, nil
}

// Guardian-consent methods.
var guardianMethods = map[string]bool{"in_person": true, "signed_form": true, "email_confirmation": true, "video_call": true, "phone_call": true}

// RecordGuardianConsent records who consented for a minor, how and when.
// The operator records it through the CLI (no actor), or an org admin with
// manage_privacy_requests for a member of their org.
func (s *Service) RecordGuardianConsent(ctx context.Context, gc GuardianConsent) (GuardianConsent, error) {
	orgID := ""
	if a := actor.From(ctx); a != nil {
		if _, err := s.admin(ctx, PermManagePrivacyRequests); err != nil {
			return GuardianConsent{}, err
		}
		orgID = a.OrgID
		if !s.isMemberOf(ctx, orgID, gc.AccountID) {
			return GuardianConsent{}, apperr.ErrNotFound
		}
		gc.RecordedBy = a.AccountID
	} else if gc.RecordedBy == "" {
		gc.RecordedBy = "operator"
	}
	gc.GuardianName = strings.TrimSpace(gc.GuardianName)
	switch {
	case !ids.HasPrefix(gc.AccountID, "acc"):
		return GuardianConsent{}, apperr.InvalidField("account_id", "account_id must be an account id")
	case gc.GuardianName == "" || len(gc.GuardianName) > 200:
		return GuardianConsent{}, apperr.InvalidField("guardian_name", "the guardian's name is required (at most 200 characters)")
	case len(gc.GuardianContact) > 200 || len(gc.Relationship) > 100:
		return GuardianConsent{}, apperr.InvalidField("guardian_contact", "contact or relationship too long")
	case !guardianMethods[gc.Method]:
		return GuardianConsent{}, apperr.InvalidField("method", "method must be one of in_person, signed_form, email_confirmation, video_call, phone_call")
	}
	gc.RecordedAt = s.nowMS()
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := putGuardianConsent(ctx, s.DB, gc); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, gc.AccountID, "guardian_consent.recorded", map[string]any{"method": gc.Method}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.guardian_consent.record", TargetKind: "account", TargetID: gc.AccountID,
			Details: map[string]any{"method": gc.Method}})
	})
	return gc, err
}

func (s *Service) isMemberOf(ctx context.Context, orgID, accountID string) bool {
	ms, err := s.memberships(ctx, accountID)
	if err != nil {
		return false
	}
	for _, m := range ms {
		if m.OrgID == orgID {
			return true
		}
	}
	return false
}

// ---- consents ----------------------------------------------------------------

// Purpose is a processing purpose that needs the person's consent.
type Purpose struct {
	ID          string `json:"id"`
	Description string `json:"description"`
}

// Purposes lists the consents Atrium asks for.
var Purposes = []Purpose{
	{ID: "contact_matching", Description: "Compare the phone numbers in my address book (as keyed hashes, never stored) with Atrium accounts to suggest contacts."},
	{ID: "location", Description: "Use my device's location for check-ins and location messages."},
	{ID: "product_emails", Description: "Send me emails about new features (never required)."},
}

// PurposeContactMatching is the consent contact matching needs.
const PurposeContactMatching = "contact_matching"

func knownPurpose(id string) bool {
	for _, p := range Purposes {
		if p.ID == id {
			return true
		}
	}
	return false
}

// Consent is a person's current choice for one purpose.
type Consent struct {
	Purpose     string `json:"purpose"`
	Description string `json:"description"`
	Granted     bool   `json:"granted"`
	Version     string `json:"version,omitempty"`
	UpdatedAt   int64  `json:"updated_at,omitempty"`
}

// ConsentEvent is one change of a consent.
type ConsentEvent struct {
	Purpose   string `json:"purpose"`
	Granted   bool   `json:"granted"`
	Version   string `json:"version,omitempty"`
	CreatedAt int64  `json:"created_at"`
}

// ConsentList is the caller's consents and their history.
type ConsentList struct {
	Items   []Consent      `json:"items"`
	History []ConsentEvent `json:"history"`
}

// MyConsents lists every purpose with the caller's choice.
func (s *Service) MyConsents(ctx context.Context) (ConsentList, error) {
	a, err := caller(ctx)
	if err != nil {
		return ConsentList{}, err
	}
	cur, err := listConsents(ctx, s.DB, a.AccountID)
	if err != nil {
		return ConsentList{}, err
	}
	out := ConsentList{}
	for _, p := range Purposes {
		c := Consent{Purpose: p.ID, Description: p.Description}
		if got, ok := cur[p.ID]; ok {
			c.Granted, c.Version, c.UpdatedAt = got.Granted, got.Version, got.UpdatedAt
		}
		out.Items = append(out.Items, c)
	}
	out.History, err = listConsentEvents(ctx, s.DB, a.AccountID)
	out.History = nonNil(out.History)
	return out, err
}

// SetConsentInput grants or withdraws a consent.
type SetConsentInput struct {
	Granted *bool `json:"granted"`
}

// SetConsent grants or withdraws the caller's consent for purpose. The
// change is recorded with the current privacy policy version and takes
// effect on the next request.
func (s *Service) SetConsent(ctx context.Context, purpose string, in SetConsentInput) (Consent, error) {
	a, err := caller(ctx)
	if err != nil {
		return Consent{}, err
	}
	if !knownPurpose(purpose) {
		return Consent{}, apperr.ErrNotFound
	}
	if in.Granted == nil {
		return Consent{}, apperr.InvalidField("granted", "granted (true or false) is required")
	}
	version := ""
	if d, err := latestDocument(ctx, s.DB, "", KindPrivacy); err == nil {
		version = d.Version
	}
	c := Consent{Purpose: purpose, Granted: *in.Granted, Version: version, UpdatedAt: s.nowMS()}
	for _, p := range Purposes {
		if p.ID == purpose {
			c.Description = p.Description
		}
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := putConsent(ctx, s.DB, ids.New("cev"), a.AccountID, c); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "consent.changed", map[string]any{"purpose": purpose, "granted": c.Granted}); err != nil {
			return err
		}
		action := "privacy.consent.grant"
		if !c.Granted {
			action = "privacy.consent.withdraw"
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: action, TargetKind: "account", TargetID: a.AccountID,
			Details: map[string]any{"purpose": purpose, "version": version}})
	})
	return c, err
}

// HasConsent reports whether the account has granted purpose (read from
// the database on every call: withdrawal takes effect at once).
func (s *Service) HasConsent(ctx context.Context, accountID, purpose string) (bool, error) {
	cur, err := listConsents(ctx, s.DB, accountID)
	if err != nil {
		return false, err
	}
	return cur[purpose].Granted, nil
}

// ---- contact matching ----------------------------------------------------------

// ContactMatchInput carries raw phone numbers from the person's address
// book. They are normalized and hashed at once; neither the numbers nor the
// hashes are stored or logged.
type ContactMatchInput struct {
	Phones []string `json:"phones"`
}

// ContactMatch is an account found for one of the submitted numbers.
type ContactMatch struct {
	Index     int    `json:"index"`
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
}

// ContactMatches is the answer of MatchContacts.
type ContactMatches struct {
	Items []ContactMatch `json:"items"`
}

// MatchContacts finds accounts for the submitted phone numbers, for a
// person who granted the contact_matching consent. Accounts that do not
// let others find them are never returned.
func (s *Service) MatchContacts(ctx context.Context, in ContactMatchInput) (ContactMatches, error) {
	a, err := caller(ctx)
	if err != nil {
		return ContactMatches{}, err
	}
	ok, err := s.HasConsent(ctx, a.AccountID, PurposeContactMatching)
	if err != nil {
		return ContactMatches{}, err
	}
	if !ok {
		return ContactMatches{}, apperr.Forbidden("consent_required", "grant the contact_matching consent first").With("purpose", PurposeContactMatching)
	}
	if len(in.Phones) > 2000 {
		return ContactMatches{}, apperr.InvalidField("phones", "at most 2000 numbers per request")
	}
	out := ContactMatches{Items: []ContactMatch{}}
	if s.Dir == nil {
		return out, nil
	}
	seen := map[string]bool{}
	for i, raw := range in.Phones {
		n := NormalizePhone(raw)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		id, name, err := s.Dir.LookupPhone(ctx, n)
		if err != nil || id == "" || id == a.AccountID {
			continue
		}
		out.Items = append(out.Items, ContactMatch{Index: i, AccountID: id, Name: name})
	}
	return out, nil
}

// NormalizePhone keeps a leading + and the digits of a phone number, and
// returns "" for anything that is not 6–16 digits.
func NormalizePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	out := b.String()
	digits := strings.TrimPrefix(out, "+")
	if len(digits) < 6 || len(digits) > 16 {
		return ""
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
