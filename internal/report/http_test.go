package report_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/report"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Black-box tests: the real server on both databases, the reports
// service on a settable clock.

const pw = "correct horse battery"

var (
	seq atomic.Int64
	cst = mustZone("Asia/Shanghai")
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

type person struct {
	*servertest.Client
	ID, MemberID, Email string
}

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type world struct {
	env     *servertest.Env
	clock   *clock
	orgID   string
	owner   *person
	mallory *person // owner of another organization
}

// at is a time in Shanghai in December 2026 (the 7th is a Monday).
func at(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, cst) }

func newWorld(t *testing.T, env *servertest.Env) *world {
	t.Helper()
	w := &world{env: env, clock: &clock{t: at(7, 9, 0)}}
	env.App.Report().Now = w.clock.now
	tok := env.SetupToken(t)
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{"token": tok, "organization": map[string]any{"name": "Acme"},
		"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw}}, &res).Want(t, http.StatusCreated)
	w.orgID = res.Org.ID
	w.owner = &person{Client: c, ID: res.AccountID, MemberID: res.MemberID, Email: "owner@acme.test"}
	w.mallory = w.newPerson(t, "Mallory")
	var o directory.Org
	w.mallory.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other"}, &o).Want(t, http.StatusCreated)
	w.mallory.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
	return w
}

func (w *world) newPerson(t *testing.T, name string) *person {
	t.Helper()
	email := fmt.Sprintf("rep%d@example.test", seq.Add(1))
	acc, err := w.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	c := w.env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{Client: c, ID: acc.ID, Email: email}
}

// member makes a new member of the organization, in the given departments.
func (w *world) member(t *testing.T, name string, depts ...string) *person {
	t.Helper()
	p := w.newPerson(t, name)
	var inv directory.Invitation
	w.owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
	_, tok, _ := strings.Cut(inv.Link, "token=")
	var res directory.JoinResult
	p.Do(t, "POST", "/api/v1/join", map[string]any{"token": tok}, &res).Want(t, http.StatusOK)
	p.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": w.orgID}, nil).Want(t, http.StatusOK)
	p.MemberID = res.MemberID
	if depts != nil {
		w.owner.Do(t, "PATCH", "/api/v1/members/"+p.MemberID, map[string]any{"department_ids": depts}, nil).Want(t, http.StatusOK)
	}
	return p
}

func (w *world) dept(t *testing.T, name string) string {
	t.Helper()
	var d directory.Department
	w.owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": name}, &d).Want(t, http.StatusCreated)
	return d.ID
}

// team is a department with a leader and two members, a supervisor of
// one of them outside it, and someone of HR every report goes to.
type team struct {
	dept, otherDept        string
	lead, ann, ed, sup, hr *person
	otto                   *person // a member of another department
}

func newTeam(t *testing.T, w *world) team {
	var tm team
	tm.dept = w.dept(t, "Sales")
	ops := w.dept(t, "Ops")
	tm.otherDept = ops
	tm.lead = w.member(t, "Lena Lead", tm.dept)
	tm.ann = w.member(t, "Ann", tm.dept)
	tm.ed = w.member(t, "Ed", tm.dept)
	tm.sup = w.member(t, "Sam Supervisor", ops)
	tm.hr = w.member(t, "Hana HR", ops)
	tm.otto = w.member(t, "Otto", ops)
	w.owner.Do(t, "PUT", "/api/v1/departments/"+tm.dept+"/leaders", map[string]any{"member_ids": []string{tm.lead.MemberID}}, nil).Want(t, http.StatusOK)
	w.owner.Do(t, "PATCH", "/api/v1/members/"+tm.ann.MemberID, map[string]any{"supervisor_id": tm.sup.MemberID}, nil).Want(t, http.StatusOK)
	return tm
}

// daily creates a daily template for the team, due 18:00 in Shanghai.
func daily(t *testing.T, w *world, tm team) report.Template {
	t.Helper()
	var tp report.Template
	w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{
		"name": "Daily report", "period": "daily", "timezone": "Asia/Shanghai", "due_time": "18:00", "plans": true,
		"fields": []map[string]any{
			{"id": "done", "label": "Done today", "kind": "text", "required": true},
			{"id": "hours", "label": "Hours", "kind": "number"},
			{"id": "mood", "label": "Mood", "kind": "choice", "options": []string{"good", "bad"}},
			{"id": "next_visit", "label": "Next visit", "kind": "date"},
		},
		"submitters": map[string]any{"department_ids": []string{tm.dept}},
		"recipients": map[string]any{"supervisor": true, "department_leaders": true, "member_ids": []string{tm.hr.MemberID}},
	}, &tp).Want(t, http.StatusCreated)
	return tp
}

