package server

import (
	"context"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// AppPasswordAuth guards the routes of standard clients — CalDAV and
// WebDAV, mounted under one prefix each — that sign in with the account's
// email address and an app password over HTTP Basic authentication
// (httpx.BasicAuth; the identity service checks and throttles). Session
// cookies and bearer tokens are not accepted there, nor is the account's
// own password. The privacy center's gate runs as on API routes, under
// pattern. The services are looked up at each request, so the guard may be
// built before they are wired.
func (s *Server) AppPasswordAuth(pattern string, next http.Handler) http.Handler {
	gate := func(r *http.Request, a *actor.Actor) error {
		if s.Gate == nil {
			return nil
		}
		return s.Gate(r.Context(), a, pattern)
	}
	return httpx.BasicAuth(appPasswords{s}, serverMembers{s}, gate, next)
}

// appPasswords is the identity service's check of app passwords.
type appPasswords struct{ s *Server }

func (p appPasswords) AuthenticateAppPassword(ctx context.Context, login, secret string) (*actor.Actor, error) {
	id := p.s.ident()
	if id == nil {
		return nil, httpx.ErrBasicRequired
	}
	return id.AuthenticateAppPassword(ctx, login, secret)
}

// serverMembers is the directory's answer of who an account is in an
// organization.
type serverMembers struct{ s *Server }

func (m serverMembers) ResolveMember(ctx context.Context, accountID, orgID string) (string, error) {
	if m.s.Members == nil {
		return "", apperr.ErrNotFound
	}
	return m.s.Members.ResolveMember(ctx, accountID, orgID)
}
