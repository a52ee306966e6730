package stream_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// memberships is a fixture of chat's participant lists (until chat's own
// service is wired, these tests append chat's events themselves).
type memberships struct {
	mu sync.Mutex
	m  map[string]map[string]bool // conversation → accounts
}

func (f *memberships) set(conv, acc string, in bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]map[string]bool{}
	}
	if f.m[conv] == nil {
		f.m[conv] = map[string]bool{}
	}
	f.m[conv][acc] = in
}

func (f *memberships) IsParticipant(_ context.Context, conv, acc string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[conv][acc]
}

func (f *memberships) ConversationsOf(_ context.Context, acc string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for c, accs := range f.m {
		if accs[acc] {
			out = append(out, c)
		}
	}
	return out, nil
}

type node struct {
	d     *db.DB
	gw    *stream.Gateway
	hub   *events.Hub
	url   string
	convs *memberships
}

// startNode runs a hub and a gateway on d behind a test HTTP server whose
// "authentication" reads the actor from X-Test-* headers.
func startNode(t testing.TB, d *db.DB, bus events.Bus, convs *memberships, opts stream.Options, hubOpts events.HubOptions, configure ...func(*stream.Gateway)) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	events.Attach(d, bus)
	hub := events.NewHub(d, bus, quiet, hubOpts)
	gw := stream.New(d, hub, bus, quiet, opts)
	gw.Conversations = convs
	for _, f := range configure {
		f(gw)
	}
	if err := hub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	events.AttachHub(d, hub) // as the server does: this node's appends are offered
	gw.Start()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := &actor.Actor{AccountID: r.Header.Get("X-Test-Account"), SessionID: r.Header.Get("X-Test-Session"), OrgID: r.Header.Get("X-Test-Org")}
		if err := gw.Serve(w, r.WithContext(actor.With(r.Context(), a))); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
		}
	}))
	t.Cleanup(func() {
		gw.Close()
		srv.Close()
		cancel()
		<-hub.Done()
		events.AttachHub(d, nil)
		events.Attach(d, nil)
	})
	return &node{d: d, gw: gw, hub: hub, url: srv.URL, convs: convs}
}

// frame is any server message.
type frame struct {
	Type      string          `json:"type"`
	Pos       int64           `json:"pos"`
	Event     string          `json:"event"`
	ScopeKind string          `json:"scope_kind"`
	ScopeID   string          `json:"scope_id"`
	Data      json.RawMessage `json:"data"`
	AccountID string          `json:"account_id"`
	Status    string          `json:"status"`
	ConvID    string          `json:"conversation_id"`
	// The answer to a send (send.go).
	Ref        string          `json:"ref"`
	HTTPStatus int             `json:"http_status"`
	Code       string          `json:"code"`
	Message    json.RawMessage `json:"message"`
}

type client struct {
	t    *testing.T
	c    *websocket.Conn
	buf  []frame
	ctx  context.Context
	stop context.CancelFunc
}

func dial(t *testing.T, n *node, account, session, org string, lastPos *int64) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	h := http.Header{}
	h.Set("X-Test-Account", account)
	h.Set("X-Test-Session", session)
	h.Set("X-Test-Org", org)
	c, _, err := websocket.Dial(ctx, strings.Replace(n.url, "http://", "ws://", 1), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 24)
	hello := map[string]any{"type": "hello"}
	if lastPos != nil {
		hello["last_pos"] = *lastPos
	}
	b, _ := json.Marshal(hello)
	if err := c.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	cl := &client{t: t, c: c, ctx: ctx, stop: cancel}
	t.Cleanup(func() { c.CloseNow(); cancel() })
	return cl
}

