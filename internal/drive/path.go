package drive

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Paths: what a WebDAV file system needs, on the same rights as the API.
// A path is "/" (the space's root folder) or "/" followed by names
// separated by "/", each a valid name (validName): "." and "..", empty
// names other than a trailing "/", backslashes and control characters are
// 400 invalid_name, so no path reaches outside its space. Names match
// ignoring case, as they are unique. Paths are already decoded (no %xx).

// SplitPath returns a path's names ("/" has none).
func SplitPath(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, errInvalidName("a path begins with /")
	}
	p = strings.TrimSuffix(p[1:], "/")
	if p == "" {
		return nil, nil
	}
	names := strings.Split(p, "/")
	if len(names) > MaxDepth {
		return nil, errInvalidName("too deep")
	}
	for _, n := range names {
		if err := validName(n); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// walk resolves names under a space's root folder to the item rows, from
// the first name's item to the last (nothing checked yet); 404 when one is
// missing or in the trash.
func (s *Service) walk(ctx context.Context, sp spaceRow, names []string) (itemRow, error) {
	cur, err := s.getItem(ctx, sp.OrgID, sp.RootID)
	if err != nil {
		return itemRow{}, apperr.MapNotFound(err)
	}
	for _, n := range names {
		if cur.Kind != ItemFolder {
			return itemRow{}, errNotFound
		}
		cur, err = s.childByName(ctx, cur.ID, n)
		if errors.Is(err, db.ErrNotFound) {
			return itemRow{}, errNotFound
		}
		if err != nil {
			return itemRow{}, err
		}
	}
	return cur, nil
}

// resolve returns the item at path p of a space with the caller's role on
// it (at least min). A caller who may not open the space, nor any item
// shared along the path, gets 404 for every path.
func (s *Service) resolve(ctx context.Context, c *caller, spaceID, p, min string) (target, error) {
	names, err := SplitPath(p)
	if err != nil {
		return target{}, err
	}
	sp, err := getSpace(ctx, s.DB, c.OrgID, spaceID)
	if errors.Is(err, db.ErrNotFound) {
		return target{}, errNotFound
	}
	if err != nil {
		return target{}, err
	}
	it, err := s.walk(ctx, sp, names)
	if err != nil {
		return target{}, err
	}
	return s.item(ctx, c, it.ID, min)
}

// ResolvePath returns the item at a path of a space ("/" is its root
// folder), 404 when there is none or the caller may not see it.
func (s *Service) ResolvePath(ctx context.Context, spaceID, p string) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	t, err := s.resolve(ctx, c, spaceID, p, RoleViewer)
	if err != nil {
		return Item{}, err
	}
	return itemOf(t.it, t.role), nil
}

// ListPath lists the folder at a path (see List).
func (s *Service) ListPath(ctx context.Context, spaceID, p string) (ItemList, error) {
	it, err := s.ResolvePath(ctx, spaceID, p)
	if err != nil {
		return ItemList{}, err
	}
	return s.List(ctx, it.ID)
}

// OpenPath opens the file at a path for reading (see Open).
func (s *Service) OpenPath(ctx context.Context, spaceID, p string) (Item, blob.Object, error) {
	it, err := s.ResolvePath(ctx, spaceID, p)
	if err != nil {
		return Item{}, nil, err
	}
	return s.Open(ctx, it.ID)
}

// parentPath splits a path into its folder's path and its last name; 400
// invalid_name for "/".
func parentPath(p string) (string, string, error) {
	names, err := SplitPath(p)
	if err != nil {
		return "", "", err
	}
	if len(names) == 0 {
		return "", "", errInvalidName("the root folder has no name")
	}
	return "/" + strings.Join(names[:len(names)-1], "/"), names[len(names)-1], nil
}

// MkdirPath creates the folder at a path whose parent exists (404
// otherwise; 409 name_taken when the name is in use).
func (s *Service) MkdirPath(ctx context.Context, spaceID, p string) (Item, error) {
	dir, name, err := parentPath(p)
	if err != nil {
		return Item{}, err
	}
	parent, err := s.ResolvePath(ctx, spaceID, dir)
	if err != nil {
		return Item{}, err
	}
	return s.CreateFolder(ctx, FolderInput{ParentID: parent.ID, Name: name})
}

