package server

import (
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// AppPasswordAuth guards the routes of standard clients — CalDAV and
// WebDAV, mounted under one prefix each — that sign in with the account's
// email address and an app password over HTTP Basic authentication
// (httpx.BasicAuth; the identity service checks and throttles). Session
// cookies and bearer tokens are not accepted there, nor is the account's
// own password. The privacy center's gate runs as on API routes, under
// pattern.
func (s *Server) AppPasswordAuth(pattern string, next http.Handler) http.Handler {
	var auth httpx.AppPasswordAuthenticator
	if id := s.ident(); id != nil {
		auth = id
	}
	gate := func(r *http.Request, a *actor.Actor) error {
		if s.Gate == nil {
			return nil
		}
		return s.Gate(r.Context(), a, pattern)
	}
	return httpx.BasicAuth(auth, s.Members, gate, next)
}
