// Package reqctx owns what Atrium knows about the request a context serves:
// its id, where it comes from (the client's address — honouring a trusted
// reverse proxy —, user agent and device) and how its caller is found (the
// session cookie or bearer token, authenticated and placed in its current
// organization). The caller itself is an actor.Actor (platform/actor);
// everything else about the request is kept here, once, so that the access
// log, the login history, sessions and the audit log all name the same
// address and the same request id.
//
// The server attaches a Request to every HTTP request (Middleware); commands
// that act without an HTTP request attach one with Via "cli".
package reqctx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
)

// Cookie and header names of web app sessions. The identity service sets
// the cookies at sign-in; the server reads them on every request.
const (
	// SessionCookie holds the web app's session token (HttpOnly).
	SessionCookie = "atrium_session"
	// CSRFCookie and CSRFHeader implement double-submit CSRF protection for
	// cookie sessions: the web app copies the cookie into the header.
	CSRFCookie = "atrium_csrf"
	CSRFHeader = "X-CSRF-Token"
)

// Request describes the request a context serves.
type Request struct {
	// ID names the request in the access log, error bodies and audit
	// entries (the X-Request-Id response header).
	ID string
	// ClientIP is the client's address: the connection's peer, or behind a
	// trusted proxy the address the proxy saw (X-Forwarded-For).
	ClientIP string
	// UserAgent is the client's User-Agent header.
	UserAgent string
	// DeviceID is the client's own name for its device, when a sign-in
	// gives one (login history, new-device alerts).
	DeviceID string
	// Via says how a caller without a session came ("cli" for commands);
	// empty for HTTP requests, whose actor says how it authenticated.
	Via string
}

type key struct{}

// With returns ctx carrying req.
func With(ctx context.Context, req Request) context.Context {
	return context.WithValue(ctx, key{}, req)
}

// From returns the Request ctx carries (the zero Request when none).
func From(ctx context.Context) Request {
	req, _ := ctx.Value(key{}).(Request)
	return req
}

// ID returns the id of the request ctx serves ("" outside a request).
func ID(ctx context.Context) string { return From(ctx).ID }

// WithDevice returns ctx with the request's device id set (sign-in
// handlers, from the request body).
func WithDevice(ctx context.Context, deviceID string) context.Context {
	req := From(ctx)
	req.DeviceID = deviceID
	return With(ctx, req)
}

// CLI returns ctx carrying a Request for a command run by the operator on
// the server's machine: audit entries name "cli" as the way in.
func CLI(ctx context.Context) context.Context {
	return With(ctx, Request{ID: NewID(), Via: "cli"})
}

// NewID returns a random 16-hex-digit request id.
func NewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ClientIP returns the address of r's client. Without trustProxy it is the
// connection's peer. With trustProxy (Atrium runs behind a reverse proxy
// that appends the address it saw to X-Forwarded-For) it is the last
// address of that header: the one the proxy itself appended, which a
// client cannot forge (earlier entries come from the client and are
// ignored).
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return strings.Trim(r.RemoteAddr, "[]")
	}
	return host
}

// Attach returns r with a Request in its context: a fresh id, the client's
// address (per trustProxy) and user agent. A request that already carries
// one is returned unchanged.
func Attach(r *http.Request, trustProxy bool) *http.Request {
	if ID(r.Context()) != "" {
		return r
	}
	return r.WithContext(With(r.Context(), Request{
		ID:        NewID(),
		ClientIP:  ClientIP(r, trustProxy),
		UserAgent: r.UserAgent(),
	}))
}

// Middleware attaches a Request to every request before next runs (see
// Attach) and names its id in the X-Request-Id response header.
func Middleware(trustProxy bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = Attach(r, trustProxy)
		w.Header().Set("X-Request-Id", ID(r.Context()))
		next.ServeHTTP(w, r)
	})
}
