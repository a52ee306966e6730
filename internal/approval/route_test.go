package approval_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestHTTPReturnTransferAddApprover(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := expense(t, w, tm)

		// Return to an earlier step: the supervisor decides again.
		r := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "8000"}})
		decide(t, tm.sam, r.ID, "approve", http.StatusOK)
		tm.lena.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/return", map[string]any{"to_step": "s3"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.lena.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/return", map[string]any{"to_step": "s1", "comment": "receipts?"}, &r).Want(t, http.StatusOK)
		if current(r) != "s1" || r.Steps[0].Tasks[0].Status != approval.TaskPending || !strings.Contains(actions(r), "returned") {
			t.Fatalf("after returning to s1: %s %+v %s", current(r), r.Steps, actions(r))
		}
		// Transfer: Sam hands his task to Otto, who approves in his place.
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/transfer", map[string]any{"to": tm.sam.MemberID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Not to the applicant, who would approve her own request.
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/transfer", map[string]any{"to": tm.ann.MemberID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/add-approver", map[string]any{"member_ids": []string{tm.ann.MemberID}, "position": "after"}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/transfer", map[string]any{"to": tm.otto.MemberID, "comment": "yours"}, &r).Want(t, http.StatusOK)
		if got := r.Steps[0].Tasks; len(got) != 2 || got[0].Status != approval.TaskTransferred || got[1].Approver.ID != tm.otto.MemberID {
			t.Fatalf("after transfer: %+v", got)
		}
		decide(t, tm.sam, r.ID, "approve", http.StatusConflict)
		r = decide(t, tm.otto, r.ID, "approve", http.StatusOK)
		// Add an approver after: Lena approves, then Ed must, before finance.
		tm.lena.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/add-approver", map[string]any{"member_ids": []string{tm.ed.MemberID}, "position": "after"}, &r).Want(t, http.StatusOK)
		r = decide(t, tm.lena, r.ID, "approve", http.StatusOK)
		if current(r) != "s2" || r.Steps[1].Tasks[1].Approver.ID != tm.ed.MemberID || r.Steps[1].Tasks[1].Status != approval.TaskPending {
			t.Fatalf("after adding after: %s %+v", current(r), r.Steps[1].Tasks)
		}
		r = decide(t, tm.ed, r.ID, "approve", http.StatusOK)
		// Add before: Hana asks Vic first, then decides herself.
		tm.hana.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/add-approver", map[string]any{"member_ids": []string{tm.vic.MemberID}, "position": "before"}, &r).Want(t, http.StatusOK)
		decide(t, tm.hana, r.ID, "approve", http.StatusForbidden)
		r = decide(t, tm.vic, r.ID, "approve", http.StatusOK)
		if current(r) != "s3" {
			t.Fatalf("the step closed before its approver decided: %s", r.Status)
		}
		if r = decide(t, tm.hana, r.ID, "approve", http.StatusOK); r.Status != approval.StatusApproved {
			t.Fatalf("status: %s", r.Status)
		}

		// Return to the applicant, who resubmits a changed form.
		r = file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "8000"}})
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/return", map[string]any{"to_step": ""}, &r).Want(t, http.StatusOK)
		if r.Status != approval.StatusReturned || r.CurrentStep != nil {
			t.Fatalf("returned: %+v", r.Summary)
		}
		decide(t, tm.sam, r.ID, "approve", http.StatusConflict)
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/resubmit", map[string]any{"form": map[string]any{}}, nil).WantError(t, http.StatusForbidden, "not_applicant")
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/resubmit", map[string]any{"form": map[string]any{"amount": "100"}}, &r).Want(t, http.StatusOK)
		if r.Status != approval.StatusPending || current(r) != "s1" || stepStatus(r)["s3"] != approval.StepSkipped || string(r.Form["amount"]) != `"100.00"` {
			t.Fatalf("resubmitted: %+v %+v", r.Summary, r.Steps)
		}
		if !strings.Contains(actions(r), "resubmitted") {
			t.Fatalf("timeline: %s", actions(r))
		}
	})
}