// next returns the next frame (unpacking arrays).
func (c *client) next() (frame, error) {
	for len(c.buf) == 0 {
		_, data, err := c.c.Read(c.ctx)
		if err != nil {
			return frame{}, err
		}
		if len(data) > 0 && data[0] == '[' {
			if err := json.Unmarshal(data, &c.buf); err != nil {
				return frame{}, err
			}
		} else {
			var f frame
			if err := json.Unmarshal(data, &f); err != nil {
				return frame{}, err
			}
			c.buf = append(c.buf, f)
		}
	}
	f := c.buf[0]
	c.buf = c.buf[1:]
	return f, nil
}

func (c *client) mustNext() frame {
	c.t.Helper()
	f, err := c.next()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

// until reads frames until one matches stop and returns the event frames
// read before it.
func (c *client) until(stop func(frame) bool) []frame {
	c.t.Helper()
	var out []frame
	for {
		f := c.mustNext()
		if stop(f) {
			return out
		}
		out = append(out, f)
	}
}

func (c *client) ready() int64 {
	c.t.Helper()
	var pos int64
	c.until(func(f frame) bool {
		if f.Type == "resync" {
			c.t.Fatalf("unexpected resync")
		}
		pos = f.Pos
		return f.Type == "ready"
	})
	return pos
}

func (c *client) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	if err := c.c.Write(c.ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

func appendEv(t *testing.T, d *db.DB, org, kind, scope, typ string, data any) int64 {
	t.Helper()
	p, err := events.Append(context.Background(), d, org, kind, scope, typ, data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sentinelFor(acc string) func(frame) bool {
	return func(f frame) bool { return f.Type == "event" && f.Event == "test.sentinel" && f.ScopeID == acc }
}

func ptr(p int64) *int64 { return &p }

// TestResumeDeliversExactlyTheMissedEvents disconnects a client in the
// middle of a stream of many events (its own conversation's, interleaved
// with others it may not see) and checks that the reconnect delivers
// exactly the visible events after its last position: no gap, no
// duplicate. With a small ring the replay comes from the database, with a
// large one from memory; both are checked.
func TestResumeDeliversExactlyTheMissedEvents(t *testing.T) {
	for _, ring := range []int{16, 100000} {
		t.Run(fmt.Sprintf("ring=%d", ring), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				convs := &memberships{}
				convs.set("cnv_mine", "acc_a", true)
				convs.set("cnv_other", "acc_b", true)
				n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{Ring: ring})
				var visible []int64
				add := func(i int) {
					switch i % 4 {
					case 0, 1:
						visible = append(visible, appendEv(t, d, "org_1", events.ScopeConversation, "cnv_mine", "message.created", map[string]int{"i": i}))
					case 2:
						appendEv(t, d, "org_1", events.ScopeConversation, "cnv_other", "message.created", map[string]int{"i": i})
					case 3:
						visible = append(visible, appendEv(t, d, "org_1", events.ScopeOrg, "org_1", "member.updated", map[string]int{"i": i}))
					}
				}
				c := dial(t, n, "acc_a", "ses_1", "org_1", nil)
				c.ready()
				for i := 0; i < 400; i++ {
					add(i)
				}
				// Read part of them, then drop the connection.
				var got []int64
				for len(got) < 123 {
					f := c.mustNext()
					if f.Type == "event" {
						got = append(got, f.Pos)
					}
				}
				c.c.CloseNow()
				last := got[len(got)-1]
				for i := 400; i < 1200; i++ {
					add(i)
				}
				c2 := dial(t, n, "acc_a", "ses_1", "org_1", ptr(last))
				var replayed []int64
				for _, f := range c2.until(func(f frame) bool { return f.Type == "ready" }) {
					replayed = append(replayed, f.Pos)
				}
				// Live events after the ready message continue the sequence.
				for i := 1200; i < 1300; i++ {
					add(i)
				}
				stop := appendEv(t, d, "", events.ScopeAccount, "acc_a", "test.sentinel", nil)
				for _, f := range c2.until(sentinelFor("acc_a")) {
					replayed = append(replayed, f.Pos)
				}
				visible = append(visible, stop)
				var want []int64
				for _, p := range visible {
					if p > last && p < stop {
						want = append(want, p)
					}
				}
				if fmt.Sprint(replayed) != fmt.Sprint(want) {
					t.Fatalf("after reconnect got %d events, want %d\n got %v\nwant %v", len(replayed), len(want), replayed, want)
				}
			})
		})
	}
}

