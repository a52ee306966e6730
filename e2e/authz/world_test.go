package authz_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
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
	bart    *who            // a member of B who shares B's conversations
	peer    *who            // a member of A in A's conversations who plays no actor
	left    map[string]bool // actors no longer active in A
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

// add has admin invite p into orgID by account id (POST /members) and p
// accept it in the app; it returns p's membership.
func (w *world) add(admin *servertest.Client, p *who, orgID string) directory.JoinResult {
	w.t.Helper()
	w.must(admin, "POST", "/api/v1/members", map[string]any{"account_id": p.AccountID}, nil)
	c := w.fx(p)
	var mine directory.MyInvitationList
	w.must(c, "GET", "/api/v1/me/invitations", nil, &mine)
	for _, it := range mine.Items {
		if it.OrgID == orgID {
			var res directory.JoinResult
			w.must(c, "POST", "/api/v1/me/invitations/"+it.ID+"/accept", nil, &res)
			return res
		}
	}
	w.t.Fatalf("%s has no invitation into %s", p.Name, orgID)
	return directory.JoinResult{}
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

	// A member of A who is in A's conversations but plays no actor.
	peer := w.account("Pat Peer")
	w.add(owner.Client, peer, w.orgA)
	w.peer = peer

	// A second member of B, to share B's conversations with its owner.
	bart := w.account("Bart B")
	bart.MemberID = w.add(ob.Client, bart, w.orgB).MemberID
	w.bart = bart

	// Standing objects of every kind in both organizations.
	for _, org := range []string{"A", "B"} {
		objs := w.objects[org]
		for _, kind := range []string{"department", "role", "field", "invitation", "member", "conversation", "hold", "privacy_request", "announcement", "announcement_draft",
			"report_template", "report", "report_draft", "approval_template", "approval", "attendance_group",
			"calendar", "room", "event",
			"drive_space", "drive_folder", "drive_folder2", "drive_file", "drive_file2", "drive_trashed", "drive_share", "drive_share2", "drive_link"} {
			objs[kind] = w.newObject(kind, org)
		}
		// A second conversation with the same people, for swapped ids.
		objs["conversation2"] = w.newObject("conversation", org)
		objs["message"] = w.newMessage(org, objs["conversation"])
		objs["message2"] = w.newMessage(org, objs["conversation2"])
		objs["announcement_comment"] = w.newObject("announcement_comment", org)
		objs["announcement_file"] = w.newObject("announcement_file", org)
		objs["report_file"] = w.newObject("report_file", org)
		objs["conv_member"] = map[string]string{"A": peer.AccountID, "B": bart.AccountID}[org]
		// Someone of the organization who is in none of its conversations.
		outsider := w.account("Outsider " + org)
		w.add(w.admin(org).Client, outsider, w.orgID(org))
		objs["conv_member2"] = outsider.AccountID
		objs["run"] = w.newObject("run", org)
		objs["approval_file"] = w.newObject("approval_file", org)
		objs["calendar_file"] = w.newObject("calendar_file", org)
	}
	var inv directory.Invitation
	w.must(owner.Client, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv)
	w.code = inv.Code
	// Join requests need approval turned on (after everyone joined).
	w.must(owner.Client, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil)
	w.must(ob.Client, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil)
	w.objects["A"]["join_request"] = w.newObject("join_request", "A")
	w.objects["B"]["join_request"] = w.newObject("join_request", "B")

	// Deactivated and removed last: their sessions keep existing (or not)
	// as the directory decides.
	w.must(owner.Client, "POST", "/api/v1/members/"+w.who[Deactivated].MemberID+"/deactivate", nil, nil)
	w.must(owner.Client, "DELETE", "/api/v1/members/"+w.who[Removed].MemberID, nil, nil)
	w.left = map[string]bool{Deactivated: true, Removed: true}
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

// admin returns the owner of org ("A" or "B").
// orgID is the id of org "A" or "B".
func (w *world) orgID(org string) string {
	return map[string]string{"A": w.orgA, "B": w.orgB}[org]
}

func (w *world) admin(org string) *who {
	if org == "B" {
		return w.ownerB
	}
	return w.who[Owner]
}

// participants are the accounts (besides the creator) of org's
// conversations.
func (w *world) participants(org string) []string {
	if org == "B" {
		return []string{w.bart.AccountID}
	}
	out := []string{w.peer.AccountID}
	for _, name := range []string{Admin, CustomWith, CustomWithout, Member, Deactivated, Removed} {
		if w.left[name] {
			continue
		}
		out = append(out, w.who[name].AccountID)
	}
	return out
}

// newMessage sends a message as org's owner into conv.
func (w *world) newMessage(org, conv string) string {
	var out struct {
		ID string `json:"id"`
	}
	w.must(w.admin(org).Client, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_msg_id": fmt.Sprintf("c%d", w.seq.Add(1)), "body": "hello"}, &out)
	return out.ID
}

// newObject creates a fresh object of kind in org ("A" or "B") as its
// owner and returns its id.
func (w *world) newObject(kind, org string) string {
	t := w.t
	t.Helper()
	admin := w.admin(org)
	n := w.seq.Add(1)
	var out struct {
		ID string `json:"id"`
	}
	switch kind {
	case "conversation":
		w.must(admin.Client, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": fmt.Sprintf("Group %d", n), "member_ids": w.participants(org)}, &out)
	case "message":
		return w.newMessage(org, w.objects[org]["conversation"])
	case "conv_member":
		// A new member of the organization, added to the standing group.
		p := w.account(fmt.Sprintf("Joiner %d", n))
		w.add(admin.Client, p, w.orgID(org))
		w.must(admin.Client, "POST", "/api/v1/conversations/"+w.objects[org]["conversation"]+"/members", map[string]any{"account_ids": []string{p.AccountID}}, nil)
		return p.AccountID
	case "hold":
		w.must(admin.Client, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "conversation", "target_id": w.newObject("conversation", org), "reason": "matrix"}, &out)
	case "privacy_request":
		// A member files an objection that waits in the org's queue.
		p := w.account(fmt.Sprintf("Objector %d", n))
		w.add(admin.Client, p, w.orgID(org))
		pc := w.fx(p)
		w.must(pc, "POST", "/api/v1/me/org", map[string]any{"org_id": map[string]string{"A": w.orgA, "B": w.orgB}[org]}, nil)
		w.must(pc, "POST", "/api/v1/me/requests", map[string]any{"kind": "objection", "org_id": map[string]string{"A": w.orgA, "B": w.orgB}[org], "note": "matrix"}, &out)
	case "override":
		// A conversation of org with a retention override.
		id := w.newObject("conversation", org)
		w.must(admin.Client, "PUT", "/api/v1/admin/retention/overrides/"+id, map[string]any{"days": 365}, nil)
		return id
	case "run":
		w.must(admin.Client, "POST", "/api/v1/admin/retention/runs", nil, &out)
	case "announcement":
		w.must(admin.Client, "POST", "/api/v1/announcements", map[string]any{"title": fmt.Sprintf("Notice %d", n), "body": "hello",
			"audience": map[string]any{"all": true}, "require_confirm": true, "allow_comments": true, "publish": true}, &out)
	case "announcement_comment":
		// A comment by the admin on the organization's standing announcement.
		w.must(admin.Client, "POST", "/api/v1/announcements/"+w.objects[org]["announcement"]+"/comments", map[string]any{"body": fmt.Sprintf("Comment %d", n)}, &out)
	case "announcement_file":
		// Uploaded by the owner and attached to an announcement to everyone.
		req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/announcement-files?name=minutes.txt", strings.NewReader("minutes"))
		req.Header.Set("Content-Type", "text/plain")
		r := admin.Client.Request(t, req)
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &out) != nil {
			t.Fatalf("announcement file: %d %s", r.Status, r.Body)
		}
		w.must(admin.Client, "POST", "/api/v1/announcements", map[string]any{"title": fmt.Sprintf("Minutes %d", n), "body": "attached",
			"audience": map[string]any{"all": true}, "file_ids": []string{out.ID}, "publish": true}, nil)
	case "report_file":
		// Uploaded by the admin and attached to a submitted report on the
		// organization's standing template (so it goes where its reports go).
		req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/report-files?name=notes.txt", strings.NewReader("notes"))
		req.Header.Set("Content-Type", "text/plain")
		r := admin.Client.Request(t, req)
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &out) != nil {
			t.Fatalf("report file: %d %s", r.Status, r.Body)
		}
		w.must(admin.Client, "POST", "/api/v1/reports", map[string]any{"template_id": w.objects[org]["report_template"],
			"values": map[string]any{"done": "work", "files": []string{out.ID}}, "submit": true}, nil)
	case "announcement_draft":
		w.must(admin.Client, "POST", "/api/v1/announcements", map[string]any{"title": fmt.Sprintf("Draft %d", n), "body": "hello",
			"audience": map[string]any{"all": true}}, &out)
	case "report_template":
		// A custom template (every report a period of its own) whose
		// reports in A go to the admin, both custom roles and the member
		// — not to the bystander.
		var to []string
		if org == "A" {
			for _, name := range []string{Admin, CustomWith, CustomWithout, Member} {
				to = append(to, w.who[name].MemberID)
			}
		}
		w.must(admin.Client, "POST", "/api/v1/report-templates", map[string]any{"name": fmt.Sprintf("Template %d", n), "period": "custom",
			"fields":     []map[string]any{{"id": "done", "label": "Done", "kind": "text"}, {"id": "files", "label": "Files", "kind": "attachment"}},
			"recipients": map[string]any{"member_ids": to}}, &out)
	case "attendance_group":
		// A shift group covering every active actor of A (B's owner in B),
		// anywhere and on contract, each of whom acknowledged the
		// attendance notice: their check-ins are recorded.
		names := []string{OtherOrg}
		if org == "A" {
			names = []string{Owner, Admin, CustomWith, CustomWithout, Member, Bystander}
		}
		var ids []string
		for _, name := range names {
			ids = append(ids, w.who[name].MemberID)
			w.must(w.who[name].Client, "POST", "/api/v1/attendance/notice", nil, nil)
		}
		w.must(admin.Client, "POST", "/api/v1/attendance-groups", map[string]any{"name": fmt.Sprintf("Attendance %d", n),
			"members": map[string]any{"member_ids": ids}, "rules": map[string]any{"kind": "shifts", "legal_basis": "contract",
				"shifts": []map[string]any{{"id": "day", "name": "Day", "start": "09:00", "end": "17:00"}}}}, &out)
	case "calendar":
		// Every member of the organization views it, by built-in role.
		w.must(admin.Client, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": fmt.Sprintf("Calendar %d", n),
			"access": []map[string]any{{"kind": "role", "id": "owner", "level": "view"}, {"kind": "role", "id": "admin", "level": "view"},
				{"kind": "role", "id": "member", "level": "view"}}}, &out)
	case "room":
		w.must(admin.Client, "POST", "/api/v1/rooms", map[string]any{"name": fmt.Sprintf("Room %d", n), "capacity": 6}, &out)
	case "event":
		// In the standing calendar, every actor of A invited (B's owner
		// organizes B's).
		var ids []string
		if org == "A" {
			for _, name := range []string{Owner, Admin, CustomWith, CustomWithout, Member, Bystander} {
				ids = append(ids, w.who[name].MemberID)
			}
		}
		w.must(admin.Client, "POST", "/api/v1/events", map[string]any{"calendar_id": w.objects[org]["calendar"], "title": fmt.Sprintf("Meeting %d", n),
			"start": "2026-12-14T10:00", "end": "2026-12-14T11:00", "time_zone": "Europe/Berlin", "attendees": map[string]any{"member_ids": ids}}, &out)
	case "report", "report_draft":
		w.must(admin.Client, "POST", "/api/v1/reports", map[string]any{"template_id": w.objects[org]["report_template"],
			"values": map[string]any{"done": "work"}, "submit": kind == "report"}, &out)
	case "approval_template":
		// Available to everyone; in A any one of the admin, both custom
		// roles and the member approves (in B, Bart).
		approvers := []string{w.bart.MemberID}
		if org == "A" {
			approvers = nil
			for _, name := range []string{Admin, CustomWith, CustomWithout, Member} {
				approvers = append(approvers, w.who[name].MemberID)
			}
		}
		w.must(admin.Client, "POST", "/api/v1/approval-templates", map[string]any{"name": fmt.Sprintf("Approval %d", n),
			"flow": map[string]any{"steps": []map[string]any{{"id": "s1", "name": "Approvers", "mode": "any",
				"approvers": map[string]any{"type": "members", "member_ids": approvers}}}}}, &out)
	case "approval":
		w.must(admin.Client, "POST", "/api/v1/approvals", map[string]any{"template_id": w.objects[org]["approval_template"], "form": map[string]any{}}, &out)
	case "approval_file":
		// Uploaded by the owner and attached to the standing approval.
		req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/approval-files?name=receipt.txt", strings.NewReader("receipt"))
		req.Header.Set("Content-Type", "text/plain")
		r := admin.Client.Request(t, req)
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &out) != nil {
			t.Fatalf("approval file: %d %s", r.Status, r.Body)
		}
		w.must(admin.Client, "POST", "/api/v1/approvals/"+w.objects[org]["approval"]+"/comments", map[string]any{"body": "receipt", "file_ids": []string{out.ID}}, nil)
	case "calendar_file":
		// Uploaded by the admin and attached to the standing event, which
		// every actor of A attends.
		req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/calendar-files?name=agenda.txt", strings.NewReader("agenda"))
		req.Header.Set("Content-Type", "text/plain")
		r := admin.Client.Request(t, req)
		if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &out) != nil {
			t.Fatalf("calendar file: %d %s", r.Status, r.Body)
		}
		w.must(admin.Client, "PATCH", "/api/v1/events/"+w.objects[org]["event"], map[string]any{"file_ids": []string{out.ID}}, nil)
	case "drive_space":
		// Every member of the organization edits it, by built-in role;
		// manage_drive holders manage it.
		w.must(admin.Client, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": fmt.Sprintf("Space %d", n),
			"members": []map[string]any{{"kind": "role", "id": "owner", "role": "editor"}, {"kind": "role", "id": "admin", "role": "editor"},
				{"kind": "role", "id": "member", "role": "editor"}}}, &out)
	case "drive_folder", "drive_folder2":
		var sp struct {
			RootID string `json:"root_id"`
		}
		w.must(admin.Client, "GET", "/api/v1/drive/spaces/"+w.objects[org]["drive_space"], nil, &sp)
		w.must(admin.Client, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": sp.RootID, "name": fmt.Sprintf("Folder %d", n)}, &out)
	case "drive_file", "drive_file2", "drive_trashed":
		// In the standing folder; the standing file has two versions.
		up := func(q string) {
			req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/drive/items/"+w.objects[org]["drive_folder"]+"/files?"+q, strings.NewReader(fmt.Sprintf("body %d", n)))
			r := admin.Client.Request(t, req)
			if r.Status/100 != 2 || json.Unmarshal(r.Body, &out) != nil {
				t.Fatalf("drive file: %d %s", r.Status, r.Body)
			}
		}
		name := fmt.Sprintf("file-%d.txt", n)
		up("name=" + name)
		switch kind {
		case "drive_file":
			up("replace=true&name=" + name)
		case "drive_trashed":
			w.must(admin.Client, "DELETE", "/api/v1/drive/items/"+out.ID, nil, nil)
		}
	case "drive_share", "drive_share2":
		file := map[string]string{"drive_share": "drive_file", "drive_share2": "drive_file2"}[kind]
		w.must(admin.Client, "POST", "/api/v1/drive/items/"+w.objects[org][file]+"/shares", map[string]any{"kind": "role", "subject_id": "admin", "role": "viewer"}, &out)
	case "drive_link":
		w.must(admin.Client, "POST", "/api/v1/drive/items/"+w.objects[org]["drive_file"]+"/links", map[string]any{"permission": "download"}, &out)
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
		out.ID = w.add(admin.Client, p, w.orgID(org)).MemberID
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
	case "app_password":
		out, err := w.env.App.Identity().CreateAppPasswordByEmail(context.Background(), p.Email, fmt.Sprintf("App %d", w.seq.Add(1)))
		if err != nil {
			t.Fatalf("app password of %s: %v", p.Name, err)
		}
		return out.ID
	case "contact", "person":
		q := w.account(fmt.Sprintf("Friend %d", w.seq.Add(1)))
		w.contact(p, q)
		return q.AccountID
	case "photo_person":
		// A contact of p with a profile photo.
		q := w.account(fmt.Sprintf("Pictured %d", w.seq.Add(1)))
		w.contact(p, q)
		req, _ := http.NewRequest("PUT", w.env.URL+"/api/v1/me/photo", bytes.NewReader(tinyPNG()))
		req.Header.Set("Content-Type", "image/png")
		if r := w.fx(q).Request(t, req); r.Status != http.StatusOK {
			t.Fatalf("photo of %s: %d %s", q.Name, r.Status, r.Body)
		}
		return q.AccountID
	case "stranger":
		// Someone p has nothing to do with, who does not let others find them.
		q := w.account(fmt.Sprintf("Stranger %d", w.seq.Add(1)))
		w.must(w.fx(q), "PATCH", "/api/v1/me/privacy", map[string]any{"discoverable": false}, nil)
		return q.AccountID
	case "file":
		req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/files?name=note.txt", strings.NewReader("a note"))
		req.Header.Set("Content-Type", "text/plain")
		r := w.fx(p).Request(t, req)
		var f struct {
			ID string `json:"id"`
		}
		if r.Status/100 != 2 || json.Unmarshal(r.Body, &f) != nil || f.ID == "" {
			t.Fatalf("upload as %s: %d %s", p.Name, r.Status, r.Body)
		}
		return f.ID
	case "push_subscription":
		var out struct {
			ID string `json:"id"`
		}
		w.must(w.fx(p), "POST", "/api/v1/me/push-subscriptions", pushSubscription(w), &out)
		return out.ID
	case "export":
		var out struct {
			ID string `json:"id"`
		}
		w.must(w.fx(p), "POST", "/api/v1/me/exports", nil, &out)
		return out.ID
	case "request":
		var out struct {
			ID string `json:"id"`
		}
		w.must(w.fx(p), "POST", "/api/v1/me/requests", map[string]any{"kind": "access"}, &out)
		return out.ID
	case "notice":
		// A security notice sent to p by the owner of an organization p
		// is in; "" when p is in none.
		org := ""
		if p == w.ownerB {
			org = "B"
		}
		for _, n := range []string{Owner, Admin, CustomWith, CustomWithout, Member, Bystander} {
			if w.who[n] == p {
				org = "A"
			}
		}
		if org == "" {
			return ""
		}
		var out struct {
			ID string `json:"id"`
		}
		w.must(w.admin(org).Client, "POST", "/api/v1/admin/security-notices", map[string]any{"title": "Notice", "what_happened": "x", "impact": "x", "remedies": "x", "account_ids": []string{p.AccountID}}, &out)
		return out.ID
	case "drive_upload":
		// An upload p started into their organization's standing folder;
		// none for people in no organization (they are refused before any
		// id is looked at).
		org := ""
		if p == w.ownerB {
			org = "B"
		}
		for _, n := range []string{Owner, Admin, CustomWith, CustomWithout, Member, Bystander} {
			if w.who[n] == p {
				org = "A"
			}
		}
		if org == "" {
			return "dup_nobody"
		}
		var out struct {
			ID string `json:"id"`
		}
		w.must(w.fx(p), "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": w.objects[org]["drive_folder"],
			"name": fmt.Sprintf("upload-%d.bin", w.seq.Add(1)), "size": 5}, &out)
		return out.ID
	case "my_invitation":
		// An invitation addressed to p into the organization p is not in.
		inviter, org := w.ownerB, w.orgB
		if p == w.ownerB {
			inviter, org = w.who[Owner], w.orgA
		}
		w.must(inviter.Client, "POST", "/api/v1/members", map[string]any{"account_id": p.AccountID}, nil)
		var mine directory.MyInvitationList
		w.must(w.fx(p), "GET", "/api/v1/me/invitations", nil, &mine)
		for _, it := range mine.Items {
			if it.OrgID == org {
				return it.ID
			}
		}
		t.Fatalf("no invitation for %s into %s", p.Name, org)
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

