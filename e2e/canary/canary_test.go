// Package canary_test is Atrium's canary observer. Unique canary strings
// are written into private objects — messages, edits, group names and
// topics, file names — of an organization's private conversations, while a
// scripted workload of random actions (sends, edits, reactions, pins, new
// groups, people removed from groups and added back, department moves,
// permission changes, mentions of outsiders) runs. Observers who must never
// see any of it — a member of the organization who is in none of the
// conversations (and is given management permissions at random), the owner
// of another organization, and an external contact of an insider — record
// everything they receive: their WebSocket streams, REST reads of every
// list, direct reads of the private objects' ids, search, notifications,
// the audit log, their data inquiry and their data export. The test fails
// on any canary in anything an observer received.
//
// CI runs CANARY_ACTIONS (default 1500) actions per database.
package canary_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

func actions() int {
	if n, err := strconv.Atoi(os.Getenv("CANARY_ACTIONS")); err == nil && n > 0 {
		return n
	}
	return 1500
}

type person struct {
	name      string
	c         *servertest.Client
	accountID string
	memberID  string
	email     string
}

// observer records everything a person who must not see the canaries
// receives.
type observer struct {
	*person
	mu       sync.Mutex
	received []item // what it received
}

// item is one thing an observer received, and how.
type item struct {
	via  string
	body string
}

func (o *observer) record(label string, b []byte) {
	o.mu.Lock()
	o.received = append(o.received, item{via: label, body: string(b)})
	o.mu.Unlock()
}

type world struct {
	t         *testing.T
	env       *servertest.Env
	token     string // in every canary of this run
	orgA      string
	owner     *person
	insiders  []*person
	observers []*observer
	bystander *observer
	roleID    string
	convs     []string            // private conversations
	members   map[string][]string // conversation → insider account ids in it
	messages  map[string][]string // conversation → message ids
	depts     []string
	files     []string
	n         int
}

func (w *world) canary() string {
	w.n++
	return fmt.Sprintf("CANARY%s%06d", w.token, w.n)
}

func (w *world) account(name string) *person {
	t := w.t
	email := fmt.Sprintf("%s%d@canary.test", strings.ToLower(strings.ReplaceAll(name, " ", "")), rand.IntN(1e9))
	acc, err := w.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	c := w.env.Client()
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil).Want(t, http.StatusOK)
	return &person{name: name, c: c, accountID: acc.ID, email: email}
}

// member adds p to org A and switches p's session there.
func (w *world) member(p *person) {
	w.owner.c.Do(w.t, "POST", "/api/v1/members", map[string]any{"account_id": p.accountID}, nil).Want(w.t, http.StatusAccepted)
	var mine directory.MyInvitationList
	p.c.Do(w.t, "GET", "/api/v1/me/invitations", nil, &mine).Want(w.t, http.StatusOK)
	var res directory.JoinResult
	for _, it := range mine.Items {
		if it.OrgID == w.orgA {
			p.c.Do(w.t, "POST", "/api/v1/me/invitations/"+it.ID+"/accept", nil, &res).Want(w.t, http.StatusOK)
		}
	}
	p.memberID = res.MemberID
	p.c.Do(w.t, "POST", "/api/v1/me/org", map[string]any{"org_id": w.orgA}, nil).Want(w.t, http.StatusOK)
}

