package privacy_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// mailTo waits for the outbox to log an email to addr whose line holds
// every one of want, and returns the line.
func mailTo(t *testing.T, env *servertest.Env, addr string, want ...string) string {
	t.Helper()
	for i := 0; i < 500; i++ {
	lines:
		for _, line := range strings.Split(env.Logs.String(), "\n") {
			if !strings.Contains(line, "msg=email ") || !strings.Contains(line, "to="+addr) {
				continue
			}
			for _, w := range want {
				if !strings.Contains(line, w) {
					continue lines
				}
			}
			return line
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no email to %s with %q in:\n%s", addr, want, env.Logs.String())
	return ""
}

func unacknowledged(t *testing.T, p *person) privacy.Unacknowledged {
	t.Helper()
	var u privacy.Unacknowledged
	p.Do(t, "GET", "/api/v1/me/unacknowledged", nil, &u).Want(t, http.StatusOK)
	return u
}

// TestNoticesReachPeople: security notices and policy updates are emailed
// through the outbox, in each person's language, and shown in the app
// until acknowledged.
func TestNoticesReachPeople(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		li := newPerson(t, env, identity.NewAccount{Name: "Li Lei", Locale: "zh-CN"})
		o.join(t, li)

		// A security notice: by email, and in the app until acknowledged.
		var n privacy.Notice
		o.Owner.Do(t, "POST", "/api/v1/admin/security-notices", map[string]any{"title": "Laptop stolen", "what_happened": "A laptop was stolen.",
			"impact": "Chat history on it.", "remedies": "Sign out of that device."}, &n).Want(t, http.StatusCreated)
		mailTo(t, env, li.Email, "安全事件通知：Laptop stolen", "Acme", "Sign out of that device.")
		mailTo(t, env, o.Owner.Email, "Security notice: Laptop stolen", "A laptop was stolen.")
		u := unacknowledged(t, li)
		if len(u.SecurityNotices) != 1 || u.SecurityNotices[0].ID != n.ID || u.SecurityNotices[0].Remedies != "Sign out of that device." {
			t.Fatalf("unacknowledged notices %+v", u.SecurityNotices)
		}
		li.Do(t, "POST", "/api/v1/me/security-notices/"+n.ID+"/read", nil, nil).Want(t, http.StatusNoContent)
		if u := unacknowledged(t, li); len(u.SecurityNotices) != 0 {
			t.Fatalf("acknowledged notice still shown: %+v", u.SecurityNotices)
		}
		if u := unacknowledged(t, o.Owner); len(u.SecurityNotices) != 1 {
			t.Fatalf("the owner's notice: %+v", u.SecurityNotices)
		}

		// A policy update reaches whoever accepted an earlier version.
		ctx := context.Background()
		if _, err := env.App.Privacy().PublishPolicy(ctx, privacy.PublishInput{Kind: privacy.KindPrivacy, Version: "1", Body: "Policy one."}); err != nil {
			t.Fatal(err)
		}
		var st privacy.PolicyStatus
		li.Do(t, "GET", "/api/v1/me/policies", nil, &st).Want(t, http.StatusOK)
		li.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{st.Pending[0].ID}}, nil).Want(t, http.StatusOK)
		if u := unacknowledged(t, li); len(u.PolicyUpdates) != 0 {
			t.Fatalf("accepted policy shown as an update: %+v", u.PolicyUpdates)
		}
		v2, err := env.App.Privacy().PublishPolicy(ctx, privacy.PublishInput{Kind: privacy.KindPrivacy, Version: "1.1", Summary: "We keep sign-in history 90 days.", Body: "Policy one point one."})
		if err != nil {
			t.Fatal(err)
		}
		mailTo(t, env, li.Email, "隐私政策已更新", "1.1", "We keep sign-in history 90 days.")
		u = unacknowledged(t, li)
		if len(u.PolicyUpdates) != 1 || u.PolicyUpdates[0].ID != v2.ID {
			t.Fatalf("policy updates %+v", u.PolicyUpdates)
		}
		li.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{v2.ID}}, nil).Want(t, http.StatusOK)
		if u := unacknowledged(t, li); len(u.PolicyUpdates) != 0 {
			t.Fatalf("acknowledged update still shown: %+v", u.PolicyUpdates)
		}

		// The organization's own notice reaches its members.
		o.Owner.Do(t, "GET", "/api/v1/me/policies", nil, &st).Want(t, http.StatusOK)
		o.Owner.Do(t, "POST", "/api/v1/me/policies/accept", map[string]any{"document_ids": []string{st.Pending[0].ID}}, nil).Want(t, http.StatusOK)
		var doc privacy.Document
		o.Owner.Do(t, "POST", "/api/v1/admin/privacy/notice", map[string]any{"version": "2026-1", "summary": "Badge photos.", "body": "We use badge photos."}, &doc).Want(t, http.StatusCreated)
		mailTo(t, env, li.Email, "Acme 的隐私声明", "Badge photos.")
		u = unacknowledged(t, li)
		if len(u.PolicyUpdates) != 1 || u.PolicyUpdates[0].ID != doc.ID {
			t.Fatalf("org notice not shown: %+v", u.PolicyUpdates)
		}
	})
}
