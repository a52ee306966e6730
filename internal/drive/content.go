package drive

import (
	"context"
	"errors"
	"io"
	"mime"
	"path"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// UploadInput is a file's bytes streamed into a folder.
type UploadInput struct {
	// ParentID is the folder the file goes into.
	ParentID string
	Name     string
	// ContentType is the sniffed type ("" guesses from the name).
	ContentType string
	Body        io.Reader
	// Size is the size the client announced (-1 for unknown): a body that
	// cannot fit in the quota is refused before a byte is read.
	Size int64
	// Replace makes an existing file of that name a new version instead
	// of 409 name_taken.
	Replace bool
}

// ContentInput is new bytes for an existing file.
type ContentInput struct {
	ContentType string
	Body        io.Reader
	Size        int64
	// IfMatch, when set, must be the file's current ETag (412
	// etag_mismatch otherwise): no lost updates.
	IfMatch string
}

// Version is an earlier or the current content of a file.
type Version struct {
	Version     int    `json:"version"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   int64  `json:"created_at"`
	Current     bool   `json:"current"`
}

// VersionList is a file's versions, newest first.
type VersionList struct {
	Items []Version `json:"items"`
}

// contentType is the stored type of a file: the sniffed one unless it is
// generic, then the one its name's extension says.
func contentType(sniffed, name string) string {
	ct := strings.TrimSpace(strings.Split(sniffed, ";")[0])
	if ct == "" || ct == "application/octet-stream" || ct == "text/plain" {
		if byExt := mime.TypeByExtension(strings.ToLower(path.Ext(name))); byExt != "" {
			return strings.TrimSpace(strings.Split(byExt, ";")[0])
		}
	}
	if ct == "" {
		return "application/octet-stream"
	}
	return ct
}

// Upload stores a file in a folder the caller may edit, streaming its
// bytes to the file store. When the folder holds a file of that name it
// is 409 name_taken, or with Replace a new version of that file (created
// reports whether a new file was made). 413 quota_exceeded when it does
// not fit.
func (s *Service) Upload(ctx context.Context, in UploadInput) (Item, bool, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, false, err
	}
	if err := validName(in.Name); err != nil {
		return Item{}, false, err
	}
	p, err := s.folder(ctx, c, in.ParentID)
	if err != nil {
		return Item{}, false, err
	}
	var existing *itemRow
	if old, err := s.childByName(ctx, p.it.ID, in.Name); err == nil {
		if !in.Replace || old.Kind != ItemFile {
			return Item{}, false, nameTaken(in.Name)
		}
		existing = &old
	} else if !errors.Is(err, db.ErrNotFound) {
		return Item{}, false, err
	}
	info, err := s.store(ctx, p.sp, in.Body, in.Size)
	if err != nil {
		return Item{}, false, err
	}
	it, err := s.commitFile(ctx, c, p.sp, p.it, existing, in.Name, contentType(in.ContentType, in.Name), info, "")
	if err != nil {
		return Item{}, false, err
	}
	return itemOf(it, p.role), existing == nil, nil
}

// Overwrite stores new bytes for a file the caller may edit: the current
// content becomes a version (the organization's keep_versions newest are
// kept).
func (s *Service) Overwrite(ctx context.Context, id string, in ContentInput) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	t, err := s.item(ctx, c, id, RoleEditor)
	if err != nil {
		return Item{}, err
	}
	if t.it.Kind != ItemFile {
		return Item{}, apperr.Conflict("not_a_file", "a folder has no content")
	}
	if in.IfMatch != "" && in.IfMatch != etag(t.it) {
		return Item{}, etagMismatch()
	}
	info, err := s.store(ctx, t.sp, in.Body, in.Size)
	if err != nil {
		return Item{}, err
	}
	ct := in.ContentType
	if ct == "" {
		ct = t.it.ContentType
	}
	it, err := s.commitFile(ctx, c, t.sp, itemRow{ID: t.it.ParentID}, &t.it, t.it.Name, contentType(ct, t.it.Name), info, in.IfMatch)
	if err != nil {
		return Item{}, err
	}
	return itemOf(it, t.role), nil
}

func etagMismatch() error {
	return apperr.New(apperr.KindConflict, "etag_mismatch", "the file changed since you read it")
}

// commitFile records a stored body as a new file in parent, or as the
// new version of existing, in one transaction; the body is deleted when
// the transaction fails.
func (s *Service) commitFile(ctx context.Context, c *caller, sp spaceRow, parent itemRow, existing *itemRow, name, ct string, info blob.Info, ifMatch string) (itemRow, error) {
	now := s.now()
	var it itemRow
	var drop []string
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertBlob(ctx, s.DB, blobRow{Key: info.Key, OrgID: sp.OrgID, Owner: s.owner(sp), Size: info.Size, SHA256: info.SHA256, Refs: 1, CreatedAt: now}); err != nil {
			return err
		}
		if err := s.queueThumb(ctx, info.Key, ct); err != nil {
			return err
		}
		if err := s.reserve(ctx, sp, info.Size); err != nil {
			return err
		}
		if existing == nil {
			it = itemRow{ID: ids.New("dit"), OrgID: sp.OrgID, SpaceID: sp.ID, ParentID: parent.ID, Kind: ItemFile, Name: name,
				Size: info.Size, ContentType: ct, SHA256: info.SHA256, BlobKey: info.Key, Version: 1,
				CreatedBy: c.AccountID, UpdatedBy: c.AccountID, CreatedAt: now, UpdatedAt: now}
			if err := s.sealName(ctx, s.owner(sp), &it); err != nil {
				return err
			}
			if err := insertItem(ctx, s.DB, it); err != nil {
				return s.nameErr(err, name)
			}
			if err := s.indexName(ctx, it); err != nil {
				return err
			}
			return touch(ctx, s.DB, parent.ID, now)
		}
		cur, err := s.getItem(ctx, sp.OrgID, existing.ID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if ifMatch != "" && ifMatch != etag(cur) {
			return etagMismatch()
		}
		if err := insertVersion(ctx, s.DB, versionOf(cur)); err != nil {
			return err
		}
		it = cur
		it.Size, it.ContentType, it.SHA256, it.BlobKey = info.Size, ct, info.SHA256, info.Key
		it.Version, it.UpdatedBy, it.UpdatedAt = cur.Version+1, c.AccountID, now
		if err := setContent(ctx, s.DB, it); err != nil {
			return err
		}
		if err := s.indexName(ctx, it); err != nil {
			return err
		}
		drop, err = s.prune(ctx, sp, it.ID)
		return err
	})
	if err != nil {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), info.Key)
		return itemRow{}, err
	}
	s.dropBlobs(ctx, drop)
	return it, nil
}

// versionOf is the version row keeping a file's current content.
func versionOf(it itemRow) versionRow {
	return versionRow{ItemID: it.ID, Version: it.Version, OrgID: it.OrgID, SpaceID: it.SpaceID, Size: it.Size,
		ContentType: it.ContentType, SHA256: it.SHA256, BlobKey: it.BlobKey, CreatedBy: it.UpdatedBy, CreatedAt: it.UpdatedAt}
}

// prune deletes a file's versions beyond the organization's keep_versions
// newest, in ctx's transaction; it returns the keys to drop after commit.
func (s *Service) prune(ctx context.Context, sp spaceRow, itemID string) ([]string, error) {
	st, err := settingsOf(ctx, s.DB, sp.OrgID)
	if err != nil {
		return nil, err
	}
	old, err := versionsBeyond(ctx, s.DB, itemID, st.KeepVersions)
	if err != nil || len(old) == 0 {
		return nil, err
	}
	var keys []string
	var size int64
	for _, v := range old {
		if err := deleteVersion(ctx, s.DB, itemID, v.Version); err != nil {
			return nil, err
		}
		keys = append(keys, v.BlobKey)
		size += v.Size
	}
	if err := addUsed(ctx, s.DB, sp.ID, -size); err != nil {
		return nil, err
	}
	return s.unref(ctx, keys)
}

// Open opens a file the caller may see for reading: a seekable body (range
// requests) and the item describing it.
func (s *Service) Open(ctx context.Context, id string) (Item, blob.Object, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, nil, err
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return Item{}, nil, err
	}
	o, err := s.openBody(ctx, t.it)
	if err != nil {
		return Item{}, nil, err
	}
	return itemOf(t.it, t.role), o, nil
}

// openBody opens a file's current body.
func (s *Service) openBody(ctx context.Context, it itemRow) (blob.Object, error) {
	if it.Kind != ItemFile {
		return nil, apperr.Conflict("not_a_file", "a folder has no content")
	}
	return s.openKey(ctx, it.BlobKey)
}

func (s *Service) openKey(ctx context.Context, key string) (blob.Object, error) {
	if s.Blobs == nil {
		return nil, errNotFound
	}
	o, _, err := s.Blobs.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, apperr.Internal(err)
	}
	return o, nil
}

// Versions lists a file's versions, the current one first.
func (s *Service) Versions(ctx context.Context, id string) (VersionList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return VersionList{}, err
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return VersionList{}, err
	}
	if t.it.Kind != ItemFile {
		return VersionList{}, apperr.Conflict("not_a_file", "a folder has no versions")
	}
	vs, err := versionsOf(ctx, s.DB, t.it.ID)
	if err != nil {
		return VersionList{}, err
	}
	cur := versionOf(t.it)
	out := VersionList{Items: []Version{{Version: cur.Version, Size: cur.Size, ContentType: cur.ContentType, SHA256: cur.SHA256,
		CreatedBy: cur.CreatedBy, CreatedAt: cur.CreatedAt, Current: true}}}
	for _, v := range vs {
		out.Items = append(out.Items, Version{Version: v.Version, Size: v.Size, ContentType: v.ContentType, SHA256: v.SHA256,
			CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt})
	}
	return out, nil
}

// OpenVersion opens an earlier version of a file (or the current one).
func (s *Service) OpenVersion(ctx context.Context, id string, version int) (Item, blob.Object, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, nil, err
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return Item{}, nil, err
	}
	if t.it.Kind != ItemFile {
		return Item{}, nil, apperr.Conflict("not_a_file", "a folder has no versions")
	}
	it := t.it
	if version != it.Version {
		v, err := getVersion(ctx, s.DB, it.ID, version)
		if err != nil {
			return Item{}, nil, apperr.MapNotFound(err)
		}
		it.Version, it.Size, it.ContentType, it.SHA256, it.BlobKey, it.UpdatedAt = v.Version, v.Size, v.ContentType, v.SHA256, v.BlobKey, v.CreatedAt
	}
	o, err := s.openKey(ctx, it.BlobKey)
	if err != nil {
		return Item{}, nil, err
	}
	return itemOf(it, t.role), o, nil
}

// RestoreVersion makes an earlier version the current content again, as a
// new version (the current content is kept as a version too).
func (s *Service) RestoreVersion(ctx context.Context, id string, version int) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	t, err := s.item(ctx, c, id, RoleEditor)
	if err != nil {
		return Item{}, err
	}
	if t.it.Kind != ItemFile {
		return Item{}, apperr.Conflict("not_a_file", "a folder has no versions")
	}
	v, err := getVersion(ctx, s.DB, t.it.ID, version)
	if err != nil {
		return Item{}, apperr.MapNotFound(err)
	}
	now := s.now()
	it := t.it
	var drop []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.reserve(ctx, t.sp, v.Size); err != nil {
			return err
		}
		if err := addRef(ctx, s.DB, v.BlobKey, 1); err != nil {
			return err
		}
		if err := insertVersion(ctx, s.DB, versionOf(t.it)); err != nil {
			return err
		}
		it.Size, it.ContentType, it.SHA256, it.BlobKey = v.Size, v.ContentType, v.SHA256, v.BlobKey
		it.Version, it.UpdatedBy, it.UpdatedAt = t.it.Version+1, c.AccountID, now
		if err := setContent(ctx, s.DB, it); err != nil {
			return err
		}
		drop, err = s.prune(ctx, t.sp, it.ID)
		return err
	})
	if err != nil {
		return Item{}, err
	}
	s.dropBlobs(ctx, drop)
	return itemOf(it, t.role), nil
}
