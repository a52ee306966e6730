package directory_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func importCSV(t *testing.T, p *person, body string, dryRun bool) *servertest.Response {
	t.Helper()
	path := "/api/v1/members/import"
	if dryRun {
		path += "?dry_run=true"
	}
	req, err := http.NewRequest("POST", p.Env.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/csv")
	return p.Request(t, req)
}

func memberCount(t *testing.T, p *person) int {
	t.Helper()
	var page directory.MemberPage
	p.do(t, "GET", "/api/v1/members?limit=200", nil, &page).Want(t, http.StatusOK)
	return len(page.Items)
}

func TestImportExportAndAdd(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		eng := dept(t, ow, "Eng", "")
		backend := dept(t, ow, "Backend", eng.ID)
		a1 := newPerson(t, env, "Alice")
		a2, bobID := o.member(t, "Bob")

		bad := "email,display_name,title,title_level,employee_no,work_phone,join_date,departments,supervisor_email\n" +
			a1.Email + ",Alice A.,Engineer,3,E1,+86 138 0000 0001,2024-01-02,Eng/Backend," + a2.Email + "\n" +
			a2.Email + ",Bob B.,Lead,5,E2,,,Eng,\n" +
			"una@example.test,Una,Intern,1,E3,,,Eng," + a2.Email + "\n" +
			"not-an-email,X,,,,,,,\n" +
			a1.Email + ",Dup,,,,,,,\n" +
			"c@example.test,C,,,,,,Nope/Dept,\n" +
			"d@example.test,D,,high,,,,,\n" +
			"e@example.test,E,,,,,31/12/2024,,\n" +
			"f@example.test,F,,,E1,,,,\n"
		before := memberCount(t, ow)
		var rep directory.ImportReport
		r := importCSV(t, ow, bad, true).Want(t, http.StatusOK)
		if err := json.Unmarshal(r.Body, &rep); err != nil {
			t.Fatal(err)
		}
		wantErr := map[int]string{5: "invalid_field", 6: "duplicate_row", 7: "unknown_department", 8: "invalid_field", 9: "invalid_field", 10: "employee_no_taken"}
		if len(rep.Errors) != len(wantErr) {
			t.Fatalf("dry-run errors %+v", rep.Errors)
		}
		for _, e := range rep.Errors {
			if wantErr[e.Row] != e.Code {
				t.Errorf("row %d: %s (%s), want %s", e.Row, e.Code, e.Message, wantErr[e.Row])
			}
		}
		// Bob is a member: updated. Alice has an account and Una none:
		// both are invited alike.
		if !rep.DryRun || rep.Updated != 1 || rep.Invited != 2 {
			t.Fatalf("dry run report %+v", rep)
		}
		// A dry run changes nothing; a real run with errors neither.
		if n := memberCount(t, ow); n != before {
			t.Fatalf("dry run added members: %d → %d", before, n)
		}
		importCSV(t, ow, bad, false).WantError(t, http.StatusBadRequest, "import_has_errors")
		if n := memberCount(t, ow); n != before {
			t.Fatalf("failed import added members: %d → %d", before, n)
		}
		var invs directory.InvitationList
		ow.do(t, "GET", "/api/v1/invitations", nil, &invs).Want(t, http.StatusOK)
		for _, it := range invs.Items {
			if it.Kind == directory.InviteEmail {
				t.Fatalf("failed import left invitations: %+v", invs.Items)
			}
		}

		good := strings.Join(strings.Split(bad, "\n")[:4], "\n") + "\n"
		r = importCSV(t, ow, good, false).Want(t, http.StatusOK)
		rep = directory.ImportReport{}
		if err := json.Unmarshal(r.Body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Updated != 1 || rep.Invited != 2 || len(rep.Errors) != 0 {
			t.Fatalf("import report %+v", rep)
		}
		// Nobody joined without accepting.
		if n := memberCount(t, ow); n != before {
			t.Fatalf("import added members: %d → %d", before, n)
		}
		var page directory.MemberPage
		ow.do(t, "GET", "/api/v1/members?q=E1", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 0 {
			t.Fatalf("invited person listed before accepting: %+v", page.Items)
		}
		// Alice accepts in the app and gets the prepared profile.
		res := acceptInvitation(t, a1, o.ID)
		var alice directory.Member
		ow.do(t, "GET", "/api/v1/members/"+res.MemberID, nil, &alice).Want(t, http.StatusOK)
		if alice.DisplayName != "Alice A." || alice.Title != "Engineer" || alice.TitleLevel != 3 || alice.WorkPhone != "+8613800000001" ||
			alice.JoinDate != "2024-01-02" || len(alice.Departments) != 1 || alice.Departments[0].ID != backend.ID || alice.SupervisorID != bobID {
			t.Fatalf("imported member %+v", alice)
		}
		// The unknown address got an email invitation carrying the profile.
		line := waitLog(t, env, "to=una@example.test")
		_, tok, _ := strings.Cut(line, "/join?token=")
		tok = tok[:48]
		una := newPersonWith(t, env, "Una Person", "una@example.test", "")
		var jr directory.JoinResult
		una.do(t, "POST", "/api/v1/join", map[string]any{"token": tok}, &jr).Want(t, http.StatusOK)
		var um directory.Member
		ow.do(t, "GET", "/api/v1/members/"+jr.MemberID, nil, &um).Want(t, http.StatusOK)
		if um.DisplayName != "Una" || um.Title != "Intern" || um.EmployeeNo != "E3" || len(um.Departments) != 1 || um.Departments[0].ID != eng.ID || um.SupervisorID != bobID {
			t.Fatalf("invited member's profile %+v", um)
		}
		// Importing again updates.
		r = importCSV(t, ow, "email,title\n"+a1.Email+",Senior Engineer\n", false).Want(t, http.StatusOK)
		rep = directory.ImportReport{}
		_ = json.Unmarshal(r.Body, &rep)
		if rep.Updated != 1 {
			t.Fatalf("re-import %+v", rep)
		}
		importCSV(t, ow, "name\nx\n", true).WantError(t, http.StatusBadRequest, "invalid_csv")

		// Export.
		r = ow.do(t, "GET", "/api/v1/members/export", nil, nil).Want(t, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("content type %q", r.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+memberCount(t, ow) || recs[0][0] != "email" {
			t.Fatalf("export: %v", recs)
		}
		found := false
		for _, rec := range recs[1:] {
			if rec[0] == a1.Email {
				found = true
				if rec[2] != "Senior Engineer" || rec[5] != "+8613800000001" || rec[9] != "Eng/Backend" || rec[10] != a2.Email {
					t.Fatalf("exported row %v", rec)
				}
			}
		}
		if !found {
			t.Fatalf("alice missing from the export: %v", recs)
		}
		// The export's format imports back.
		importCSV(t, ow, "email,display_name,title,title_level,employee_no,work_phone,work_email,office,join_date,departments,supervisor_email\n"+
			strings.Join(recs[1][:11], ",")+"\n", true).Want(t, http.StatusOK)

		// Adding an existing account invites them with the prepared profile.
		a6 := newPerson(t, env, "Six")
		var inv directory.Invitation
		ow.do(t, "POST", "/api/v1/members", map[string]any{"email": a6.Email, "title": "Analyst", "department_ids": []string{eng.ID}}, &inv).Want(t, http.StatusAccepted)
		added := acceptInvitation(t, a6, o.ID)
		var m6 directory.Member
		ow.do(t, "GET", "/api/v1/members/"+added.MemberID, nil, &m6).Want(t, http.StatusOK)
		if m6.Title != "Analyst" || m6.DisplayName != "Six" || len(m6.Departments) != 1 {
			t.Fatalf("added %+v", m6)
		}

		acts := auditActions(t, env, o)
		for _, want := range []string{"member.import:success", "member.export:success", "member.invite:success", "member.join:success"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
		// Every change appended an event for the organization.
		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM event_log WHERE scope_kind = 'org' AND scope_id = $1 AND type = 'member.joined'`, o.ID).Scan(&n); err != nil || n < 4 {
			t.Fatalf("member.joined events: %d (%v)", n, err)
		}
	})
}

// TestImportAnswersAlikeForAnyEmail: an imported row for a registered
// account that is no member, and one for an address without an account,
// get the same report (dry run and real), both become invitations, and the
// registered person joins only by accepting. Someone who left is invited
// too, not put back.
func TestImportAnswersAlikeForAnyEmail(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		reg := newPerson(t, env, "Rita Registered")
		quitter, quitID := o.member(t, "Quinn Quit")
		quitter.do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)
		sam, samID := o.member(t, "Sam Supervisor")
		before := memberCount(t, ow)

		answer := func(email string, dry bool) string {
			r := importCSV(t, ow, "email,title,supervisor_email\n"+email+",Analyst,"+sam.Email+"\n", dry).Want(t, http.StatusOK)
			return strings.ReplaceAll(string(r.Body), email, "x")
		}
		for _, dry := range []bool{true, false} {
			a, g := answer(reg.Email, dry), answer(fmt.Sprintf("ghost%v@example.test", dry), dry)
			if a != g {
				t.Fatalf("dry run %v: answers differ:\n registered %s\n unknown    %s", dry, a, g)
			}
			var rep directory.ImportReport
			if err := json.Unmarshal([]byte(a), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Invited != 1 || rep.Updated != 0 || len(rep.Actions) != 1 || rep.Actions[0].Action != "invite" {
				t.Fatalf("dry run %v: report %+v", dry, rep)
			}
		}
		if n := memberCount(t, ow); n != before {
			t.Fatalf("import added members: %d → %d", before, n)
		}

		// Someone who left is invited, not made a member again.
		var rep directory.ImportReport
		r := importCSV(t, ow, "email\n"+quitter.Email+"\n", false).Want(t, http.StatusOK)
		if err := json.Unmarshal(r.Body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Invited != 1 {
			t.Fatalf("import of who left: %+v", rep)
		}
		var q directory.Member
		ow.do(t, "GET", "/api/v1/members/"+quitID, nil, &q).Want(t, http.StatusOK)
		if q.Status != directory.StatusLeft {
			t.Fatalf("who left is now %q", q.Status)
		}

		// Rita sees the invitation in the app and joins by accepting it,
		// with the prepared title; the prepared supervisor was removed
		// meanwhile, which keeps neither her out nor the rest of the profile.
		ow.do(t, "DELETE", "/api/v1/members/"+samID, nil, nil).Want(t, http.StatusNoContent)
		res := acceptInvitation(t, reg, o.ID)
		var m directory.Member
		ow.do(t, "GET", "/api/v1/members/"+res.MemberID, nil, &m).Want(t, http.StatusOK)
		if m.Title != "Analyst" || m.SupervisorID != "" || m.Status != directory.StatusActive {
			t.Fatalf("Rita after accepting %+v", m)
		}
		if n := memberCount(t, ow); n != before {
			t.Fatalf("members after one acceptance: %d → %d", before, n)
		}
	})
}
