package approval_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// The acceptance test of the issue: a reimbursement of 8,000 walks
// supervisor → department leader → finance role, one of 3,000 skips
// finance, and a rejection stops the flow.
func TestHTTPExpenseWalksTheFlow(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := expense(t, w, tm)

		big := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "8000.00"}})
		if big.Status != approval.StatusPending || current(big) != "s1" || big.Version != 1 || big.Applicant.ID != tm.ann.MemberID || big.Applicant.Name != "Ann" {
			t.Fatalf("filed: %+v", big.Summary)
		}
		if !big.Can.Withdraw || big.Can.Approve || !big.Can.Urge {
			t.Fatalf("applicant can: %+v", big.Can)
		}
		// Who sees it: the applicant, the approvers reached so far, managers.
		for p, want := range map[*person]bool{tm.ann: true, tm.sam: true, tm.lena: false, tm.hana: false, tm.otto: false, w.owner: true, w.mallory: false} {
			if got := sees(t, p, big.ID); got != want {
				t.Errorf("%s sees the request: %v, want %v", p.Name, got, want)
			}
		}
		tm.lena.Do(t, "POST", "/api/v1/approvals/"+big.ID+"/approve", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+big.ID+"/approve", nil, nil).WantError(t, http.StatusForbidden, "not_your_turn")

		r := decide(t, tm.sam, big.ID, "approve", http.StatusOK)
		if current(r) != "s2" || stepStatus(r)["s1"] != approval.StepApproved {
			t.Fatalf("after the supervisor: %s %+v", current(r), r.Steps)
		}
		decide(t, tm.sam, big.ID, "approve", http.StatusConflict)
		r = decide(t, tm.lena, big.ID, "approve", http.StatusOK)
		if current(r) != "s3" {
			t.Fatalf("after the leader: %s", current(r))
		}
		r = decide(t, tm.hana, big.ID, "approve", http.StatusOK)
		if r.Status != approval.StatusApproved || r.CurrentStep != nil || actions(r) != "submitted,approved,approved,approved,approved" {
			t.Fatalf("after finance: %s %s", r.Status, actions(r))
		}
		if r.Steps[0].Tasks[0].Comment != "approve by Sam Supervisor" || r.Timeline[1].Actor == nil || r.Timeline[1].Actor.ID != tm.sam.MemberID {
			t.Fatalf("comment and actor: %+v %+v", r.Steps[0].Tasks, r.Timeline[1])
		}
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+big.ID+"/withdraw", nil, nil).WantError(t, http.StatusConflict, "not_pending")

		// 3,000 skips finance.
		small := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "3000.00"}})
		if stepStatus(small)["s3"] != approval.StepSkipped || small.Steps[2].Reason != approval.ReasonCondition {
			t.Fatalf("small: %+v", small.Steps)
		}
		decide(t, tm.sam, small.ID, "approve", http.StatusOK)
		if r := decide(t, tm.lena, small.ID, "approve", http.StatusOK); r.Status != approval.StatusApproved {
			t.Fatalf("small after the leader: %s", r.Status)
		}

		// A rejection stops the flow: the later steps are never reached.
		rej := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "9000"}})
		r = decide(t, tm.sam, rej.ID, "reject", http.StatusOK)
		if r.Status != approval.StatusRejected || stepStatus(r)["s1"] != approval.StepRejected || stepStatus(r)["s2"] != approval.StepWaiting {
			t.Fatalf("rejected: %s %+v", r.Status, r.Steps)
		}
		if sees(t, tm.lena, rej.ID) {
			t.Fatal("the leader of a step never reached sees the request")
		}
		decide(t, tm.sam, rej.ID, "approve", http.StatusConflict)

		// Cards in chat: each approver got one from whoever handed the
		// request to them, once; Ann got the decisions from the approver
		// who ended each request.
		if got := cards(t, tm.sam, tm.ann.ID); !slices.Equal(got, []string{
			"/approvals/" + big.ID + " Waiting for your approval · 待你审批",
			"/approvals/" + small.ID + " Waiting for your approval · 待你审批",
			"/approvals/" + rej.ID + " Waiting for your approval · 待你审批",
			"/approvals/" + rej.ID + " Rejected · 已驳回",
		}) {
			t.Errorf("Sam and Ann's cards: %q", got)
		}
		if got := cards(t, tm.lena, tm.sam.ID); !slices.Equal(got, []string{
			"/approvals/" + big.ID + " Waiting for your approval · 待你审批",
			"/approvals/" + small.ID + " Waiting for your approval · 待你审批",
		}) {
			t.Errorf("Lena and Sam's cards: %q", got)
		}
		if got := cards(t, tm.ann, tm.hana.ID); !slices.Equal(got, []string{"/approvals/" + big.ID + " Approved · 已通过"}) {
			t.Errorf("Ann and Hana's cards: %q", got)
		}

		// Other organizations see none of it.
		w.mallory.Do(t, "GET", "/api/v1/approval-templates/"+tp.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "POST", "/api/v1/approvals", map[string]any{"template_id": tp.ID, "form": map[string]any{}}, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

func TestHTTPTemplatesAreVersioned(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tm.ann.Do(t, "POST", "/api/v1/approval-templates", map[string]any{"name": "x"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		tm.ann.Do(t, "GET", "/api/v1/approval-templates?all=1", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		w.owner.Do(t, "POST", "/api/v1/approval-templates", map[string]any{"name": "x", "flow": map[string]any{"steps": []map[string]any{
			{"id": "S1", "name": "x", "approvers": map[string]any{"type": "supervisor"}}}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/approval-templates", map[string]any{"name": "x", "flow": map[string]any{"steps": []map[string]any{
			{"id": "s1", "name": "x", "approvers": map[string]any{"type": "boss"}}}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tp := expense(t, w, tm)
		req := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "100"}})

		var v2 approval.Template
		w.owner.Do(t, "PUT", "/api/v1/approval-templates/"+tp.ID, map[string]any{"name": "Expense v2",
			"fields": []map[string]any{{"id": "total", "type": "money", "label": "Total"}},
			"flow":   map[string]any{"steps": []map[string]any{{"id": "boss", "name": "Owner", "approvers": map[string]any{"type": "members", "member_ids": []string{w.owner.MemberID}}}}}}, &v2).Want(t, http.StatusOK)
		if v2.Version != 2 || v2.Name != "Expense v2" || len(v2.Flow.Steps) != 1 {
			t.Fatalf("v2: %+v", v2)
		}
		var got approval.Request
		tm.ann.Do(t, "GET", "/api/v1/approvals/"+req.ID, nil, &got).Want(t, http.StatusOK)
		if got.Version != 1 || len(got.Fields) != 1 || got.Fields[0].ID != "amount" || len(got.Steps) != 3 || got.Title != "Expense" || string(got.Form["amount"]) != `"100.00"` {
			t.Fatalf("the filed request changed with the template: v%d %+v %+v", got.Version, got.Fields, got.Steps)
		}
		// New requests take the new version; unknown fields are refused.
		tm.ann.Do(t, "POST", "/api/v1/approvals", map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "1"}}, nil).WantError(t, http.StatusBadRequest, "invalid_form")
		if r := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"total": "1"}}); r.Version != 2 || current(r) != "boss" {
			t.Fatalf("v2 request: %+v", r.Summary)
		}

		// Archived: no new requests, listed for managers only.
		w.owner.Do(t, "POST", "/api/v1/approval-templates/"+tp.ID+"/archive", nil, nil).Want(t, http.StatusNoContent)
		tm.ann.Do(t, "POST", "/api/v1/approvals", map[string]any{"template_id": tp.ID, "form": map[string]any{}}, nil).WantError(t, http.StatusNotFound, "not_found")
		var l approval.TemplateList
		tm.ann.Do(t, "GET", "/api/v1/approval-templates", nil, &l).Want(t, http.StatusOK)
		for _, it := range l.Items {
			if it.ID == tp.ID {
				t.Fatal("an archived template is listed to members")
			}
		}
		w.owner.Do(t, "GET", "/api/v1/approval-templates?all=1", nil, &l).Want(t, http.StatusOK)
		if !containsTemplate(l, tp.ID) {
			t.Fatal("an archived template is not listed to managers")
		}
		w.owner.Do(t, "POST", "/api/v1/approval-templates/"+tp.ID+"/restore", nil, nil).Want(t, http.StatusNoContent)
		tm.ann.Do(t, "GET", "/api/v1/approval-templates", nil, &l).Want(t, http.StatusOK)
		if !containsTemplate(l, tp.ID) {
			t.Fatal("a restored template is not listed")
		}

		// Available to a department only.
		ops := w.template(t, map[string]any{"name": "Ops only", "available_to": map[string]any{"all": false, "department_ids": []string{tm.ops}}})
		tm.ann.Do(t, "GET", "/api/v1/approval-templates/"+ops.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		tm.otto.Do(t, "GET", "/api/v1/approval-templates/"+ops.ID, nil, nil).Want(t, http.StatusOK)
	})
}

func containsTemplate(l approval.TemplateList, id string) bool {
	for _, it := range l.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

// cards lists the approval cards in p's direct conversation with the
// account peer, oldest first, as "url description".
func cards(t *testing.T, p *person, peer string) []string {
	t.Helper()
	var convs chat.ConversationList
	p.Do(t, "GET", "/api/v1/conversations", nil, &convs).Want(t, http.StatusOK)
	var out []string
	for _, c := range convs.Items {
		if c.Kind != chat.KindDirect || c.PeerID != peer {
			continue
		}
		var h chat.History
		p.Do(t, "GET", "/api/v1/conversations/"+c.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		for _, m := range h.Items {
			if m.Kind == chat.MsgCard && m.Attachment != nil && strings.HasPrefix(m.Attachment.URL, "/approvals/") {
				out = append(out, m.Attachment.URL+" "+m.Attachment.Description)
			}
		}
	}
	return out
}
