package privacy_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Disbanding an organization deletes all its company data after the grace
// period and destroys its data key; a legal hold makes it wait.
func TestDisbandDeletesCompanyDataAndKey(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		m := newPerson(t, env, identity.NewAccount{})
		o.join(t, m)
		o.Owner.Do(t, "PATCH", "/api/v1/members/"+m.MemberID, map[string]any{"work_phone": "+8613900099900"}, nil).Want(t, http.StatusOK)
		var conv struct {
			ID string `json:"id"`
		}
		m.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Board", "member_ids": []string{o.Owner.AccountID}}, &conv).Want(t, http.StatusCreated)
		m.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "1", "body": "merger talks"}, nil).Want(t, http.StatusCreated)
		var sealed []byte
		if err := env.App.DB.Reader().QueryRow(`SELECT work_phone FROM members WHERE id = $1`, m.MemberID).Scan(&sealed); err != nil || len(sealed) == 0 {
			t.Fatalf("work phone not sealed: %v", err)
		}
		if _, err := env.App.Keyring.Open(ctx, o.ID, "members.work_phone:"+m.MemberID, sealed); err != nil {
			t.Fatalf("work phone does not open before: %v", err)
		}
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 30, "disband_grace_days": 0}, nil).Want(t, http.StatusOK)
		var hold struct {
			ID string `json:"id"`
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "conversation", "target_id": conv.ID, "reason": "audit"}, &hold).Want(t, http.StatusCreated)
		o.Owner.Do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": "Acme", "password": pw}, nil).Want(t, http.StatusNoContent)

		svc := env.App.Privacy()
		if n, err := svc.ScanDisbanded(ctx); err != nil || n != 1 {
			t.Fatalf("scan = %d, %v", n, err)
		}
		if n, _ := svc.ScanDisbanded(ctx); n != 0 {
			t.Fatal("a disbanded org was scheduled twice")
		}
		waitJobs(t, env)
		count := func(q string, args ...any) int {
			var n int
			if err := env.App.DB.Reader().QueryRow(q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Held: nothing is deleted yet and the key lives.
		if count(`SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, conv.ID) != 1 {
			t.Fatal("held data deleted")
		}
		if count(`SELECT COUNT(*) FROM erasure_ledger WHERE org_id = $1 AND kind = 'organization' AND status = 'waiting_hold'`, o.ID) != 1 {
			t.Fatal("the org's purge does not wait on the hold")
		}
		// Release the hold (as the operator would: the org can no longer be
		// acted in), and the purge proceeds.
		if _, err := env.App.DB.Writer().Exec(`UPDATE legal_holds SET released_at = 1 WHERE id = $1`, hold.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.DB.Writer().Exec(`UPDATE erasure_ledger SET status = 'scheduled' WHERE org_id = $1`, o.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.ReapplyErasures(ctx, 0); err != nil || n != 0 {
			t.Fatalf("reapply = %d, %v", n, err)
		}
		waitJobs(t, env)
		for _, q := range []string{
			`SELECT COUNT(*) FROM members WHERE org_id = $1`,
			`SELECT COUNT(*) FROM conversations WHERE org_id = $1`,
			`SELECT COUNT(*) FROM orgs WHERE id = $1`,
		} {
			if n := count(q, o.ID); n != 0 {
				t.Errorf("%s: %d rows left", q, n)
			}
		}
		if count(`SELECT COUNT(*) FROM messages WHERE conversation_id = $1`, conv.ID) != 0 {
			t.Error("the org's messages survive")
		}
		if _, err := env.App.Keyring.Open(ctx, o.ID, "members.work_phone:"+m.MemberID, sealed); err == nil {
			t.Error("the org's key still opens its data")
		}
		// The people keep their accounts.
		m.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusOK)
	})
}