func newWorld(t *testing.T, env *servertest.Env) *world {
	w := &world{t: t, env: env, token: fmt.Sprintf("%08x", rand.Uint32()), members: map[string][]string{}, messages: map[string][]string{}}
	var tok string
	for i := 0; i < 400 && tok == ""; i++ {
		if m := setupRe.FindStringSubmatch(env.Out.String()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Canary Org"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@canary.test", "password": pw},
	}, &res).Want(t, http.StatusCreated)
	w.orgA = res.Org.ID
	w.owner = &person{name: "Owner", c: c, accountID: res.AccountID, memberID: res.MemberID, email: "owner@canary.test"}
	w.insiders = []*person{w.owner}
	for i := 1; i <= 3; i++ {
		p := w.account(fmt.Sprintf("Insider %d", i))
		w.member(p)
		w.insiders = append(w.insiders, p)
	}
	// Observers.
	by := w.account("Bystander")
	w.member(by)
	var role directory.Role
	c.Do(t, "POST", "/api/v1/roles", map[string]any{"name": "Bystander role", "permissions": []string{}}, &role).Want(t, http.StatusCreated)
	w.roleID = role.ID
	c.Do(t, "PUT", "/api/v1/members/"+by.memberID+"/roles", map[string]any{"role": "member", "role_ids": []string{role.ID}}, nil).Want(t, http.StatusOK)
	w.bystander = &observer{person: by}
	other := w.account("Other Owner")
	other.c.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other Org"}, nil).Want(t, http.StatusCreated)
	ext := w.account("External")
	// External becomes a contact of insider 1.
	var ac directory.AddContactResult
	if r := ext.c.Do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": w.insiders[1].accountID}, &ac); r.Status == http.StatusAccepted {
		w.insiders[1].c.Do(t, "POST", "/api/v1/contact-requests/"+ac.RequestID+"/accept", nil, nil).Want(t, http.StatusOK)
	}
	w.observers = []*observer{w.bystander, {person: other}, {person: ext}}
	return w
}

