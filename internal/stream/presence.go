package stream

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Presence statuses.
const (
	statusOnline  = "online"
	statusAway    = "away"
	statusOffline = "offline"
)

// presenceTTL is how long a status announced by another node counts
// without being refreshed; nodes re-announce theirs every presenceBeat, so
// a node that dies stops counting after presenceTTL.
const (
	presenceBeat = 30 * time.Second
	presenceTTL  = 75 * time.Second
	maxWatch     = 500
)

type remoteStatus struct {
	status string
	seen   time.Time
}

// presence tracks who is online. Guarded by Gateway.mu.
type presence struct {
	node     string
	local    map[string]*[2]int                 // account → sockets online, away (this node)
	remote   map[string]map[string]remoteStatus // account → node → status
	shown    map[string]string                  // account → last status told to watchers
	watchers map[string]socketSet               // account → sockets watching it
	out      chan []byte                        // payloads to publish (outside the lock)
}

func (p *presence) init() {
	var b [6]byte
	_, _ = rand.Read(b[:])
	p.node = hex.EncodeToString(b[:])
	p.local = map[string]*[2]int{}
	p.remote = map[string]map[string]remoteStatus{}
	p.shown = map[string]string{}
	p.watchers = map[string]socketSet{}
	p.out = make(chan []byte, 1024)
}

var statusRank = map[string]int{statusOffline: 0, "": 0, statusAway: 1, statusOnline: 2}

