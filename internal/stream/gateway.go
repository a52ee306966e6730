// Package stream is the real-time gateway: one WebSocket per client at
// GET /api/v1/stream. A client says which position of the event log it saw
// last; the gateway replays what it missed that it may see, then streams new
// events live, together with ephemeral typing and presence signals that are
// never logged. The protocol is documented in docs/api.md ("Real-time
// stream").
//
// Who sees what: an event with scope "account" goes to that account's
// sockets, scope "org" to sockets whose session is in that organization
// (the route guard checked that the account is an active member), scope
// "conversation" to sockets of its participants. The gateway keeps, per
// node, indexes from each scope to its sockets and updates them from the
// account-scoped events that change membership (conversation.member_added,
// conversation.member_removed) or revoke access (session.ended,
// me.orgs_changed), in log order, so that nothing after a removal reaches
// the removed person.
//
// Each event is encoded once per node (events.Frame), with its whole
// WebSocket frame (wire.go), and the same bytes are queued on every
// recipient socket. Each socket has a bounded queue; after each batch of
// events the sockets that received something are flushed with one
// non-blocking write each, and a socket whose connection cannot take it
// all gets a writer goroutine that waits (it exists only while there is
// something to write). A socket whose queue overflows is closed with a
// reason telling the client to reconnect and resume, and never slows down
// the others.
package stream

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Conversations is what the gateway needs from chat.
type Conversations interface {
	// IsParticipant reports whether accountID is a current participant.
	IsParticipant(ctx context.Context, conversationID, accountID string) bool
	// ConversationsOf lists the conversations accountID participates in.
	ConversationsOf(ctx context.Context, accountID string) ([]string, error)
}

// Directory is what the gateway needs from the directory (for presence).
type Directory interface {
	// IsActiveMember reports whether accountID is an active member of orgID.
	IsActiveMember(ctx context.Context, orgID, accountID string) bool
}

// Event types the gateway acts on (account scope, emitted by chat, identity
// and directory). See docs/api.md.
const (
	TypeMemberAdded   = "conversation.member_added"   // data {"conversation_id"}
	TypeMemberRemoved = "conversation.member_removed" // data {"conversation_id"}
	// TypeSessionEnded closes the sockets of the sessions listed in
	// data {"session_ids":[…]} (sign-out, revocation, password change).
	TypeSessionEnded = "session.ended"
	// TypeSessionRevoked closes the socket of data {"session_id"}, or every
	// socket of the account when it is empty.
	TypeSessionRevoked = "session.revoked"
	// TypeOrgsChanged (data {"org_id"}) says the account's memberships
	// changed in that organization: sockets whose session is in it close,
	// and reconnect with what the account may now see.
	TypeOrgsChanged       = "me.orgs_changed"
	TypeMemberLeft        = "member.left"        // data {"org_id"}
	TypeMemberDeactivated = "member.deactivated" // data {"org_id"}
)

// Close codes sent to clients (4000–4999 are the application's).
const (
	CloseSessionEnded    websocket.StatusCode = 4001 // signed out or session revoked: sign in again
	CloseMembershipEnded websocket.StatusCode = 4003 // no longer a member of the session's organization
	CloseSlowConsumer    websocket.StatusCode = 4008 // send queue overflowed: reconnect and resume from last_pos
	CloseBadHello        websocket.StatusCode = 4400 // the first message was not a valid hello
)

// Options tune the gateway.
type Options struct {
	// QueueFrames bounds each socket's send queue (default 4096 frames).
	QueueFrames int
	// QueueBytes bounds the bytes of the frames queued for one socket
	// alone, its sends' answers (default 8 MiB).
	QueueBytes int
	// WriteTimeout bounds one write to a socket (default 10s).
	WriteTimeout time.Duration
	// PingInterval is how often each socket is pinged (default 30s).
	PingInterval time.Duration
	// HelloTimeout is how long a new socket may take to say hello (default 10s).
	HelloTimeout time.Duration
	// RecheckInterval is how often each socket's credentials are checked
	// again with Gateway.Recheck (default 5 min): the safety net for a
	// session that ends without an event (expiry).
	RecheckInterval time.Duration
	// OriginPatterns are extra host patterns (besides the request's own
	// host) that browsers may connect from.
	OriginPatterns []string
	// MaxReplay is the largest gap (in positions) a client may ask to
	// replay; beyond it the client is told to resync (default 5,000,000).
	MaxReplay int64
	// MaxBatch is the most frames coalesced into one WebSocket message
	// (default 256).
	MaxBatch int
	// MaxClientMessage bounds what a client may send in one WebSocket
	// message (default 16 KiB; a send carries a message body).
	MaxClientMessage int64
}

