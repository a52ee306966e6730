package announce_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Black-box tests: the real server on both databases.

const pw = "correct horse battery"

var (
	seq atomic.Int64
)

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
	w := &world{env: env, clock: &clock{t: time.Now()}}
	env.App.Announce().Now = w.clock.now
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
	email := fmt.Sprintf("ann%d@example.test", seq.Add(1))
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

func (w *world) dept(t *testing.T, name, parent string) string {
	t.Helper()
	var d directory.Department
	w.owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": name, "parent_id": parent}, &d).Want(t, http.StatusCreated)
	return d.ID
}

func publish(t *testing.T, p *person, body map[string]any) announce.Announcement {
	t.Helper()
	var a announce.Announcement
	if _, ok := body["title"]; !ok {
		body["title"] = fmt.Sprintf("Notice %d", seq.Add(1))
	}
	p.Do(t, "POST", "/api/v1/announcements", body, &a).Want(t, http.StatusCreated)
	return a
}

func sees(t *testing.T, p *person, id string) bool {
	t.Helper()
	r := p.Do(t, "GET", "/api/v1/announcements/"+id, nil, nil)
	if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
		t.Fatalf("GET announcement: %d %s", r.Status, r.Body)
	}
	return r.Status == http.StatusOK
}

func receipts(t *testing.T, p *person, id string) announce.Receipts {
	t.Helper()
	var rc announce.Receipts
	p.Do(t, "GET", "/api/v1/announcements/"+id+"/receipts", nil, &rc).Want(t, http.StatusOK)
	return rc
}

