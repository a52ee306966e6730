package server

import (
	"context"
	"net/http"
	"sync"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/drive/dav"
)

// mountDAV mounts CalDAV under /caldav/ and the drive's WebDAV under
// /dav/, both behind app passwords (HTTP Basic authentication), with
// /.well-known/caldav and /.well-known/webdav redirecting to them (RFC
// 6764). The services are looked up at each request, as they are wired
// after the handlers are built.
func (s *Server) mountDAV() {
	cal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Calendar == nil {
			http.NotFound(w, r)
			return
		}
		s.Calendar.DAV().ServeHTTP(w, r)
	})
	s.mux.Handle(calendar.DAVPrefix+"/", s.AppPasswordAuth(calendar.DAVPrefix+"/", cal))
	s.mux.HandleFunc("/.well-known/caldav", calendar.WellKnownCalDAV)

	var once sync.Once
	var files *dav.Server
	drive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.Drive == nil || s.Directory == nil {
			http.NotFound(w, r)
			return
		}
		once.Do(func() {
			files = dav.New(s.Drive, s.davOrgs)
			files.Log = s.Log.Error
		})
		files.ServeHTTP(w, r)
	})
	s.mux.Handle(dav.Prefix+"/", s.AppPasswordAuth(dav.Prefix+"/", drive))
	s.mux.HandleFunc("/.well-known/webdav", dav.WellKnown)
}

// davOrgs lists the organizations the WebDAV caller is an active member
// of.
func (s *Server) davOrgs(ctx context.Context) ([]dav.Org, error) {
	os, err := s.Directory.MyOrgs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]dav.Org, len(os))
	for i, o := range os {
		out[i] = dav.Org{ID: o.OrgID, Name: o.Name, MemberID: o.MemberID}
	}
	return out, nil
}