func write(t *testing.T, p *person, body map[string]any) report.Report {
	t.Helper()
	var r report.Report
	p.Do(t, "POST", "/api/v1/reports", body, &r).Want(t, http.StatusCreated)
	return r
}

func sees(t *testing.T, p *person, id string) bool {
	t.Helper()
	r := p.Do(t, "GET", "/api/v1/reports/"+id, nil, nil)
	if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
		t.Fatalf("GET report: %d %s", r.Status, r.Body)
	}
	return r.Status == http.StatusOK
}

func TestHTTPWriteSubmitAndRead(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		// Members do not design templates; managers' settings are checked.
		tm.ann.Do(t, "POST", "/api/v1/report-templates", map[string]any{"name": "x", "period": "daily"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{"name": "x", "period": "daily", "timezone": "Mars/Olympus"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{"name": "x", "period": "hourly"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{"name": "x", "period": "daily",
			"recipients": map[string]any{"member_ids": []string{"mem_nope"}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tp := daily(t, w, tm)
		if tp.CurrentPeriod != "2026-12-07" || tp.CurrentDueAt != at(7, 18, 0).UnixMilli() || len(tp.Workdays) != 5 || tp.EditWindowMinutes != 1440 {
			t.Fatalf("template: %+v", tp)
		}
		var tl report.TemplateList
		tm.otto.Do(t, "GET", "/api/v1/report-templates", nil, &tl).Want(t, http.StatusOK)
		if len(tl.Items) != 1 || tl.Items[0].Expected {
			t.Fatalf("templates of a member of another department: %+v", tl)
		}
		// Ann is in the submitting department: the template is expected of her.
		tm.ann.Do(t, "GET", "/api/v1/report-templates", nil, &tl).Want(t, http.StatusOK)
		if len(tl.Items) != 1 || !tl.Items[0].Expected {
			t.Fatalf("templates of a submitter: %+v", tl)
		}
		w.mallory.Do(t, "GET", "/api/v1/report-templates/"+tp.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// A draft: only its author sees it; a submit needs required fields.
		d := write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"hours": 7.5, "mood": "good"}, "plans": "call Acme"})
		if d.Status != report.StatusDraft || d.Period != "2026-12-07" || d.Values["hours"] != 7.5 || d.Plans != "call Acme" || d.DepartmentID != tm.dept {
			t.Fatalf("draft: %+v", d)
		}
		if sees(t, tm.sup, d.ID) {
			t.Fatal("a recipient sees a draft")
		}
		tm.ann.Do(t, "POST", "/api/v1/reports/"+d.ID+"/submit", nil, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+d.ID, map[string]any{"values": map[string]any{"mood": "great"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+d.ID, map[string]any{"values": map[string]any{"next_visit": "tomorrow"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		if r := tm.ann.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "values": map[string]any{}}, nil).WantError(t, http.StatusConflict, "report_exists"); !strings.Contains(string(r.Body), d.ID) {
			t.Fatalf("report_exists does not name the report: %s", r.Body)
		}
		tm.ann.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "period": "2026-12-12", "values": map[string]any{}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.clock.set(at(7, 17, 0))
		var sub report.Report
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+d.ID, map[string]any{"values": map[string]any{"done": "Visited Acme", "hours": 8, "next_visit": "2026-12-09"}, "submit": true}, &sub).Want(t, http.StatusOK)
		if sub.Status != report.StatusSubmitted || sub.Late || sub.SubmittedAt != at(7, 17, 0).UnixMilli() || sub.Values["mood"] != nil || sub.Plans != "call Acme" {
			t.Fatalf("submitted: %+v", sub)
		}
		if len(sub.Readers) != 3 {
			t.Fatalf("readers: %+v", sub.Readers)
		}

		// Recipients see it; nobody else does — not even the owner.
		for p, want := range map[*person]bool{tm.sup: true, tm.lead: true, tm.hr: true, tm.ed: false, tm.otto: false, w.owner: false, w.mallory: false} {
			if got := sees(t, p, sub.ID); got != want {
				t.Errorf("%s sees ann's report: %v, want %v", p.Email, got, want)
			}
		}
		tm.otto.Do(t, "POST", "/api/v1/reports/"+sub.ID+"/read", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "GET", "/api/v1/reports/"+sub.ID+"/comments", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		tm.sup.Do(t, "PATCH", "/api/v1/reports/"+sub.ID, map[string]any{"plans": "mine now"}, nil).WantError(t, http.StatusNotFound, "not_found")

		// The inbox counts unread reports; the author sees who read.
		var in report.Inbox
		tm.sup.Do(t, "GET", "/api/v1/reports/inbox", nil, &in).Want(t, http.StatusOK)
		if in.Unread != 1 || len(in.Items) != 1 || in.Items[0].ID != sub.ID || in.Items[0].ReadAt != 0 || in.Items[0].Readers != nil {
			t.Fatalf("inbox: %+v", in)
		}
		tm.sup.Do(t, "POST", "/api/v1/reports/"+sub.ID+"/read", nil, nil).Want(t, http.StatusOK)
		tm.sup.Do(t, "GET", "/api/v1/reports/inbox?unread=true", nil, &in).Want(t, http.StatusOK)
		if in.Unread != 0 || len(in.Items) != 0 {
			t.Fatalf("inbox after reading: %+v", in)
		}
		var mine report.Report
		tm.ann.Do(t, "GET", "/api/v1/reports/"+sub.ID, nil, &mine).Want(t, http.StatusOK)
		read := map[string]bool{}
		for _, r := range mine.Readers {
			read[r.AccountID] = r.ReadAt != 0
		}
		if len(read) != 3 || !read[tm.sup.ID] || read[tm.lead.ID] || read[tm.hr.ID] {
			t.Fatalf("who read: %+v", mine.Readers)
		}

		// Late: submitted after the due time. Editing within the window,
		// not after it.
		w.clock.set(at(8, 19, 30))
		late := write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"done": "Paperwork"}, "submit": true})
		if !late.Late || late.Period != "2026-12-08" {
			t.Fatalf("late report: %+v", late)
		}
		var edited report.Report
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+late.ID, map[string]any{"values": map[string]any{"done": "Paperwork and calls"}}, &edited).Want(t, http.StatusOK)
		if edited.EditedAt == 0 || edited.Values["done"] != "Paperwork and calls" || !edited.Late {
			t.Fatalf("edited: %+v", edited)
		}
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+late.ID, map[string]any{"values": map[string]any{"done": ""}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Submitting again changes nothing.
		var again report.Report
		tm.ann.Do(t, "POST", "/api/v1/reports/"+late.ID+"/submit", nil, &again).Want(t, http.StatusOK)
		if again.EditedAt != edited.EditedAt || again.SubmittedAt != late.SubmittedAt {
			t.Fatalf("submitted again: %+v", again)
		}
		w.clock.set(at(9, 19, 31))
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+late.ID, map[string]any{"plans": "x"}, nil).WantError(t, http.StatusConflict, "edit_window_closed")
		tm.ann.Do(t, "DELETE", "/api/v1/reports/"+late.ID, nil, nil).WantError(t, http.StatusConflict, "report_submitted")
		// A report for an earlier period, written now, is late too.
		back := write(t, tm.ed, map[string]any{"template_id": tp.ID, "period": "2026-12-07", "values": map[string]any{"done": "x"}, "submit": true})
		if !back.Late {
			t.Fatalf("a report for a past period: %+v", back)
		}
		var page report.Page
		tm.ann.Do(t, "GET", "/api/v1/reports?status=submitted", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 2 {
			t.Fatalf("ann's reports: %+v", page)
		}

		// Comments: the report's people, with mentions of them only.
		var c report.Comment
		tm.lead.Do(t, "POST", "/api/v1/reports/"+sub.ID+"/comments", map[string]any{"body": "Nice, @Ann", "mentions": []string{tm.ann.ID}}, &c).Want(t, http.StatusCreated)
		if c.Body != "Nice, @Ann" || len(c.Mentions) != 1 {
			t.Fatalf("comment: %+v", c)
		}
		tm.lead.Do(t, "POST", "/api/v1/reports/"+sub.ID+"/comments", map[string]any{"body": "hi", "mentions": []string{tm.otto.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		tm.otto.Do(t, "POST", "/api/v1/reports/"+sub.ID+"/comments", map[string]any{"body": "hi"}, nil).WantError(t, http.StatusNotFound, "not_found")
		var cl report.CommentList
		tm.ann.Do(t, "GET", "/api/v1/reports/"+sub.ID+"/comments", nil, &cl).Want(t, http.StatusOK)
		if len(cl.Items) != 1 || cl.Items[0].AuthorID != tm.lead.ID {
			t.Fatalf("comments: %+v", cl)
		}

		// Drafts are deleted; archived templates take no new reports.
		d2 := write(t, tm.lead, map[string]any{"template_id": tp.ID, "values": map[string]any{}})
		tm.lead.Do(t, "DELETE", "/api/v1/reports/"+d2.ID, nil, nil).Want(t, http.StatusNoContent)
		w.owner.Do(t, "DELETE", "/api/v1/report-templates/"+tp.ID, nil, nil).Want(t, http.StatusNoContent)
		tm.lead.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "values": map[string]any{}}, nil).WantError(t, http.StatusNotFound, "not_found")
		if !sees(t, tm.sup, sub.ID) {
			t.Fatal("archiving a template hid its reports")
		}
	})
}

func TestHTTPSchedulesAndReminders(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		svc := env.App.Report()
		ctx := context.Background()
		// A weekly template is due on Friday evening of the ISO week.
		var wk report.Template
		w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{"name": "Weekly", "period": "weekly", "timezone": "Asia/Shanghai",
			"due_time": "20:00", "due_weekday": 5, "fields": []map[string]any{}}, &wk).Want(t, http.StatusCreated)
		if wk.CurrentPeriod != "2026-W50" || wk.CurrentDueAt != at(11, 20, 0).UnixMilli() {
			t.Fatalf("weekly: %+v", wk)
		}
		var mo report.Template
		w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{"name": "Monthly", "period": "monthly", "timezone": "Asia/Shanghai",
			"fields": []map[string]any{}}, &mo).Want(t, http.StatusCreated)
		if mo.CurrentPeriod != "2026-12" || mo.CurrentDueAt != at(31, 18, 0).UnixMilli() {
			t.Fatalf("monthly: %+v", mo)
		}
		w.owner.Do(t, "DELETE", "/api/v1/report-templates/"+wk.ID, nil, nil).Want(t, http.StatusNoContent)
		w.owner.Do(t, "DELETE", "/api/v1/report-templates/"+mo.ID, nil, nil).Want(t, http.StatusNoContent)

		tp := daily(t, w, tm)
		write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"done": "x"}, "submit": true})
		// A draft is not a submission.
		write(t, tm.ed, map[string]any{"template_id": tp.ID, "values": map[string]any{}})
		if n, err := svc.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("reminded before the due time: %d %v", n, err)
		}
		w.clock.set(at(7, 18, 0))
		if n, err := svc.RemindDue(ctx); err != nil || n != 2 {
			t.Fatalf("reminded %d at the due time (want ed and the leader): %v", n, err)
		}
		if n, err := svc.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("reminded twice in a period: %d %v", n, err)
		}
		// The email carries only a link, to those who have not submitted.
		for i := 0; i < 200 && !(strings.Contains(env.Logs.String(), "to="+tm.ed.Email) && strings.Contains(env.Logs.String(), "to="+tm.lead.Email)); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		logs := env.Logs.String()
		if !strings.Contains(logs, "to="+tm.ed.Email) || !strings.Contains(logs, "to="+tm.lead.Email) || strings.Contains(logs, "to="+tm.ann.Email+" subject=\"A report") {
			t.Fatal("the reminder emails did not reach exactly those who had not submitted")
		}
		// Saturday and Sunday are no workdays: no period, no reminder;
		// Monday's comes on Monday.
		w.clock.set(at(12, 19, 0))
		if n, err := svc.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("reminded on a Saturday: %d %v", n, err)
		}
		w.clock.set(at(14, 18, 1))
		if n, err := svc.RemindDue(ctx); err != nil || n != 3 {
			t.Fatalf("reminded %d on Monday (want all three)", n)
		}
		// remind_before_minutes moves the reminder earlier.
		var tp2 report.Template
		in := map[string]any{"name": "Daily report", "period": "daily", "timezone": "Asia/Shanghai", "due_time": "18:00", "remind_before_minutes": 60,
			"fields": []map[string]any{}, "submitters": map[string]any{"member_ids": []string{tm.ann.MemberID}}, "recipients": map[string]any{}}
		w.owner.Do(t, "PUT", "/api/v1/report-templates/"+tp.ID, in, &tp2).Want(t, http.StatusOK)
		w.clock.set(at(15, 17, 0))
		if n, err := svc.RemindDue(ctx); err != nil || n != 1 {
			t.Fatalf("reminded %d an hour before the due time (want ann)", n)
		}
		// A template made after its period's reminder time waits for the
		// next period.
		w.clock.set(at(15, 19, 0))
		in["name"] = "Evening notes"
		w.owner.Do(t, "POST", "/api/v1/report-templates", in, nil).Want(t, http.StatusCreated)
		if n, err := svc.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("a new template reminded %d for a period already past its reminder time", n)
		}
		w.clock.set(at(16, 17, 0))
		if n, err := svc.RemindDue(ctx); err != nil || n != 2 {
			t.Fatalf("reminded %d on the next day (want ann, twice)", n)
		}
	})
}