// notApplicant is a member of actor's home organization who neither
// filed its standing approvals nor approves them.
func (w *world) notApplicant(actor string) string {
	if home(actor) == "B" {
		return w.bart.MemberID
	}
	return w.who[Bystander].MemberID
}

// participantOf returns a participant of actor's home conversations other
// than their owner.
func (w *world) participantOf(actor string) string {
	return w.objects[home(actor)]["conv_member"]
}

// standIn returns a fresh person who plays actor (same organization and
// roles), for requests that change the caller's membership. Owners, and
// actors outside A, are played by themselves.
func (w *world) standIn(actor string) *who {
	switch actor {
	case Admin, CustomWith, CustomWithout, Member, Bystander:
	default:
		return w.who[actor]
	}
	p := w.signedIn(w.account("Stand-in " + actor))
	p.MemberID = w.add(w.who[Owner].Client, p, w.orgA).MemberID
	w.must(p.Client, "POST", "/api/v1/me/org", map[string]any{"org_id": w.orgA}, nil)
	switch actor {
	case Admin:
		w.must(w.who[Owner].Client, "PUT", "/api/v1/members/"+p.MemberID+"/roles", map[string]any{"role": "admin"}, nil)
	case CustomWith, CustomWithout:
		w.must(w.who[Owner].Client, "PUT", "/api/v1/members/"+p.MemberID+"/roles", map[string]any{"role": "member", "role_ids": []string{w.roles[actor]}}, nil)
	}
	return p
}

// pushSubscription is a browser's push subscription to a made-up public
// push service, with real keys, a new endpoint each time.
func pushSubscription(w *world) map[string]any {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		w.t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return map[string]any{
		"endpoint":    fmt.Sprintf("https://push.example.com/send/%d", w.seq.Add(1)),
		"keys":        map[string]any{"p256dh": base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), "auth": base64.RawURLEncoding.EncodeToString(auth)},
		"device_name": "Test browser",
	}
}

// tinyPNG is a small picture to upload as a profile photo.
func tinyPNG() []byte {
	m := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range m.Pix {
		m.Pix[i] = 0xFF
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, m)
	return buf.Bytes()
}
