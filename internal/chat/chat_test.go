package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testDirectory answers the directory's questions from maps; the real
// directory is exercised by the HTTP tests in internal/server.
type testDirectory struct {
	mu       sync.Mutex
	members  map[string]map[string]bool // org → account → active
	contacts map[[2]string]bool
}

func newTestDirectory() *testDirectory {
	return &testDirectory{members: map[string]map[string]bool{}, contacts: map[[2]string]bool{}}
}

func (d *testDirectory) IsActiveMember(ctx context.Context, org, acc string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.members[org][acc]
}

func (d *testDirectory) AreContacts(ctx context.Context, a, b string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.contacts[[2]string{a, b}] || d.contacts[[2]string{b, a}]
}

func (d *testDirectory) join(org string, accs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.members[org] == nil {
		d.members[org] = map[string]bool{}
	}
	for _, a := range accs {
		d.members[org][a] = true
	}
}

func (d *testDirectory) leave(org, acc string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.members[org], acc)
}

func (d *testDirectory) befriend(a, b string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.contacts[[2]string{a, b}] = true
}

type fixture struct {
	t       testing.TB
	d       *db.DB
	dir     *testDirectory
	s       *Service
	keys    *keyring.Keyring
	blobDir string
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	blobDir := t.TempDir()
	local, err := blob.NewLocal(blobDir)
	if err != nil {
		t.Fatal(err)
	}
	// Content is sealed as in production: a keyring, and file bytes under
	// envelope encryption.
	keys, err := keyring.New(d, []byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	dir := newTestDirectory()
	s := New(d, dir, blob.Seal(local, keys), nil)
	s.Sealer = keys
	events.SetOpener(d, keys)
	t.Cleanup(func() { events.SetOpener(d, nil) })
	t.Cleanup(s.Close)
	return &fixture{t: t, d: d, dir: dir, s: s, keys: keys, blobDir: blobDir}
}

// as returns a context acting as acc in org ("" for none).
func as(acc, org string) context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: acc, OrgID: org})
}

func acc() string { return ids.New("acc") }

// must returns v or panics on err (which fails the test with a stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %q, got nil", code)
	}
	if apperr.CodeOf(err) != code {
		t.Fatalf("want error %q, got %v", code, err)
	}
}

func (f *fixture) create(ctx context.Context, kind, name string, members ...string) Conversation {
	f.t.Helper()
	c, _, err := f.s.Create(ctx, CreateInput{Kind: kind, Name: name, MemberIDs: members})
	if err != nil {
		f.t.Fatalf("create %s: %v", kind, err)
	}
	return c
}

var clientSeq struct {
	sync.Mutex
	n int
}

func cid() string {
	clientSeq.Lock()
	defer clientSeq.Unlock()
	clientSeq.n++
	return fmt.Sprintf("c-%d-%d", time.Now().UnixNano(), clientSeq.n)
}

func (f *fixture) send(ctx context.Context, convID, body string) Message {
	f.t.Helper()
	m, _, err := f.s.Send(ctx, convID, SendInput{ClientMsgID: cid(), Body: body})
	if err != nil {
		f.t.Fatalf("send: %v", err)
	}
	return m
}