func better(a, b string) string {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

func (p *presence) localStatus(acc string) string {
	c := p.local[acc]
	switch {
	case c == nil:
		return statusOffline
	case c[0] > 0:
		return statusOnline
	case c[1] > 0:
		return statusAway
	}
	return statusOffline
}

func (p *presence) status(acc string, now time.Time) string {
	st := p.localStatus(acc)
	for _, r := range p.remote[acc] {
		if now.Sub(r.seen) < presenceTTL {
			st = better(st, r.status)
		}
	}
	return st
}

type presenceMsg struct {
	K    string   `json:"k"`
	Node string   `json:"n"`
	A    string   `json:"a,omitempty"`
	S    string   `json:"s,omitempty"`
	On   []string `json:"on,omitempty"`
	Away []string `json:"away,omitempty"`
	C    string   `json:"c,omitempty"`
}

func (p *presence) count(s *socket, delta int) {
	c := p.local[s.account]
	if c == nil {
		c = &[2]int{}
		p.local[s.account] = c
	}
	if s.status == statusAway {
		c[1] += delta
	} else {
		c[0] += delta
	}
	if c[0] <= 0 && c[1] <= 0 {
		delete(p.local, s.account)
	}
}

// changed publishes acc's local status to other nodes and tells watchers
// on this node when the overall status changed.
func (p *presence) changed(g *Gateway, acc string) {
	b, _ := json.Marshal(presenceMsg{K: "presence", Node: p.node, A: acc, S: p.localStatus(acc)})
	select {
	case p.out <- b:
	default:
	}
	p.tell(g, acc, time.Now())
}

func (p *presence) tell(g *Gateway, acc string, now time.Time) {
	st := p.status(acc, now)
	if p.shown[acc] == st {
		return
	}
	if st == statusOffline {
		delete(p.shown, acc)
	} else {
		p.shown[acc] = st
	}
	if ws := p.watchers[acc]; len(ws) > 0 {
		f := presenceFrame(acc, st)
		for s := range ws {
			if !s.enqueue(f) {
				g.shut(s, CloseSlowConsumer, "send queue full: reconnect with your last position to resume")
			}
		}
	}
}

func presenceFrame(acc, st string) []byte {
	b, _ := json.Marshal(map[string]string{"type": "presence", "account_id": acc, "status": st})
	return b
}

func (p *presence) socketUp(g *Gateway, s *socket) {
	p.count(s, +1)
	p.changed(g, s.account)
}

func (p *presence) socketGone(g *Gateway, s *socket) {
	if s.status == "" {
		return // never counted, or already gone
	}
	p.count(s, -1)
	s.status = ""
	for _, acc := range s.watching {
		removeFrom(p.watchers, acc, s)
	}
	s.watching = nil
	p.changed(g, s.account)
}

func (p *presence) setStatus(g *Gateway, s *socket, st string) {
	if !s.registered || s.status == st || s.status == "" {
		return
	}
	p.count(s, -1)
	s.status = st
	p.count(s, +1)
	p.changed(g, s.account)
}

// remoteMsg applies another node's announcement.
func (p *presence) remoteMsg(g *Gateway, m presenceMsg, now time.Time) {
	set := func(acc, st string) {
		r := p.remote[acc]
		if r == nil {
			r = map[string]remoteStatus{}
			p.remote[acc] = r
		}
		if st == statusOffline {
			delete(r, m.Node)
			if len(r) == 0 {
				delete(p.remote, acc)
			}
		} else {
			r[m.Node] = remoteStatus{status: st, seen: now}
		}
		p.tell(g, acc, now)
	}
	switch m.K {
	case "presence":
		set(m.A, m.S)
	case "presence_sync":
		for _, a := range m.On {
			set(a, statusOnline)
		}
		for _, a := range m.Away {
			set(a, statusAway)
		}
	}
}

// beat re-announces this node's statuses and expires silent nodes'.
func (p *presence) beat(g *Gateway, now time.Time) {
	msg := presenceMsg{K: "presence_sync", Node: p.node}
	size := 0
	flush := func() {
		if len(msg.On)+len(msg.Away) == 0 {
			return
		}
		b, _ := json.Marshal(msg)
		select {
		case p.out <- b:
		default:
		}
		msg.On, msg.Away, size = nil, nil, 0
	}
	for acc := range p.local {
		if size+len(acc)+3 > events.MaxEphemeral-200 {
			flush()
		}
		if p.localStatus(acc) == statusOnline {
			msg.On = append(msg.On, acc)
		} else {
			msg.Away = append(msg.Away, acc)
		}
		size += len(acc) + 3
	}
	flush()
	for acc, nodes := range p.remote {
		for n, r := range nodes {
			if now.Sub(r.seen) >= presenceTTL {
				delete(nodes, n)
			}
		}
		if len(nodes) == 0 {
			delete(p.remote, acc)
		}
		p.tell(g, acc, now)
	}
}

// watch replaces the set of accounts s watches with those of ids it may
// watch (itself, and active members of its organization) and sends their
// current statuses.
func (g *Gateway) watch(ctx context.Context, s *socket, ids []string) {
	if len(ids) > maxWatch {
		s.enqueue(errorFrame("too_many", "watch at most 500 accounts"))
		return
	}
	var ok []string
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if id == s.account || (s.org != "" && g.Directory != nil && g.Directory.IsActiveMember(ctx, s.org, id)) {
			ok = append(ok, id)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !s.registered {
		return
	}
	for _, acc := range s.watching {
		removeFrom(g.pres.watchers, acc, s)
	}
	s.watching = ok
	now := time.Now()
	for _, acc := range ok {
		addTo(g.pres.watchers, acc, s)
		if !s.enqueue(presenceFrame(acc, g.pres.status(acc, now))) {
			g.shut(s, CloseSlowConsumer, "send queue full: reconnect with your last position to resume")
			return
		}
	}
}

// typing relays a typing signal to the conversation's other participants
// on every node. At most one signal per socket and conversation every two
// seconds is relayed.
func (g *Gateway) typing(s *socket, conv string) {
	now := time.Now()
	if conv == s.lastTypingConv && now.Sub(s.lastTyping) < 2*time.Second {
		return
	}
	g.mu.Lock()
	_, ok := s.convs[conv]
	g.mu.Unlock()
	if !ok {
		s.enqueue(errorFrame("not_found", "no such conversation"))
		return
	}
	s.lastTyping, s.lastTypingConv = now, conv
	b, _ := json.Marshal(presenceMsg{K: "typing", Node: g.pres.node, A: s.account, C: conv})
	if err := g.bus.Publish(b); err != nil {
		g.log.Debug("stream: typing not relayed", "err", err)
	}
}

// ephemeralLoop handles typing and presence signals from every node and
// publishes this node's presence changes.
func (g *Gateway) ephemeralLoop() {
	defer g.wg.Done()
	beat := time.NewTicker(presenceBeat)
	defer beat.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case b := <-g.pres.out:
			if err := g.bus.Publish(b); err != nil {
				g.log.Debug("stream: presence not relayed", "err", err)
			}
		case now := <-beat.C:
			g.mu.Lock()
			g.pres.beat(g, now)
			g.mu.Unlock()
		case b := <-g.bus.Ephemeral():
			var m presenceMsg
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			switch m.K {
			case "typing":
				f, _ := json.Marshal(map[string]string{"type": "typing", "conversation_id": m.C, "account_id": m.A})
				g.mu.Lock()
				for s := range g.byConv[m.C] {
					if s.account != m.A && !s.enqueue(f) {
						g.shut(s, CloseSlowConsumer, "send queue full: reconnect with your last position to resume")
					}
				}
				g.mu.Unlock()
			case "presence", "presence_sync":
				if m.Node == g.pres.node {
					continue
				}
				g.mu.Lock()
				g.pres.remoteMsg(g, m, time.Now())
				g.mu.Unlock()
			}
		}
	}
}

// Connected reports whether acc has a live stream connection: a socket on
// this node, or one another node announced within presenceTTL (nodes
// re-announce every presenceBeat, so a connection that closed on another
// node may count for up to that long).
func (g *Gateway) Connected(acc string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.pres.status(acc, time.Now()) != statusOffline
}