// TestRemovedMemberReceivesNothingAfterRemoval: once
// conversation.member_removed for B is appended, B's socket gets that
// event and nothing more of the conversation, live and on replay.
func TestRemovedMemberReceivesNothingAfterRemoval(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		convs := &memberships{}
		convs.set("cnv_1", "acc_a", true)
		convs.set("cnv_1", "acc_b", true)
		n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{})
		b := dial(t, n, "acc_b", "ses_b", "org_1", nil)
		start := b.ready()
		before := appendEv(t, d, "org_1", events.ScopeConversation, "cnv_1", "message.created", nil)
		// Chat removes B: the membership change and its event in one transaction.
		var removed int64
		err := d.Tx(context.Background(), func(ctx context.Context) error {
			convs.set("cnv_1", "acc_b", false)
			var err error
			removed, err = events.Append(ctx, d, "org_1", events.ScopeAccount, "acc_b", stream.TypeMemberRemoved, map[string]string{"conversation_id": "cnv_1"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 20; i++ {
			appendEv(t, d, "org_1", events.ScopeConversation, "cnv_1", "message.created", nil)
		}
		appendEv(t, d, "", events.ScopeAccount, "acc_b", "test.sentinel", nil)
		got := b.until(sentinelFor("acc_b"))
		if len(got) != 2 || got[0].Pos != before || got[1].Pos != removed || got[1].Event != stream.TypeMemberRemoved {
			t.Fatalf("live: B got %+v", got)
		}
		// Replaying from before the removal: nothing of the conversation
		// after the removal either. (Replay filters by current membership,
		// so the message from before the removal is not replayed to someone
		// no longer in the conversation.)
		r := dial(t, n, "acc_b", "ses_b", "org_1", ptr(start))
		got = r.until(func(f frame) bool { return f.Type == "ready" })
		if len(got) != 2 || got[0].Pos != removed || got[1].Event != "test.sentinel" {
			t.Fatalf("replay: B got %+v", got)
		}
	})
}

// TestOtherScopesNeverReachASocket: events of another organization,
// another person and conversations the account is not in never arrive.
func TestOtherScopesNeverReachASocket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		convs := &memberships{}
		convs.set("cnv_a", "acc_a", true)
		convs.set("cnv_b", "acc_b", true)
		n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{Ring: 4})
		c := dial(t, n, "acc_a", "ses_a", "org_a", nil)
		start := c.ready()
		mine := []int64{
			appendEv(t, d, "org_a", events.ScopeOrg, "org_a", "member.updated", nil),
			appendEv(t, d, "org_a", events.ScopeConversation, "cnv_a", "message.created", nil),
			appendEv(t, d, "", events.ScopeAccount, "acc_a", "session.created", nil),
		}
		for i := 0; i < 10; i++ {
			appendEv(t, d, "org_b", events.ScopeOrg, "org_b", "member.updated", nil)
			appendEv(t, d, "org_b", events.ScopeConversation, "cnv_b", "message.created", nil)
			appendEv(t, d, "org_a", events.ScopeConversation, "cnv_b", "message.created", nil)
			appendEv(t, d, "", events.ScopeAccount, "acc_b", "session.created", nil)
		}
		check := func(got []frame) {
			t.Helper()
			if len(got) != len(mine) {
				t.Fatalf("got %+v, want positions %v", got, mine)
			}
			for i := range got {
				if got[i].Pos != mine[i] {
					t.Fatalf("got %+v, want positions %v", got, mine)
				}
			}
		}
		appendEv(t, d, "", events.ScopeAccount, "acc_a", "test.sentinel", nil)
		check(c.until(sentinelFor("acc_a")))
		r := dial(t, n, "acc_a", "ses_a", "org_a", ptr(start))
		check(r.until(sentinelFor("acc_a")))
	})
}

