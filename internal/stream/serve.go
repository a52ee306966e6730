package stream

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// clientMsg is any message a client sends.
type clientMsg struct {
	Type           string   `json:"type"`
	LastPos        *int64   `json:"last_pos,omitempty"`
	ConversationID string   `json:"conversation_id,omitempty"`
	Status         string   `json:"status,omitempty"`
	AccountIDs     []string `json:"account_ids,omitempty"`
	// A send (send.go): its reference and the REST body of the message.
	Ref     string          `json:"ref,omitempty"`
	Message json.RawMessage `json:"message,omitempty"`
}

// Serve upgrades the request to a WebSocket and runs the stream until the
// client leaves. The route guard has authenticated the caller; browsers
// must connect from the server's own origin (or one of
// Options.OriginPatterns), which stops other sites from using a visitor's
// session cookie.
func (g *Gateway) Serve(w http.ResponseWriter, r *http.Request) error {
	a := actor.From(r.Context())
	if a == nil {
		return apperr.ErrUnauthenticated
	}
	sb := &smallBuffers{ResponseWriter: w}
	conn, err := websocket.Accept(sb, r, &websocket.AcceptOptions{
		OriginPatterns:  g.opts.OriginPatterns,
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		return nil // Accept has answered (400/403/426)
	}
	defer func() {
		if conn != nil {
			conn.CloseNow()
		}
	}()
	conn.SetReadLimit(g.opts.MaxClientMessage)
	s := &socket{gw: g, conn: conn, wire: sb.wire, account: a.AccountID, session: a.SessionID, via: a.Via, org: a.OrgID, status: statusOnline,
		sends: make(chan struct{}, SendsInFlight)}
	if g.TokenOf != nil {
		s.token = g.TokenOf(r)
	}
	ctx := g.ctx

	hello, err := g.readHello(ctx, s)
	if err != nil {
		conn.Close(CloseBadHello, `the first message must be {"type":"hello","last_pos":N}`)
		return nil
	}
	code, reason, err := g.catchUp(ctx, s, hello.LastPos)
	if err != nil {
		if ctx.Err() == nil {
			g.log.Warn("stream: catch-up failed", "account", s.account, "err", err)
		}
		conn.Close(websocket.StatusInternalError, "internal error: reconnect and resume")
		return nil
	}
	if code != 0 {
		conn.Close(code, reason)
		return nil
	}
	// The handler's goroutine has a deep, grown stack (authentication and
	// catch-up ran database queries on it). Read on a fresh goroutine with
	// a small stack and let this one end: the connection is hijacked, so
	// the HTTP server no longer needs it. Idle sockets are mostly this
	// goroutine and their buffers.
	g.mu.Lock()
	if g.closed {
		g.unregister(s)
		g.pres.socketGone(g, s)
		g.mu.Unlock()
		return nil // the deferred CloseNow ends it
	}
	g.wg.Add(1)
	g.mu.Unlock()
	go func() {
		defer g.wg.Done()
		defer s.conn.CloseNow()
		g.readLoop(ctx, s)
		g.mu.Lock()
		g.unregister(s)
		g.pres.socketGone(g, s)
		g.mu.Unlock()
	}()
	conn = nil
	return nil
}

func (g *Gateway) readHello(ctx context.Context, s *socket) (clientMsg, error) {
	hctx, cancel := context.WithTimeout(ctx, g.opts.HelloTimeout)
	defer cancel()
	_, data, err := s.conn.Read(hctx)
	if err != nil {
		return clientMsg{}, err
	}
	var m clientMsg
	if err := json.Unmarshal(data, &m); err != nil || m.Type != "hello" {
		return clientMsg{}, errors.New("bad hello")
	}
	return m, nil
}

// writeNow writes frames directly (only before the socket is registered,
// when no writer goroutine can run).
func (s *socket) writeNow(frames [][]byte) error {
	if len(frames) == 0 {
		return nil
	}
	q := make([]*outFrame, len(frames))
	for i, b := range frames {
		q[i] = &outFrame{payload: b}
	}
	return s.write(q)
}

// catchUp replays what the client missed after lastPos (nil: nothing, the
// client starts from now), then registers the socket for live delivery. It
// returns a close code when the replay met a revocation of this socket.
func (g *Gateway) catchUp(ctx context.Context, s *socket, lastPos *int64) (websocket.StatusCode, string, error) {
	// The head first, then the conversations: a removal that commits
	// between the two reads is then both absent from the list and after
	// the head, so it is applied when delivered (read the other way
	// round, it would be in neither, and the socket would keep the group).
	head, err := events.Head(ctx, g.d)
	if err != nil {
		return 0, "", err
	}
	s.convs = map[string]struct{}{}
	if g.Conversations != nil {
		ids, err := g.Conversations.ConversationsOf(ctx, s.account)
		if err != nil {
			return 0, "", err
		}
		for _, id := range ids {
			s.convs[id] = struct{}{}
		}
	}
	// Without a position (or after a resync) the client starts from the
	// database's head: its snapshot, loaded after the ready message, is at
	// least that new.
	cursor := head
	if lastPos != nil {
		horizon, err := events.Horizon(ctx, g.d)
		if err != nil {
			return 0, "", err
		}
		n := *lastPos
		if n < horizon || n > head || head-n > g.opts.MaxReplay {
			// Too old (trimmed), or from another log (a restored
			// database): the client reloads its state and continues from
			// the position in the ready message.
			b := []byte(`{"type":"resync","min_pos":` + strconv.FormatInt(horizon, 10) + `}`)
			if err := s.writeNow([][]byte{b}); err != nil {
				return 0, "", err
			}
		} else {
			cursor = n
		}
	}
	for {
		var (
			joined bool
			upTo   int64
			code   websocket.StatusCode
			reason string
		)
		g.hub.Join(cursor, func(head int64, recent []*events.Frame, covered bool) {
			if !covered {
				upTo = head
				return
			}
			joined = true
			g.mu.Lock()
			defer g.mu.Unlock()
			after := max(head, cursor) // cursor > head: this node's hub lags behind the database
			var frames [][]byte
			for _, f := range recent {
				if s.visible(&f.Event) {
					frames = append(frames, f.Bytes)
				}
				if c, ok := controlOf(&f.Event); ok && f.ScopeID == s.account {
					if _, _, code, reason = s.effect(c); code != 0 {
						return
					}
				}
			}
			s.after = after
			g.register(s)
			frames = append(frames, []byte(`{"type":"ready","pos":`+strconv.FormatInt(after, 10)+`}`))
			for _, b := range frames {
				if !s.enqueue(b) {
					g.unregister(s)
					code, reason = CloseSlowConsumer, "send queue full: reconnect with your last position to resume"
					return
				}
			}
			s.nextPing = time.Now().Add(g.opts.PingInterval)
			s.nextCheck = time.Now().Add(time.Duration(rand.Int64N(int64(g.opts.RecheckInterval))) + g.opts.RecheckInterval/2)
			g.pres.socketUp(g, s)
		})
		if joined {
			if code != 0 {
				// Frames before the revocation were visible; send them, then close.
				return code, reason, nil
			}
			return 0, "", nil
		}
		var err error
		if cursor, code, reason, err = g.replay(ctx, s, cursor, upTo); err != nil || code != 0 {
			return code, reason, err
		}
	}
}

// replay sends what s may see in (cursor, upTo] from the database and
// returns the new cursor (upTo, or less when it must re-read because the
// socket's conversations changed).
func (g *Gateway) replay(ctx context.Context, s *socket, cursor, upTo int64) (int64, websocket.StatusCode, string, error) {
	for cursor < upTo {
		sel := events.Selector{AccountID: s.account, OrgID: s.org}
		for c := range s.convs {
			sel.ConversationIDs = append(sel.ConversationIDs, c)
		}
		evs, err := events.ReadFor(ctx, g.d, cursor, upTo, 1000, sel)
		if err != nil {
			return cursor, 0, "", err
		}
		if len(evs) == 0 {
			return upTo, 0, "", nil
		}
		var frames [][]byte
		changed := false
		for i := range evs {
			e := &evs[i]
			cursor = e.Pos
			if s.visible(e) {
				frames = append(frames, events.EncodeFrame(e))
			}
			if c, ok := controlOf(e); ok && e.ScopeID == s.account {
				add, remove, code, reason := s.effect(c)
				if code != 0 {
					return cursor, code, reason, s.writeNow(frames)
				}
				if add != "" || remove != "" {
					changed = true // re-read with the new set of conversations
					break
				}
			}
		}
		if err := s.writeNow(frames); err != nil {
			return cursor, 0, "", err
		}
		if !changed && len(evs) < 1000 {
			return upTo, 0, "", nil
		}
	}
	return cursor, 0, "", nil
}

// readLoop handles what the client sends until it leaves.
func (g *Gateway) readLoop(ctx context.Context, s *socket) {
	for {
		_, data, err := s.conn.Read(ctx)
		if err != nil {
			return
		}
		var m clientMsg
		if err := json.Unmarshal(data, &m); err != nil {
			s.enqueue(errorFrame("invalid_json", "messages are JSON objects"))
			continue
		}
		switch m.Type {
		case "typing":
			g.typing(s, m.ConversationID)
		case "presence":
			if m.Status != statusOnline && m.Status != statusAway {
				s.enqueue(errorFrame("invalid_status", `status is "online" or "away"`))
				continue
			}
			g.mu.Lock()
			g.pres.setStatus(g, s, m.Status)
			g.mu.Unlock()
		case "presence_subscribe":
			g.watch(ctx, s, m.AccountIDs)
		case "ping":
			s.enqueue([]byte(`{"type":"pong"}`))
		case "send":
			g.clientSend(ctx, s, m)
		default:
			s.enqueue(errorFrame("unknown_type", "unknown message type"))
		}
	}
}

func errorFrame(code, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"type": "error", "code": code, "message": msg})
	return b
}
