// Package actor carries the authenticated caller of a request through a
// context. Every service operation takes the actor from its context and
// checks the caller's rights itself; the organization an operation works in
// always comes from the actor, never from the request body. Where the
// request comes from (address, user agent, request id) is not the actor's:
// platform/reqctx holds it, for authenticated and anonymous callers alike.
package actor

import "context"

// Via says how the caller authenticated.
type Via string

// The ways a caller can authenticate.
const (
	ViaCookie Via = "cookie" // the web app's session cookie
	ViaBearer Via = "bearer" // a session token for the CLI and scripts
	ViaApp    Via = "app"    // an app's access token, limited to its scopes
)

// Actor is an authenticated caller.
type Actor struct {
	AccountID string
	SessionID string
	Via       Via
	// OrgID and MemberID are the caller's current organization and their
	// member id there; empty when the caller is in no organization.
	OrgID    string
	MemberID string
	// Scopes limit an app token; nil for people.
	Scopes []string
	// Reauthenticated is true when the request proved the password (or a
	// second factor) again, for dangerous operations.
	Reauthenticated bool
}

type key struct{}

// With returns a context carrying a.
func With(ctx context.Context, a *Actor) context.Context { return context.WithValue(ctx, key{}, a) }

// From returns the actor in ctx, or nil for an anonymous caller.
func From(ctx context.Context) *Actor {
	a, _ := ctx.Value(key{}).(*Actor)
	return a
}

// HasScope reports whether an app token carries scope; people have every scope.
func (a *Actor) HasScope(scope string) bool {
	if a == nil {
		return false
	}
	if a.Via != ViaApp {
		return true
	}
	for _, s := range a.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}
