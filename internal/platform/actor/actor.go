// Package actor carries the authenticated caller of a request through a
// context. Every service operation takes the actor from its context and
// checks the caller's rights itself; the organization an operation works in
// always comes from the actor, never from the request body. Where the
// request comes from (address, user agent, request id) is not the actor's:
// platform/reqctx holds it, for authenticated and anonymous callers alike.
package actor

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Via says how the caller authenticated.
type Via string

// The ways a caller can authenticate.
const (
	ViaCookie Via = "cookie" // the web app's session cookie
	ViaBearer Via = "bearer" // a session token for the CLI and scripts
	ViaApp    Via = "app"    // an app's access token, limited to its scopes
	// ViaAppPassword is an app password sent with HTTP Basic authentication
	// by a standard client (CalDAV, WebDAV); it serves only the routes of
	// those protocols, never the API.
	ViaAppPassword Via = "app_password"
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

// ErrNoOrganization is the 403 of an operation that works in the caller's
// current organization when they have none.
var ErrNoOrganization = apperr.New(apperr.KindForbidden, "no_organization", "join or switch to an organization first")

// Caller returns the signed-in caller of ctx, or apperr.ErrUnauthenticated
// (401 unauthenticated) when there is none. Services start with it, or with
// Member, rather than reading From and checking it themselves.
func Caller(ctx context.Context) (*Actor, error) {
	a := From(ctx)
	if a == nil || a.AccountID == "" {
		return nil, apperr.ErrUnauthenticated
	}
	return a, nil
}

// Member returns the caller acting in their current organization: Caller,
// then ErrNoOrganization when they are in none.
func Member(ctx context.Context) (*Actor, error) {
	a, err := Caller(ctx)
	if err != nil {
		return nil, err
	}
	if a.OrgID == "" || a.MemberID == "" {
		return nil, ErrNoOrganization
	}
	return a, nil
}