func (o *Options) defaults() {
	if o.QueueBytes <= 0 {
		o.QueueBytes = 8 << 20
	}
	if o.QueueFrames <= 0 {
		o.QueueFrames = 4096
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	if o.HelloTimeout <= 0 {
		o.HelloTimeout = 10 * time.Second
	}
	if o.RecheckInterval <= 0 {
		o.RecheckInterval = 5 * time.Minute
	}
	if o.MaxReplay <= 0 {
		o.MaxReplay = 5_000_000
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.MaxClientMessage <= 0 {
		o.MaxClientMessage = 16 << 10
	}
}

type socketSet map[*socket]struct{}

// Gateway is one node's WebSocket gateway.
type Gateway struct {
	d    *db.DB
	hub  *events.Hub
	bus  events.Bus
	log  *slog.Logger
	opts Options
	// Conversations and Directory are set by the server's wiring when chat
	// and the directory exist; without Conversations no conversation events
	// are streamed, without Directory nobody may watch presence.
	Conversations Conversations
	Directory     Directory
	// TokenOf returns the credential a request authenticated with, and
	// Recheck says whether it is still valid (ok) and which organization
	// the session is in now ("" for none); err means "could not tell, try
	// later". Set by the server's wiring; without them sockets rely on
	// revocation events alone.
	TokenOf func(r *http.Request) string
	Recheck func(ctx context.Context, token string) (orgID string, ok bool, err error)
	// Send runs the sends clients make over their sockets (send.go); nil
	// refuses them (503 stream_send_unavailable).
	Send SendFunc

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool // set by Close: no new reader goroutines
	byAccount map[string]socketSet
	byOrg     map[string]socketSet
	byConv    map[string]socketSet
	pres      presence

	// Live delivery (the hub's goroutine only): the sockets to flush after
	// a batch, and the goroutines that flush part of them.
	kicks    []*socket
	flushers []chan []*socket
	flushWG  sync.WaitGroup
}

// New returns a gateway fed by hub; Start starts its background work.
func New(d *db.DB, hub *events.Hub, bus events.Bus, log *slog.Logger, opts Options) *Gateway {
	opts.defaults()
	g := &Gateway{
		d: d, hub: hub, bus: bus, log: log, opts: opts,
		byAccount: map[string]socketSet{},
		byOrg:     map[string]socketSet{},
		byConv:    map[string]socketSet{},
	}
	g.pres.init()
	g.ctx, g.cancel = context.WithCancel(context.Background())
	for i := 1; i < runtime.GOMAXPROCS(0); i++ {
		ch := make(chan []*socket)
		g.flushers = append(g.flushers, ch)
		go g.flusher(ch)
	}
	hub.SetSink(g.deliver)
	return g
}

// Start runs the pinger and the ephemeral-signal reader until Close.
func (g *Gateway) Start() {
	g.wg.Add(2)
	go g.pingLoop()
	go g.ephemeralLoop()
}

// Close closes every socket with "going away" (clients reconnect and
// resume elsewhere) and stops background work.
func (g *Gateway) Close() {
	g.cancel()
	g.mu.Lock()
	g.closed = true
	var all []*socket
	for _, set := range g.byAccount {
		for s := range set {
			all = append(all, s)
		}
	}
	g.mu.Unlock()
	for _, s := range all {
		s.conn.Close(websocket.StatusGoingAway, "server shutting down: reconnect and resume")
	}
	g.wg.Wait()
}

// Sockets returns how many sockets are live on this node.
func (g *Gateway) Sockets() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, set := range g.byAccount {
		n += len(set)
	}
	return n
}

func addTo(m map[string]socketSet, key string, s *socket) {
	set := m[key]
	if set == nil {
		set = socketSet{}
		m[key] = set
	}
	set[s] = struct{}{}
}

func removeFrom(m map[string]socketSet, key string, s *socket) {
	if set := m[key]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(m, key)
		}
	}
}

// register adds s to the indexes. g.mu must be held.
func (g *Gateway) register(s *socket) {
	addTo(g.byAccount, s.account, s)
	if s.org != "" {
		addTo(g.byOrg, s.org, s)
	}
	for c := range s.convs {
		addTo(g.byConv, c, s)
	}
	s.registered = true
}