func TestResyncWhenTooOld(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{}, events.HubOptions{})
		first := appendEv(t, d, "", events.ScopeAccount, "acc_a", "x", nil)
		for i := 0; i < 5; i++ {
			appendEv(t, d, "", events.ScopeAccount, "acc_a", "x", nil)
		}
		if _, err := events.Trim(context.Background(), d, time.Now().Add(time.Minute).UnixMilli()); err != nil {
			t.Fatal(err)
		}
		head, _ := events.Head(context.Background(), d)
		for _, last := range []int64{first, head + 1000} {
			c := dial(t, n, "acc_a", "s", "", ptr(last))
			if f := c.mustNext(); f.Type != "resync" {
				t.Fatalf("last_pos %d: first frame %+v, want resync", last, f)
			}
			if f := c.mustNext(); f.Type != "ready" || f.Pos != head {
				t.Fatalf("after resync: %+v, want ready at %d", f, head)
			}
		}
		// A position inside what is kept replays normally.
		c := dial(t, n, "acc_a", "s", "", ptr(head-1))
		appendEv(t, d, "", events.ScopeAccount, "acc_a", "test.sentinel", nil)
		var got []frame
		for _, f := range c.until(sentinelFor("acc_a")) {
			if f.Type == "event" {
				got = append(got, f)
			}
		}
		if len(got) != 1 || got[0].Pos != head {
			t.Fatalf("replay = %+v", got)
		}
	})
}