// PutPath writes the file at a path from a stream: a new file (created
// true) or a new version of the file there. ifMatch, when set, must be the
// current file's ETag. 409 not_a_file when a folder is there.
func (s *Service) PutPath(ctx context.Context, spaceID, p, contentType string, body io.Reader, size int64, ifMatch string) (Item, bool, error) {
	dir, name, err := parentPath(p)
	if err != nil {
		return Item{}, false, err
	}
	if cur, err := s.ResolvePath(ctx, spaceID, p); err == nil {
		if cur.Kind != ItemFile {
			return Item{}, false, apperr.Conflict("not_a_file", "a folder has no content")
		}
		it, err := s.Overwrite(ctx, cur.ID, ContentInput{ContentType: contentType, Body: body, Size: size, IfMatch: ifMatch})
		return it, false, err
	} else if !apperr.IsNotFound(err) {
		return Item{}, false, err
	}
	if ifMatch != "" {
		return Item{}, false, etagMismatch()
	}
	parent, err := s.ResolvePath(ctx, spaceID, dir)
	if err != nil {
		return Item{}, false, err
	}
	return s.Upload(ctx, UploadInput{ParentID: parent.ID, Name: name, ContentType: contentType, Body: body, Size: size})
}

// RemovePath moves the item at a path to the trash.
func (s *Service) RemovePath(ctx context.Context, spaceID, p string) error {
	it, err := s.ResolvePath(ctx, spaceID, p)
	if err != nil {
		return err
	}
	return s.Trash(ctx, it.ID)
}

// CheckPlace checks that the caller may move (move) or copy the item id
// into the folder parentID — an editor of the item to move it, anyone who
// may open it to copy it, and an editor of the folder — before anything
// at the destination is overwritten: a refused move must not have trashed
// what it would have replaced.
func (s *Service) CheckPlace(ctx context.Context, id, parentID string, move bool) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	need := RoleViewer
	if move {
		need = RoleEditor
	}
	if _, err := s.item(ctx, c, id, need); err != nil {
		return err
	}
	_, err = s.folder(ctx, c, parentID)
	return err
}

// destination resolves the target of a move or copy: its folder, its name
// and the item there now (nil for none). With overwrite the item there is
// moved to the trash first (created false), once the move or copy is known
// to be allowed; without, 409 name_taken.
func (s *Service) destination(ctx context.Context, spaceID, to string, overwrite, move bool, src Item) (Item, string, bool, error) {
	dir, name, err := parentPath(to)
	if err != nil {
		return Item{}, "", false, err
	}
	parent, err := s.ResolvePath(ctx, spaceID, dir)
	if err != nil {
		return Item{}, "", false, err
	}
	cur, err := s.ResolvePath(ctx, spaceID, to)
	switch {
	case err == nil && cur.ID == src.ID:
		// Same item, another spelling: a rename only.
		return parent, name, false, nil
	case err == nil && !overwrite:
		return Item{}, "", false, nameTaken(name)
	case err == nil:
		if err := s.CheckPlace(ctx, src.ID, parent.ID, move); err != nil {
			return Item{}, "", false, err
		}
		if err := s.Trash(ctx, cur.ID); err != nil {
			return Item{}, "", false, err
		}
		return parent, name, false, nil
	case apperr.IsNotFound(err):
		return parent, name, true, nil
	}
	return Item{}, "", false, err
}

// MovePath moves (or renames) the item at from to the path to in the same
// space. created is false when an item was there and overwrite trashed
// it; without overwrite that is 409 name_taken.
func (s *Service) MovePath(ctx context.Context, spaceID, from, to string, overwrite bool) (Item, bool, error) {
	src, err := s.ResolvePath(ctx, spaceID, from)
	if err != nil {
		return Item{}, false, err
	}
	if src.IsRoot() {
		return Item{}, false, apperr.Conflict("root_folder", "a space's root folder cannot be renamed, moved or deleted")
	}
	parent, name, created, err := s.destination(ctx, spaceID, to, overwrite, true, src)
	if err != nil {
		return Item{}, false, err
	}
	it, err := s.Move(ctx, src.ID, MoveInput{ParentID: parent.ID, Name: name})
	return it, created, err
}

// CopyPath copies the item at from (a folder with everything in it) to
// the path to in the same space; created as for MovePath.
func (s *Service) CopyPath(ctx context.Context, spaceID, from, to string, overwrite bool) (Item, bool, error) {
	src, err := s.ResolvePath(ctx, spaceID, from)
	if err != nil {
		return Item{}, false, err
	}
	parent, name, created, err := s.destination(ctx, spaceID, to, overwrite, false, src)
	if err != nil {
		return Item{}, false, err
	}
	it, err := s.Copy(ctx, src.ID, MoveInput{ParentID: parent.ID, Name: name})
	return it, created, err
}