func TestHTTPUrgeCommentsDelegation(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := expense(t, w, tm)
		r := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "10"}})

		// Urge: once an hour.
		tm.sam.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/urge", nil, nil).WantError(t, http.StatusForbidden, "not_applicant")
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/urge", nil, nil).Want(t, http.StatusNoContent)
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/urge", nil, nil).WantError(t, http.StatusTooManyRequests, "urged_recently")
		w.clock.add(time.Hour)
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/urge", nil, nil).Want(t, http.StatusNoContent)

		// Comments: Markdown, mentions of the request's people only.
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/comments", map[string]any{"body": "hi", "mentions": []string{tm.otto.MemberID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.otto.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/comments", map[string]any{"body": "hi"}, nil).WantError(t, http.StatusNotFound, "not_found")
		var c approval.Comment
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/comments", map[string]any{"body": "**receipts** attached <script>x</script>", "mentions": []string{tm.sam.MemberID}}, &c).Want(t, http.StatusCreated)
		if !strings.Contains(c.BodyHTML, "<strong>receipts</strong>") || strings.Contains(c.BodyHTML, "<script>") || len(c.Mentions) != 1 || c.Mentions[0].Name != "Sam Supervisor" {
			t.Fatalf("comment: %+v", c)
		}
		tm.sam.Do(t, "GET", "/api/v1/approvals/"+r.ID, nil, &r).Want(t, http.StatusOK)
		if len(r.Comments) != 1 || r.Comments[0].Author.ID != tm.ann.MemberID || !strings.Contains(actions(r), "urged,urged,commented") {
			t.Fatalf("request comments: %+v %s", r.Comments, actions(r))
		}

		// Delegation: while Lena is away, Ed approves for her.
		var d approval.DelegationState
		tm.lena.Do(t, "GET", "/api/v1/approval-delegation", nil, &d).Want(t, http.StatusOK)
		if d.Delegation != nil {
			t.Fatalf("delegation before: %+v", d)
		}
		now := w.clock.now()
		tm.lena.Do(t, "PUT", "/api/v1/approval-delegation", map[string]any{"to": tm.lena.MemberID, "from": now.UnixMilli(), "until": now.Add(time.Hour).UnixMilli()}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.lena.Do(t, "PUT", "/api/v1/approval-delegation", map[string]any{"to": tm.ed.MemberID, "from": now.Unix(), "until": now.Add(48 * time.Hour).Unix()}, &d).Want(t, http.StatusOK)
		if d.Delegation == nil || !d.Delegation.Active || d.Delegation.To.ID != tm.ed.MemberID || d.Delegation.Until != now.Add(48*time.Hour).UnixMilli() {
			t.Fatalf("delegation: %+v", d.Delegation)
		}
		r = decide(t, tm.sam, r.ID, "approve", http.StatusOK)
		if got := r.Steps[1].Tasks; len(got) != 1 || got[0].Approver.ID != tm.ed.MemberID || got[0].OnBehalfOf == nil || got[0].OnBehalfOf.ID != tm.lena.MemberID {
			t.Fatalf("delegated task: %+v", got)
		}
		if !sees(t, tm.lena, r.ID) {
			t.Fatal("the member a delegate acts for does not see the request")
		}
		if r = decide(t, tm.ed, r.ID, "approve", http.StatusOK); r.Status != approval.StatusApproved {
			t.Fatalf("status: %s", r.Status)
		}
		// A delegate never approves their own request: while Lena's tasks
		// go to Ann, Ann's own request waits for Lena (the flow approves
		// the applicant's own tasks by itself, which would pass it unseen).
		tm.lena.Do(t, "PUT", "/api/v1/approval-delegation", map[string]any{"to": tm.ann.MemberID, "from": now.Unix(), "until": now.Add(48 * time.Hour).Unix()}, nil).Want(t, http.StatusOK)
		own := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "20"}})
		own = decide(t, tm.sam, own.ID, "approve", http.StatusOK)
		if got := own.Steps[1].Tasks; own.Status == approval.StatusApproved || len(got) != 1 || got[0].Approver.ID != tm.lena.MemberID || got[0].OnBehalfOf != nil {
			t.Fatalf("the applicant's own request under a delegation to her: %s %+v", own.Status, got)
		}
		tm.lena.Do(t, "DELETE", "/api/v1/approval-delegation", nil, nil).Want(t, http.StatusNoContent)
		// Nor does an applicant choose themselves as an approver.
		pick := w.template(t, map[string]any{"name": "Pick", "group": "Other",
			"fields": []map[string]any{{"id": "why", "type": "text", "label": "Why", "required": true}},
			"flow": map[string]any{"steps": []map[string]any{
				{"id": "s1", "name": "Chosen", "mode": "any", "approvers": map[string]any{"type": "applicant_choice"}},
			}, "auto_approve": map[string]any{"applicant": true}}})
		tm.ann.Do(t, "POST", "/api/v1/approvals", map[string]any{"template_id": pick.ID, "form": map[string]any{"why": "x"},
			"chosen": map[string]any{"s1": []string{tm.ann.MemberID}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		chosen := file(t, tm.ann, map[string]any{"template_id": pick.ID, "form": map[string]any{"why": "x"},
			"chosen": map[string]any{"s1": []string{tm.ed.MemberID}}})
		if len(chosen.Steps) != 1 || len(chosen.Steps[0].Tasks) != 1 || chosen.Steps[0].Tasks[0].Approver.ID != tm.ed.MemberID {
			t.Fatalf("a chosen approver: %+v", chosen.Steps)
		}
		tm.lena.Do(t, "GET", "/api/v1/approval-delegation", nil, &d).Want(t, http.StatusOK)
		if d.Delegation != nil {
			t.Fatalf("delegation after delete: %+v", d)
		}
	})
}