// unregister removes s from the indexes. g.mu must be held.
func (g *Gateway) unregister(s *socket) {
	if !s.registered {
		return
	}
	s.registered = false
	removeFrom(g.byAccount, s.account, s)
	if s.org != "" {
		removeFrom(g.byOrg, s.org, s)
	}
	for c := range s.convs {
		removeFrom(g.byConv, c, s)
	}
}

// deliver is the hub's sink: it routes each frame to the sockets of its
// scope, in position order, and applies membership and revocation events
// as it meets them. It runs with the hub's lock held. Each event's
// WebSocket frame is built once for all its recipients; the sockets that
// were idle are flushed once the whole batch is queued, so a socket
// receives the batch's frames in one write.
func (g *Gateway) deliver(batch []*events.Frame) {
	g.mu.Lock()
	d := delivery{g: g, kicks: g.kicks[:0]}
	for _, f := range batch {
		d.frame = nil
		switch f.ScopeKind {
		case events.ScopeConversation:
			for s := range g.byConv[f.ScopeID] {
				d.send(s, f)
			}
		case events.ScopeOrg:
			for s := range g.byOrg[f.ScopeID] {
				d.send(s, f)
			}
		case events.ScopeAccount:
			set := g.byAccount[f.ScopeID]
			if len(set) == 0 {
				continue
			}
			c, isControl := controlOf(&f.Event)
			for s := range set {
				// A socket that joined after this position already has
				// what it says (its subscriptions were read later).
				if f.Pos <= s.after {
					continue
				}
				d.send(s, f)
				if isControl {
					g.applyLive(s, c)
				}
			}
		}
	}
	g.mu.Unlock()
	g.flushAll(d.kicks)
	clear(d.kicks)
	g.kicks = d.kicks[:0]
}

// delivery is one batch's delivery state.
type delivery struct {
	g     *Gateway
	frame *outFrame // the current event's, built at its first recipient
	kicks []*socket // sockets to flush after the batch
}

// send queues f on s unless s already has it. g.mu must be held.
func (d *delivery) send(s *socket, f *events.Frame) {
	if f.Pos <= s.after {
		return
	}
	s.after = f.Pos
	if d.frame == nil {
		d.frame = &outFrame{payload: f.Bytes, wire: wireFrame(f.Bytes)}
	}
	kick, full := s.enqueueLive(d.frame)
	if full {
		d.g.shut(s, CloseSlowConsumer, "send queue full: reconnect with your last position to resume")
		return
	}
	if kick {
		d.kicks = append(d.kicks, s)
	}
}

// flushAll flushes sockets, split between this goroutine and the flushers.
func (g *Gateway) flushAll(kicks []*socket) {
	parts := len(g.flushers) + 1
	if len(kicks) < 64*parts {
		parts = max(1, len(kicks)/64)
	}
	size := (len(kicks) + parts - 1) / max(parts, 1)
	for i := 1; i < parts; i++ {
		part := kicks[i*size : min(len(kicks), (i+1)*size)]
		g.flushWG.Add(1)
		select {
		case g.flushers[i-1] <- part:
		case <-g.ctx.Done():
			for _, s := range part {
				s.flush()
			}
			g.flushWG.Done()
		}
	}
	for _, s := range kicks[:min(size, len(kicks))] {
		s.flush()
	}
	g.flushWG.Wait()
}

// flusher flushes the sockets it is handed until the gateway closes.
func (g *Gateway) flusher(ch chan []*socket) {
	for {
		select {
		case part := <-ch:
			for _, s := range part {
				s.flush()
			}
			g.flushWG.Done()
		case <-g.ctx.Done():
			return
		}
	}
}

// shut stops all delivery to s at once and closes it with code. g.mu must
// be held.
func (g *Gateway) shut(s *socket, code websocket.StatusCode, reason string) {
	g.unregister(s)
	g.pres.socketGone(g, s)
	s.closeWith(code, reason)
}

// control is a membership or revocation change carried by an event.
type control struct {
	typ      string
	convID   string
	sessions []string // ended sessions; none = every session (session.revoked only)
	orgID    string
}

