package server

import (
	"net/http"

	"github.com/atrium-hq/atrium/internal/calendar"
)

// mountDAV mounts CalDAV under /caldav/ (/dav/ is left to the file
// server, WebDAV) behind app passwords (HTTP Basic
// authentication), and /.well-known/caldav redirecting to it (RFC 6764).
// The calendar service is looked up at each request, as it is wired after
// the handler is built.
func (s *Server) mountDAV() {
	dav := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Calendar == nil {
			http.NotFound(w, r)
			return
		}
		s.Calendar.DAV().ServeHTTP(w, r)
	})
	s.mux.Handle(calendar.DAVPrefix+"/", s.AppPasswordAuth(calendar.DAVPrefix+"/", dav))
	s.mux.HandleFunc("/.well-known/caldav", calendar.WellKnownCalDAV)
}
