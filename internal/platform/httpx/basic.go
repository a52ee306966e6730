package httpx

import (
	"context"
	"errors"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// BasicRealm is the realm of HTTP Basic authentication, as the standard
// clients (CalDAV, WebDAV) show it when they ask for a password.
const BasicRealm = "Atrium"

// BasicChallenge is the WWW-Authenticate header of a 401 answer on routes
// that take HTTP Basic authentication (RFC 7617, with UTF-8 credentials).
const BasicChallenge = `Basic realm="` + BasicRealm + `", charset="UTF-8"`

// AppPasswordAuthenticator checks the email address and app password a
// standard client sends with HTTP Basic authentication.
type AppPasswordAuthenticator interface {
	// AuthenticateAppPassword returns the actor of login and secret, or an
	// error: 401 for wrong credentials, 429 while they are throttled.
	AuthenticateAppPassword(ctx context.Context, login, secret string) (*actor.Actor, error)
}

// ErrBasicRequired answers a request to a Basic-authenticated route that
// carries no Basic credentials.
var ErrBasicRequired = apperr.New(apperr.KindUnauthenticated, "app_password_required",
	"sign in with your email address and an app password created in Account & security")

// BasicAuth serves next only to callers that present an app password with
// HTTP Basic authentication, with the actor in the request's context; the
// account is placed in its organization through members, re-resolved on
// every request, like sessions (reqctx.Callers). Every other request gets a
// JSON 401 with the Basic challenge, so that standard clients ask the
// person for a password. The secret is never logged: the access log records
// the method, path and status only.
//
// gate, when set, runs after authentication (the privacy center's
// policy-acceptance and guardian-consent checks, as on API routes).
func BasicAuth(auth AppPasswordAuthenticator, members reqctx.MemberResolver, gate func(*http.Request, *actor.Actor) error, next http.Handler) http.Handler {
	return HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		login, secret, ok := r.BasicAuth()
		if !ok || login == "" || secret == "" {
			w.Header().Set("WWW-Authenticate", BasicChallenge)
			return ErrBasicRequired
		}
		a, err := auth.AuthenticateAppPassword(r.Context(), login, secret)
		if err != nil {
			if ae := (*apperr.Error)(nil); errors.As(err, &ae) && ae.Kind == apperr.KindUnauthenticated {
				w.Header().Set("WWW-Authenticate", BasicChallenge)
			}
			return err
		}
		if a.OrgID != "" && members != nil {
			m, err := members.ResolveMember(r.Context(), a.AccountID, a.OrgID)
			if err != nil {
				a.OrgID, a.MemberID = "", ""
			} else {
				a.MemberID = m
			}
		}
		if gate != nil {
			if err := gate(r, a); err != nil {
				return err
			}
		}
		next.ServeHTTP(w, r.WithContext(actor.With(r.Context(), a)))
		return nil
	})
}
