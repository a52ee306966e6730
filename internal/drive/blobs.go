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
//
// Between key owners (a personal space and an organization's, a chat
// attachment saved to a space) a body is linked, not copied: the new
// owner's drive_blobs row names a link object holding the body's data key
// sealed under its key and pointing at the same chunks (blob.Envelope.Link).
// The chunks' referrers in every domain are counted by the file store
// (blob.Counted, table blob_refs); deleting a link drops one, and the
// bytes go with the last.

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

// Linker is a file store that gives another owner a body of its own
// without copying its bytes (blob.Envelope over blob.Counted): a link
// holding the body's data key sealed under the new owner's key.
type Linker interface {
	Link(ctx context.Context, key, newOwner string) (blob.Info, error)
}

// rewrap returns a body for newOwner with the content of the one under
// key: a link to the same chunks when the store can share them, else a
// copy sealed for newOwner.
func (s *Service) rewrap(ctx context.Context, key, newOwner string) (string, error) {
	if s.Blobs == nil {
		return "", attach.ErrNoStore
	}
	if l, ok := s.Blobs.(Linker); ok {
		info, err := l.Link(ctx, key, newOwner)
		if err == nil {
			return info.Key, nil
		}
		if !errors.Is(err, blob.ErrNotLinkable) {
			return "", apperr.Internal(err)
		}
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

// rekeyFor gives newOwner a body for each body of an item's subtree
// (files and their versions): old key → new key, and the new keys, to
// drop if the move fails.
func (s *Service) rekeyFor(ctx context.Context, id, newOwner string) (map[string]string, []string, error) {
	keys, _, err := subtreeRefs(ctx, s.DB, id)
	if err != nil {
		return nil, nil, err
	}
	rekey := map[string]string{}
	var fresh []string
	for _, k := range keys {
		if _, ok := rekey[k]; ok {
			continue
		}
		nk, err := s.rewrap(ctx, k, newOwner)
		if err != nil {
			s.dropBlobs(ctx, fresh)
			return nil, nil, err
		}
		rekey[k] = nk
		fresh = append(fresh, nk)
	}
	return rekey, fresh, nil
}

// applyRekey points the subtree's files and versions at their bodies for
// sp's owner, in ctx's transaction: the new bodies are recorded with as
// many references as the subtree holds, the old ones lose them. It returns
// the keys to drop after commit (old bodies nobody refers to any more, new
// ones nothing came to use). 409 changed_during_move when a body appeared
// in the subtree since rekey was made.
func (s *Service) applyRekey(ctx context.Context, sp spaceRow, id string, rekey map[string]string, now int64) ([]string, error) {
	keys, _, err := subtreeRefs(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, k := range keys {
		if _, ok := rekey[k]; !ok {
			return nil, apperr.Conflict("changed_during_move", "a file changed while it was being moved; try again")
		}
		count[k]++
	}
	var unused []string
	for old, nk := range rekey {
		n := count[old]
		if n == 0 {
			unused = append(unused, nk)
			continue
		}
		b, err := getBlob(ctx, s.DB, old)
		if err != nil {
			return nil, err
		}
		if err := insertBlob(ctx, s.DB, blobRow{Key: nk, OrgID: sp.OrgID, Owner: s.owner(sp), Size: b.Size, SHA256: b.SHA256, Refs: n, CreatedAt: now}); err != nil {
			return nil, err
		}
		if err := rekeySubtree(ctx, s.DB, id, old, nk); err != nil {
			return nil, err
		}
	}
	drop, err := s.unref(ctx, keys)
	return append(drop, unused...), err
}
