package approval_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func steps(ss ...map[string]any) map[string]any {
	return map[string]any{"steps": ss, "auto_approve": map[string]any{"applicant": true, "repeated": true}}
}

func members(ps ...*person) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.MemberID
	}
	return out
}

func TestHTTPVacancyAndLeavers(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := w.template(t, map[string]any{"flow": steps(
			map[string]any{"id": "s1", "name": "Supervisor", "approvers": map[string]any{"type": "supervisor", "levels": 1}},
			map[string]any{"id": "s2", "name": "Leaders", "approvers": map[string]any{"type": "members", "member_ids": members(tm.lena)}})})

		// An approver deactivated mid-flow: their task goes to their
		// supervisor, and the timeline says so.
		r := file(t, tm.ann, map[string]any{"template_id": tp.ID})
		w.owner.Do(t, "POST", "/api/v1/members/"+tm.sam.MemberID+"/deactivate", nil, nil).Want(t, http.StatusOK)
		tm.ann.Do(t, "GET", "/api/v1/approvals/"+r.ID, nil, &r).Want(t, http.StatusOK)
		if got := r.Steps[0].Tasks; len(got) != 2 || got[0].Status != approval.TaskTransferred || got[1].Approver.ID != tm.vic.MemberID || got[1].Status != approval.TaskPending {
			t.Fatalf("tasks after the approver left: %+v", got)
		}
		if !strings.Contains(actions(r), "reassigned") {
			t.Fatalf("timeline: %s", actions(r))
		}
		decide(t, tm.vic, r.ID, "approve", http.StatusOK)

		// A vacancy in the chain: Ann's supervisor left, so the next one
		// up approves.
		r2 := file(t, tm.ann, map[string]any{"template_id": tp.ID})
		if got := r2.Steps[0].Tasks; len(got) != 1 || got[0].Approver.ID != tm.vic.MemberID {
			t.Fatalf("vacancy not skipped: %+v", got)
		}
		if !strings.Contains(actions(r2), "skipped") {
			t.Fatalf("the vacancy is not in the timeline: %s", actions(r2))
		}

		// A leader who leaves before their step is reached: when it opens
		// it goes to the approval admins (Lena has no supervisor).
		w.owner.Do(t, "POST", "/api/v1/members/"+tm.lena.MemberID+"/deactivate", nil, nil).Want(t, http.StatusOK)
		r2 = decide(t, tm.vic, r2.ID, "approve", http.StatusOK)
		if got := r2.Steps[1].Tasks; len(got) != 1 || got[0].Approver.ID != w.owner.MemberID || current(r2) != "s2" {
			t.Fatalf("step of a leaver: %+v", got)
		}
		if r2 = decide(t, w.owner, r2.ID, "approve", http.StatusOK); r2.Status != approval.StatusApproved {
			t.Fatalf("status: %s", r2.Status)
		}
	})
}

func TestHTTPModesAndAutoApproval(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		all := w.template(t, map[string]any{"flow": steps(
			map[string]any{"id": "all", "name": "All", "mode": "all", "approvers": map[string]any{"type": "members", "member_ids": members(tm.sam, tm.hana, tm.ann)}},
			map[string]any{"id": "seq", "name": "Sequential", "mode": "sequential", "approvers": map[string]any{"type": "members", "member_ids": members(tm.vic, tm.hana, tm.otto)}})})
		r := file(t, tm.ann, map[string]any{"template_id": all.ID})
		// Ann approves her own task by herself; Sam and Hana must both approve.
		if got := r.Steps[0].Tasks; got[2].Status != approval.TaskApproved || !strings.Contains(actions(r), "auto_approved") {
			t.Fatalf("applicant not auto-approved: %+v %s", got, actions(r))
		}
		if r = decide(t, tm.sam, r.ID, "approve", http.StatusOK); current(r) != "all" {
			t.Fatalf("an all-must step closed after one approval")
		}
		r = decide(t, tm.hana, r.ID, "approve", http.StatusOK)
		// Sequential: Vic, then Hana (who approved already: by herself),
		// then Otto.
		if current(r) != "seq" || r.Steps[1].Tasks[0].Status != approval.TaskPending || r.Steps[1].Tasks[2].Status != approval.TaskWaiting {
			t.Fatalf("sequential: %+v", r.Steps[1])
		}
		decide(t, tm.otto, r.ID, "approve", http.StatusForbidden)
		r = decide(t, tm.vic, r.ID, "approve", http.StatusOK)
		if got := r.Steps[1].Tasks; got[1].Status != approval.TaskApproved || got[2].Status != approval.TaskPending {
			t.Fatalf("sequential after Vic: %+v", got)
		}
		if r = decide(t, tm.otto, r.ID, "approve", http.StatusOK); r.Status != approval.StatusApproved {
			t.Fatalf("status: %s", r.Status)
		}
	})
}

