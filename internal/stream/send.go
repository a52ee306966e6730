package stream

import (
	"context"
	"encoding/json"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Sending over the stream. A client that holds a socket may send messages
// on it instead of POST /api/v1/conversations/{id}/messages:
//
//	→ {"type":"send","ref":"r1","conversation_id":"cnv_…","message":{…the REST body…}}
//	← {"type":"ack","ref":"r1","http_status":201,"message":{…the message…}}
//	← {"type":"error","ref":"r1","http_status":403,"code":"…","message":"…"}
//
// The send is the REST send: the socket's credential is authenticated
// again and the caller placed in their organization, the privacy gate and
// an app token's scope are checked, the body is decoded with the same
// strict rules and the chat service validates it and dedupes by
// client_msg_id (status 200 for a send it already had). The ack goes out
// after the commit, like the REST answer. A socket runs at most
// SendsInFlight sends at once; more wait for a free slot (reading the
// socket pauses meanwhile).

// SendsInFlight bounds the sends one socket runs at once.
const SendsInFlight = 16

// Caller is what a socket knows of its caller: the credential it
// connected with.
type Caller struct {
	Token string
	Via   actor.Via
}

// SendFunc runs one send for a socket's caller and returns the message as
// JSON and whether it was created (false: a retry of a send already made).
type SendFunc func(ctx context.Context, c Caller, conversationID string, message json.RawMessage) (json.RawMessage, bool, error)

// ackFrame is the answer to a send that was committed.
type ackFrame struct {
	Type    string          `json:"type"`
	Ref     string          `json:"ref"`
	Status  int             `json:"http_status"`
	Message json.RawMessage `json:"message"`
}

// refError is the answer to a send that failed.
type refError struct {
	Type    string         `json:"type"`
	Ref     string         `json:"ref"`
	Status  int            `json:"http_status"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func sendError(ref string, err error) []byte {
	ae := httpx.Classify(err)
	if ae == nil {
		ae = apperr.Internal(err) // cancelled: the socket is closing anyway
	}
	st := httpx.StatusOf(ae.Kind)
	e := refError{Type: "error", Ref: ref, Status: st, Code: ae.Code, Message: ae.Message, Details: ae.Details}
	if st >= 500 {
		// As REST answers (httpx.WriteError): no details, and an
		// internal error's cause stays in the log.
		e.Details = nil
		if ae.Kind == apperr.KindInternal {
			e.Code, e.Message = "internal", "internal error"
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		// Details JSON cannot carry (as REST: an internal error, never an
		// empty frame).
		e.Status, e.Code, e.Message, e.Details = httpx.StatusOf(apperr.KindInternal), "internal", "internal error", nil
		b, _ = json.Marshal(e)
	}
	return b
}

// clientSend runs a client's send on its own goroutine, at most SendsInFlight
// per socket, and queues its answer.
func (g *Gateway) clientSend(ctx context.Context, s *socket, m clientMsg) {
	if m.Ref == "" {
		g.answer(s, sendError("", apperr.InvalidField("ref", "a send needs a ref, which its answer repeats")))
		return
	}
	if g.Send == nil {
		g.answer(s, sendError(m.Ref, apperr.New(apperr.KindUnavailable, "stream_send_unavailable", "send with POST /api/v1/conversations/{id}/messages")))
		return
	}
	if m.ConversationID == "" {
		g.answer(s, sendError(m.Ref, apperr.InvalidField("conversation_id", "conversation_id is required")))
		return
	}
	select {
	case s.sends <- struct{}{}:
	case <-ctx.Done():
		return
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() { <-s.sends }()
		msg, created, err := g.Send(ctx, Caller{Token: s.token, Via: s.via}, m.ConversationID, m.Message)
		if err != nil {
			if ae := httpx.Classify(err); ae != nil && ae.Kind == apperr.KindInternal && ctx.Err() == nil {
				g.log.Error("stream: send failed", "account", s.account, "err", err)
			}
			g.answer(s, sendError(m.Ref, err))
			return
		}
		st := 200
		if created {
			st = 201
		}
		b, _ := json.Marshal(ackFrame{Type: "ack", Ref: m.Ref, Status: st, Message: msg})
		g.answer(s, b)
	}()
}

// answer queues a send's answer. A socket whose queue is full is closed as
// a slow consumer, as live delivery does: an answer is never dropped while
// the socket stays open, so a client waiting for it learns to reconnect
// (and may retry the send: the client message id makes the retry safe).
func (g *Gateway) answer(s *socket, b []byte) {
	if s.enqueueOwn(b) {
		return
	}
	// shut changes the gateway's maps: under g.mu, like every other
	// caller of it (answers come from the reader and the send goroutines).
	g.mu.Lock()
	defer g.mu.Unlock()
	if s.registered {
		g.shut(s, CloseSlowConsumer, "send queue full: reconnect with your last position to resume")
	} else {
		s.closeWith(CloseSlowConsumer, "send queue full: reconnect with your last position to resume")
	}
}