func TestHTTPTargeting(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		sales := w.dept(t, "Sales", "")
		east := w.dept(t, "Sales East", sales)
		ops := w.dept(t, "Ops", "")
		ann := w.member(t, "Ann", sales)
		ed := w.member(t, "Ed", east)
		otto := w.member(t, "Otto", ops)
		pia := w.member(t, "Pia")
		var role directory.Role
		w.owner.Do(t, "POST", "/api/v1/roles", map[string]any{"name": "Leads", "permissions": []string{}}, &role).Want(t, http.StatusCreated)
		w.owner.Do(t, "PUT", "/api/v1/members/"+otto.MemberID+"/roles", map[string]any{"role": "member", "role_ids": []string{role.ID}}, nil).Want(t, http.StatusOK)

		// A department reaches its sub-departments; a person reaches only them.
		toSales := publish(t, w.owner, map[string]any{"body": "**hi**", "audience": map[string]any{"department_ids": []string{sales}}, "publish": true, "require_confirm": true})
		if toSales.RecipientCount != 2 || toSales.Status != announce.StatusPublished {
			t.Fatalf("to sales: %+v", toSales)
		}
		for p, want := range map[*person]bool{ann: true, ed: true, otto: false, pia: false, w.mallory: false} {
			if got := sees(t, p, toSales.ID); got != want {
				t.Errorf("%s sees the sales announcement: %v, want %v", p.Email, got, want)
			}
		}
		toRole := publish(t, w.owner, map[string]any{"audience": map[string]any{"role_ids": []string{role.ID}, "member_ids": []string{pia.MemberID}}, "publish": true})
		if toRole.RecipientCount != 2 || !sees(t, otto, toRole.ID) || !sees(t, pia, toRole.ID) || sees(t, ann, toRole.ID) {
			t.Fatalf("to role and person: %+v", toRole)
		}
		// Ids of another organization are refused like made-up ones.
		w.owner.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "x", "audience": map[string]any{"member_ids": []string{"mem_nope"}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Members cannot publish; non-recipients cannot read or confirm.
		ann.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "x", "audience": map[string]any{"all": true}}, nil).WantError(t, http.StatusForbidden, "forbidden")
		otto.Do(t, "POST", "/api/v1/announcements/"+toSales.ID+"/read", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "POST", "/api/v1/announcements/"+toSales.ID+"/confirm", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "GET", "/api/v1/announcements/"+toSales.ID+"/receipts", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// The list shows unread counts; reading and confirming update the read list.
		var page announce.Page
		ed.Do(t, "GET", "/api/v1/announcements", nil, &page).Want(t, http.StatusOK)
		if page.Unread != 1 || len(page.Items) != 1 {
			t.Fatalf("ed's list: %+v", page)
		}
		ed.Do(t, "POST", "/api/v1/announcements/"+toSales.ID+"/read", nil, nil).Want(t, http.StatusOK)
		ann.Do(t, "POST", "/api/v1/announcements/"+toSales.ID+"/confirm", nil, nil).Want(t, http.StatusOK)
		ed.Do(t, "GET", "/api/v1/announcements", nil, &page).Want(t, http.StatusOK)
		if page.Unread != 0 || page.Items[0].ReadAt == 0 {
			t.Fatalf("ed's list after reading: %+v", page)
		}
		rc := receipts(t, w.owner, toSales.ID)
		if rc.Total != 2 || rc.Read != 2 || rc.Confirmed != 1 || rc.Pending != 1 || len(rc.Departments) != 2 {
			t.Fatalf("receipts: %+v", rc)
		}
		w.owner.Do(t, "POST", "/api/v1/announcements/"+toRole.ID+"/confirm", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		otto.Do(t, "POST", "/api/v1/announcements/"+toRole.ID+"/confirm", nil, nil).WantError(t, http.StatusConflict, "confirmation_not_required")

		// People who join later: only whole-organization announcements
		// offered to them; they are listed apart and not counted. Leavers
		// stay in the totals, marked, and are no longer pending.
		all := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}, "include_later": true, "publish": true})
		closed := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}, "publish": true})
		if all.RecipientCount != 5 {
			t.Fatalf("whole org reached %d", all.RecipientCount)
		}
		w.owner.Do(t, "DELETE", "/api/v1/members/"+pia.MemberID, nil, nil).Want(t, http.StatusNoContent)
		late := w.member(t, "Lena", sales)
		if !sees(t, late, all.ID) || sees(t, late, closed.ID) || sees(t, late, toSales.ID) {
			t.Fatal("a later joiner sees the wrong announcements")
		}
		late.Do(t, "POST", "/api/v1/announcements/"+all.ID+"/read", nil, nil).Want(t, http.StatusOK)
		rc = receipts(t, w.owner, all.ID)
		if rc.Total != 5 || rc.Left != 1 || rc.Read != 0 || rc.Pending != 4 || len(rc.Later) != 1 || rc.Later[0].AccountID != late.ID {
			t.Fatalf("receipts after join and leave: %+v", rc)
		}

		// Edit marks edited; withdraw hides it from readers, not from publishers.
		var edited announce.Announcement
		w.owner.Do(t, "PATCH", "/api/v1/announcements/"+all.ID, map[string]any{"body": "new"}, &edited).Want(t, http.StatusOK)
		if edited.EditedAt == 0 || edited.Body != "new" {
			t.Fatalf("edited: %+v", edited)
		}
		w.owner.Do(t, "PATCH", "/api/v1/announcements/"+all.ID, map[string]any{"require_confirm": true}, nil).WantError(t, http.StatusConflict, "announcement_published")
		w.owner.Do(t, "POST", "/api/v1/announcements/"+all.ID+"/withdraw", nil, nil).Want(t, http.StatusOK)
		if sees(t, ann, all.ID) || !sees(t, w.owner, all.ID) {
			t.Fatal("withdrawn announcement visibility")
		}
		w.owner.Do(t, "POST", "/api/v1/announcements/"+all.ID+"/withdraw", nil, nil).WantError(t, http.StatusConflict, "announcement_not_published")
		w.mallory.Do(t, "POST", "/api/v1/announcements/"+closed.ID+"/withdraw", nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// failingAudience is a directory that cannot resolve audiences (its
// database is briefly away).
type failingAudience struct{ announce.Directory }

func (failingAudience) Audience(context.Context, string, announce.Audience) ([]announce.Recipient, error) {
	return nil, errors.New("the directory is unavailable")
}

func TestHTTPScheduleAndRemind(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		bob := w.member(t, "Bob")
		svc := env.App.Announce()
		at := w.clock.now().Add(time.Hour).UnixMilli()
		s := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}, "publish_at": at, "require_confirm": true})
		if s.Status != announce.StatusScheduled || sees(t, bob, s.ID) {
			t.Fatalf("scheduled: %+v", s)
		}
		if n, err := svc.PublishDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("published early: %d %v", n, err)
		}
		w.clock.add(61 * time.Minute)
		// The directory fails for a moment: the run fails, to be retried,
		// and the announcement stays scheduled rather than becoming a draft.
		dir := svc.Directory
		svc.Directory = failingAudience{dir}
		if n, err := svc.PublishDue(context.Background()); err == nil || n != 0 {
			t.Fatalf("publish while the directory fails: %d %v", n, err)
		}
		svc.Directory = dir
		var still announce.Announcement
		w.owner.Do(t, "GET", "/api/v1/announcements/"+s.ID, nil, &still).Want(t, http.StatusOK)
		if still.Status != announce.StatusScheduled {
			t.Fatalf("after a failed run the announcement is %s, want still scheduled", still.Status)
		}
		if n, err := svc.PublishDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("publish due: %d %v", n, err)
		}
		if !sees(t, bob, s.ID) {
			t.Fatal("bob does not see the published announcement")
		}
		w.owner.Do(t, "POST", "/api/v1/announcements/"+s.ID+"/confirm", nil, nil).Want(t, http.StatusOK)

		// Reminders reach those who have not confirmed, at most once a day.
		var rm announce.Reminded
		w.owner.Do(t, "POST", "/api/v1/announcements/"+s.ID+"/remind", nil, &rm).Want(t, http.StatusOK)
		if rm.Count != 1 {
			t.Fatalf("reminded %d", rm.Count)
		}
		// The email goes out through the outbox (logged without SMTP), to
		// the one who has not confirmed only.
		for i := 0; i < 200 && !strings.Contains(env.Logs.String(), "to="+bob.Email); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if logs := env.Logs.String(); !strings.Contains(logs, "to="+bob.Email) || strings.Contains(logs, "to="+w.owner.Email+" subject=\"An announcement") {
			t.Fatal("the reminder email did not reach bob alone")
		}
		w.owner.Do(t, "POST", "/api/v1/announcements/"+s.ID+"/remind", nil, nil).WantError(t, http.StatusConflict, "already_reminded")
		w.clock.add(23 * time.Hour)
		w.owner.Do(t, "POST", "/api/v1/announcements/"+s.ID+"/remind", nil, nil).WantError(t, http.StatusConflict, "already_reminded")
		w.clock.add(time.Hour)
		bob.Do(t, "POST", "/api/v1/announcements/"+s.ID+"/confirm", nil, nil).Want(t, http.StatusOK)
		w.owner.Do(t, "POST", "/api/v1/announcements/"+s.ID+"/remind", nil, &rm).Want(t, http.StatusOK)
		if rm.Count != 0 {
			t.Fatalf("reminded %d after everyone confirmed", rm.Count)
		}

		// Drafts: publishers only; deleted while unpublished.
		d := publish(t, w.owner, map[string]any{"audience": map[string]any{"all": true}})
		if d.Status != announce.StatusDraft || sees(t, bob, d.ID) {
			t.Fatalf("draft: %+v", d)
		}
		var l announce.ManageList
		w.owner.Do(t, "GET", "/api/v1/admin/announcements?status=draft", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 1 || l.Items[0].ID != d.ID {
			t.Fatalf("drafts: %+v", l)
		}
		w.owner.Do(t, "DELETE", "/api/v1/announcements/"+d.ID, nil, nil).Want(t, http.StatusNoContent)
		w.owner.Do(t, "DELETE", "/api/v1/announcements/"+s.ID, nil, nil).WantError(t, http.StatusConflict, "announcement_published")
	})
}
