package privacy_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Until a policy is published nothing is required; then every non-exempt
// route answers 403 policy_acceptance_required until the person accepts;
// a minor version needs no new acceptance, a significant one does.
func TestPolicyAcceptanceGate(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{})
		o.join(t, p)
		p.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)

		svc := env.App.Privacy()
		d1, err := svc.PublishPolicy(ctx, privacy.PublishInput{Kind: "privacy", Version: "1.0", Body: "# Privacy\n\nWe keep little."})
		if err != nil {
			t.Fatal(err)
		}
		r := p.Do(t, "GET", "/api/v1/contacts", nil, nil).WantError(t, http.StatusForbidden, "policy_acceptance_required")
		_ = r
		// Exempt routes still work: reading policies, the inquiry, export.
		var st privacy.PolicyStatus
		p.Do(t, "GET", "/api/v1/me/policies", nil, &st).Want(t, http.StatusOK)
		if len(st.Pending) != 1 || st.Pending[0].ID != d1.ID {
			t.Fatalf("pending = %+v", st.Pending)
		}
		p.Do(t, "GET", "/api/v1/me/data", nil, nil).Want(t, http.StatusOK)
		p.Do(t, "GET", "/api/v1/policies", nil, nil).Want(t, http.StatusOK)
		p.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{"pol_nope"}}, nil).WantError(t, http.StatusNotFound, "not_found")
		p.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{d1.ID}}, &st).Want(t, http.StatusOK)
		if len(st.Pending) != 0 || len(st.Accepted) != 1 {
			t.Fatalf("after accept: %+v", st)
		}
		p.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)

		// A minor, non-significant version: no new acceptance needed.
		if _, err := svc.PublishPolicy(ctx, privacy.PublishInput{Kind: "privacy", Version: "1.1", Body: "typo fixed"}); err != nil {
			t.Fatal(err)
		}
		p.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		// Significant: re-acceptance, with the summary shown.
		if _, err := svc.PublishPolicy(ctx, privacy.PublishInput{Kind: "privacy", Version: "2.0", Significant: true}); err == nil {
			t.Fatal("significant version without body and summary accepted")
		}
		d3, err := svc.PublishPolicy(ctx, privacy.PublishInput{Kind: "privacy", Version: "2.0", Significant: true, Summary: "We now keep sign-in history for 90 days.", Body: "# Privacy v2"})
		if err != nil {
			t.Fatal(err)
		}
		r = p.Do(t, "GET", "/api/v1/contacts", nil, nil).WantError(t, http.StatusForbidden, "policy_acceptance_required")
		if !containsStr(string(r.Body), "90 days") {
			t.Fatalf("403 does not carry the summary: %s", r.Body)
		}
		if _, err := svc.PublishPolicy(ctx, privacy.PublishInput{Kind: "privacy", Version: "2.0", Body: "dup"}); err == nil {
			t.Fatal("duplicate version accepted")
		}
		p.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{d3.ID}}, nil).Want(t, http.StatusOK)
		p.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		// Accepting an old version is refused.
		p.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{d1.ID}}, nil).WantError(t, http.StatusConflict, "not_current_version")
		// Bad input is a 400 with a stable code.
		p.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		p.Do(t, "POST", "/api/v1/me/policies/accept", `{"nope":1}`, nil).WantError(t, http.StatusBadRequest, "unknown_field")
	})
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// A person below the minimum age cannot use the service until a guardian's
// consent is recorded.
func TestMinorNeedsGuardianConsent(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		kid := newPerson(t, env, identity.NewAccount{BirthDate: "2020-05-01"})
		adult := newPerson(t, env, identity.NewAccount{BirthDate: "1990-05-01"})
		adult.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).WantError(t, http.StatusForbidden, "guardian_consent_required")
		var st privacy.GuardianStatus
		kid.Do(t, "GET", "/api/v1/me/guardian-consent", nil, &st).Want(t, http.StatusOK)
		if !st.Required || st.MinAge != 14 {
			t.Fatalf("status = %+v", st)
		}
		// An org admin may record it for a member of their org only.
		o.Owner.Do(t, "POST", "/api/v1/admin/guardian-consents", map[string]any{"account_id": kid.AccountID, "guardian_name": "Gina Guardian", "method": "signed_form"}, nil).
			WantError(t, http.StatusNotFound, "not_found")
		kid.Do(t, "POST", "/api/v1/join", map[string]any{"token": "x"}, nil).WantError(t, http.StatusForbidden, "guardian_consent_required")
		// The operator records it (CLI path: no actor).
		if _, err := env.App.Privacy().RecordGuardianConsent(context.Background(), privacy.GuardianConsent{AccountID: kid.AccountID, GuardianName: "Gina Guardian", Method: "in_person"}); err != nil {
			t.Fatal(err)
		}
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		kid.Do(t, "GET", "/api/v1/me/guardian-consent", nil, &st).Want(t, http.StatusOK)
		if st.Required || st.Consent == nil || st.Consent.Method != "in_person" || st.Consent.RecordedAt == 0 {
			t.Fatalf("after consent: %+v", st)
		}
		if _, err := env.App.Privacy().RecordGuardianConsent(context.Background(), privacy.GuardianConsent{AccountID: kid.AccountID, GuardianName: "G", Method: "carrier pigeon"}); err == nil {
			t.Fatal("unknown method accepted")
		}
	})
}