// Many approvers deciding one any-one step at once: exactly one decision,
// everyone else 409 step_closed. A withdrawal racing an approval: one
// outcome.
func TestHTTPConcurrentDecisions(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		var crowd []*person
		for range 8 {
			crowd = append(crowd, w.member(t, "Approver"))
		}
		tp := w.template(t, map[string]any{"flow": steps(
			map[string]any{"id": "any", "name": "Any", "mode": "any", "approvers": map[string]any{"type": "members", "member_ids": members(crowd...)}})})
		for round := range 3 {
			r := file(t, tm.ann, map[string]any{"template_id": tp.ID})
			codes := make([]int, len(crowd))
			var wg sync.WaitGroup
			for i, p := range crowd {
				wg.Add(1)
				go func() {
					defer wg.Done()
					action := "approve"
					if (i+round)%3 == 0 {
						action = "reject"
					}
					codes[i] = p.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/"+action, map[string]any{"comment": "me"}, nil).Status
				}()
			}
			wg.Wait()
			ok := 0
			for _, c := range codes {
				switch c {
				case http.StatusOK:
					ok++
				case http.StatusConflict:
				default:
					t.Fatalf("status %d", c)
				}
			}
			tm.ann.Do(t, "GET", "/api/v1/approvals/"+r.ID, nil, &r).Want(t, http.StatusOK)
			decided := 0
			for _, tk := range r.Steps[0].Tasks {
				if tk.Status == approval.TaskApproved || tk.Status == approval.TaskRejected {
					decided++
				}
			}
			if ok != 1 || decided != 1 || r.Status == approval.StatusPending {
				t.Fatalf("round %d: %d succeeded, %d decided, status %s", round, ok, decided, r.Status)
			}
		}

		for range 4 {
			r := file(t, tm.ann, map[string]any{"template_id": tp.ID})
			var wg sync.WaitGroup
			var withdraw, approve int
			wg.Add(2)
			go func() {
				defer wg.Done()
				withdraw = tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/withdraw", nil, nil).Status
			}()
			go func() {
				defer wg.Done()
				approve = crowd[0].Do(t, "POST", "/api/v1/approvals/"+r.ID+"/approve", nil, nil).Status
			}()
			wg.Wait()
			tm.ann.Do(t, "GET", "/api/v1/approvals/"+r.ID, nil, &r).Want(t, http.StatusOK)
			switch {
			case withdraw == http.StatusOK && approve == http.StatusConflict && r.Status == approval.StatusWithdrawn:
			case approve == http.StatusOK && withdraw == http.StatusConflict && r.Status == approval.StatusApproved:
			default:
				t.Fatalf("withdraw %d, approve %d, status %s", withdraw, approve, r.Status)
			}
		}
	})
}

func TestHTTPLists(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := w.template(t, map[string]any{"name": "Trip", "flow": map[string]any{"steps": []map[string]any{
			{"id": "s1", "name": "Supervisor", "approvers": map[string]any{"type": "supervisor"}}},
			"cc": map[string]any{"member_ids": members(tm.hana), "at": "submit"}}})
		var ids []string
		for range 5 {
			ids = append(ids, file(t, tm.ann, map[string]any{"template_id": tp.ID}).ID)
			w.clock.add(1000)
		}
		list := func(p *person, q string) approval.Page {
			t.Helper()
			var pg approval.Page
			p.Do(t, "GET", "/api/v1/approvals?"+q, nil, &pg).Want(t, http.StatusOK)
			return pg
		}
		pg := list(tm.sam, "box=todo&limit=2")
		if len(pg.Items) != 2 || pg.Items[0].ID != ids[4] || pg.NextCursor == "" || pg.Items[0].CurrentStep == nil || pg.Items[0].Applicant.Name != "Ann" {
			t.Fatalf("todo page 1: %+v", pg)
		}
		seen := len(pg.Items)
		for pg.NextCursor != "" {
			pg = list(tm.sam, "box=todo&limit=2&cursor="+pg.NextCursor)
			seen += len(pg.Items)
		}
		if seen != 5 {
			t.Fatalf("todo holds %d", seen)
		}
		decide(t, tm.sam, ids[0], "approve", http.StatusOK)
		decide(t, tm.sam, ids[1], "reject", http.StatusOK)
		if n := len(list(tm.sam, "box=todo").Items); n != 3 {
			t.Fatalf("todo after deciding: %d", n)
		}
		if pg := list(tm.sam, "box=done"); len(pg.Items) != 2 || pg.Items[0].ID != ids[1] {
			t.Fatalf("done: %+v", pg.Items)
		}
		if pg := list(tm.ann, "box=mine&status=approved"); len(pg.Items) != 1 || pg.Items[0].ID != ids[0] {
			t.Fatalf("mine approved: %+v", pg.Items)
		}
		if pg := list(tm.hana, "box=cc"); len(pg.Items) != 5 || !sees(t, tm.hana, ids[2]) {
			t.Fatalf("cc: %+v", pg.Items)
		}
		if pg := list(tm.ann, "box=mine&q=trip"); len(pg.Items) != 5 {
			t.Fatalf("q by title: %d", len(pg.Items))
		}
		if pg := list(tm.sam, "box=done&q=ann"); len(pg.Items) != 2 {
			t.Fatalf("q by applicant: %d", len(pg.Items))
		}
		if pg := list(tm.otto, "box=todo"); len(pg.Items) != 0 {
			t.Fatalf("otto's todo: %+v", pg.Items)
		}
		tm.ann.Do(t, "GET", "/api/v1/approvals?box=spam", nil, nil).WantError(t, http.StatusBadRequest, "invalid_box")
		tm.ann.Do(t, "GET", "/api/v1/approvals?cursor=zzz", nil, nil).WantError(t, http.StatusBadRequest, "invalid_cursor")
	})
}
