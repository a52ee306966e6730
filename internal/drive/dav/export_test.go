package dav

import "net/http"

// Generic serves every request through x/net/webdav alone (no short way
// for PROPFIND), for tests that compare the two.
func Generic(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, false) })
}