func controlOf(e *events.Event) (control, bool) {
	switch e.Type {
	case TypeMemberAdded, TypeMemberRemoved, TypeSessionEnded, TypeSessionRevoked, TypeOrgsChanged, TypeMemberLeft, TypeMemberDeactivated:
	default:
		return control{}, false
	}
	var d struct {
		ConversationID string   `json:"conversation_id"`
		SessionID      string   `json:"session_id"`
		SessionIDs     []string `json:"session_ids"`
		OrgID          string   `json:"org_id"`
	}
	_ = json.Unmarshal(e.Data, &d)
	c := control{typ: e.Type, convID: d.ConversationID, sessions: d.SessionIDs, orgID: d.OrgID}
	if d.SessionID != "" {
		c.sessions = append(c.sessions, d.SessionID)
	}
	if c.orgID == "" {
		c.orgID = e.OrgID
	}
	return c, true
}

// effect applies c to s's subscriptions and says whether s must close.
func (s *socket) effect(c control) (add, remove string, code websocket.StatusCode, reason string) {
	switch c.typ {
	case TypeMemberAdded:
		if c.convID != "" {
			if _, ok := s.convs[c.convID]; !ok {
				s.convs[c.convID] = struct{}{}
				add = c.convID
			}
		}
	case TypeMemberRemoved:
		if _, ok := s.convs[c.convID]; ok {
			delete(s.convs, c.convID)
			remove = c.convID
		}
	case TypeSessionEnded, TypeSessionRevoked:
		end := c.typ == TypeSessionRevoked && len(c.sessions) == 0
		for _, id := range c.sessions {
			end = end || id == s.session
		}
		if end {
			return "", "", CloseSessionEnded, "session ended: sign in again"
		}
	case TypeOrgsChanged, TypeMemberLeft, TypeMemberDeactivated:
		if s.org != "" && c.orgID == s.org {
			return "", "", CloseMembershipEnded, "no longer a member of this organization"
		}
	}
	return
}

// applyLive applies c to a registered socket. g.mu must be held.
func (g *Gateway) applyLive(s *socket, c control) {
	if !s.registered {
		return
	}
	add, remove, code, reason := s.effect(c)
	switch {
	case code != 0:
		g.shut(s, code, reason)
	case add != "":
		addTo(g.byConv, add, s)
	case remove != "":
		removeFrom(g.byConv, remove, s)
	}
}

// visible reports whether s may see e (replay uses it; live delivery uses
// the indexes, which hold the same answer).
func (s *socket) visible(e *events.Event) bool {
	switch e.ScopeKind {
	case events.ScopeAccount:
		return e.ScopeID == s.account
	case events.ScopeOrg:
		return s.org != "" && e.ScopeID == s.org
	case events.ScopeConversation:
		_, ok := s.convs[e.ScopeID]
		return ok
	}
	return false
}

func (g *Gateway) pingLoop() {
	defer g.wg.Done()
	// Sockets are pinged in a rolling way (each one once per interval, at
	// its own phase) so that 10,000 sockets do not wake at the same moment.
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case now := <-tick.C:
			var due []*socket
			g.mu.Lock()
			for _, set := range g.byAccount {
				for s := range set {
					if now.After(s.nextPing) {
						s.nextPing = now.Add(g.opts.PingInterval)
						s.requestPing()
					}
					if s.token != "" && g.Recheck != nil && now.After(s.nextCheck) {
						s.nextCheck = now.Add(g.opts.RecheckInterval)
						due = append(due, s)
					}
				}
			}
			g.mu.Unlock()
			g.recheck(due)
		}
	}
}

// recheck validates the credentials of sockets again (outside the lock:
// it queries the database) and closes those that no longer hold.
func (g *Gateway) recheck(due []*socket) {
	for _, s := range due {
		ctx, cancel := context.WithTimeout(g.ctx, 10*time.Second)
		org, ok, err := g.Recheck(ctx, s.token)
		cancel()
		if err != nil {
			if g.ctx.Err() == nil {
				g.log.Warn("stream: recheck failed", "err", err)
			}
			return // the database is slow or we are closing: try later
		}
		g.mu.Lock()
		switch {
		case !s.registered:
		case !ok:
			g.shut(s, CloseSessionEnded, "session ended: sign in again")
		case org != s.org:
			g.shut(s, CloseMembershipEnded, "organization membership changed: reconnect")
		}
		g.mu.Unlock()
	}
}

// Position returns the last event-log position this node has read.
func (g *Gateway) Position() int64 { return g.hub.Position() }
