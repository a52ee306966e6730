package reqctx

import (
	"context"
	"net/http"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

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

// ErrBadAuthorization answers an Authorization header that is not a bearer
// token.
var ErrBadAuthorization = apperr.New(apperr.KindUnauthenticated, "bad_authorization", "the Authorization header must be 'Bearer <token>'")

// Credential returns the token r presents and how: the Authorization
// header's bearer token first, else the session cookie. An empty token
// with a nil error means an anonymous request.
func Credential(r *http.Request) (string, actor.Via, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || t == "" {
			return "", "", ErrBadAuthorization
		}
		return t, actor.ViaBearer, nil
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return c.Value, actor.ViaCookie, nil
	}
	return "", "", nil
}

// Callers finds the caller of a request: it authenticates the credential
// and places the account in its session's organization, re-resolved on
// every call so that a deactivated or removed member stops acting there at
// once. The route guard and the stream's periodic recheck both use it.
type Callers struct {
	Auth    Authenticator
	Members MemberResolver
}

// Resolve returns the actor of token. The account is still signed in when
// it is no longer an active member of its session's organization, but acts
// in no organization (OrgID and MemberID empty).
func (c Callers) Resolve(ctx context.Context, token string, via actor.Via) (*actor.Actor, error) {
	if c.Auth == nil {
		return nil, apperr.ErrUnauthenticated
	}
	a, err := c.Auth.Authenticate(ctx, token, via)
	if err != nil {
		return nil, err
	}
	if a.OrgID != "" && c.Members != nil {
		m, err := c.Members.ResolveMember(ctx, a.AccountID, a.OrgID)
		if err != nil {
			a.OrgID, a.MemberID = "", ""
		} else {
			a.MemberID = m
		}
	}
	return a, nil
}

// FromRequest returns the actor of r, nil for an anonymous request, or an
// error when a credential was presented but is not valid.
func (c Callers) FromRequest(r *http.Request) (*actor.Actor, error) {
	if c.Auth == nil {
		return nil, nil
	}
	token, via, err := Credential(r)
	if err != nil || token == "" {
		return nil, err
	}
	return c.Resolve(r.Context(), token, via)
}