func TestHTTPStatistics(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := daily(t, w, tm)
		// Monday: ann on time, ed late, the leader not at all; Tuesday is
		// not due yet.
		w.clock.set(at(7, 12, 0))
		write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"done": "x"}, "submit": true})
		w.clock.set(at(8, 9, 0))
		write(t, tm.ed, map[string]any{"template_id": tp.ID, "period": "2026-12-07", "values": map[string]any{"done": "x"}, "submit": true})
		write(t, tm.ed, map[string]any{"template_id": tp.ID, "values": map[string]any{"done": "x"}, "submit": true})
		q := "/api/v1/report-templates/" + tp.ID + "/stats?from=2026-12-05&to=2026-12-08"
		var st report.Stats
		w.owner.Do(t, "GET", q, nil, &st).Want(t, http.StatusOK)
		if strings.Join(st.Periods, ",") != "2026-12-07,2026-12-08" || len(st.People) != 3 {
			t.Fatalf("stats: %+v", st)
		}
		if st.Counts != (report.Counts{OnTime: 2, Late: 1, Missing: 1, Pending: 2}) {
			t.Fatalf("totals: %+v", st.Counts)
		}
		states := map[string]string{}
		for _, p := range st.People {
			states[p.AccountID] = strings.Join(p.States, ",")
		}
		if states[tm.ann.ID] != "on_time,pending" || states[tm.ed.ID] != "late,on_time" || states[tm.lead.ID] != "missing,pending" {
			t.Fatalf("states: %v", states)
		}
		if len(st.Departments) != 1 || st.Departments[0].DepartmentID != tm.dept || st.Departments[0].People != 3 {
			t.Fatalf("departments: %+v", st.Departments)
		}
		// A department's leader sees their department; members and other
		// organizations do not.
		tm.lead.Do(t, "GET", q+"&department_id="+tm.dept, nil, &st).Want(t, http.StatusOK)
		if len(st.People) != 3 {
			t.Fatalf("the leader's stats: %+v", st)
		}
		// …and the departments under it, but not the others.
		var east directory.Department
		w.owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": "Sales East", "parent_id": tm.dept}, &east).Want(t, http.StatusCreated)
		tm.lead.Do(t, "GET", q+"&department_id="+east.ID, nil, &st).Want(t, http.StatusOK)
		if len(st.People) != 0 {
			t.Fatalf("the leader's stats of an empty sub-department: %+v", st)
		}
		tm.lead.Do(t, "GET", q+"&department_id="+tm.otherDept, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		tm.lead.Do(t, "GET", q, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		tm.ed.Do(t, "GET", q+"&department_id="+tm.dept, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		w.mallory.Do(t, "GET", q, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.owner.Do(t, "GET", "/api/v1/report-templates/"+tp.ID+"/stats?from=2026-12-08&to=2026-12-01", nil, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// CSV: one row per person, names included.
		r := tm.lead.Do(t, "GET", "/api/v1/report-templates/"+tp.ID+"/stats.csv?from=2026-12-05&to=2026-12-08&department_id="+tm.dept, nil, nil).Want(t, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("content type %q", r.Header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
		if err != nil || len(rows) != 4 || strings.Join(rows[0], ",") != "member_id,account_id,name,department_id,on_time,late,missing,pending,2026-12-07,2026-12-08" {
			t.Fatalf("csv: %v %q", err, r.Body)
		}
		if !strings.Contains(string(r.Body), "Ann") {
			t.Fatalf("csv without names: %q", r.Body)
		}
	})
}
