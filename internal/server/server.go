// Package server wires Atrium together: it builds every service, lists every
// route (routes.go), authenticates requests, and serves the embedded web app.
package server

import (
	"context"
	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/drive"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/metrics"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/push"
	"github.com/atrium-hq/atrium/internal/report"
	"github.com/atrium-hq/atrium/internal/stream"
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
	// Status is the status of success when it is not the default: 200
	// with a Response, 204 without one.
	Status int
	// Answers lists the route's other deliberate answers, beyond Status and
	// the errors every route of its kind gives (commonAnswers in
	// openapi.go): another success ("200 already sent") or an error with
	// its stable code ("409 legal_hold"). The OpenAPI document declares
	// them, and servertest fails a test that sees an undeclared status.
	Answers []string
	// Query names the query parameters the handler reads: "name",
	// "name:integer" or "name:boolean" (a string otherwise).
	Query []string
}

// Authenticator turns a session cookie or bearer token into an actor.
type Authenticator = reqctx.Authenticator

// MemberResolver says which member an account is in an organization.
type MemberResolver = reqctx.MemberResolver

// Server is the HTTP face of Atrium.
type Server struct {
	Log     *slog.Logger
	DB      *db.DB
	Auth    Authenticator
	Members MemberResolver
	// Secure marks cookies Secure (TLS or a TLS-terminating proxy).
	Secure bool
	// TrustProxy takes the client's address from X-Forwarded-For (the
	// trust-proxy option): see reqctx.ClientIP.
	TrustProxy bool
	// Metrics, when set, measures every request (the metrics option); it
	// is served on the debug listener only (debug.go).
	Metrics *metrics.Metrics
	// ReadBodyTimeout is how long a request body may stall before the
	// connection is closed (0: no bound); see stallGuard.
	ReadBodyTimeout time.Duration
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
	// Announce is announcements (wire_announce.go).
	Announce *announce.Service
	// Report is work reports (wire_report.go).
	Report *report.Service
	// Approval is approvals (wire_approval.go).
	Approval *approval.Service
	// Attendance is check-ins, rules and attendance reports
	// (wire_attendance.go).
	Attendance *attendance.Service
	// Push is Web Push: devices and the sender (wire_push.go).
	Push *push.Service
	// Calendar is calendars, events, rooms and reminders
	// (wire_calendar.go).
	Calendar *calendar.Service
	// Drive is spaces, files, sharing and links (wire_drive.go).
	Drive *drive.Service
	// Gate, when set, runs after authentication on every non-public route
	// (the privacy center's policy-acceptance and guardian-consent checks).
	Gate func(ctx context.Context, a *actor.Actor, pattern string) error

	mux    *http.ServeMux
	routes []Route
}

// Cookie and header names of web app sessions (platform/reqctx).
const (
	SessionCookie = reqctx.SessionCookie
	CSRFCookie    = reqctx.CSRFCookie
	CSRFHeader    = reqctx.CSRFHeader
)

