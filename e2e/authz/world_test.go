package authz_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

const pw = "correct horse battery"

// Actor names: every row of the matrix is tried as each of them.
const (
	Owner         = "owner"          // owner of org A
	Admin         = "admin"          // built-in admin of org A
	CustomWith    = "custom+perm"    // custom role holding exactly the route's permission
	CustomWithout = "custom-perm"    // custom role holding every permission but the route's
	Member        = "member"         // plain member of A who participates in A's objects
	Bystander     = "nonparticipant" // plain member of A who participates in nothing
	External      = "external"       // in no organization; a contact of Member
	Deactivated   = "deactivated"    // deactivated member of A
	Removed       = "removed"        // removed from A
	OtherOrg      = "other-org"      // owner of org B
	Anonymous     = "anonymous"
)

// actors lists every actor in the order cells are tried.
var actors = []string{Owner, Admin, CustomWith, CustomWithout, Member, Bystander, External, Deactivated, Removed, OtherOrg, Anonymous}

// who is one signed-in test person.
type who struct {
	*servertest.Client
	Name      string
	Email     string
	AccountID string
	MemberID  string // in org A (or B for OtherOrg)
}

// world is the fixture every matrix cell runs in: two organizations with
// objects of every kind, and one person per actor.
type world struct {
	t     *testing.T
	env   *servertest.Env
	orgA  string
	orgB  string
	who   map[string]*who
	roles map[string]string // CustomWith/CustomWithout → their custom role id in A
	// objects[org][kind] is a standing object of that kind ("A" or "B").
	objects map[string]map[string]string
	ownerB  *who
	seq     atomic.Int64
	// code is a team code of org A (for the join routes).
	code string
	// ended marks actors whose sessions the server ended (deactivation
	// may end them): they are anonymous from then on.
	ended map[string]bool
	// fixture holds a fixture client per account; cache memoizes personal
	// objects that cells do not change.
	fixture map[string]*servertest.Client
	cache   map[string]string
}

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

func (w *world) email(prefix string) string {
	return fmt.Sprintf("%s%d@authz.test", prefix, w.seq.Add(1))
}

// account creates an account through the identity service and signs it in
// with a fresh cookie client.
func (w *world) account(name string) *who {
	t := w.t
	t.Helper()
	email := w.email(strings.ToLower(strings.ReplaceAll(name, " ", "")))
	acc, err := w.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name})
	if err != nil {
		t.Fatalf("create account %s: %v", name, err)
	}
	return &who{Name: name, Email: email, AccountID: acc.ID}
}

// signedIn returns p with a client of its own (its actor session).
func (w *world) signedIn(p *who) *who {
	p.Client = w.login(p)
	return p
}

// fx returns a client signed in as p for building fixtures, apart from the
// actor's own session (which a cell may end).
func (w *world) fx(p *who) *servertest.Client {
	if c, ok := w.fixture[p.AccountID]; ok {
		return c
	}
	c := w.login(p)
	w.fixture[p.AccountID] = c
	return c
}

// login returns a new client with a fresh session of p.
func (w *world) login(p *who) *servertest.Client {
	w.t.Helper()
	c := w.env.Client()
	c.Do(w.t, "POST", "/api/v1/auth/login", map[string]any{"email": p.Email, "password": pw}, nil).Want(w.t, http.StatusOK)
	return c
}

// must sends a request that has to succeed while building the world.
func (w *world) must(c *servertest.Client, method, path string, body, out any) {
	w.t.Helper()
	r := c.Do(w.t, method, path, body, out)
	if r.Status/100 != 2 {
		w.t.Fatalf("fixture %s %s: %d %s", method, path, r.Status, r.Body)
	}
}

// join makes p a member of the org whose admin is inviter, and switches p's
// session to it.
func (w *world) join(inviter, p *who, orgID string) {
	var inv directory.Invitation
	w.must(inviter.Client, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv)
	_, tok, _ := strings.Cut(inv.Link, "token=")
	var res directory.JoinResult
	w.must(p.Client, "POST", "/api/v1/join", map[string]any{"token": tok}, &res)
	if res.Status != "joined" {
		w.t.Fatalf("join: %+v", res)
	}
	p.MemberID = res.MemberID
	w.must(p.Client, "POST", "/api/v1/me/org", map[string]any{"org_id": orgID}, nil)
}