// TestSlowConsumerIsDisconnected: a client that stops reading overflows
// its queue and is closed with 4008 (sent once it reads again: the write
// timeout is long here), while another client keeps receiving.
func TestSlowConsumerIsDisconnected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		convs := &memberships{}
		convs.set("cnv_1", "acc_slow", true)
		convs.set("cnv_1", "acc_fast", true)
		n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{QueueFrames: 256, WriteTimeout: 5 * time.Minute}, events.HubOptions{})
		slow := dial(t, n, "acc_slow", "s1", "", nil)
		slow.ready()
		fast := dial(t, n, "acc_fast", "s2", "", nil)
		fast.ready()
		big := strings.Repeat("x", 16<<10)
		// The fast client reads concurrently and reports its progress; the
		// slow one does not read at all.
		progress := make(chan int, 1000)
		go func() {
			count := 0
			for {
				f, err := fast.next()
				if err != nil {
					close(progress)
					return
				}
				if f.Type == "event" {
					count++
					progress <- count
				}
			}
		}()
		const total, step = 2000, 50
		for sent := 0; sent < total; sent += step {
			err := d.Tx(context.Background(), func(ctx context.Context) error {
				for i := 0; i < step; i++ {
					if _, err := events.Append(ctx, d, "", events.ScopeConversation, "cnv_1", "message.created", map[string]string{"body": big}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for got := 0; got < sent+step; {
				var ok bool
				if got, ok = <-progress; !ok {
					t.Fatalf("fast client was disconnected after %d of %d events", got, sent+step)
				}
			}
		}
		// The slow socket was dropped from delivery; reading now drains what
		// was in flight and ends with the close reason.
		for {
			_, err := slow.next()
			if err == nil {
				continue
			}
			if websocket.CloseStatus(err) != stream.CloseSlowConsumer {
				t.Fatalf("slow client ended with %v, want close %d", err, stream.CloseSlowConsumer)
			}
			break
		}
	})
}

// TestSendAnswersToASlowConsumer: a client that keeps sending over the
// stream but no longer reads fills its queue with answers; the socket is
// then closed with 4008, as live delivery closes one, rather than an
// answer being dropped or the queue growing. Other sockets connect and
// leave meanwhile (the close changes the gateway's maps under its lock).
func TestSendAnswersToASlowConsumer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		convs := &memberships{}
		const queue = 64
		// Each send is refused at once: its answer, an error that repeats
		// the 8 KB ref, is queued without any database work.
		refuse := func(gw *stream.Gateway) {
			gw.Send = func(ctx context.Context, c stream.Caller, conv string, msg json.RawMessage) (json.RawMessage, bool, error) {
				return nil, false, apperr.Forbidden("not_a_participant", "refused")
			}
		}
		n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{QueueFrames: queue, WriteTimeout: 5 * time.Minute}, events.HubOptions{}, refuse)
		slow := dial(t, n, "acc_slow", "s1", "", nil)
		slow.ready()
		ref := strings.Repeat("r", 8<<10)
		req, _ := json.Marshal(map[string]any{"type": "send", "ref": ref, "conversation_id": "cnv_1", "message": map[string]any{"body": "x"}})
		// 4,000 answers of 8 KB are far more than the queue and the
		// kernel's socket buffers hold. After closing the socket the
		// server's WebSocket library reads and discards the rest while it
		// waits for the client's close reply, so these writes complete.
		stop := make(chan struct{})
		others := make(chan struct{})
		go func() {
			defer close(others)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c := dial(t, n, fmt.Sprint("acc_other_", i), fmt.Sprint("o", i), "", nil)
				c.ready()
				_ = c.c.CloseNow()
				c.stop()
			}
		}()
		for i := 0; i < 4000; i++ {
			if err := slow.c.Write(slow.ctx, websocket.MessageText, req); err != nil {
				close(stop)
				t.Fatalf("send %d: %v", i, err)
			}
		}
		close(stop)
		<-others
		// Reading again drains the answers that were in flight, if any,
		// then the close reason.
		answers := 0
		for {
			f, err := slow.next()
			if err != nil {
				if websocket.CloseStatus(err) != stream.CloseSlowConsumer {
					t.Fatalf("after %d answers the socket ended with %v, want close %d", answers, err, stream.CloseSlowConsumer)
				}
				break
			}
			if f.Type != "error" || f.Ref != ref || f.HTTPStatus != http.StatusForbidden || f.Code != "not_a_participant" {
				t.Fatalf("answer %d: %s %d %q", answers, f.Type, f.HTTPStatus, f.Code)
			}
			answers++
		}
		// How many answers got out before the queue filled depends on how
		// soon the socket's writer ran (none, if the sends outran it).
		if answers >= 4000 {
			t.Fatalf("all %d answers arrived: the socket was never closed", answers)
		}
	})
}

// TestSendAnswersAreBoundedInBytes: answers, each a copy held for one
// socket alone, are bounded in bytes too: a client that sends large
// messages and never reads is closed with 4008 long before its queue's
// frame count is reached.
func TestSendAnswersAreBoundedInBytes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		refuse := func(gw *stream.Gateway) {
			gw.Send = func(ctx context.Context, c stream.Caller, conv string, msg json.RawMessage) (json.RawMessage, bool, error) {
				return nil, false, apperr.Forbidden("not_a_participant", "refused")
			}
		}
		// 4,096 frames would hold every answer below; 256 KiB holds ~30.
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{QueueBytes: 256 << 10, WriteTimeout: 5 * time.Minute}, events.HubOptions{}, refuse)
		slow := dial(t, n, "acc_slow", "s1", "", nil)
		slow.ready()
		ref := strings.Repeat("r", 8<<10)
		req, _ := json.Marshal(map[string]any{"type": "send", "ref": ref, "conversation_id": "cnv_1", "message": map[string]any{"body": "x"}})
		for i := 0; i < 4000; i++ {
			if err := slow.c.Write(slow.ctx, websocket.MessageText, req); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
		}
		answers := 0
		for {
			_, err := slow.next()
			if err != nil {
				if websocket.CloseStatus(err) != stream.CloseSlowConsumer {
					t.Fatalf("after %d answers the socket ended with %v, want close %d", answers, err, stream.CloseSlowConsumer)
				}
				break
			}
			answers++
		}
		if answers >= 4000 {
			t.Fatalf("all %d answers arrived: the socket was never closed", answers)
		}
	})
}