// Handler builds the mux from the route table and returns the whole
// middleware chain.
func (s *Server) Handler() http.Handler {
	s.mux = http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Pattern, s.guard(rt))
	}
	s.mux.Handle("/api/", errNoRoute)
	s.mountDAV()      // dav.go: CalDAV for calendar apps, with app passwords
	app := s.webApp() // webapp.go: the embedded SPA or the dev proxy
	s.mountPages(app) // pages.go: /setup and /login while the app is not built
	s.mux.Handle("/", app)
	var h http.Handler = cleanAPIPaths(s.mux)
	if s.Metrics != nil {
		h = s.Metrics.Middleware(h) // sees the pattern the mux matched: nothing between copies the request
	}
	return reqctx.Middleware(s.TrustProxy, httpx.Observe(s.Log, securityHeaders(bodyTimeout(s.ReadBodyTimeout, h), s.Secure)))
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
		ctx := r.Context()
		tok, via, cerr := reqctx.Credential(r)
		if tok != "" && s.DB != nil {
			// The generations of what the caches below keep, read once
			// for the whole request: a revocation, removal or policy
			// change committed on any node before this read counts
			// (platform/fresh).
			ctx = fresh.With(ctx, s.DB)
		}
		var (
			a   *actor.Actor
			err error
		)
		if c := s.callers(); c.Auth != nil {
			// What Callers.FromRequest does, with the context above (one
			// copy of the request instead of two).
			if err = cerr; err == nil && tok != "" {
				a, err = c.Resolve(ctx, tok, via)
			}
		}
		if err != nil && rt.Auth != Public {
			return err
		}
		if a == nil && rt.Auth != Public {
			return apperr.ErrUnauthenticated
		}
		if a != nil {
			if rt.Auth == Member && a.OrgID == "" {
				return actor.ErrNoOrganization
			}
			if a.Via == actor.ViaApp && (rt.Scope == "" || !a.HasScope(rt.Scope)) && rt.Auth != Public {
				return apperr.New(apperr.KindForbidden, "insufficient_scope", "the app token lacks the scope for this route").With("scope", rt.Scope)
			}
			if a.Via == actor.ViaCookie && !safeMethod(r.Method) {
				if err := checkCSRF(r); err != nil {
					return err
				}
			}
			ctx = actor.With(ctx, a)
			if s.Gate != nil && rt.Auth != Public {
				if err := s.Gate(ctx, a, rt.Pattern); err != nil {
					return err
				}
			}
		}
		if ctx != r.Context() {
			r = r.WithContext(ctx)
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

// errNoRoute answers API paths that name no route.
var errNoRoute = httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
	return apperr.New(apperr.KindNotFound, "no_route", "no such API route")
})

// cleanAPIPaths answers API paths that are not in canonical form (an empty
// segment as in /conversations//messages, "." or ".." segments) and /api
// itself with JSON 404 no_route. ServeMux would redirect them to the
// cleaned path with an HTML 301/307 that API clients do not expect, and
// that would turn a missing id into another route.
func cleanAPIPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/api" || strings.HasPrefix(p, "/api/") {
			c := path.Clean(p)
			if strings.HasSuffix(p, "/") && c != "/" {
				c += "/"
			}
			if c != p || p == "/api" {
				errNoRoute.ServeHTTP(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func checkCSRF(r *http.Request) error {
	c, err := r.Cookie(CSRFCookie)
	h := r.Header.Get(CSRFHeader)
	if err != nil || c.Value == "" || h == "" || h != c.Value {
		return apperr.Forbidden("csrf_failed", "missing or wrong CSRF token: send the atrium_csrf cookie's value in the X-CSRF-Token header")
	}
	return nil
}

// callers finds the caller of a request (the route guard) or of a stream
// socket's credential (its periodic recheck).
func (s *Server) callers() reqctx.Callers {
	return reqctx.Callers{Auth: s.Auth, Members: s.Members}
}

// securityHeaders sets the headers every response carries. HSTS goes out
// over TLS, and always when the deployment is secure (its own certificate,
// or an https base URL behind a TLS-terminating proxy).
// The security headers' values, built once: every response shares them
// (net/http only reads a header's values; an Add elsewhere would append to
// a copy, since each slice is full).
var (
	hdrNosniff  = []string{"nosniff"}
	hdrReferrer = []string{"same-origin"}
	hdrFrame    = []string{"DENY"}
	hdrCSP      = []string{"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"}
	hdrHSTS     = []string{"max-age=31536000"}
)

func securityHeaders(next http.Handler, secure bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = hdrNosniff
		h["Referrer-Policy"] = hdrReferrer
		h["X-Frame-Options"] = hdrFrame
		h["Content-Security-Policy"] = hdrCSP
		if r.TLS != nil || secure {
			h["Strict-Transport-Security"] = hdrHSTS
		}
		next.ServeHTTP(w, r)
	})
}
