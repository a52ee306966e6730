package directory_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// acceptInvitation finds p's invitation into orgID in the app and accepts it.
func acceptInvitation(t *testing.T, p *person, orgID string) directory.JoinResult {
	t.Helper()
	var mine directory.MyInvitationList
	p.do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
	for _, it := range mine.Items {
		if it.OrgID == orgID {
			var res directory.JoinResult
			p.do(t, "POST", "/api/v1/me/invitations/"+it.ID+"/accept", nil, &res).Want(t, http.StatusOK)
			if res.Status != "joined" || res.OrgID != orgID {
				t.Fatalf("accept = %+v", res)
			}
			return res
		}
	}
	t.Fatalf("%s has no invitation into %s: %+v", p.Name, orgID, mine.Items)
	return directory.JoinResult{}
}

// shape blanks what differs between two invitations by nature (ids,
// times, the address typed) so that two answers can be compared.
func shape(t *testing.T, body []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "created_at", "expires_at", "email"} {
		if _, ok := m[k]; ok {
			m[k] = "x"
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestAddMemberInvitesWithConsent: adding a registered account makes an
// invitation the person sees in the app and accepts or declines; until
// then they are no member, the admin sees nothing of them, and the answer
// is the same for an address or id without an account.
func TestAddMemberInvitesWithConsent(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		ops := dept(t, ow, "Ops", "")
		ann := newPerson(t, env, "Ann Existing")
		dan := newPerson(t, env, "Dan Decliner")
		eve := newPerson(t, env, "Eve Elsewhere")
		before := memberCount(t, ow)

		// No existence oracle: the same status and the same answer.
		rAnn := ow.do(t, "POST", "/api/v1/members", map[string]any{"email": ann.Email, "title": "Analyst", "department_ids": []string{ops.ID}}, nil).Want(t, http.StatusAccepted)
		rGhost := ow.do(t, "POST", "/api/v1/members", map[string]any{"email": "ghost@example.test", "title": "Analyst", "department_ids": []string{ops.ID}}, nil).Want(t, http.StatusAccepted)
		if a, g := shape(t, rAnn.Body), shape(t, rGhost.Body); a != g {
			t.Fatalf("answers differ:\n existing %s\n unknown  %s", a, g)
		}
		rDan := ow.do(t, "POST", "/api/v1/members", map[string]any{"account_id": dan.AccountID}, nil).Want(t, http.StatusAccepted)
		rNone := ow.do(t, "POST", "/api/v1/members", map[string]any{"account_id": "acc_0000000000000000000000000000beef"}, nil).Want(t, http.StatusAccepted)
		if a, g := shape(t, rDan.Body), shape(t, rNone.Body); a != g {
			t.Fatalf("answers by id differ:\n existing %s\n unknown  %s", a, g)
		}
		// Nothing of the person reaches the admin: not the address of an
		// account named by id, not a membership.
		if strings.Contains(string(rDan.Body), dan.Email) || strings.Contains(string(rDan.Body), "link") {
			t.Fatalf("the answer shows the address or link: %s", rDan.Body)
		}
		if n := memberCount(t, ow); n != before {
			t.Fatalf("members before consent: %d → %d", before, n)
		}
		var page directory.MemberPage
		ow.do(t, "GET", "/api/v1/members?status=all&q=Ann", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 0 {
			t.Fatalf("invited person listed before accepting: %+v", page.Items)
		}
		// Dan, named by id, got the email at his own address.
		waitLog(t, env, "to="+dan.Email)

		// Ann sees it in the app, with the org and who invited her.
		var mine directory.MyInvitationList
		ann.do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 1 || mine.Items[0].OrgName != "Acme" || mine.Items[0].InvitedBy != "Olivia Owner" {
			t.Fatalf("Ann's invitations %+v", mine.Items)
		}
		annInv := mine.Items[0].ID
		// Nobody else may answer it: it answers like a missing one.
		eve.do(t, "POST", "/api/v1/me/invitations/"+annInv+"/accept", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		eve.do(t, "POST", "/api/v1/me/invitations/"+annInv+"/decline", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		eve.do(t, "POST", "/api/v1/me/invitations/inv_missing/accept", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Approval is for links and codes: an addressed invitation admits.
		ow.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
		res := acceptInvitation(t, ann, o.ID)
		var am directory.Member
		ow.do(t, "GET", "/api/v1/members/"+res.MemberID, nil, &am).Want(t, http.StatusOK)
		if am.Title != "Analyst" || len(am.Departments) != 1 || am.Departments[0].ID != ops.ID || am.Status != directory.StatusActive {
			t.Fatalf("Ann after accepting %+v", am)
		}
		ann.do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 0 {
			t.Fatalf("answered invitation still listed: %+v", mine.Items)
		}

		// Dan declines; the admin sees it declined, and it cannot be used.
		dan.do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 1 {
			t.Fatalf("Dan's invitations %+v", mine.Items)
		}
		dan.do(t, "POST", "/api/v1/me/invitations/"+mine.Items[0].ID+"/decline", nil, nil).Want(t, http.StatusNoContent)
		dan.do(t, "POST", "/api/v1/me/invitations/"+mine.Items[0].ID+"/accept", nil, nil).WantError(t, http.StatusGone, "invitation_declined")
		var all directory.InvitationList
		ow.do(t, "GET", "/api/v1/invitations", nil, &all).Want(t, http.StatusOK)
		declined := 0
		for _, it := range all.Items {
			if it.Status == "declined" {
				declined++
				if it.Email != "" {
					t.Fatalf("declined invitation by id shows an address: %+v", it)
				}
			}
		}
		if declined != 1 {
			t.Fatalf("declined invitations: %d in %+v", declined, all.Items)
		}
		if n := memberCount(t, ow); n != before+1 {
			t.Fatalf("members after one acceptance: %d → %d", before, n)
		}
		acts := auditActions(t, env, o)
		for _, want := range []string{"member.invite:success", "member.join:success", "invitation.decline:success"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
	})
}

// Two invitations prepared with the same employee number: the second
// person to accept still joins, with the rest of their prepared profile
// (the number goes to whoever took it first), on both databases.
func TestPreparedProfilesThatClash(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		a := newPerson(t, env, "Amy First")
		b := newPerson(t, env, "Ben Second")
		ow.do(t, "POST", "/api/v1/members", map[string]any{"email": a.Email, "title": "Analyst", "employee_no": "E1"}, nil).Want(t, http.StatusAccepted)
		ow.do(t, "POST", "/api/v1/members", map[string]any{"email": b.Email, "title": "Buyer", "employee_no": "E1"}, nil).Want(t, http.StatusAccepted)
		ra := acceptInvitation(t, a, o.ID)
		rb := acceptInvitation(t, b, o.ID)
		var am, bm directory.Member
		ow.do(t, "GET", "/api/v1/members/"+ra.MemberID, nil, &am).Want(t, http.StatusOK)
		ow.do(t, "GET", "/api/v1/members/"+rb.MemberID, nil, &bm).Want(t, http.StatusOK)
		if am.EmployeeNo != "E1" || am.Title != "Analyst" {
			t.Fatalf("first: %+v", am)
		}
		if bm.EmployeeNo != "" || bm.Title != "Buyer" || bm.Status != directory.StatusActive {
			t.Fatalf("second: employee number %q, title %q, status %s", bm.EmployeeNo, bm.Title, bm.Status)
		}
	})
}
