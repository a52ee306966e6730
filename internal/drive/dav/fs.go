package dav

import (
	"context"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// fsys is the webdav.FileSystem over the drive, for one request.
type fsys struct{ s *Server }

var _ webdav.FileSystem = fsys{}

// readOnly is the answer to a change of the two top levels.
func readOnly(ctx context.Context) error {
	err := apperr.Forbidden("forbidden", "organizations and spaces are managed in the app; change what is inside a space")
	stateOf(ctx).err = err
	return err
}

func (f fsys) Stat(ctx context.Context, name string) (os.FileInfo, error) {
	l, err := f.s.locate(ctx, name)
	if err != nil {
		return nil, err
	}
	if !l.inSpace() {
		return f.s.dirInfo(l), nil
	}
	it, err := f.s.item(ctx, l)
	if err != nil {
		return nil, err
	}
	return l.info(it), nil
}

// top reports whether a path names the root, an organization or a space
// itself: nothing there can be created, changed or deleted.
func top(name string) bool {
	return strings.Count(strings.TrimSuffix(clean(name), "/"), "/") <= 2
}

func (f fsys) Mkdir(ctx context.Context, name string, _ os.FileMode) error {
	if top(name) {
		return readOnly(ctx)
	}
	l, err := f.s.locate(ctx, name)
	if newShared(l, err) {
		return readOnly(ctx)
	}
	if err != nil {
		return err
	}
	if !l.inSpace() || l.rel == "/" || l.top {
		return readOnly(ctx)
	}
	stateOf(ctx).dirty()
	_, err = f.s.Drive.MkdirPath(l.org.ctx, l.space.ID, l.rel)
	return note(ctx, "mkdir", name, err)
}

func (f fsys) RemoveAll(ctx context.Context, name string) error {
	if top(name) {
		return readOnly(ctx)
	}
	l, err := f.s.locate(ctx, name)
	if err != nil {
		return err
	}
	if !l.inSpace() || l.rel == "/" {
		return readOnly(ctx)
	}
	st := stateOf(ctx)
	if st.src != "" {
		// COPY or MOVE onto another spelling of its source: the source is
		// not deleted (MOVE renames it; COPY is refused).
		sl, err := f.s.locate(ctx, st.src)
		if err == nil && sl.inSpace() && sl.key() == l.key() {
			return nil
		}
		// Overwriting: the item there goes only once the move or copy
		// itself is allowed (the caller may edit, or open, the source and
		// edit the destination's folder).
		if err == nil && sl.inSpace() && sl.rel != "/" {
			src, err := f.s.item(ctx, sl)
			if err != nil {
				return err
			}
			dir := path.Dir(l.rel)
			parent, err := f.s.item(ctx, loc{name: path.Dir(name), org: l.org, space: l.space, rel: dir})
			if err != nil {
				return err
			}
			if err := f.s.Drive.CheckPlace(l.org.ctx, src.ID, parent.ID, st.move); err != nil {
				return note(ctx, "remove", name, err)
			}
		}
	}
	st.dirty()
	return note(ctx, "remove", name, f.s.Drive.RemovePath(l.org.ctx, l.space.ID, l.rel))
}

func (f fsys) Rename(ctx context.Context, oldName, newName string) error {
	if top(oldName) || top(newName) {
		return readOnly(ctx)
	}
	from, err := f.s.locate(ctx, oldName)
	if err != nil {
		return err
	}
	to, err := f.s.locate(ctx, newName)
	if newShared(to, err) {
		return readOnly(ctx)
	}
	if err != nil {
		return err
	}
	if to.top {
		// The names at the top of shared/ are the server's, not the
		// items' own.
		return readOnly(ctx)
	}
	if !from.inSpace() || from.rel == "/" || !to.inSpace() || to.rel == "/" {
		return readOnly(ctx)
	}
	if from.org.ID != to.org.ID {
		err := apperr.Forbidden("forbidden", "files move between spaces of one organization only; copy them instead")
		stateOf(ctx).err = err
		return err
	}
	stateOf(ctx).dirty()
	if from.space.ID == to.space.ID {
		_, _, err = f.s.Drive.MovePath(from.org.ctx, from.space.ID, from.rel, to.rel, false)
		return note(ctx, "rename", oldName, err)
	}
	src, err := f.s.item(ctx, from)
	if err != nil {
		return err
	}
	dir, base := path.Split(to.rel)
	parent, err := f.s.item(ctx, loc{name: path.Dir(newName), org: to.org, space: to.space, rel: path.Clean(dir)})
	if err != nil {
		return err
	}
	_, err = f.s.Drive.Move(from.org.ctx, src.ID, drive.MoveInput{ParentID: parent.ID, Name: base})
	return note(ctx, "rename", oldName, err)
}

// writable checks that the caller may write at a path: change the item
// there, or create one in its folder (LOCK of a new resource, PUT).
// It returns the item there (ok) or its folder.
func (s *Server) writable(ctx context.Context, name string) (l loc, it drive.Item, ok bool, err error) {
	if top(name) {
		return l, it, false, readOnly(ctx)
	}
	l, err = s.locate(ctx, name)
	if newShared(l, err) {
		return l, it, false, readOnly(ctx)
	}
	if err != nil {
		return l, it, false, err
	}
	if !l.inSpace() || l.rel == "/" {
		return l, it, false, readOnly(ctx)
	}
	it, err = s.item(ctx, l)
	if err == nil {
		if it.MyRole == drive.RoleViewer {
			return l, it, true, forbidden(ctx)
		}
		return l, it, true, nil
	}
	if !os.IsNotExist(err) {
		return l, it, false, err
	}
	dir := path.Dir(l.rel)
	parent, err := s.item(ctx, loc{name: path.Dir(l.name), org: l.org, space: l.space, rel: dir})
	if err != nil {
		return l, it, false, err
	}
	if parent.Kind != drive.ItemFolder {
		return l, it, false, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	if parent.MyRole == drive.RoleViewer {
		return l, parent, false, forbidden(ctx)
	}
	return l, parent, false, nil
}

func forbidden(ctx context.Context) error {
	err := apperr.Forbidden("forbidden", "your role on this item does not allow it")
	stateOf(ctx).err = err
	return err
}

func (f fsys) OpenFile(ctx context.Context, name string, flag int, _ os.FileMode) (webdav.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
		l, it, exists, err := f.s.writable(ctx, name)
		if err != nil {
			return nil, err
		}
		if exists && flag&(os.O_CREATE|os.O_TRUNC) == 0 {
			// PROPPATCH: the item as it is, to change its properties.
			return &file{s: f.s, ctx: ctx, l: l, it: it}, nil
		}
		if exists && it.Kind == drive.ItemFolder {
			err := apperr.Conflict("not_a_file", "a folder has no content")
			stateOf(ctx).err = err
			return nil, err
		}
		w := &writer{s: f.s, ctx: ctx, l: l}
		if !exists {
			w.parent = it
		}
		return w, nil
	}
	l, err := f.s.locate(ctx, name)
	if err != nil {
		return nil, err
	}
	if !l.inSpace() {
		return &dir{s: f.s, ctx: ctx, l: l}, nil
	}
	it, err := f.s.item(ctx, l)
	if err != nil {
		return nil, err
	}
	return &file{s: f.s, ctx: ctx, l: l, it: it}, nil
}

// info is the os.FileInfo of a drive item, with its ETag and type.
type info struct {
	it   drive.Item
	root bool
	seg  string
}

var (
	_ webdav.ETager       = info{}
	_ webdav.ContentTyper = info{}
)

func (i info) Name() string {
	if i.root {
		return i.seg
	}
	return i.it.Name
}
func (i info) Size() int64 { return i.it.Size }
func (i info) Mode() os.FileMode {
	if i.IsDir() {
		return os.ModeDir | 0o755
	}
	return 0o644
}
func (i info) ModTime() time.Time { return time.UnixMilli(i.it.UpdatedAt) }
func (i info) IsDir() bool        { return i.it.Kind == drive.ItemFolder }
func (i info) Sys() any           { return nil }

func (i info) ETag(context.Context) (string, error) { return i.it.ETag, nil }

func (i info) ContentType(context.Context) (string, error) {
	if i.IsDir() {
		return "httpd/unix-directory", nil
	}
	if i.it.ContentType == "" {
		return "application/octet-stream", nil
	}
	return i.it.ContentType, nil
}

// vinfo is the os.FileInfo of the two top levels.
type vinfo struct {
	name string
	mod  time.Time
}

func (v vinfo) Name() string       { return v.name }
func (v vinfo) Size() int64        { return 0 }
func (v vinfo) Mode() os.FileMode  { return os.ModeDir | 0o555 }
func (v vinfo) ModTime() time.Time { return v.mod }
func (v vinfo) IsDir() bool        { return true }
func (v vinfo) Sys() any           { return nil }

func (v vinfo) ETag(context.Context) (string, error) {
	return `"v` + v.mod.Format("20060102150405") + `"`, nil
}

func (v vinfo) ContentType(context.Context) (string, error) { return "httpd/unix-directory", nil }

func (s *Server) dirInfo(l loc) os.FileInfo {
	switch {
	case l.org == nil:
		return vinfo{name: "/", mod: s.started}
	case l.shared:
		return vinfo{name: SharedName, mod: s.started}
	default:
		return vinfo{name: l.org.seg, mod: s.started}
	}
}