// TestRevocationClosesSockets: session.ended closes that session's
// sockets; me.orgs_changed closes the sockets in that organization.
func TestRevocationClosesSockets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{}, events.HubOptions{})
		s1 := dial(t, n, "acc_a", "ses_1", "org_1", nil)
		s1.ready()
		s2 := dial(t, n, "acc_a", "ses_2", "org_2", nil)
		s2.ready()
		appendEv(t, d, "", events.ScopeAccount, "acc_a", stream.TypeSessionEnded, map[string][]string{"session_ids": {"ses_9", "ses_1"}})
		appendEv(t, d, "org_1", events.ScopeOrg, "org_1", "after.revocation", nil)
		expectClose(t, s1, stream.CloseSessionEnded, func(f frame) bool { return f.Event == "after.revocation" })
		appendEv(t, d, "", events.ScopeAccount, "acc_a", stream.TypeOrgsChanged, map[string]string{"org_id": "org_2"})
		appendEv(t, d, "org_2", events.ScopeOrg, "org_2", "after.revocation", nil)
		expectClose(t, s2, stream.CloseMembershipEnded, func(f frame) bool { return f.Event == "after.revocation" })
	})
}

func expectClose(t *testing.T, c *client, code websocket.StatusCode, forbidden func(frame) bool) {
	t.Helper()
	expectCloseOneOf(t, c, []websocket.StatusCode{code}, forbidden)
}

// expectCloseOneOf is expectClose for a change that ends access in more
// than one way at once (each a valid reason to close).
func expectCloseOneOf(t *testing.T, c *client, codes []websocket.StatusCode, forbidden func(frame) bool) {
	t.Helper()
	for {
		f, err := c.next()
		if err != nil {
			if !slices.Contains(codes, websocket.CloseStatus(err)) {
				t.Fatalf("closed with %v, want one of %v", err, codes)
			}
			return
		}
		if forbidden(f) {
			t.Fatalf("received %+v after revocation", f)
		}
	}
}

func TestTypingReachesOtherParticipantsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		convs := &memberships{}
		convs.set("cnv_1", "acc_a", true)
		convs.set("cnv_1", "acc_b", true)
		convs.set("cnv_2", "acc_c", true)
		n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{})
		a := dial(t, n, "acc_a", "s", "", nil)
		a.ready()
		b := dial(t, n, "acc_b", "s", "", nil)
		b.ready()
		c := dial(t, n, "acc_c", "s", "", nil)
		c.ready()
		c.send(map[string]string{"type": "typing", "conversation_id": "cnv_1"})
		if f := c.mustNext(); f.Type != "error" {
			t.Fatalf("typing into a foreign conversation: %+v", f)
		}
		a.send(map[string]string{"type": "typing", "conversation_id": "cnv_1"})
		f := b.mustNext()
		if f.Type != "typing" || f.AccountID != "acc_a" || f.ConvID != "cnv_1" {
			t.Fatalf("b got %+v", f)
		}
		appendEv(t, d, "", events.ScopeAccount, "acc_a", "test.sentinel", nil)
		appendEv(t, d, "", events.ScopeAccount, "acc_c", "test.sentinel", nil)
		for acc, cl := range map[string]*client{"acc_a": a, "acc_c": c} {
			for _, f := range cl.until(sentinelFor(acc)) {
				if f.Type == "typing" {
					t.Fatalf("%s got its own or a foreign typing signal: %+v", acc, f)
				}
			}
		}
	})
}