func TestConversationKindsAndMembership(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org, other := ids.New("org"), ids.New("org")
		alice, bob, carol, dave, erin := acc(), acc(), acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol)
		f.dir.join(other, dave)
		f.dir.befriend(alice, erin)
		A := as(alice, org)

		// Direct: colleagues or contacts, one per pair, idempotent.
		d1, created, err := f.s.Create(A, CreateInput{Kind: KindDirect, MemberIDs: []string{bob}})
		if err != nil || !created || d1.PeerID != bob || d1.MemberCount != 2 {
			t.Fatalf("direct: %+v created=%v err=%v", d1, created, err)
		}
		d2, created, err := f.s.Create(as(bob, org), CreateInput{Kind: KindDirect, MemberIDs: []string{alice}})
		if err != nil || created || d2.ID != d1.ID {
			t.Fatalf("second direct: %+v created=%v err=%v", d2, created, err)
		}
		_, _, err = f.s.Create(A, CreateInput{Kind: KindDirect, MemberIDs: []string{dave}})
		wantCode(t, err, "member_not_allowed")
		if _, _, err := f.s.Create(A, CreateInput{Kind: KindDirect, MemberIDs: []string{erin}}); err != nil {
			t.Fatalf("direct with a contact: %v", err)
		}
		_, _, err = f.s.Create(A, CreateInput{Kind: KindDirect, MemberIDs: []string{bob, carol}})
		wantCode(t, err, "direct_needs_one_member")
		// Direct conversations cannot be left or renamed.
		wantCode(t, f.s.Leave(A, d1.ID), "cannot_leave_direct")
		_, err = f.s.Update(A, d1.ID, UpdateInput{Name: ptr("x")})
		wantCode(t, err, "not_a_group")

		// General: the creator's contacts only.
		_, _, err = f.s.Create(A, CreateInput{Kind: KindGeneral, Name: "friends", MemberIDs: []string{bob}})
		wantCode(t, err, "member_not_allowed")
		g := f.create(A, KindGeneral, "friends", erin)
		if g.OrgID != "" || g.OwnerID != alice || g.Role != RoleOwner {
			t.Fatalf("general: %+v", g)
		}

		// Internal: active members of the org only; needs an org.
		_, _, err = f.s.Create(A, CreateInput{Kind: KindInternal, Name: "team", MemberIDs: []string{erin}})
		wantCode(t, err, "member_not_allowed")
		_, _, err = f.s.Create(as(alice, ""), CreateInput{Kind: KindInternal, Name: "team", MemberIDs: []string{bob}})
		wantCode(t, err, "no_organization")
		in := f.create(A, KindInternal, "team", bob)
		if in.OrgID != org || in.MemberCount != 2 {
			t.Fatalf("internal: %+v", in)
		}
		_, err = f.s.AddMembers(A, in.ID, []string{erin})
		wantCode(t, err, "member_not_allowed")
		ms := must(f.s.AddMembers(A, in.ID, []string{carol, bob}))
		if len(ms) != 3 {
			t.Fatalf("members after add: %+v", ms)
		}

		// External: members plus the adder's outside contacts, not strangers.
		ex := f.create(A, KindExternal, "partners", bob, erin)
		_, err = f.s.AddMembers(A, ex.ID, []string{dave})
		wantCode(t, err, "member_not_allowed")

		// Plain members cannot manage; admins can manage plain members only.
		_, err = f.s.AddMembers(as(bob, org), in.ID, []string{carol})
		wantCode(t, err, "not_group_admin")
		wantCode(t, f.s.RemoveMember(as(bob, org), in.ID, carol), "not_group_admin")
		if err := f.s.SetRole(A, in.ID, bob, RoleAdmin); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.s.SetRole(as(bob, org), in.ID, carol, RoleAdmin), "not_group_owner")
		wantCode(t, f.s.RemoveMember(as(bob, org), in.ID, alice), "cannot_remove")
		if err := f.s.RemoveMember(as(bob, org), in.ID, carol); err != nil {
			t.Fatal(err)
		}
		// Carol is out: her view of the group is 404.
		_, err = f.s.Get(as(carol, org), in.ID)
		wantCode(t, err, "not_found")
		_, err = f.s.History(as(carol, org), in.ID, HistoryQuery{})
		wantCode(t, err, "not_found")

		// Rename, topic, announcement by an admin; mute and pin per person.
		up := must(f.s.Update(as(bob, org), in.ID, UpdateInput{Name: ptr("core team"), Topic: ptr("t"), Announcement: ptr("a")}))
		if up.Name != "core team" || up.Topic != "t" || up.Announcement != "a" {
			t.Fatalf("update: %+v", up)
		}
		mine := must(f.s.SetMine(A, in.ID, MySettings{Muted: ptr(true), Pinned: ptr(true)}))
		if !mine.Muted || !mine.Pinned {
			t.Fatalf("settings: %+v", mine)
		}
		list := must(f.s.List(A))
		if len(list) < 4 || list[0].ID != in.ID {
			t.Fatalf("pinned conversation is not first: %+v", list)
		}
		if b := must(f.s.Get(as(bob, org), in.ID)); b.Muted || b.Pinned {
			t.Fatalf("alice's settings leaked to bob: %+v", b)
		}

		// Transfer ownership (audited), then the old owner leaves; the
		// new owner dissolves and nobody can post any more.
		wantCode(t, f.s.Transfer(as(bob, org), in.ID, alice), "not_group_owner")
		if err := f.s.Transfer(A, in.ID, bob); err != nil {
			t.Fatal(err)
		}
		if c := must(f.s.Get(A, in.ID)); c.Role != RoleAdmin || c.OwnerID != bob {
			t.Fatalf("after transfer: %+v", c)
		}
		if err := f.s.Leave(A, in.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Get(A, in.ID)
		wantCode(t, err, "not_found")
		if err := f.s.Dissolve(as(bob, org), in.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.s.Send(as(bob, org), in.ID, SendInput{ClientMsgID: cid(), Body: "hello?"})
		wantCode(t, err, "conversation_dissolved")
		var audits int
		if err := d.R(context.Background()).QueryRowContext(context.Background(),
			`SELECT count(*) FROM audit_log WHERE target_id = $1 AND action IN ('chat.conversation.transfer', 'chat.conversation.dissolve')`, in.ID).Scan(&audits); err != nil {
			t.Fatal(err)
		}
		if audits != 2 {
			t.Fatalf("audit entries = %d, want 2", audits)
		}

		// Another org's member sees none of it.
		for _, id := range []string{d1.ID, g.ID, ex.ID} {
			_, err := f.s.Get(as(dave, other), id)
			wantCode(t, err, "not_found")
			_, _, err = f.s.Send(as(dave, other), id, SendInput{ClientMsgID: cid(), Body: "x"})
			wantCode(t, err, "not_found")
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestAutoLeaveOnResignation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob, carol, erin := acc(), acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol)
		f.dir.befriend(alice, erin)
		f.dir.befriend(alice, bob)
		A := as(alice, org)
		in := f.create(A, KindInternal, "team", bob, carol)
		ex := f.create(A, KindExternal, "partners", bob, erin)
		g := f.create(A, KindGeneral, "friends", bob, erin)
		f.send(A, in.ID, "before")
		noErr(t, f.s.SetRole(A, in.ID, carol, RoleAdmin))
		// Erin, the partner, is an admin of the external group: still, an
		// organization's group goes to one of its members.
		noErr(t, f.s.SetRole(A, ex.ID, erin, RoleAdmin))

		// Alice (the owner) leaves the organization.
		f.dir.leave(org, alice)
		ctx := context.Background()
		if err := d.Tx(ctx, func(ctx context.Context) error { return f.s.MemberLeftOrg(ctx, org, alice) }); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{in.ID, ex.ID} {
			if f.s.IsParticipant(ctx, id, alice) {
				t.Fatalf("alice still in %s", id)
			}
		}
		if !f.s.IsParticipant(ctx, g.ID, alice) {
			t.Fatal("alice left her general group too")
		}
		// Ownership passed to the admin (carol) in the internal group and
		// to the longest-standing member of the organization (bob, not the
		// partner who is an admin) in the external one.
		if c := must(f.s.Get(as(carol, org), in.ID)); c.OwnerID != carol || c.Role != RoleOwner {
			t.Fatalf("internal after resignation: %+v", c)
		}
		if c := must(f.s.Get(as(bob, org), ex.ID)); c.OwnerID != bob {
			t.Fatalf("external after resignation: %+v", c)
		}
		convs := must(f.s.ConversationsOf(ctx, alice))
		if len(convs) != 1 || convs[0] != g.ID {
			t.Fatalf("ConversationsOf = %v", convs)
		}
		// The account-scoped events tell alice's sockets to stop following.
		var n int
		if err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM event_log WHERE scope_kind = 'account' AND scope_id = $1
			AND type = 'conversation.member_removed'`, alice).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("member_removed events = %d, want 2", n)
		}
	})
}

// TestMentionsOfThree: a message mentioning three people notifies each
// of them once (the statement's list of ids is padded to four by repeating
// the last one) and nobody else.
func TestMentionsOfThree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob, carol, dave, erin := acc(), acc(), acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol, dave, erin)
		A := as(alice, org)
		g := f.create(A, KindInternal, "team", bob, carol, dave, erin)
		m := f.send(A, g.ID, "@[Bob]("+bob+") @[Carol]("+carol+") @[Dave]("+dave+") look")
		if len(m.Mentions) != 3 {
			t.Fatalf("mentions = %+v", m.Mentions)
		}
		for acct, want := range map[string]int{bob: 1, carol: 1, dave: 1, erin: 0, alice: 0} {
			p := must(f.s.Notifications(as(acct, org), false, "", 10))
			if len(p.Items) != want || (want == 1 && (p.Items[0].Kind != "mention" || p.Items[0].MessageID != m.ID)) {
				t.Fatalf("notifications of %s = %+v, want %d mention", acct, p.Items, want)
			}
		}
	})
}

func TestMessagesEditDeleteReactReplyMention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob, carol := acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol)
		A, B, C := as(alice, org), as(bob, org), as(carol, org)
		g := f.create(A, KindInternal, "team", bob, carol)

		m1 := f.send(B, g.ID, "hello **team** <script>alert(1)</script> [x](javascript:alert(1))")
		if m1.Seq != 1 || m1.SenderID != bob || m1.HTML == "" {
			t.Fatalf("m1 = %+v", m1)
		}
		for _, bad := range []string{"<script", "javascript:", "alert(1)</script>"} {
			if contains(m1.HTML, bad) {
				t.Fatalf("unsafe html %q", m1.HTML)
			}
		}
		// Mention, reply, thread.
		m2, _, err := f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Body: "@[Carol](" + carol + ") see above", ReplyToID: m1.ID, ThreadRootID: m1.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(m2.Mentions) != 1 || m2.Mentions[0].AccountID != carol || m2.ReplyToID != m1.ID || m2.ThreadRootID != m1.ID {
			t.Fatalf("m2 = %+v", m2)
		}
		if !contains(m2.HTML, `data-account-id="`+carol+`"`) {
			t.Fatalf("mention not rendered: %s", m2.HTML)
		}
		m3, _, err := f.s.Send(C, g.ID, SendInput{ClientMsgID: cid(), Body: "in the thread", ThreadRootID: m2.ID})
		if err != nil || m3.ThreadRootID != m1.ID {
			t.Fatalf("reply to a thread reply joins the root: %+v %v", m3, err)
		}
		th := must(f.s.History(A, g.ID, HistoryQuery{ThreadRootID: m1.ID}))
		if len(th.Items) != 2 {
			t.Fatalf("thread = %+v", th.Items)
		}
		_, _, err = f.s.Send(B, g.ID, SendInput{ClientMsgID: cid(), Body: "x", ReplyToID: ids.New("msg")})
		wantCode(t, err, "invalid_field")
		// @all only for owner/admins.
		_, _, err = f.s.Send(B, g.ID, SendInput{ClientMsgID: cid(), Body: "@all lunch?"})
		wantCode(t, err, "mention_all_not_allowed")
		mAll := f.send(A, g.ID, "@all lunch?")
		if !mAll.MentionAll {
			t.Fatal("mention_all not set")
		}
		nb := must(f.s.Notifications(B, true, "", 10))
		nc := must(f.s.Notifications(C, true, "", 10))
		if len(nb.Items) != 1 || len(nc.Items) != 2 || nc.UnreadCount != 2 {
			t.Fatalf("notifications: bob %+v carol %+v", nb, nc)
		}

		// Edit keeps history; only the sender edits.
		_, err = f.s.Edit(A, g.ID, m1.ID, "hijack")
		wantCode(t, err, "not_sender")
		e := must(f.s.Edit(B, g.ID, m1.ID, "hello team, edited"))
		if e.EditedAt == 0 || e.Body != "hello team, edited" {
			t.Fatalf("edited = %+v", e)
		}
		hist := must(f.s.Edits(C, g.ID, m1.ID))
		if len(hist) != 1 || !contains(hist[0].Body, "hello **team**") {
			t.Fatalf("edits = %+v", hist)
		}

		// Reactions.
		noErr(t, f.s.React(A, g.ID, m1.ID, "👍", true))
		noErr(t, f.s.React(C, g.ID, m1.ID, "👍", true))
		noErr(t, f.s.React(C, g.ID, m1.ID, "🎉", true))
		noErr(t, f.s.React(C, g.ID, m1.ID, "🎉", false))
		got := must(f.s.GetMessage(A, g.ID, m1.ID))
		if len(got.Reactions) != 1 || got.Reactions[0].Count != 2 || !got.Reactions[0].Mine {
			t.Fatalf("reactions = %+v", got.Reactions)
		}
		wantCode(t, f.s.React(A, g.ID, m1.ID, "<b>", true), "not_emoji")

		// Pin.
		noErr(t, f.s.Pin(B, g.ID, m2.ID, true))
		pins := must(f.s.Pins(C, g.ID))
		if len(pins) != 1 || pins[0].ID != m2.ID || !pins[0].Pinned {
			t.Fatalf("pins = %+v", pins)
		}

		// Delete for everyone: the sender within the window...
		m4 := f.send(C, g.ID, "oops")
		noErr(t, f.s.Delete(C, g.ID, m4.ID, nil))
		tomb := must(f.s.GetMessage(A, g.ID, m4.ID))
		if !tomb.Deleted || tomb.Body != "" || tomb.HTML != "" || tomb.DeletedBy != carol {
			t.Fatalf("tombstone = %+v", tomb)
		}
		// ...not after it (unless admin), and not others' messages.
		f.s.Now = func() time.Time { return time.Now().Add(3 * time.Minute) }
		wantCode(t, f.s.Delete(B, g.ID, e.ID, nil), "recall_window_passed")
		wantCode(t, f.s.Delete(C, g.ID, m2.ID, nil), "not_sender")
		// A group admin deletes any message at any time, audited.
		noErr(t, f.s.Delete(A, g.ID, e.ID, nil))
		f.s.Now = time.Now
		var n int
		if err := d.R(context.Background()).QueryRowContext(context.Background(),
			`SELECT count(*) FROM audit_log WHERE action = 'chat.message.delete' AND target_id = $1`, e.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("admin delete audit = %d %v", n, err)
		}
		if x := must(f.s.GetMessage(B, g.ID, e.ID)); !x.Deleted || len(x.Reactions) != 0 {
			t.Fatalf("admin-deleted = %+v", x)
		}
		if hist := must(f.s.Edits(B, g.ID, e.ID)); len(hist) != 0 {
			t.Fatalf("edit history survived deletion: %+v", hist)
		}

		// Delete for me: gone for bob only.
		noErr(t, f.s.Hide(B, g.ID, m2.ID))
		_, err = f.s.GetMessage(B, g.ID, m2.ID)
		wantCode(t, err, "not_found")
		must(f.s.GetMessage(C, g.ID, m2.ID))
		hb := must(f.s.History(B, g.ID, HistoryQuery{}))
		for _, m := range hb.Items {
			if m.ID == m2.ID {
				t.Fatal("hidden message listed")
			}
		}

		// Other kinds: card, location.
		card, _, err := f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgCard, Card: &Card{URL: "https://example.com/x", Title: "X"}})
		if err != nil || card.Attachment == nil || card.Attachment.Title != "X" {
			t.Fatalf("card: %+v %v", card, err)
		}
		_, _, err = f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgCard, Card: &Card{URL: "javascript:alert(1)", Title: "X"}})
		wantCode(t, err, "invalid_field")
		// A path in the app is a card's link too; a path that leaves the
		// site ("//host", "/\\host") or any other scheme is not.
		inApp, _, err := f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgCard, Card: &Card{URL: "/approvals/apr_1", Title: "Leave"}})
		if err != nil || inApp.Attachment.URL != "/approvals/apr_1" {
			t.Fatalf("in-app card: %+v %v", inApp, err)
		}
		for _, bad := range []string{"//evil.example/x", "/\\evil.example", "approvals/apr_1", "data:text/html,x", "mailto:a@b.c"} {
			_, _, err = f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgCard, Card: &Card{URL: bad, Title: "X"}})
			wantCode(t, err, "invalid_field")
		}
		loc, _, err := f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgLocation, Location: &Location{Lat: 31.23, Lon: 121.47, Label: "上海"}})
		if err != nil {
			t.Fatal(err)
		}
		lg := must(f.s.GetMessage(B, g.ID, loc.ID))
		if lg.Location == nil || lg.Location.Label != "上海" {
			t.Fatalf("location = %+v", lg)
		}
		_, _, err = f.s.Send(A, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgLocation, Location: &Location{Lat: 91}})
		wantCode(t, err, "invalid_field")
	})
}

func contains(s, sub string) bool { return len(sub) > 0 && len(s) >= len(sub) && indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestReceiptsUnreadAndClear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob, carol, dan := acc(), acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol, dan)
		A, B, C := as(alice, org), as(bob, org), as(carol, org)
		g := f.create(A, KindInternal, "team", bob, carol)
		var ms []Message
		for i := 0; i < 5; i++ {
			ms = append(ms, f.send(A, g.ID, fmt.Sprintf("m%d", i)))
		}
		if c := must(f.s.Get(B, g.ID)); c.UnreadCount != 5 {
			t.Fatalf("bob unread = %d", c.UnreadCount)
		}
		if c := must(f.s.Get(A, g.ID)); c.UnreadCount != 0 {
			t.Fatalf("own messages count as unread: %d", c.UnreadCount)
		}
		// A message deleted for me is no longer waiting to be read.
		noErr(t, f.s.Hide(B, g.ID, ms[0].ID))
		if c := must(f.s.Get(B, g.ID)); c.UnreadCount != 4 {
			t.Fatalf("bob unread after deleting one for himself = %d, want 4", c.UnreadCount)
		}
		st := must(f.s.MarkRead(B, g.ID, ms[2].ID))
		if st.ReadSeq != ms[2].Seq || st.UnreadCount != 2 {
			t.Fatalf("read state = %+v", st)
		}
		// Never backwards.
		if st := must(f.s.MarkRead(B, g.ID, ms[0].ID)); st.ReadSeq != ms[2].Seq {
			t.Fatalf("read position went back: %+v", st)
		}
		// Dan joins later: he does not count for earlier messages.
		must(f.s.AddMembers(A, g.ID, []string{dan}))
		r := must(f.s.Receipts(A, g.ID, ms[1].ID))
		if r.ReadCount != 1 || r.UnreadCount != 1 || len(r.Read) != 1 || r.Read[0] != bob || r.Unread[0] != carol {
			t.Fatalf("receipts m1 = %+v", r)
		}
		r = must(f.s.Receipts(A, g.ID, ms[4].ID))
		if r.ReadCount != 0 || r.UnreadCount != 2 {
			t.Fatalf("receipts m4 = %+v", r)
		}
		must(f.s.MarkRead(C, g.ID, ms[4].ID))
		if r = must(f.s.Receipts(B, g.ID, ms[4].ID)); r.ReadCount != 1 || r.UnreadCount != 1 {
			t.Fatalf("receipts m4 after carol read = %+v", r)
		}
		list := must(f.s.List(B))
		if len(list) != 1 || list[0].UnreadCount != 2 {
			t.Fatalf("list unread = %+v", list)
		}
		// Direct conversations: counts only.
		dm := f.create(A, KindDirect, "", bob)
		x := f.send(A, dm.ID, "psst")
		if r := must(f.s.Receipts(A, dm.ID, x.ID)); r.UnreadCount != 1 || r.Read != nil || r.Unread != nil {
			t.Fatalf("direct receipts = %+v", r)
		}

		// Clear history for bob: nothing before it in his history or
		// search, still there for carol.
		must(f.s.Clear(B, g.ID))
		after := f.send(A, g.ID, "after clearing quarterly")
		h := must(f.s.History(B, g.ID, HistoryQuery{}))
		if len(h.Items) != 1 || h.Items[0].ID != after.ID {
			t.Fatalf("bob's history after clear = %+v", h.Items)
		}
		_, err := f.s.GetMessage(B, g.ID, ms[0].ID)
		wantCode(t, err, "not_found")
		if h := must(f.s.History(C, g.ID, HistoryQuery{})); len(h.Items) != 6 {
			t.Fatalf("carol's history = %d", len(h.Items))
		}
		if c := must(f.s.Get(B, g.ID)); c.UnreadCount != 1 {
			t.Fatalf("unread after clear = %d", c.UnreadCount)
		}
		p := must(f.s.Search(B, SearchQuery{Q: "m1"}))
		if len(p.Items) != 0 {
			t.Fatalf("search shows cleared messages: %+v", p.Items)
		}
	})
}

func TestIdempotentSend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		alice, bob := acc(), acc()
		f.dir.befriend(alice, bob)
		A := as(alice, "")
		dm := f.create(A, KindDirect, "", bob)
		first, created, err := f.s.Send(A, dm.ID, SendInput{ClientMsgID: "retry-1", Body: "once"})
		if err != nil || !created {
			t.Fatal(created, err)
		}
		again, created, err := f.s.Send(A, dm.ID, SendInput{ClientMsgID: "retry-1", Body: "twice?"})
		if err != nil || created || again.ID != first.ID || again.Seq != first.Seq || again.Body != "once" {
			t.Fatalf("retry: %+v created=%v err=%v", again, created, err)
		}
		// Many concurrent duplicates (same batch or not) yield one message.
		var wg sync.WaitGroup
		got := make([]string, 20)
		for i := range got {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				m, _, err := f.s.Send(A, dm.ID, SendInput{ClientMsgID: "burst", Body: fmt.Sprint(i)})
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = m.ID
			}(i)
		}
		wg.Wait()
		for _, id := range got {
			if id != got[0] {
				t.Fatalf("duplicates produced different messages: %v", got)
			}
		}
		// A new service on the same database (a restart) still knows it.
		f.s.Close()
		s2 := New(d, f.dir, f.s.Blobs, nil)
		defer s2.Close()
		again, created, err = s2.Send(A, dm.ID, SendInput{ClientMsgID: "retry-1", Body: "after restart"})
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("after restart: %+v created=%v err=%v", again, created, err)
		}
		// Same id in another conversation is a conflict, not a new message.
		g := func() Conversation {
			c, _, err := s2.Create(A, CreateInput{Kind: KindGeneral, Name: "g", MemberIDs: []string{bob}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}()
		_, _, err = s2.Send(A, g.ID, SendInput{ClientMsgID: "retry-1", Body: "x"})
		wantCode(t, err, "client_msg_id_reused")
		h, err := s2.History(A, dm.ID, HistoryQuery{})
		if err != nil || len(h.Items) != 2 {
			t.Fatalf("history = %d %v", len(h.Items), err)
		}
		if _, _, err := s2.Send(A, dm.ID, SendInput{ClientMsgID: "bad id!", Body: "x"}); apperr.CodeOf(err) != "invalid_field" {
			t.Fatalf("bad client id: %v", err)
		}
	})
}

func TestHistoryPaging(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		alice, bob := acc(), acc()
		f.dir.befriend(alice, bob)
		A := as(alice, "")
		dm := f.create(A, KindDirect, "", bob)
		var ms []Message
		for i := 0; i < 30; i++ {
			ms = append(ms, f.send(A, dm.ID, fmt.Sprint("n", i)))
		}
		h := must(f.s.History(A, dm.ID, HistoryQuery{Limit: 10}))
		if len(h.Items) != 10 || h.Items[9].ID != ms[29].ID || !h.HasBefore || h.HasAfter {
			t.Fatalf("newest page: %d %v %v", len(h.Items), h.HasBefore, h.HasAfter)
		}
		before := h.Items[0].Seq
		h = must(f.s.History(A, dm.ID, HistoryQuery{Limit: 10, Before: &before}))
		if len(h.Items) != 10 || h.Items[9].ID != ms[19].ID || h.Items[0].ID != ms[10].ID {
			t.Fatalf("older page: %+v", seqs(h.Items))
		}
		after := ms[4].Seq
		h = must(f.s.History(A, dm.ID, HistoryQuery{Limit: 5, After: &after}))
		if len(h.Items) != 5 || h.Items[0].ID != ms[5].ID || !h.HasAfter {
			t.Fatalf("after page: %+v", seqs(h.Items))
		}
		h = must(f.s.History(A, dm.ID, HistoryQuery{Limit: 6, Around: ms[15].ID}))
		if len(h.Items) != 6 || h.Items[3].ID != ms[15].ID || !h.HasBefore || !h.HasAfter {
			t.Fatalf("around page: %+v", seqs(h.Items))
		}
		for i := 1; i < len(h.Items); i++ {
			if h.Items[i].Seq <= h.Items[i-1].Seq {
				t.Fatalf("not ascending: %v", seqs(h.Items))
			}
		}
	})
}

func seqs(ms []Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

func TestSearchVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org, other := ids.New("org"), ids.New("org")
		alice, bob, mallory := acc(), acc(), acc()
		f.dir.join(org, alice, bob)
		f.dir.join(other, mallory)
		A, B, M := as(alice, org), as(bob, org), as(mallory, other)
		g := f.create(A, KindInternal, "team", bob)
		zh := f.send(A, g.ID, "今天的会议纪要已经发到群里了")
		en := f.send(B, g.ID, "The QUARTERLY report is ready")
		short := f.send(B, g.ID, "明天开会")
		// Mallory has her own conversation with the same words.
		f.dir.join(other, ids.New("acc"))
		mg := f.create(M, KindGeneral, "mine")
		f.send(M, mg.ID, "my quarterly 会议纪要")

		check := func(ctx context.Context, q string, want ...string) {
			t.Helper()
			p, err := f.s.Search(ctx, SearchQuery{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range p.Items {
				got = append(got, m.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("search %q = %v, want %v", q, got, want)
			}
		}
		check(A, "会议纪要", zh.ID)
		check(A, "quarterly", en.ID)
		check(A, "开会", short.ID) // two characters: the fallback
		check(A, "会", short.ID, zh.ID)
		if p := must(f.s.Search(M, SearchQuery{Q: "quarterly"})); len(p.Items) != 1 || p.Items[0].ConversationID != mg.ID {
			t.Fatalf("mallory sees %+v", p.Items)
		}
		_, err := f.s.Search(M, SearchQuery{Q: "quarterly", ConversationID: g.ID})
		wantCode(t, err, "not_found")
		// A cursor naming a message she cannot see answers like a made-up
		// one: it tells her nothing of which ids exist.
		_, err = f.s.Search(M, SearchQuery{Q: "quarterly", Cursor: en.ID})
		wantCode(t, err, "invalid_field")
		_, err = f.s.Search(M, SearchQuery{Q: "quarterly", Cursor: ids.New("msg")})
		wantCode(t, err, "invalid_field")
		// Filters.
		if p := must(f.s.Search(A, SearchQuery{Q: "report", SenderID: alice})); len(p.Items) != 0 {
			t.Fatalf("sender filter: %+v", p.Items)
		}
		if p := must(f.s.Search(A, SearchQuery{Q: "report", HasFile: true})); len(p.Items) != 0 {
			t.Fatalf("has_file filter: %+v", p.Items)
		}
		if p := must(f.s.Search(A, SearchQuery{Q: "report", From: en.CreatedAt + 1})); len(p.Items) != 0 {
			t.Fatalf("date filter: %+v", p.Items)
		}
		// Files are found by name (indexed, and by the short fallback),
		// and has_file alone lists a conversation's files.
		up := must(f.s.Upload(B, UploadInput{Name: "预算 Budget-2027.xlsx", SniffedType: "application/octet-stream", Body: strings.NewReader("cells")}))
		file := must2(f.s.Send(B, g.ID, SendInput{ClientMsgID: cid(), Kind: MsgFile, FileID: up.ID}))
		check(A, "budget-2027", file.ID)
		check(A, "预算", file.ID)
		if p := must(f.s.Search(A, SearchQuery{HasFile: true, ConversationID: g.ID})); len(p.Items) != 1 || p.Items[0].ID != file.ID ||
			p.Items[0].Attachment == nil || p.Items[0].Attachment.Name != "预算 Budget-2027.xlsx" {
			t.Fatalf("the conversation's files: %+v", p.Items)
		}
		if p := must(f.s.Search(M, SearchQuery{HasFile: true})); len(p.Items) != 0 {
			t.Fatalf("mallory lists files: %+v", p.Items)
		}
		_, err = f.s.Search(A, SearchQuery{})
		wantCode(t, err, "invalid_field")
		noErr(t, f.s.Delete(B, g.ID, file.ID, nil))
		check(A, "budget-2027")
		if p := must(f.s.Search(A, SearchQuery{HasFile: true, ConversationID: g.ID})); len(p.Items) != 0 {
			t.Fatalf("a deleted file listed: %+v", p.Items)
		}
		// Deleted for everyone, deleted for me, edits.
		noErr(t, f.s.Hide(A, g.ID, en.ID))
		check(A, "quarterly")
		check(B, "quarterly", en.ID)
		noErr(t, f.s.Delete(A, g.ID, zh.ID, nil))
		check(B, "会议纪要")
		must(f.s.Edit(B, g.ID, short.ID, "后天开会 quarterly"))
		check(A, "后天开会", short.ID)
		check(A, "明天开会")
		// Paging with a cursor.
		for i := 0; i < 5; i++ {
			f.send(A, g.ID, fmt.Sprint("paging word ", i))
		}
		p1 := must(f.s.Search(A, SearchQuery{Q: "paging word", Limit: 3}))
		p2 := must(f.s.Search(A, SearchQuery{Q: "paging word", Limit: 3, Cursor: p1.NextCursor}))
		if len(p1.Items) != 3 || p1.NextCursor == "" || len(p2.Items) != 2 || p2.NextCursor != "" {
			t.Fatalf("paging: %d %q %d %q", len(p1.Items), p1.NextCursor, len(p2.Items), p2.NextCursor)
		}
		// The bare message id that next_cursor was before still pages.
		if old := must(f.s.Search(A, SearchQuery{Q: "paging word", Limit: 3, Cursor: p1.Items[2].ID})); fmt.Sprint(old.Items) != fmt.Sprint(p2.Items) {
			t.Fatalf("old cursor: %+v, want %+v", old.Items, p2.Items)
		}
		// Reindex rebuilds the same answers.
		n, err := Reindex(context.Background(), d, f.keys, nil)
		if err != nil || n == 0 {
			t.Fatalf("reindex: %d %v", n, err)
		}
		check(A, "后天开会", short.ID)
		check(B, "会议纪要")
	})
}

// A search finds the newest matches, in order, whether they lie in the
// recent messages it scans or the older ones it asks the index for, and
// pages across the boundary.
func TestSearchAcrossRecentWindow(t *testing.T) {
	defer func(w int64) { recentWindow = w }(recentWindow)
	recentWindow = 3
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		A := as(alice, org)
		g := f.create(A, KindInternal, "team", bob)
		var want []string
		for i := 0; i < 7; i++ {
			want = append(want, f.send(A, g.ID, fmt.Sprint("window word ", i)).ID)
			f.send(A, g.ID, fmt.Sprint("filler ", i))
		}
		slices.Reverse(want)
		var got []string
		cursor := ""
		for range 4 {
			p := must(f.s.Search(A, SearchQuery{Q: "window word", Limit: 2, Cursor: cursor}))
			for _, m := range p.Items {
				got = append(got, m.ID)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("search = %v, want %v", got, want)
		}
	})
}

// Searches answered by the index alone (no recent window) match the text
// exactly as the scan does: a phrase only where its words stand side by
// side with the same spaces, whatever the case, with LIKE's wildcards taken
// literally, in English and Chinese.
func TestSearchPhrasesThroughIndex(t *testing.T) {
	defer func(w int64) { recentWindow = w }(recentWindow)
	recentWindow = 0
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		A := as(alice, org)
		g := f.create(A, KindInternal, "team", bob)
		adjacent := f.send(A, g.ID, "the Roadmap Review is on Monday").ID
		f.send(A, g.ID, "the roadmap and the review")
		f.send(A, g.ID, "roadmapreview without a space")
		twoSpaces := f.send(A, g.ID, "roadmap  review, two spaces").ID
		percent := f.send(A, g.ID, "growth of 50% year on year").ID
		f.send(A, g.ID, "growth of 500 year on year")
		chinese := f.send(A, g.ID, "明天 会议纪要 发给大家").ID
		f.send(A, g.ID, "会议 明天 纪要")
		for q, want := range map[string][]string{
			"roadmap review":  {adjacent},
			"ROADMAP REVIEW":  {adjacent},
			"roadmap  review": {twoSpaces},
			"50% year":        {percent},
			"会议纪要 发":          {chinese},
			"明天 会议":           {chinese},
		} {
			p := must(f.s.Search(A, SearchQuery{Q: q}))
			var got []string
			for _, m := range p.Items {
				got = append(got, m.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("search %q = %v, want %v", q, got, want)
			}
		}
	})
}

func TestNotificationsRespectMute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		alice, bob := acc(), acc()
		f.dir.befriend(alice, bob)
		A, B := as(alice, ""), as(bob, "")
		dm := f.create(A, KindDirect, "", bob)
		m1 := f.send(A, dm.ID, "one")
		must(f.s.SetMine(B, dm.ID, MySettings{Muted: ptr(true)}))
		f.send(A, dm.ID, "two (muted)")
		p := must(f.s.Notifications(B, false, "", 10))
		if len(p.Items) != 1 || p.Items[0].MessageID != m1.ID || p.Items[0].Kind != "direct" || p.UnreadCount != 1 {
			t.Fatalf("notifications = %+v", p)
		}
		if n := must(f.s.MarkNotificationsRead(B, nil, true)); n != 1 {
			t.Fatalf("marked %d", n)
		}
		if p := must(f.s.Notifications(B, true, "", 10)); len(p.Items) != 0 || p.UnreadCount != 0 {
			t.Fatalf("after mark read: %+v", p)
		}
		// Reading the conversation reads its notifications.
		must(f.s.SetMine(B, dm.ID, MySettings{Muted: ptr(false)}))
		m3 := f.send(A, dm.ID, "three")
		must(f.s.MarkRead(B, dm.ID, m3.ID))
		if p := must(f.s.Notifications(B, true, "", 10)); len(p.Items) != 0 {
			t.Fatalf("reading did not clear: %+v", p)
		}
		if _, err := f.s.MarkNotificationsRead(B, nil, false); !errors.Is(err, err) || apperr.CodeOf(err) != "invalid_field" {
			t.Fatalf("empty mark: %v", err)
		}
	})
}

// A writer batch gives all its messages one created_at: paging must not
// skip the notifications that share the created_at of a page's last item.
func TestNotificationsPagingSharedCreatedAt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		fixed := time.UnixMilli(1_700_000_000_000)
		f.s.Now = func() time.Time { return fixed }
		alice, bob := acc(), acc()
		f.dir.befriend(alice, bob)
		A, B := as(alice, ""), as(bob, "")
		dm := f.create(A, KindDirect, "", bob)
		want := map[string]bool{}
		for i := 0; i < 7; i++ {
			want[f.send(A, dm.ID, fmt.Sprint("same instant ", i)).ID] = true
		}
		seen := map[string]int{}
		cursor, pages := "", 0
		for {
			p := must(f.s.Notifications(B, false, cursor, 3))
			if p.UnreadCount != 7 {
				t.Fatalf("unread_count = %d", p.UnreadCount)
			}
			for _, n := range p.Items {
				if n.CreatedAt != fixed.UnixMilli() {
					t.Fatalf("created_at %d: the clock is not fixed", n.CreatedAt)
				}
				seen[n.MessageID]++
			}
			pages++
			if p.NextCursor == "" || pages > 5 {
				break
			}
			cursor = p.NextCursor
		}
		if pages != 3 || len(seen) != len(want) {
			t.Fatalf("%d pages, saw %d of %d notifications: %v", pages, len(seen), len(want), seen)
		}
		for id, n := range seen {
			if !want[id] || n != 1 {
				t.Fatalf("notification %s seen %d times (wanted: %v)", id, n, want[id])
			}
		}
		// A bare created_at cursor still works: everything older than it.
		if p := must(f.s.Notifications(B, false, itoa64(fixed.UnixMilli()+1), 10)); len(p.Items) != 7 {
			t.Fatalf("bare cursor above: %d items", len(p.Items))
		}
		if p := must(f.s.Notifications(B, false, itoa64(fixed.UnixMilli()), 10)); len(p.Items) != 0 {
			t.Fatalf("bare cursor at: %d items", len(p.Items))
		}
		for _, bad := range []string{"x", "-1", "1.", ".msg_1", "1.msg 1", "1.2.3", "99999999999999999999"} {
			_, err := f.s.Notifications(B, false, bad, 3)
			wantCode(t, err, "invalid_query")
		}
	})
}

// Each notification carries its message as GetMessage returns it, and no
// message when the person may not see it any more.
func TestNotificationsCarryMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob, carol := acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol)
		A, B := as(alice, org), as(bob, org)
		dm := f.create(A, KindDirect, "", bob)
		g := f.create(A, KindInternal, "team", bob, carol)
		hello := f.send(A, dm.ID, "hello **bob**")
		mention := f.send(A, g.ID, "@[Bob]("+bob+") have a look")
		loc, _, err := f.s.Send(A, dm.ID, SendInput{ClientMsgID: cid(), Kind: MsgLocation, Location: &Location{Lat: 31.23, Lon: 121.47, Label: "上海"}})
		noErr(t, err)
		hidden := f.send(A, dm.ID, "delete me for bob")
		noErr(t, f.s.React(B, dm.ID, hello.ID, "👍", true))
		noErr(t, f.s.Hide(B, dm.ID, hidden.ID))

		p := must(f.s.Notifications(B, false, "", 10))
		if len(p.Items) != 4 || p.UnreadCount != 4 {
			t.Fatalf("notifications = %+v", p)
		}
		byID := map[string]Notification{}
		for _, n := range p.Items {
			byID[n.MessageID] = n
		}
		for _, m := range []Message{hello, mention, loc} {
			n := byID[m.ID]
			if n.Message == nil {
				t.Fatalf("notification of %s has no message", m.ID)
			}
			if n.Message.Body != m.Body || n.Message.ID != m.ID || n.Message.ConversationID != m.ConversationID {
				t.Fatalf("message = %+v, sent %+v", n.Message, m)
			}
			got, _ := json.Marshal(n.Message)
			want, _ := json.Marshal(must(f.s.GetMessage(B, m.ConversationID, m.ID)))
			if string(got) != string(want) {
				t.Fatalf("notification message\n%s\nGetMessage\n%s", got, want)
			}
		}
		if m := byID[hello.ID].Message; m.Body != "hello **bob**" || len(m.Reactions) != 1 || !m.Reactions[0].Mine {
			t.Fatalf("hello = %+v", m)
		}
		if m := byID[loc.ID].Message; m.Location == nil || m.Location.Label != "上海" {
			t.Fatalf("location = %+v", m)
		}
		if n, ok := byID[hidden.ID]; !ok || n.Message != nil || n.SenderID != alice {
			t.Fatalf("hidden message: %+v from %q (listed %v)", n.Message, n.SenderID, ok)
		}
		for _, n := range p.Items {
			if n.SenderID != alice {
				t.Fatalf("notification %s: sender %q, want %q", n.MessageID, n.SenderID, alice)
			}
		}
		// Clearing the history leaves the notifications without messages.
		must(f.s.Clear(B, dm.ID))
		for _, n := range must(f.s.Notifications(B, false, "", 10)).Items {
			if (n.Message == nil) != (n.ConversationID == dm.ID) {
				t.Fatalf("after clear: %s in %s has message %v", n.MessageID, n.ConversationID, n.Message)
			}
		}
	})
}

// After leaving a group its notifications are neither listed nor counted.
func TestNotificationsAfterLeavingGroup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob, carol := acc(), acc(), acc()
		f.dir.join(org, alice, bob, carol)
		A, B := as(alice, org), as(bob, org)
		dm := f.create(A, KindDirect, "", bob)
		g := f.create(A, KindInternal, "team", bob, carol)
		direct := f.send(A, dm.ID, "still here")
		f.send(A, g.ID, "@[Bob]("+bob+") one")
		f.send(A, g.ID, "@all two")
		if p := must(f.s.Notifications(B, true, "", 10)); len(p.Items) != 3 || p.UnreadCount != 3 {
			t.Fatalf("before leaving: %+v", p)
		}
		noErr(t, f.s.Leave(B, g.ID))
		for _, unread := range []bool{true, false} {
			p := must(f.s.Notifications(B, unread, "", 10))
			if len(p.Items) != 1 || p.Items[0].MessageID != direct.ID || p.UnreadCount != 1 {
				t.Fatalf("after leaving (unread=%v): %+v", unread, p)
			}
		}
	})
}

func TestEventEncodingSplice(t *testing.T) {
	m := Message{ID: "msg_1", ConversationID: "cnv_1", SenderID: "acc_1", ClientMsgID: "c", Kind: MsgText,
		Body: `tricky "seq":-1, "created_at":-1}`, HTML: "<p>x</p>"}
	r := &sendReq{m: m, event: encodeEvent(m)}
	if r.event == nil {
		t.Fatal("no pre-encoded event")
	}
	m.Seq, m.CreatedAt = 42, 1700000000000
	got, _ := json.Marshal(r.eventData(&m))
	want, _ := json.Marshal(eventMessage(m))
	var a, b map[string]any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("spliced event is not JSON: %v\n%s", err, got)
	}
	json.Unmarshal(want, &b)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("spliced %s\nwant     %s", got, want)
	}
}

// TestSendEvents: every acknowledged send has exactly one message.created
// event, in the conversation's scope, carrying the message with its seq;
// positions follow seq order within a conversation.
func TestSendEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		org := ids.New("org")
		alice, bob := acc(), acc()
		f.dir.join(org, alice, bob)
		g := f.create(as(alice, org), KindInternal, "events", bob)
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				who := alice
				if i%2 == 1 {
					who = bob
				}
				if _, _, err := f.s.Send(as(who, org), g.ID, SendInput{ClientMsgID: fmt.Sprint("ev-", i), Body: fmt.Sprint("event ", i)}); err != nil {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		ctx := context.Background()
		rows, err := d.R(ctx).QueryContext(ctx, `SELECT pos, org_id, data FROM event_log WHERE scope_kind = 'conversation' AND scope_id = $1 AND type = 'message.created' ORDER BY pos`, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var last int64
		n := 0
		for rows.Next() {
			var pos int64
			var orgID, data string
			if err := rows.Scan(&pos, &orgID, &data); err != nil {
				t.Fatal(err)
			}
			// The stored event carries the text sealed; readers open it.
			if strings.Contains(data, "event ") {
				t.Fatalf("event %d stores the message text in plaintext: %s", pos, data)
			}
			evs, err := events.ReadAfter(ctx, d, pos-1, pos, 1)
			if err != nil || len(evs) != 1 {
				t.Fatal(evs, err)
			}
			var m Message
			if err := json.Unmarshal(evs[0].Data, &m); err != nil {
				t.Fatalf("event data %s: %v", evs[0].Data, err)
			}
			if m.Seq <= last || m.ConversationID != g.ID || orgID != org || m.CreatedAt == 0 || m.HTML == "" {
				t.Fatalf("event %d: %+v (previous seq %d)", pos, m, last)
			}
			last = m.Seq
			n++
		}
		if n != 40 {
			t.Fatalf("%d message.created events, want 40", n)
		}
	})
}
