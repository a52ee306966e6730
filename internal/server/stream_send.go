package server

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/stream"
)

// sendRoute is the REST route a send over the stream stands for: its
// scope and gate apply to both.
const sendRoute = "POST /api/v1/conversations/{id}/messages"

// streamSend is the stream's send (stream.SendFunc): what the route guard
// and chat's handler do for POST /api/v1/conversations/{id}/messages, on
// the socket's credential — authenticated again and placed in its
// organization (a revoked session or a removed member is refused at
// once), an app token's scope and the privacy gate checked, the body
// decoded with the same strict rules, then chat's Send.
func (s *Server) streamSend(ctx context.Context, c stream.Caller, conversationID string, message json.RawMessage) (json.RawMessage, bool, error) {
	if s.Chat == nil {
		return nil, false, apperr.ErrNotFound
	}
	if c.Token == "" {
		return nil, false, apperr.ErrUnauthenticated
	}
	// One read of the generations serves every check below (platform/fresh).
	ctx = fresh.With(ctx, s.DB)
	a, err := s.callers().Resolve(ctx, c.Token, c.Via)
	if err != nil {
		return nil, false, err
	}
	if a.Via == actor.ViaApp {
		if rt, ok := s.route(sendRoute); !ok || rt.Scope == "" || !a.HasScope(rt.Scope) {
			return nil, false, apperr.New(apperr.KindForbidden, "insufficient_scope", "the app token lacks the scope for this route").With("scope", rt.Scope)
		}
	}
	ctx = actor.With(ctx, a)
	if s.Gate != nil {
		if err := s.Gate(ctx, a, sendRoute); err != nil {
			return nil, false, err
		}
	}
	if len(message) == 0 {
		return nil, false, apperr.InvalidField("message", "message is required: the body of POST /api/v1/conversations/{id}/messages")
	}
	var in chat.SendInput
	if err := httpx.Decode(bytes.NewReader(message), &in, chat.MaxSendBody); err != nil {
		return nil, false, err
	}
	m, created, err := s.Chat.Send(ctx, conversationID, in)
	if err != nil {
		return nil, false, err
	}
	b, err := json.Marshal(m)
	return b, created, err
}

// route returns the route of a pattern.
func (s *Server) route(pattern string) (Route, bool) {
	for _, rt := range s.Routes() {
		if rt.Pattern == pattern {
			return rt, true
		}
	}
	return Route{}, false
}