// Consents are recorded with history, withdrawal takes effect on the next
// request, and contact matching needs the contact_matching consent.
func TestConsentsAndContactMatching(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{})
		friend := newPerson(t, env, identity.NewAccount{Name: "Fay Friend", Phone: "+8613912345678"})
		o.join(t, p)
		body := map[string]any{"phones": []string{"+86 139 1234 5678", "not a number", "+1 555 0100 999"}}
		p.Do(t, "POST", "/api/v1/me/contact-matches", body, nil).WantError(t, http.StatusForbidden, "consent_required")
		var c privacy.Consent
		p.Do(t, "PUT", "/api/v1/me/consents/contact_matching", map[string]any{"granted": true}, &c).Want(t, http.StatusOK)
		if !c.Granted {
			t.Fatalf("consent = %+v", c)
		}
		var m privacy.ContactMatches
		p.Do(t, "POST", "/api/v1/me/contact-matches", body, &m).Want(t, http.StatusOK)
		if len(m.Items) != 1 || m.Items[0].AccountID != friend.AccountID || m.Items[0].Index != 0 {
			t.Fatalf("matches = %+v", m)
		}
		p.Do(t, "PUT", "/api/v1/me/consents/contact_matching", map[string]any{"granted": false}, nil).Want(t, http.StatusOK)
		p.Do(t, "POST", "/api/v1/me/contact-matches", body, nil).WantError(t, http.StatusForbidden, "consent_required")
		var list privacy.ConsentList
		p.Do(t, "GET", "/api/v1/me/consents", nil, &list).Want(t, http.StatusOK)
		if len(list.History) != 2 || list.History[0].Granted != true || list.History[1].Granted != false {
			t.Fatalf("history = %+v", list.History)
		}
		p.Do(t, "PUT", "/api/v1/me/consents/nope", map[string]any{"granted": true}, nil).WantError(t, http.StatusNotFound, "not_found")
		p.Do(t, "PUT", "/api/v1/me/consents/location", map[string]any{}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// The raw numbers never reach the database or the log.
		if containsStr(env.Logs.String(), "1234 5678") || containsStr(env.Logs.String(), "+8613912345678") {
			t.Fatal("a submitted phone number reached the log")
		}
	})
}