func newWorld(t *testing.T, env *servertest.Env) *world {
	t.Helper()
	w := &world{t: t, env: env, who: map[string]*who{}, roles: map[string]string{}, objects: map[string]map[string]string{"A": {}, "B": {}}, fixture: map[string]*servertest.Client{}, cache: map[string]string{}}
	lim := env.App.Identity().Limits()
	lim.LoginFailures, lim.LoginFailuresPerIP = 1_000_000, 1_000_000
	env.App.Identity().SetLimits(lim)

	// Org A through first-run setup.
	var m []string
	for i := 0; i < 400 && m == nil; i++ {
		if m = setupRe.FindStringSubmatch(env.Out.String()); m == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if m == nil {
		t.Fatalf("no setup link:\n%s", env.Out.String())
	}
	owner := &who{Name: "Olivia Owner", Email: "owner@a.authz.test", Client: env.Client()}
	var sr directory.SetupResult
	w.must(owner.Client, "POST", "/api/v1/setup", map[string]any{
		"token":        m[1],
		"organization": map[string]any{"name": "Org A", "region": "CN", "industry": "Software", "size": "11-50"},
		"owner":        map[string]any{"name": owner.Name, "email": owner.Email, "password": pw},
	}, &sr)
	owner.AccountID, owner.MemberID, w.orgA = sr.AccountID, sr.MemberID, sr.Org.ID
	w.who[Owner] = owner

	for _, name := range []string{Admin, CustomWith, CustomWithout, Member, Bystander, Deactivated, Removed} {
		p := w.signedIn(w.account(name))
		w.join(owner, p, w.orgA)
		w.who[name] = p
	}
	w.must(owner.Client, "PUT", "/api/v1/members/"+w.who[Admin].MemberID+"/roles", map[string]any{"role": "admin"}, nil)
	for _, name := range []string{CustomWith, CustomWithout} {
		var r directory.Role
		w.must(owner.Client, "POST", "/api/v1/roles", map[string]any{"name": "role " + name, "permissions": []string{}}, &r)
		w.roles[name] = r.ID
		w.must(owner.Client, "PUT", "/api/v1/members/"+w.who[name].MemberID+"/roles", map[string]any{"role": "member", "role_ids": []string{r.ID}}, nil)
	}

	// Org B, owned by OtherOrg.
	ob := w.signedIn(w.account("Bob OtherOrg"))
	var org directory.Org
	w.must(ob.Client, "POST", "/api/v1/orgs", map[string]any{"name": "Org B", "region": "DE"}, &org)
	w.orgB = org.ID
	w.who[OtherOrg] = ob
	w.ownerB = ob
	var me directory.Member
	w.must(ob.Client, "GET", "/api/v1/members/me", nil, &me)
	ob.MemberID = me.ID

	// External: in no organization, a contact of Member.
	ext := w.signedIn(w.account("Eve External"))
	w.who[External] = ext
	w.contact(ext, w.who[Member])

	// Standing objects of every kind in both organizations.
	for org, admin := range map[string]*who{"A": owner, "B": ob} {
		objs := w.objects[org]
		objs["department"] = w.newObject("department", admin)
		objs["role"] = w.newObject("role", admin)
		objs["field"] = w.newObject("field", admin)
		objs["invitation"] = w.newObject("invitation", admin)
		objs["member"] = w.newObject("member", admin)
	}
	var inv directory.Invitation
	w.must(owner.Client, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv)
	w.code = inv.Code
	// Join requests need approval turned on (after everyone joined).
	w.must(owner.Client, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil)
	w.must(ob.Client, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil)
	w.objects["A"]["join_request"] = w.newObject("join_request", owner)
	w.objects["B"]["join_request"] = w.newObject("join_request", ob)

	// Deactivated and removed last: their sessions keep existing (or not)
	// as the directory decides.
	w.must(owner.Client, "POST", "/api/v1/members/"+w.who[Deactivated].MemberID+"/deactivate", nil, nil)
	w.must(owner.Client, "DELETE", "/api/v1/members/"+w.who[Removed].MemberID, nil, nil)
	w.who[Anonymous] = &who{Name: Anonymous, Client: env.Client()}
	w.ended = map[string]bool{}
	for _, name := range []string{Deactivated, Removed} {
		if r := w.who[name].Do(t, "GET", "/api/v1/me", nil, nil); r.Status == http.StatusUnauthorized {
			w.ended[name] = true
		}
	}
	return w
}

// contact makes a and b contacts (a asks, b accepts), each through a
// fresh session.
func (w *world) contact(a, b *who) {
	r := w.fx(a).Do(w.t, "POST", "/api/v1/contacts", map[string]any{"account_id": b.AccountID}, nil)
	if r.Status == http.StatusAccepted {
		bc := &who{Client: w.fx(b), AccountID: b.AccountID, Name: b.Name}
		id := w.pendingRequest(bc, a.AccountID)
		w.must(bc.Client, "POST", "/api/v1/contact-requests/"+id+"/accept", nil, nil)
	} else if r.Status/100 != 2 {
		w.t.Fatalf("add contact: %d %s", r.Status, r.Body)
	}
}

// pendingRequest returns the id of the pending contact request from
// fromAccount to p.
func (w *world) pendingRequest(p *who, fromAccount string) string {
	var list directory.ContactRequestList
	w.must(p.Client, "GET", "/api/v1/contact-requests", nil, &list)
	for _, r := range list.Incoming {
		if r.FromAccount == fromAccount {
			return r.ID
		}
	}
	w.t.Fatalf("no contact request from %s to %s", fromAccount, p.Name)
	return ""
}

// newObject creates a fresh object of kind in admin's current organization
// and returns its id.
func (w *world) newObject(kind string, admin *who) string {
	t := w.t
	t.Helper()
	n := w.seq.Add(1)
	var out struct {
		ID string `json:"id"`
	}
	switch kind {
	case "department":
		w.must(admin.Client, "POST", "/api/v1/departments", map[string]any{"name": fmt.Sprintf("Dept %d", n)}, &out)
	case "role":
		w.must(admin.Client, "POST", "/api/v1/roles", map[string]any{"name": fmt.Sprintf("Role %d", n), "permissions": []string{}}, &out)
	case "field":
		w.must(admin.Client, "POST", "/api/v1/fields", map[string]any{"name": fmt.Sprintf("Field %d", n), "kind": "text"}, &out)
	case "invitation":
		w.must(admin.Client, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &out)
	case "member":
		p := w.account(fmt.Sprintf("Fresh %d", n))
		w.must(admin.Client, "POST", "/api/v1/members", map[string]any{"account_id": p.AccountID}, &out)
	case "join_request":
		// A new person asks to join with a team code.
		var inv directory.Invitation
		w.must(admin.Client, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv)
		p := w.signedIn(w.account(fmt.Sprintf("Asker %d", n)))
		var res directory.JoinResult
		w.must(p.Client, "POST", "/api/v1/join", map[string]any{"code": inv.Code}, &res)
		if res.Status != "pending" {
			t.Fatalf("join request: %+v", res)
		}
		var list directory.JoinRequestList
		w.must(admin.Client, "GET", "/api/v1/join-requests?status=pending", nil, &list)
		for _, it := range list.Items {
			if it.AccountID == p.AccountID {
				return it.ID
			}
		}
		t.Fatalf("join request of %s not listed", p.AccountID)
	default:
		t.Fatalf("no factory for objects of kind %q", kind)
	}
	if out.ID == "" {
		t.Fatalf("new %s: no id", kind)
	}
	return out.ID
}

// personal returns an object of kind that belongs to actor p personally
// (a session, a contact, a contact request to them), created fresh.
func (w *world) personal(kind string, p *who, fresh bool) string {
	w.t.Helper()
	key := kind + "|" + p.AccountID
	if v, ok := w.cache[key]; ok && !fresh {
		return v
	}
	v := w.makePersonal(kind, p)
	if !fresh {
		w.cache[key] = v
	}
	return v
}

func (w *world) makePersonal(kind string, p *who) string {
	t := w.t
	t.Helper()
	switch kind {
	case "session":
		var res identity.LoginResult
		c := w.env.Client()
		c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": p.Email, "password": pw}, &res).Want(t, http.StatusOK)
		return res.SessionID
	case "contact", "person":
		q := w.account(fmt.Sprintf("Friend %d", w.seq.Add(1)))
		w.contact(p, q)
		return q.AccountID
	case "stranger":
		// Someone p has nothing to do with, who does not let others find them.
		q := w.account(fmt.Sprintf("Stranger %d", w.seq.Add(1)))
		w.must(w.fx(q), "PATCH", "/api/v1/me/privacy", map[string]any{"discoverable": false}, nil)
		return q.AccountID
	case "contact_request":
		q := w.account(fmt.Sprintf("Requester %d", w.seq.Add(1)))
		r := w.fx(q).Do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": p.AccountID}, nil)
		p = &who{Client: w.fx(p), AccountID: p.AccountID, Name: p.Name}
		if r.Status != http.StatusAccepted {
			t.Fatalf("contact request to %s: %d %s", p.Name, r.Status, r.Body)
		}
		return w.pendingRequest(p, q.AccountID)
	}
	t.Fatalf("no personal object of kind %q", kind)
	return ""
}

// orgOf is the organization an actor acts in.
func (w *world) orgOf(actor string) string {
	if actor == OtherOrg {
		return w.orgB
	}
	return w.orgA
}

// home is "A" or "B": the organization whose objects are the actor's own.
func home(actor string) string {
	if actor == OtherOrg {
		return "B"
	}
	return "A"
}
