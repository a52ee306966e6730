package drive

import (
	"context"
	"errors"
	"io"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/attach"
	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// Bytes: every body is stored once per key owner and referred to by the
// versions that hold it (drive_blobs.refs). Quotas count references: a
// copy costs its size in the target space even though no bytes are
// copied, so that deleting the original never pushes the copy's space over
// its quota.

// owner is the key a space's bodies are sealed under: the person's for a
// personal space, the organization's otherwise.
func (s *Service) owner(sp spaceRow) string {
	if sp.Kind == KindPersonal {
		return sp.OwnerAccountID
	}
	return sp.OrgID
}

// limits returns how many more bytes sp may keep: min of the space's and
// the organization's room (-1: no limit), and which one binds.
func (s *Service) limits(ctx context.Context, sp spaceRow) (room int64, scope string, used, quota int64, err error) {
	st, err := settingsOf(ctx, s.DB, sp.OrgID)
	if err != nil {
		return 0, "", 0, 0, err
	}
	room = -1
	q := sp.QuotaBytes
	if q == 0 && sp.Kind == KindPersonal {
		q = st.PersonalQuota
	}
	cur, err := spaceUsed(ctx, s.DB, sp.ID)
	if err != nil {
		return 0, "", 0, 0, err
	}
	if q > 0 {
		room, scope, used, quota = max(0, q-cur), "space", cur, q
	}
	if st.OrgQuota > 0 {
		all, err := orgUsed(ctx, s.DB, sp.OrgID)
		if err != nil {
			return 0, "", 0, 0, err
		}
		if r := max(0, st.OrgQuota-all); room < 0 || r < room {
			room, scope, used, quota = r, "organization", all, st.OrgQuota
		}
	}
	return room, scope, used, quota, nil
}

// reserve counts size more bytes against sp, in ctx's transaction: 413
// quota_exceeded when the space or the organization has no room for them.
func (s *Service) reserve(ctx context.Context, sp spaceRow, size int64) error {
	if size <= 0 {
		return nil
	}
	room, scope, used, quota, err := s.limits(ctx, sp)
	if err != nil {
		return err
	}
	if room >= 0 && size > room {
		return quotaExceeded(scope, used, quota, size)
	}
	// The space's own limit is checked again by the update itself, so that
	// two uploads racing for the last bytes cannot both have them.
	limit := sp.QuotaBytes
	if limit == 0 && sp.Kind == KindPersonal {
		st, err := settingsOf(ctx, s.DB, sp.OrgID)
		if err != nil {
			return err
		}
		limit = st.PersonalQuota
	}
	ok, err := addUsedWithin(ctx, s.DB, sp.ID, size, limit)
	if err != nil {
		return err
	}
	if !ok {
		cur, err := spaceUsed(ctx, s.DB, sp.ID)
		if err != nil {
			return err
		}
		return quotaExceeded("space", cur, limit, size)
	}
	return nil
}

// store streams body into the file store sealed for sp's owner, at most
// the room the quotas leave (known: the size the client announced, -1 for
// unknown, checked before reading a byte). The caller records the body
// (insertBlob) in the transaction that refers to it, and deletes it when
// that transaction fails.
func (s *Service) store(ctx context.Context, sp spaceRow, body io.Reader, known int64) (blob.Info, error) {
	if s.Blobs == nil {
		return blob.Info{}, attach.ErrNoStore
	}
	room, scope, used, quota, err := s.limits(ctx, sp)
	if err != nil {
		return blob.Info{}, err
	}
	if room >= 0 && known > room {
		return blob.Info{}, quotaExceeded(scope, used, quota, known)
	}
	limit := int64(0)
	if room >= 0 {
		limit = max(room, 1)
	}
	info, err := blob.PutFor(context.WithoutCancel(ctx), s.Blobs, s.owner(sp), body, limit)
	if errors.Is(err, blob.ErrTooLarge) {
		return blob.Info{}, quotaExceeded(scope, used, quota, max(known, limit+1))
	}
	if err != nil {
		return blob.Info{}, err
	}
	return info, nil
}

// unref drops one reference of each key (once per occurrence) and returns
// the keys no version refers to any more, whose rows it deleted: their
// bytes go after commit.
func (s *Service) unref(ctx context.Context, keys []string) ([]string, error) {
	var drop []string
	for _, k := range keys {
		gone, err := release(ctx, s.DB, k)
		if err != nil {
			return nil, err
		}
		if gone {
			drop = append(drop, k)
		}
	}
	return drop, nil
}

// dropBlobs deletes bodies whose rows are gone, and their thumbnails.
func (s *Service) dropBlobs(ctx context.Context, keys []string) {
	s.dropThumbs(ctx, keys)
	s.dropBodies(ctx, keys)
}

// dropBodies deletes bytes from the file store.
func (s *Service) dropBodies(ctx context.Context, keys []string) {
	attach.Drop(context.WithoutCancel(ctx), s.Blobs, s.Log, keys)
}

// rewrap returns a copy of the body under key sealed for newOwner.
func (s *Service) rewrap(ctx context.Context, key, newOwner string) (string, error) {
	if s.Blobs == nil {
		return "", attach.ErrNoStore
	}
	if rw, ok := s.Blobs.(Rewrapper); ok {
		info, err := rw.Rewrap(ctx, key, newOwner)
		if err != nil {
			return "", apperr.Internal(err)
		}
		return info.Key, nil
	}
	o, _, err := s.Blobs.Open(ctx, key)
	if err != nil {
		return "", apperr.Internal(err)
	}
	defer o.Close()
	info, err := blob.PutFor(ctx, s.Blobs, newOwner, o, 0)
	if err != nil {
		return "", err
	}
	return info.Key, nil
}