// Requests: self-service ones complete at once; org ones go to the admin
// queue with a due date and a history.
func TestRequestsAndAdminQueue(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{})
		o.join(t, p)
		var r privacy.Request
		p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "access"}, &r).Want(t, http.StatusCreated)
		if r.Status != privacy.StatusCompleted || r.DueAt-r.CreatedAt != privacy.RequestDue.Milliseconds() {
			t.Fatalf("access request = %+v", r)
		}
		p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "erasure"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "erasure", "org_id": "org_other"}, nil).WantError(t, http.StatusNotFound, "not_found")
		p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "nope"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "objection", "org_id": o.ID, "note": "stop profiling me"}, &r).Want(t, http.StatusCreated)
		if r.Status != privacy.StatusOpen {
			t.Fatalf("objection = %+v", r)
		}
		// A plain member cannot see the queue.
		p.Do(t, "GET", "/api/v1/admin/privacy-requests", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		var q privacy.RequestList
		o.Owner.Do(t, "GET", "/api/v1/admin/privacy-requests", nil, &q).Want(t, http.StatusOK)
		if len(q.Items) != 1 || q.Items[0].ID != r.ID {
			t.Fatalf("queue = %+v", q)
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/privacy-requests/"+r.ID+"/decision", map[string]any{"status": "rejected"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		o.Owner.Do(t, "POST", "/api/v1/admin/privacy-requests/"+r.ID+"/decision", map[string]any{"status": "completed", "note": "profiling turned off"}, nil).Want(t, http.StatusOK)
		p.Do(t, "GET", "/api/v1/me/requests/"+r.ID, nil, &r).Want(t, http.StatusOK)
		if r.Status != privacy.StatusCompleted || len(r.History) != 2 || r.History[1].Note != "profiling turned off" {
			t.Fatalf("after decision: %+v", r)
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/privacy-requests/"+r.ID+"/decision", map[string]any{"status": "completed"}, nil).WantError(t, http.StatusConflict, "request_closed")
		o.Owner.Do(t, "GET", "/api/v1/me/requests/"+r.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// Security notices reach the org's members and are recorded; the record of
// processing lists every table of the data map.
func TestSecurityNoticesAndRecord(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{})
		outsider := newPerson(t, env, identity.NewAccount{})
		o.join(t, p)
		n := map[string]any{"title": "Laptop stolen", "what_happened": "A laptop with a synced mailbox was stolen.", "impact": "Emails of May may be read.", "remedies": "Change your password; we revoked its sessions."}
		p.Do(t, "POST", "/api/v1/admin/security-notices", n, nil).WantError(t, http.StatusForbidden, "forbidden")
		o.Owner.Do(t, "POST", "/api/v1/admin/security-notices", map[string]any{"title": "x"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var sent privacy.Notice
		o.Owner.Do(t, "POST", "/api/v1/admin/security-notices", n, &sent).Want(t, http.StatusCreated)
		if sent.Recipients != 2 {
			t.Fatalf("recipients = %d, want 2 (owner and member)", sent.Recipients)
		}
		var mine privacy.NoticeList
		p.Do(t, "GET", "/api/v1/me/security-notices", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 1 || mine.Items[0].Remedies == "" {
			t.Fatalf("member notices = %+v", mine)
		}
		p.Do(t, "POST", "/api/v1/me/security-notices/"+sent.ID+"/read", nil, nil).Want(t, http.StatusNoContent)
		outsider.Do(t, "GET", "/api/v1/me/security-notices", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 0 {
			t.Fatal("an outsider got the org's notice")
		}
		outsider.Do(t, "POST", "/api/v1/me/security-notices/"+sent.ID+"/read", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// Operator notice to every org.
		if _, err := env.App.Privacy().SendOperatorNotice(context.Background(), privacy.NewNotice{Title: "TLS key rotated", WhatHappened: "w", Impact: "i", Remedies: "r"}); err != nil {
			t.Fatal(err)
		}
		p.Do(t, "GET", "/api/v1/me/security-notices", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 2 {
			t.Fatalf("after operator notice: %d", len(mine.Items))
		}
		var rec privacy.RecordOfProcessing
		o.Owner.Do(t, "GET", "/api/v1/admin/record-of-processing", nil, &rec).Want(t, http.StatusOK)
		found := map[string]bool{}
		for _, a := range rec.Activities {
			found[a.Table] = true
			if a.Purpose == "" || len(a.Recipients) == 0 {
				t.Fatalf("incomplete activity %+v", a)
			}
		}
		for _, want := range []string{"accounts", "members", "consents", "erasure_ledger"} {
			if !found[want] {
				t.Fatalf("record of processing misses %s", want)
			}
		}
		p.Do(t, "GET", "/api/v1/admin/record-of-processing", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
	})
}

// A minor can ask a parent or guardian by email; the guardian's one-time
// link records the consent (who, how, when) and then the minor may go on.
func TestGuardianConsentByEmail(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		kid := newPerson(t, env, identity.NewAccount{BirthDate: "2019-03-04"})
		adult := newPerson(t, env, identity.NewAccount{BirthDate: "1980-03-04"})
		adult.Do(t, "POST", "/api/v1/me/guardian-consent/request", map[string]any{"guardian_name": "Pat", "guardian_email": "pat@example.test"}, nil).
			WantError(t, http.StatusConflict, "guardian_consent_not_required")
		kid.Do(t, "POST", "/api/v1/me/guardian-consent/request", map[string]any{"guardian_name": "Pat", "guardian_email": "not an address"}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		kid.Do(t, "POST", "/api/v1/me/guardian-consent/request", map[string]any{"guardian_name": "Pat Parent", "guardian_email": "pat@example.test", "relationship": "mother"}, nil).
			Want(t, http.StatusCreated)
		re := regexp.MustCompile(`guardian-consent\?token=([0-9a-f]+)`)
		var token string
		for i := 0; i < 500 && token == ""; i++ {
			if m := re.FindStringSubmatch(env.Logs.String()); m != nil {
				token = m[1]
			} else {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if token == "" {
			t.Fatal("no consent link was emailed")
		}
		anon := env.Client()
		anon.Do(t, "GET", "/api/v1/guardian-consents/"+strings.Repeat("0", 48), nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var info privacy.GuardianLinkInfo
		anon.Do(t, "GET", "/api/v1/guardian-consents/"+token, nil, &info).Want(t, http.StatusOK)
		if info.GuardianName != "Pat Parent" || info.Relationship != "mother" {
			t.Fatalf("link info = %+v", info)
		}
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).WantError(t, http.StatusForbidden, "guardian_consent_required")
		anon.Do(t, "POST", "/api/v1/guardian-consents/"+token+"/confirm", map[string]any{"guardian_name": "Pat Parent"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		anon.Do(t, "POST", "/api/v1/guardian-consents/"+token+"/confirm", map[string]any{"guardian_name": "Pat Parent", "consent": true}, nil).Want(t, http.StatusNoContent)
		anon.Do(t, "POST", "/api/v1/guardian-consents/"+token+"/confirm", map[string]any{"guardian_name": "Pat Parent", "consent": true}, nil).WantError(t, http.StatusGone, "link_expired")
		kid.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
		var st privacy.GuardianStatus
		kid.Do(t, "GET", "/api/v1/me/guardian-consent", nil, &st).Want(t, http.StatusOK)
		if st.Consent == nil || st.Consent.Method != "email_confirmation" || st.Consent.GuardianContact != "pat@example.test" {
			t.Fatalf("recorded = %+v", st.Consent)
		}
	})
}
