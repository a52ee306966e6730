package drive

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Grants of passworded links. A password travels in a header, which a
// plain link cannot send, so a browser would have to fetch a file into
// memory to save it. Instead, once the password is right (GrantLink: the
// same argon2id check and wrong-password limit as every use), the
// visitor gets a grant: a random secret, kept only as its SHA-256, good
// for LinkGrantTTL and for that link only, which the browser sends as a
// cookie scoped to the link's path (GrantCookie, HttpOnly,
// SameSite=Strict). With it, the link's uses need no password: a download
// is a plain navigation and ranges work. A grant ends early when the
// link is revoked or expires (the link is refused first, as always) and
// when the link's password changes (the grant is bound to the password's
// hash). Every use with a grant is recorded in the link's access log as
// any other.

// LinkGrantTTL is how long a link's grant lasts.
var LinkGrantTTL = 15 * time.Minute

// GrantCookie is the cookie that carries a link's grant.
const GrantCookie = "atrium_link_grant"

// actGrant is the use of a link that asks for a grant.
const actGrant = "grant"

// LinkGrant is a grant for a passworded link: the secret (in the cookie
// only) and when it ends.
type LinkGrant struct {
	Token     string `json:"-"`
	ExpiresAt int64  `json:"expires_at"`
}

var errNoPassword = apperr.Conflict("link_without_password", "the link has no password; it needs no grant")

// GrantLink checks a link's password (given in v, never a grant) and
// returns a grant for the link: 409 link_without_password for a link
// without one, and the refusals of any use of the link otherwise.
func (s *Service) GrantLink(ctx context.Context, token string, v Visitor) (LinkGrant, error) {
	v.Grant = ""
	l, _, _, err := s.useLink(ctx, token, v, actGrant, "")
	if err != nil {
		return LinkGrant{}, err
	}
	if l.PasswordHash == "" {
		return LinkGrant{}, errNoPassword
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return LinkGrant{}, err
	}
	g := LinkGrant{Token: base64.RawURLEncoding.EncodeToString(b[:]), ExpiresAt: s.Now().Add(LinkGrantTTL).UnixMilli()}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := dropLapsedGrants(ctx, s.DB, l.ID, s.now()); err != nil {
			return err
		}
		return insertGrant(ctx, s.DB, grantRow{TokenHash: tokenHash(g.Token), LinkID: l.ID, OrgID: l.OrgID,
			PasswordFP: tokenHash(l.PasswordHash), ExpiresAt: g.ExpiresAt, CreatedAt: s.now()})
	})
	if err != nil {
		return LinkGrant{}, err
	}
	return g, nil
}

// granted reports whether grant is a live grant of link l under its
// current password.
func (s *Service) granted(ctx context.Context, l linkRow, grant string) (bool, error) {
	if grant == "" || len(grant) > 100 {
		return false, nil
	}
	g, err := grantByHash(ctx, s.DB, tokenHash(grant))
	if errors.Is(err, db.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return g.LinkID == l.ID && g.ExpiresAt > s.now() && g.PasswordFP == tokenHash(l.PasswordHash), nil
}

func init() {
	datamap.Register(datamap.Table{
		Name:       "drive_link_grants",
		Controller: datamap.Organization,
		Purpose:    "Short-lived grants of passworded drive links (hashes of their secrets), so that a browser that gave the password downloads with plain requests.",
		Technical:  []string{"token_hash", "link_id", "org_id", "password_fp", "expires_at", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "names no one; a grant lapses within minutes and goes with its link",
	})
}
