// Package server wires Atrium together: it builds every service, lists every
// route (routes.go), authenticates requests, and serves the embedded web app.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/stream"
	"github.com/atrium-hq/atrium/migrations"
)

// Auth says who may call a route.
type Auth int

// Route access levels. The service behind a route still checks the actor's
// rights for the specific object; this only decides whether a caller must be
// signed in, and in an organization, before the handler runs.
const (
	Public  Auth = iota // anyone, signed in or not (an actor is attached when present)
	Account             // a signed-in person, in an organization or not
	Member              // a signed-in person acting in their current organization
)

// Route is one line of the API: its pattern, handler, who may call it, and
// what the OpenAPI document says of it.
type Route struct {
	Pattern  string // Go 1.22 ServeMux pattern: "POST /api/v1/auth/login"
	Handler  httpx.HandlerFunc
	Auth     Auth
	Summary  string
	Request  any // zero value of the JSON request body type, or nil
	Response any // zero value of the JSON response type, or nil
	// Scope is the app-token scope the route requires ("" = people only).
	Scope string
}

// Authenticator turns a session cookie or bearer token into an actor.
type Authenticator interface {
	// Authenticate returns the actor for token, or apperr.ErrUnauthenticated.
	Authenticate(ctx context.Context, token string, via actor.Via) (*actor.Actor, error)
}

// MemberResolver says which member an account is in an organization.
type MemberResolver interface {
	// ResolveMember returns the active member id of accountID in orgID, or
	// an error when the account is not an active member there.
	ResolveMember(ctx context.Context, accountID, orgID string) (string, error)
}

// Server is the HTTP face of Atrium.
type Server struct {
	Log     *slog.Logger
	DB      *db.DB
	Auth    Authenticator
	Members MemberResolver
	// Secure marks cookies Secure (TLS or a TLS-terminating proxy).
	Secure bool
	// DevUIURL, when set, proxies the web app's paths to a Vite dev server.
	DevUIURL string
	// Audit serves the organization's audit log to admins.
	Audit *audit.Service
	// Stream is the real-time WebSocket gateway (wire_stream.go).
	Stream *stream.Gateway
	// Directory is organizations, members, roles and the permission check
	// (wire_directory.go).
	Directory *directory.Service
	// Privacy is the privacy center (wire_privacy.go).
	Privacy *privacy.Service
	// Chat is messaging (wire_chat.go).
	Chat *chat.Service
	// Gate, when set, runs after authentication on every non-public route
	// (the privacy center's policy-acceptance and guardian-consent checks).
	Gate func(ctx context.Context, a *actor.Actor, pattern string) error

	mux    *http.ServeMux
	routes []Route
}

// SessionCookie is the name of the web app's session cookie.
const SessionCookie = "atrium_session"

// Handler builds the mux from the route table and returns the whole
// middleware chain.
func (s *Server) Handler() http.Handler {
	s.mux = http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Pattern, s.guard(rt))
	}
	s.mux.Handle("/api/", httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.New(apperr.KindNotFound, "no_route", "no such API route")
	}))
	app := s.webApp() // webapp.go: the embedded SPA or the dev proxy
	s.mountPages(app) // pages.go: /setup and /login while the app is not built
	s.mux.Handle("/", app)
	return httpx.Observe(s.Log, securityHeaders(s.mux, s.Secure))
}

// Routes returns the route table (for the OpenAPI document and tests).
func (s *Server) Routes() []Route {
	if s.routes == nil {
		s.routes = s.routeTable()
	}
	return s.routes
}

// guard authenticates the request as rt.Auth requires.
func (s *Server) guard(rt Route) http.Handler {
	return httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.authenticate(r)
		if err != nil && rt.Auth != Public {
			return err
		}
		if a == nil && rt.Auth != Public {
			return apperr.ErrUnauthenticated
		}
		if a != nil {
			if rt.Auth == Member && a.OrgID == "" {
				return apperr.New(apperr.KindForbidden, "no_organization", "join or switch to an organization first")
			}
			if a.Via == actor.ViaApp && (rt.Scope == "" || !a.HasScope(rt.Scope)) && rt.Auth != Public {
				return apperr.New(apperr.KindForbidden, "insufficient_scope", "the app token lacks the scope for this route").With("scope", rt.Scope)
			}
			if a.Via == actor.ViaCookie && !safeMethod(r.Method) {
				if err := checkCSRF(r); err != nil {
					return err
				}
			}
			r = r.WithContext(actor.With(r.Context(), a))
			if s.Gate != nil && rt.Auth != Public {
				if err := s.Gate(r.Context(), a, rt.Pattern); err != nil {
					return err
				}
			}
		}
		// One paging rule on every route: a bad ?limit= gets the same 400
		// invalid_limit everywhere, on lists that page and lists that
		// return every item alike (see httpx.PageOf).
		if r.Method == http.MethodGet && strings.Contains(r.URL.RawQuery, "limit") {
			if _, err := httpx.PageOf(r); err != nil {
				return err
			}
		}
		return rt.Handler(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// CSRFCookie and CSRFHeader implement double-submit CSRF protection for
// cookie sessions: the web app copies the cookie into the header.
const (
	CSRFCookie = "atrium_csrf"
	CSRFHeader = "X-CSRF-Token"
)

func checkCSRF(r *http.Request) error {
	c, err := r.Cookie(CSRFCookie)
	h := r.Header.Get(CSRFHeader)
	if err != nil || c.Value == "" || h == "" || h != c.Value {
		return apperr.Forbidden("csrf_failed", "missing or wrong CSRF token: send the atrium_csrf cookie's value in the X-CSRF-Token header")
	}
	return nil
}

// authenticate returns the actor of r, nil for anonymous requests, or an
// error when credentials were presented but are not valid.
func (s *Server) authenticate(r *http.Request) (*actor.Actor, error) {
	if s.Auth == nil {
		return nil, nil
	}
	var token string
	via := actor.ViaBearer
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || t == "" {
			return nil, apperr.New(apperr.KindUnauthenticated, "bad_authorization", "the Authorization header must be 'Bearer <token>'")
		}
		token = t
	} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		token, via = c.Value, actor.ViaCookie
	} else {
		return nil, nil
	}
	a, err := s.Auth.Authenticate(r.Context(), token, via)
	if err != nil {
		return nil, err
	}
	a.IP = clientIP(r)
	a.UserAgent = r.UserAgent()
	if a.OrgID != "" && s.Members != nil {
		m, err := s.Members.ResolveMember(r.Context(), a.AccountID, a.OrgID)
		if err != nil {
			// Deactivated or removed: the account is still signed in, but
			// no longer acts in that organization.
			a.OrgID, a.MemberID = "", ""
		} else {
			a.MemberID = m
		}
	}
	return a, nil
}

func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// securityHeaders sets the headers every response carries. HSTS goes out
// over TLS, and always when the deployment is secure (its own certificate,
// or an https base URL behind a TLS-terminating proxy).
func securityHeaders(next http.Handler, secure bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
		if r.TLS != nil || secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// Health is the body of GET /api/v1/health.
type Health struct {
	Status        string `json:"status"`
	Database      string `json:"database"`
	SchemaVersion int64  `json:"schema_version"`
	Version       string `json:"version"`
}

// Version is the build version, set by main.
var Version = "dev"

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	v, err := s.DB.SchemaVersion(r.Context(), migrations.FS)
	if err != nil {
		return apperr.New(apperr.KindUnavailable, "database_unavailable", "the database is not answering").Wrap(err)
	}
	return httpx.OK(w, Health{Status: "ok", Database: string(s.DB.Kind), SchemaVersion: v, Version: Version})
}
