package privacy_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestLedgerUniqueUnderConcurrency: concurrent requests that each schedule
// the same erasure leave one ledger entry (and one job), decided by the
// ledger's unique indexes, not by a read before the insert. On PostgreSQL
// (READ COMMITTED) the transactions really overlap.
func TestLedgerUniqueUnderConcurrency(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{})
		o.join(t, p)
		svc := env.App.Privacy()

		// Leaving: an admin removes the member; several nodes' departure
		// scans see the departure at once and each schedules its erasure.
		o.Owner.Do(t, "DELETE", "/api/v1/members/"+p.MemberID, nil, nil).Want(t, http.StatusNoContent)
		const n = 8
		var wg sync.WaitGroup
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := svc.ScanDepartures(ctx)
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent ScanDepartures: %v", err)
			}
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var c int
			if err := env.App.DB.Reader().QueryRow(q, args...).Scan(&c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		if c := count(`SELECT COUNT(*) FROM erasure_ledger WHERE kind = 'membership' AND account_id = $1 AND org_id = $2 AND status = 'scheduled'`, p.AccountID, o.ID); c != 1 {
			t.Fatalf("%d pending membership erasures, want 1", c)
		}
		if c := count(`SELECT COUNT(*) FROM jobs WHERE kind = 'privacy.erase' AND state = 'queued'`); c != 1 {
			t.Fatalf("%d queued erasure jobs, want 1", c)
		}

		// Deleting the account twice at once: one 202, the other 409.
		q := newPerson(t, env, identity.NewAccount{})
		codes := make(chan *servertest.Response, n)
		start = make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes <- q.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, nil)
			}()
		}
		close(start)
		wg.Wait()
		close(codes)
		accepted := 0
		for r := range codes {
			switch {
			case r.Status == http.StatusAccepted:
				accepted++
			case r.Status == http.StatusConflict && r.ErrorCode() == "already_deleting":
			case r.Status == http.StatusUnauthorized:
				// The winner ended every session; a late request is signed out.
			case r.Status == http.StatusTooManyRequests && r.ErrorCode() == "too_many_attempts":
				// Password checks in flight count against the client's
				// free attempts until they succeed.
			default:
				t.Fatalf("concurrent account deletion: %d %s", r.Status, r.Body)
			}
		}
		if accepted != 1 {
			t.Fatalf("%d deletions accepted, want 1", accepted)
		}
		if c := count(`SELECT COUNT(*) FROM erasure_ledger WHERE kind = 'account' AND account_id = $1`, q.AccountID); c != 1 {
			t.Fatalf("%d account erasures, want 1", c)
		}
	})
}
