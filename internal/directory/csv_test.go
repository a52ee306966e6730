package directory_test

import (
	"encoding/csv"
	"encoding/json"
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
		a2 := newPerson(t, env, "Bob")

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
		if !rep.DryRun || rep.Created != 2 || rep.Invited != 1 {
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
		if len(invs.Items) != 0 {
			t.Fatalf("failed import left invitations: %+v", invs.Items)
		}

		good := strings.Join(strings.Split(bad, "\n")[:4], "\n") + "\n"
		r = importCSV(t, ow, good, false).Want(t, http.StatusOK)
		rep = directory.ImportReport{}
		if err := json.Unmarshal(r.Body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Created != 2 || rep.Invited != 1 || len(rep.Errors) != 0 {
			t.Fatalf("import report %+v", rep)
		}
		var page directory.MemberPage
		ow.do(t, "GET", "/api/v1/members?q=E1", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 1 {
			t.Fatalf("imported member not found: %+v", page.Items)
		}
		alice := page.Items[0]
		if alice.DisplayName != "Alice A." || alice.Title != "Engineer" || alice.TitleLevel != 3 || alice.WorkPhone != "+8613800000001" ||
			alice.JoinDate != "2024-01-02" || len(alice.Departments) != 1 || alice.Departments[0].ID != backend.ID || alice.SupervisorID == "" {
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
		if um.DisplayName != "Una" || um.Title != "Intern" || um.EmployeeNo != "E3" || len(um.Departments) != 1 || um.Departments[0].ID != eng.ID {
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
