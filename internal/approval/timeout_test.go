package approval_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Step timeouts on the fake clock: a reminding step reminds once; an
// escalating one hands the task to the approver's supervisor.
func TestHTTPTimeouts(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := w.template(t, map[string]any{"flow": steps(
			map[string]any{"id": "s1", "name": "Supervisor", "approvers": map[string]any{"type": "supervisor"}, "timeout": map[string]any{"hours": 24, "action": "escalate"}},
			map[string]any{"id": "s2", "name": "Leader", "approvers": map[string]any{"type": "members", "member_ids": members(tm.lena)}, "timeout": map[string]any{"hours": 2, "action": "remind"}})})
		r := file(t, tm.ann, map[string]any{"template_id": tp.ID})
		svc := env.App.Approval()
		w.clock.add(23 * time.Hour)
		if n, err := svc.TimeoutsDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("before the timeout: %d %v", n, err)
		}
		w.clock.add(2 * time.Hour)
		if n, err := svc.TimeoutsDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("escalation: %d %v", n, err)
		}
		tm.ann.Do(t, "GET", "/api/v1/approvals/"+r.ID, nil, &r).Want(t, http.StatusOK)
		if got := r.Steps[0].Tasks; len(got) != 2 || got[1].Approver.ID != tm.vic.MemberID || !strings.Contains(actions(r), "escalated") {
			t.Fatalf("escalated: %+v %s", got, actions(r))
		}
		decide(t, tm.vic, r.ID, "approve", http.StatusOK)
		w.clock.add(3 * time.Hour)
		for range 2 {
			if _, err := svc.TimeoutsDue(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		tm.ann.Do(t, "GET", "/api/v1/approvals/"+r.ID, nil, &r).Want(t, http.StatusOK)
		if strings.Count(actions(r), "reminded") != 1 || r.Status != approval.StatusPending {
			t.Fatalf("reminded: %s", actions(r))
		}
	})
}
