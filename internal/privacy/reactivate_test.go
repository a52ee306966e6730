package privacy_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// staleOrgs answers, for one account, with the membership as it was before
// an admin reactivated it: the erasure's first look, taken an instant
// before the reactivation committed.
type staleOrgs struct {
	datamap.Organizations
	accountID string
}

func (s staleOrgs) Memberships(ctx context.Context, accountID string) ([]datamap.Membership, error) {
	ms, err := s.Organizations.Memberships(ctx, accountID)
	if accountID == s.accountID {
		for i := range ms {
			ms[i].Status = "deactivated"
		}
	}
	return ms, err
}

// TestReactivationOutrunsTheScheduledErasure: a member deactivated under an
// "anonymize after a period" policy has an erasure scheduled; an admin
// reactivates them before it is due. When the erasure runs — even one that
// looked at the membership just before the reactivation — the active
// member is left whole and the erasure is cancelled.
func TestReactivationOutrunsTheScheduledErasure(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{Name: "Paula Paused"})
		o.join(t, p)
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 1, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
		o.Owner.Do(t, "POST", "/api/v1/members/"+p.MemberID+"/deactivate", nil, nil).Want(t, http.StatusOK)
		svc := env.App.Privacy()
		if n, err := svc.ScanDepartures(ctx); err != nil || n != 1 {
			t.Fatalf("scan scheduled %d (%v), want 1", n, err)
		}
		o.Owner.Do(t, "POST", "/api/v1/members/"+p.MemberID+"/reactivate", nil, nil).Want(t, http.StatusOK)

		// The erasure falls due, and its first look saw the member still
		// deactivated.
		real := svc.Orgs
		svc.Orgs = staleOrgs{Organizations: real, accountID: p.AccountID}
		t.Cleanup(func() { svc.Orgs = real })
		if _, err := env.App.DB.W(ctx).ExecContext(ctx, `UPDATE jobs SET run_at = 0 WHERE kind = $1 AND state = 'queued'`, privacy.JobErase); err != nil {
			t.Fatal(err)
		}
		waitJobs(t, env)

		var m directory.Member
		o.Owner.Do(t, "GET", "/api/v1/members/"+p.MemberID, nil, &m).Want(t, http.StatusOK)
		if m.Status != directory.StatusActive || m.Anonymized || m.DisplayName != "Paula Paused" {
			t.Fatalf("reactivated member after the erasure fell due: %+v", m)
		}
		var status string
		if err := env.App.DB.Reader().QueryRow(`SELECT status FROM erasure_ledger WHERE account_id = $1 AND kind = $2`, p.AccountID, privacy.EraseMembership).Scan(&status); err != nil || status != privacy.LedgerCancelled {
			t.Fatalf("erasure after the reactivation: %q (%v), want cancelled", status, err)
		}
	})
}