func TestBadHelloIsRejected(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{}, events.HubOptions{})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, strings.Replace(n.url, "http://", "ws://", 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe"}`))
		_, _, err = c.Read(ctx)
		if websocket.CloseStatus(err) != stream.CloseBadHello {
			t.Fatalf("got %v", err)
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "hello") {
			t.Fatalf("close reason %v", err)
		}
	})
}

// TestOldControlEventsDoNotCloseNewSockets: a socket that connects while
// the node has not yet read a membership event committed before the
// connection (the hub lags) must not act on it when the hub catches up:
// its subscriptions were read after that event.
func TestOldControlEventsDoNotCloseNewSockets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{}, events.HubOptions{Poll: time.Hour})
		// The hub reads only when told to below.
		events.Attach(d, nil)
		events.AttachHub(d, nil)
		appendEv(t, d, "", events.ScopeAccount, "acc_a", stream.TypeOrgsChanged, map[string]string{"org_id": "org_1"})
		c := dial(t, n, "acc_a", "ses_1", "org_1", nil)
		c.ready()
		if err := n.hub.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		appendEv(t, d, "", events.ScopeAccount, "acc_a", "test.sentinel", nil)
		if err := n.hub.CatchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := c.until(sentinelFor("acc_a")); len(got) != 0 {
			t.Fatalf("got %+v before the sentinel", got)
		}
	})
}

// TestUnresponsiveClientIsDropped: a client that stops answering pings is
// disconnected, while one that keeps reading stays.
func TestUnresponsiveClientIsDropped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{PingInterval: 100 * time.Millisecond, WriteTimeout: 300 * time.Millisecond}, events.HubOptions{})
		mute := dial(t, n, "acc_mute", "s1", "", nil)
		mute.ready() // and never reads again: its pongs are never sent
		alive := dial(t, n, "acc_alive", "s2", "", nil)
		alive.ready()
		go func() {
			for {
				if _, err := alive.next(); err != nil {
					return
				}
			}
		}()
		deadline := time.Now().Add(20 * time.Second)
		for n.gw.Sockets() != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("%d sockets still registered, want 1", n.gw.Sockets())
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(1500 * time.Millisecond) // several more ping rounds
		if n.gw.Sockets() != 1 {
			t.Fatalf("the responsive client was dropped too")
		}
	})
}

// TestRecheckClosesSocketsOfEndedSessions: a session that ends without an
// event (it expires) loses its socket at the next periodic check; a
// session whose organization changed is told to reconnect.
func TestRecheckClosesSocketsOfEndedSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		valid := map[string]string{"ses_1": "org_1", "ses_2": "org_1", "ses_3": "org_1"}
		n := startNode(t, d, events.NewLocalBus(), &memberships{}, stream.Options{RecheckInterval: 200 * time.Millisecond}, events.HubOptions{},
			func(g *stream.Gateway) {
				g.TokenOf = func(r *http.Request) string { return r.Header.Get("X-Test-Session") }
				g.Recheck = func(_ context.Context, token string) (string, bool, error) {
					mu.Lock()
					defer mu.Unlock()
					org, ok := valid[token]
					return org, ok, nil
				}
			})
		s1 := dial(t, n, "acc_a", "ses_1", "org_1", nil)
		s1.ready()
		s2 := dial(t, n, "acc_a", "ses_2", "org_1", nil)
		s2.ready()
		s3 := dial(t, n, "acc_a", "ses_3", "org_1", nil)
		s3.ready()
		mu.Lock()
		delete(valid, "ses_1")   // expired
		valid["ses_2"] = "org_2" // switched organization
		mu.Unlock()
		expectClose(t, s1, stream.CloseSessionEnded, func(frame) bool { return false })
		expectClose(t, s2, stream.CloseMembershipEnded, func(frame) bool { return false })
		time.Sleep(1500 * time.Millisecond)
		if n.gw.Sockets() != 1 {
			t.Fatalf("%d sockets, want the valid one only", n.gw.Sockets())
		}
	})
}
