package approval_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Black-box tests: the real server on both databases, the approvals
// service on a settable clock.

const pw = "correct horse battery"

var (
	seq atomic.Int64
)

type person struct {
	*servertest.Client
	ID, MemberID, Email, Name string
}

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type world struct {
	env     *servertest.Env
	clock   *clock
	orgID   string
	owner   *person
	mallory *person // owner of another organization
}

func newWorld(t *testing.T, env *servertest.Env) *world {
	t.Helper()
	w := &world{env: env, clock: &clock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}}
	env.App.Approval().Now = w.clock.now
	tok := env.SetupToken(t)
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{"token": tok, "organization": map[string]any{"name": "Acme"},
		"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw}}, &res).Want(t, http.StatusCreated)
	w.orgID = res.Org.ID
	w.owner = &person{Client: c, ID: res.AccountID, MemberID: res.MemberID, Email: "owner@acme.test", Name: "Olivia"}
	w.mallory = w.newPerson(t, "Mallory")
	var o directory.Org
	w.mallory.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other"}, &o).Want(t, http.StatusCreated)
	w.mallory.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
	return w
}

func (w *world) newPerson(t *testing.T, name string) *person {
	t.Helper()
	email := fmt.Sprintf("apr%d@example.test", seq.Add(1))
	acc, err := w.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	c := w.env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{Client: c, ID: acc.ID, Email: email, Name: name}
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
	p.Name = name
	if depts != nil {
		w.owner.Do(t, "PATCH", "/api/v1/members/"+p.MemberID, map[string]any{"department_ids": depts}, nil).Want(t, http.StatusOK)
	}
	return p
}

func (w *world) dept(t *testing.T, name, parent string) string {
	t.Helper()
	var d directory.Department
	w.owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": name, "parent_id": parent}, &d).Want(t, http.StatusCreated)
	return d.ID
}

func (w *world) supervise(t *testing.T, boss, p *person) {
	t.Helper()
	w.owner.Do(t, "PATCH", "/api/v1/members/"+p.MemberID, map[string]any{"supervisor_id": boss.MemberID}, nil).Want(t, http.StatusOK)
}

// team is the organization of the acceptance tests: Ann of Sales reports
// to Sam, who reports to Vic; Lena leads Sales; Hana holds the Finance
// role; Otto is in another department and in no flow.
type team struct {
	sales, ops                    string
	finance                       string // role id
	ann, sam, vic, lena, hana, ed *person
	otto                          *person
}

func newTeam(t *testing.T, w *world) team {
	var tm team
	tm.sales = w.dept(t, "Sales", "")
	tm.ops = w.dept(t, "Ops", "")
	tm.ann = w.member(t, "Ann", tm.sales)
	tm.ed = w.member(t, "Ed", tm.sales)
	tm.lena = w.member(t, "Lena Lead", tm.sales)
	tm.sam = w.member(t, "Sam Supervisor", tm.ops)
	tm.vic = w.member(t, "Vic VP", tm.ops)
	tm.hana = w.member(t, "Hana Finance", tm.ops)
	tm.otto = w.member(t, "Otto", tm.ops)
	w.owner.Do(t, "PUT", "/api/v1/departments/"+tm.sales+"/leaders", map[string]any{"member_ids": []string{tm.lena.MemberID}}, nil).Want(t, http.StatusOK)
	w.supervise(t, tm.sam, tm.ann)
	w.supervise(t, tm.vic, tm.sam)
	var r directory.Role
	w.owner.Do(t, "POST", "/api/v1/roles", map[string]any{"name": "Finance", "permissions": []string{}}, &r).Want(t, http.StatusCreated)
	tm.finance = r.ID
	w.owner.Do(t, "PUT", "/api/v1/members/"+tm.hana.MemberID+"/roles", map[string]any{"role": "member", "role_ids": []string{r.ID}}, nil).Want(t, http.StatusOK)
	return tm
}

// template creates a template as the owner.
func (w *world) template(t *testing.T, body map[string]any) approval.Template {
	t.Helper()
	if body["name"] == nil {
		body["name"] = fmt.Sprintf("Template %d", seq.Add(1))
	}
	var tp approval.Template
	w.owner.Do(t, "POST", "/api/v1/approval-templates", body, &tp).Want(t, http.StatusCreated)
	return tp
}

// expense is the reimbursement of the acceptance test: supervisor, then
// the department's leaders, then Finance above 5,000.
func expense(t *testing.T, w *world, tm team) approval.Template {
	return w.template(t, map[string]any{"name": "Expense", "group": "Finance",
		"fields": []map[string]any{{"id": "amount", "type": "money", "label": "Amount", "required": true}},
		"flow": map[string]any{"steps": []map[string]any{
			{"id": "s1", "name": "Supervisor", "mode": "any", "approvers": map[string]any{"type": "supervisor", "levels": 1}},
			{"id": "s2", "name": "Department", "mode": "any", "approvers": map[string]any{"type": "department_leaders"}},
			{"id": "s3", "name": "Finance", "mode": "any", "approvers": map[string]any{"type": "role", "role_id": tm.finance},
				"when": map[string]any{"field": "amount", "op": "gt", "value": "5000"}},
		}, "auto_approve": map[string]any{"applicant": true, "repeated": true}}})
}

func file(t *testing.T, p *person, body map[string]any) approval.Request {
	t.Helper()
	var r approval.Request
	p.Do(t, "POST", "/api/v1/approvals", body, &r).Want(t, http.StatusCreated)
	return r
}

func decide(t *testing.T, p *person, id, action string, want int) approval.Request {
	t.Helper()
	var r approval.Request
	p.Do(t, "POST", "/api/v1/approvals/"+id+"/"+action, map[string]any{"comment": action + " by " + p.Name}, &r).Want(t, want)
	return r
}

func sees(t *testing.T, p *person, id string) bool {
	t.Helper()
	r := p.Do(t, "GET", "/api/v1/approvals/"+id, nil, nil)
	if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
		t.Fatalf("GET approval: %d %s", r.Status, r.Body)
	}
	return r.Status == http.StatusOK
}

// current is the id of the request's active step ("" when none).
func current(r approval.Request) string {
	if r.CurrentStep == nil {
		return ""
	}
	return r.CurrentStep.ID
}

// stepStatus maps step ids to their status.
func stepStatus(r approval.Request) map[string]string {
	out := map[string]string{}
	for _, s := range r.Steps {
		out[s.ID] = s.Status
	}
	return out
}

// actions lists the timeline's actions in order.
func actions(r approval.Request) string {
	var out []string
	for _, e := range r.Timeline {
		out = append(out, e.Action)
	}
	return strings.Join(out, ",")
}