// stream opens o's WebSocket and records every frame until ctx ends.
func (w *world) stream(ctx context.Context, o *observer) {
	u, _ := url.Parse(w.env.URL)
	var cookies []string
	for _, ck := range o.c.HTTP.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	h := http.Header{"Cookie": {strings.Join(cookies, "; ")}}
	conn, _, err := websocket.Dial(ctx, strings.Replace(w.env.URL, "http://", "ws://", 1)+"/api/v1/stream", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		w.t.Errorf("%s: dial stream: %v", o.name, err)
		return
	}
	conn.SetReadLimit(1 << 26)
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","last_pos":0}`))
	// Ask for the insiders' presence too: presence is not content, but it
	// must not carry any.
	var ids []string
	for _, p := range w.insiders {
		ids = append(ids, `"`+p.accountID+`"`)
	}
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"presence_subscribe","account_ids":[`+strings.Join(ids, ",")+`]}`))
	go func() {
		defer conn.CloseNow()
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			o.record("stream", data)
		}
	}()
}

func pick[T any](s []T) T { return s[rand.IntN(len(s))] }

// act runs one random action of the workload.
func (w *world) act() {
	t := w.t
	do := func(p *person, method, path string, body any, out any) int {
		return p.c.Do(t, method, path, body, out).Status
	}
	if len(w.convs) == 0 || rand.IntN(100) < 4 {
		// A new private group of some insiders, canaries in name and topic.
		owner := w.owner
		var ids []string
		for _, p := range w.insiders[1:] {
			if rand.IntN(2) == 0 {
				ids = append(ids, p.accountID)
			}
		}
		var conv struct {
			ID string `json:"id"`
		}
		if do(owner, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Group " + w.canary(), "topic": w.canary(), "member_ids": ids}, &conv) == http.StatusCreated {
			w.convs = append(w.convs, conv.ID)
			w.members[conv.ID] = append([]string{owner.accountID}, ids...)
		}
		return
	}
	conv := pick(w.convs)
	in := w.inConv(conv)
	sender := pick(in)
	switch r := rand.IntN(100); {
	case r < 45: // a message
		body := "secret " + w.canary()
		if rand.IntN(10) == 0 {
			// Mention someone outside the conversation.
			o := pick(w.observers)
			body = fmt.Sprintf("@[%s](%s) %s", o.name, o.accountID, body)
		}
		if rand.IntN(10) == 0 {
			body += " @all"
		}
		var m struct {
			ID string `json:"id"`
		}
		if do(sender, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_msg_id": w.canary(), "body": body}, &m) == http.StatusCreated {
			w.messages[conv] = append(w.messages[conv], m.ID)
		}
	case r < 55: // edit one's own message (only the owner's are tracked by sender; try anyway)
		if ms := w.messages[conv]; len(ms) > 0 {
			do(sender, "PATCH", "/api/v1/conversations/"+conv+"/messages/"+pick(ms), map[string]any{"body": "edited " + w.canary()}, nil)
		}
	case r < 60:
		if ms := w.messages[conv]; len(ms) > 0 {
			do(sender, "PUT", "/api/v1/conversations/"+conv+"/messages/"+pick(ms)+"/reactions/"+url.PathEscape("👍"), nil, nil)
		}
	case r < 63:
		if ms := w.messages[conv]; len(ms) > 0 {
			do(sender, "PUT", "/api/v1/conversations/"+conv+"/messages/"+pick(ms)+"/pin", nil, nil)
		}
	case r < 68: // topic and announcement
		do(w.owner, "PATCH", "/api/v1/conversations/"+conv, map[string]any{"topic": w.canary(), "announcement": w.canary()}, nil)
	case r < 75: // someone removed from the group, then added back
		if len(in) > 1 {
			p := pick(in[1:])
			do(w.owner, "DELETE", "/api/v1/conversations/"+conv+"/members/"+p.accountID, nil, nil)
			w.setIn(conv, p.accountID, false)
			if rand.IntN(2) == 0 {
				if do(w.owner, "POST", "/api/v1/conversations/"+conv+"/members", map[string]any{"account_ids": []string{p.accountID}}, nil)/100 == 2 {
					w.setIn(conv, p.accountID, true)
				}
			}
		} else {
			p := pick(w.insiders[1:])
			if do(w.owner, "POST", "/api/v1/conversations/"+conv+"/members", map[string]any{"account_ids": []string{p.accountID}}, nil)/100 == 2 {
				w.setIn(conv, p.accountID, true)
			}
		}
	case r < 82: // department moves (org data, no canary)
		if len(w.depts) < 3 || rand.IntN(4) == 0 {
			var d struct {
				ID string `json:"id"`
			}
			if do(w.owner, "POST", "/api/v1/departments", map[string]any{"name": fmt.Sprintf("Dept %d", rand.IntN(1e6))}, &d) == http.StatusCreated {
				w.depts = append(w.depts, d.ID)
			}
		} else {
			do(w.owner, "PATCH", "/api/v1/departments/"+pick(w.depts), map[string]any{"parent_id": pick(w.depts)}, nil)
		}
	case r < 90: // the bystander's permissions change
		var perms []perm.Permission
		for _, p := range perm.All {
			if rand.IntN(2) == 0 {
				perms = append(perms, p)
			}
		}
		if perms == nil {
			perms = []perm.Permission{}
		}
		do(w.owner, "PUT", "/api/v1/roles/"+w.roleID, map[string]any{"name": "Bystander role", "permissions": perms}, nil)
	case r < 95: // a file with a canary name, sent into the group
		req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/files?name="+url.QueryEscape(w.canary()+".txt"), strings.NewReader("file body "+w.canary()))
		req.Header.Set("Content-Type", "text/plain")
		resp := sender.c.Request(t, req)
		var f struct {
			ID string `json:"id"`
		}
		if resp.Status == http.StatusCreated && json.Unmarshal(resp.Body, &f) == nil {
			w.files = append(w.files, f.ID)
			do(sender, "POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"client_msg_id": w.canary(), "kind": "file", "file_id": f.ID}, nil)
		}
	default: // read receipts
		if ms := w.messages[conv]; len(ms) > 0 {
			do(sender, "POST", "/api/v1/conversations/"+conv+"/read", map[string]any{"up_to_message_id": pick(ms)}, nil)
		}
	}
}

func (w *world) inConv(conv string) []*person {
	var out []*person
	for _, p := range w.insiders {
		for _, id := range w.members[conv] {
			if id == p.accountID {
				out = append(out, p)
			}
		}
	}
	return out
}

func (w *world) setIn(conv, acc string, in bool) {
	var out []string
	for _, id := range w.members[conv] {
		if id != acc {
			out = append(out, id)
		}
	}
	if in {
		out = append(out, acc)
	}
	w.members[conv] = out
}

// sweep has o read everything it can, and try the private ids directly.
func (w *world) sweep(o *observer) {
	t := w.t
	get := func(path string) *servertest.Response {
		r := o.c.Do(t, "GET", path, nil, nil)
		o.record("GET "+path, r.Body)
		return r
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if r := get("/api/v1/conversations"); r.Status == 200 {
		json.Unmarshal(r.Body, &list)
		for _, c := range list.Items {
			get("/api/v1/conversations/" + c.ID + "/messages")
			get("/api/v1/conversations/" + c.ID + "/pins")
		}
	}
	for _, conv := range w.convs {
		get("/api/v1/conversations/" + conv)
		get("/api/v1/conversations/" + conv + "/messages")
		get("/api/v1/conversations/" + conv + "/members")
		for _, m := range w.messages[conv][:min(5, len(w.messages[conv]))] {
			get("/api/v1/conversations/" + conv + "/messages/" + m)
			get("/api/v1/conversations/" + conv + "/messages/" + m + "/edits")
		}
	}
	for _, f := range w.files {
		get("/api/v1/files/" + f)
		get("/api/v1/files/" + f + "/content")
	}
	for _, q := range []string{"CANARY", "CANARY" + w.token, "secret", "edited"} {
		get("/api/v1/search/messages?q=" + url.QueryEscape(q))
	}
	for _, p := range []string{"/api/v1/notifications", "/api/v1/members", "/api/v1/departments", "/api/v1/audit", "/api/v1/me/data", "/api/v1/me/notices", "/api/v1/contacts", "/api/v1/members/export"} {
		get(p)
	}
	// The data export, unpacked.
	var ex struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if r := o.c.Do(t, "POST", "/api/v1/me/exports", nil, &ex); r.Status/100 != 2 {
		t.Errorf("%s: export: %d %s", o.name, r.Status, r.Body)
		return
	}
	for i := 0; i < 600 && ex.Status != "ready"; i++ {
		time.Sleep(50 * time.Millisecond)
		o.c.Do(t, "GET", "/api/v1/me/exports/"+ex.ID, nil, &ex)
	}
	if ex.Status != "ready" {
		t.Errorf("%s: export not ready: %+v", o.name, ex)
		return
	}
	r := o.c.Do(t, "GET", "/api/v1/me/exports/"+ex.ID+"/download", nil, nil)
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Errorf("%s: export is not a ZIP: %v", o.name, err)
		return
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		o.record("export "+f.Name, b)
	}
}

// TestCanaries runs the workload and the observers on both databases.
func TestCanaries(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for _, o := range w.observers {
			w.stream(ctx, o)
		}
		n := actions()
		for i := 0; i < n; i++ {
			w.act()
			if i == n/2 {
				for _, o := range w.observers {
					w.sweep(o)
				}
			}
		}
		time.Sleep(500 * time.Millisecond) // let the streams deliver
		for _, o := range w.observers {
			w.sweep(o)
		}
		cancel()
		// Insiders saw canaries (the workload ran), observers none.
		r := w.owner.c.Do(t, "GET", "/api/v1/search/messages?q="+url.QueryEscape("CANARY"+w.token), nil, nil)
		if !strings.Contains(string(r.Body), "CANARY"+w.token) {
			t.Errorf("an insider's search finds no canary: the workload did not write any (%d %s)", r.Status, r.Body)
		}
		total := 0
		for _, o := range w.observers {
			o.mu.Lock()
			for _, rec := range o.received {
				total += len(rec.body)
				if i := strings.Index(rec.body, "CANARY"+w.token); i >= 0 {
					lo, hi := max(0, i-200), min(len(rec.body), i+200)
					t.Errorf("%s received a canary through %s: …%s…", o.name, rec.via, rec.body[lo:hi])
				}
			}
			o.mu.Unlock()
		}
		t.Logf("%d actions, %d canaries written in %d private conversations; observers received %d bytes in %d items, no canary", n, w.n, len(w.convs), total, len(w.observers[0].received)+len(w.observers[1].received)+len(w.observers[2].received))
	})
}
