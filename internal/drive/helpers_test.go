package drive_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Black-box tests: the real server on both databases.

const pw = "correct horse battery"

var seq atomic.Int64

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

func newWorld(t testing.TB, env *servertest.Env) *world {
	t.Helper()
	w := &world{env: env, clock: &clock{t: time.Now()}}
	env.App.Drive().Now = w.clock.now
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

func (w *world) newPerson(t testing.TB, name string) *person {
	t.Helper()
	email := fmt.Sprintf("drive%d@example.test", seq.Add(1))
	acc, err := w.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	c := w.env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{Client: c, ID: acc.ID, Email: email}
}

// member makes a new member of the organization, in the given departments.
func (w *world) member(t testing.TB, name string, depts ...string) *person {
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

func (w *world) dept(t testing.TB, name, parent string) string {
	t.Helper()
	var d directory.Department
	w.owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": name, "parent_id": parent}, &d).Want(t, http.StatusCreated)
	return d.ID
}

func mySpace(t testing.TB, p *person) drive.Space {
	t.Helper()
	var sp drive.Space
	p.Do(t, "GET", "/api/v1/drive/spaces/me", nil, &sp).Want(t, http.StatusOK)
	return sp
}

func folder(t testing.TB, p *person, parent, name string) drive.Item {
	t.Helper()
	var it drive.Item
	p.Do(t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": parent, "name": name}, &it).Want(t, http.StatusCreated)
	return it
}

// raw sends a raw body with headers.
func raw(t testing.TB, p *person, method, path string, body []byte, hdr map[string]string) *servertest.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, p.Env.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return p.Request(t, req)
}

func upload(t testing.TB, p *person, folderID, name string, body []byte) *servertest.Response {
	t.Helper()
	return raw(t, p, "POST", "/api/v1/drive/items/"+folderID+"/files?name="+url.QueryEscape(name), body, nil)
}

func file(t testing.TB, p *person, folderID, name string, body []byte) drive.Item {
	t.Helper()
	r := upload(t, p, folderID, name, body).Want(t, http.StatusCreated)
	return decode[drive.Item](t, r)
}

func decode[T any](t testing.TB, r *servertest.Response) T {
	t.Helper()
	var v T
	if err := jsonUnmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return v
}

func download(t testing.TB, p *person, id string, hdr map[string]string) *servertest.Response {
	t.Helper()
	return raw(t, p, "GET", "/api/v1/drive/items/"+id+"/content", nil, hdr)
}

func children(t testing.TB, p *person, id string) []drive.Item {
	t.Helper()
	var l drive.ItemList
	p.Do(t, "GET", "/api/v1/drive/items/"+id+"/children", nil, &l).Want(t, http.StatusOK)
	return l.Items
}

func names(items []drive.Item) string {
	var s []string
	for _, it := range items {
		s = append(s, it.Name)
	}
	return strings.Join(s, ",")
}
