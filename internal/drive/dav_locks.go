package drive

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// WebDAV locks, kept in the database so that every node sees them. The
// WebDAV server (internal/drive/dav) decides what a lock covers and checks
// the caller's right to edit before taking one; here they are only
// stored, listed and released, each change of a space's locks ordered
// by the space's row.

// DAVLock is a WebDAV lock of a path of a space.
type DAVLock struct {
	Token     string
	OrgID     string
	SpaceID   string
	Root      string
	ZeroDepth bool
	Shared    bool
	OwnerXML  string
	AccountID string
	ExpiresAt int64
	CreatedAt int64
}

// ErrLocked is CreateDAVLock's refusal: a lock in the way (423).
var ErrLocked = errors.New("drive: locked")

// IsLocked reports whether err is CreateDAVLock's refusal.
func IsLocked(err error) bool { return errors.Is(err, ErrLocked) }

// DAVLocks lists the live locks of a space of the caller's organization
// (orgID names it, as the caller may be in several).
func (s *Service) DAVLocks(ctx context.Context, orgID, spaceID string) ([]DAVLock, error) {
	return davLocksOf(ctx, s.DB, s.DB.R(ctx), orgID, spaceID, s.now())
}

// DAVLockByToken returns a live lock (404 for none).
func (s *Service) DAVLockByToken(ctx context.Context, token string) (DAVLock, error) {
	l, err := davLockByToken(ctx, s.DB, token, s.now())
	return l, apperr.MapNotFound(err)
}

// CreateDAVLock stores l unless conflicts, given the space's live locks,
// says another is in the way (ErrLocked).
func (s *Service) CreateDAVLock(ctx context.Context, l DAVLock, conflicts func([]DAVLock) bool) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := claimSpace(ctx, s.DB, l.SpaceID); err != nil {
			return err
		}
		now := s.now()
		if err := dropLapsedDAVLocks(ctx, s.DB, l.SpaceID, now); err != nil {
			return err
		}
		cur, err := davLocksOf(ctx, s.DB, s.DB.W(ctx), l.OrgID, l.SpaceID, now)
		if err != nil {
			return err
		}
		if conflicts(cur) {
			return ErrLocked
		}
		l.CreatedAt = now
		return insertDAVLock(ctx, s.DB, l)
	})
}

// RefreshDAVLock sets a lock's expiry.
func (s *Service) RefreshDAVLock(ctx context.Context, token string, expiresAt int64) error {
	return setDAVLockExpiry(ctx, s.DB, token, expiresAt)
}

// DeleteDAVLock releases a lock.
func (s *Service) DeleteDAVLock(ctx context.Context, token string) error {
	return deleteDAVLock(ctx, s.DB, token)
}
