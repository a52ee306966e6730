package dav

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path"

	"golang.org/x/net/webdav"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
)

var errNotFile = errors.New("dav: not a file")

// dir is one of the two top levels: the organizations, or the spaces of
// one.
type dir struct {
	s   *Server
	ctx context.Context
	l   loc
}

func (d *dir) Close() error                                     { return nil }
func (d *dir) Read([]byte) (int, error)                         { return 0, errNotFile }
func (d *dir) Seek(int64, int) (int64, error)                   { return 0, errNotFile }
func (d *dir) Write([]byte) (int, error)                        { return 0, readOnly(d.ctx) }
func (d *dir) Stat() (os.FileInfo, error)                       { return d.s.dirInfo(d.l), nil }
func (d *dir) DeadProps() (map[xml.Name]webdav.Property, error) { return nil, nil }

func (d *dir) Patch(ps []webdav.Proppatch) ([]webdav.Propstat, error) {
	return refuse(ps, 403), nil
}

func (d *dir) Readdir(int) ([]os.FileInfo, error) {
	var out []os.FileInfo
	if d.l.org == nil {
		orgs, err := d.s.orgList(d.ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			out = append(out, vinfo{name: o.seg, mod: d.s.started})
		}
		return out, nil
	}
	if d.l.shared {
		return d.s.sharedInfos(d.ctx, d.l)
	}
	spaces, err := d.s.spaceList(d.l.org)
	if err != nil {
		return nil, note(d.ctx, "readdir", d.l.name, err)
	}
	st := stateOf(d.ctx)
	for _, sp := range spaces {
		root, err := d.s.Drive.Get(d.l.org.ctx, sp.RootID)
		if err != nil {
			return nil, note(d.ctx, "readdir", d.l.name, err)
		}
		st.remember(loc{org: d.l.org, space: sp, rel: "/"}.key(), root)
		out = append(out, info{it: root, root: true, seg: sp.seg})
	}
	out = append(out, vinfo{name: SharedName, mod: d.s.started})
	return out, nil
}

// refuse answers every property of a PROPPATCH with one status.
func refuse(ps []webdav.Proppatch, status int) []webdav.Propstat {
	st := webdav.Propstat{Status: status}
	for _, p := range ps {
		for _, pr := range p.Props {
			st.Props = append(st.Props, webdav.Property{XMLName: pr.XMLName})
		}
	}
	return []webdav.Propstat{st}
}

// file is a drive item opened for reading: its body is opened at the
// first read, so that a PROPFIND never touches the file store.
type file struct {
	s   *Server
	ctx context.Context
	l   loc
	it  drive.Item
	obj blob.Object
}

var _ webdav.DeadPropsHolder = (*file)(nil)

func (f *file) open() error {
	if f.obj != nil {
		return nil
	}
	if f.it.Kind != drive.ItemFile {
		return errNotFile
	}
	_, o, err := f.s.Drive.Open(f.l.org.ctx, f.it.ID)
	if err != nil {
		return note(f.ctx, "open", f.l.name, err)
	}
	f.obj = o
	return nil
}

func (f *file) Close() error {
	if f.obj != nil {
		return f.obj.Close()
	}
	return nil
}

func (f *file) Read(p []byte) (int, error) {
	if err := f.open(); err != nil {
		return 0, err
	}
	return f.obj.Read(p)
}

func (f *file) Seek(off int64, whence int) (int64, error) {
	if f.obj == nil && f.it.Kind == drive.ItemFile && off == 0 && whence == io.SeekEnd {
		// http.ServeContent asks the size first.
		return f.it.Size, nil
	}
	if err := f.open(); err != nil {
		return 0, err
	}
	return f.obj.Seek(off, whence)
}

func (f *file) Write([]byte) (int, error) { return 0, errNotFile }

func (f *file) Stat() (os.FileInfo, error) {
	return f.l.info(f.it), nil
}

// listing returns the items of a folder and their dead properties, by
// item id (one query each): what Readdir and a PROPFIND of the folder
// (http_propfind.go) both read.
func (s *Server) listing(ctx context.Context, l loc, folder drive.Item) ([]drive.Item, map[string][]drive.DeadProp, error) {
	list, err := s.Drive.List(l.org.ctx, folder.ID)
	if err != nil {
		return nil, nil, note(ctx, "readdir", l.name, err)
	}
	props, err := s.Drive.ChildDeadProps(l.org.ctx, folder.ID)
	if err != nil {
		return nil, nil, note(ctx, "readdir", l.name, err)
	}
	return list.Items, props, nil
}

// Readdir lists a folder, remembering its items and their dead
// properties for the rest of the request.
func (f *file) Readdir(int) ([]os.FileInfo, error) {
	if f.it.Kind != drive.ItemFolder {
		return nil, errNotFile
	}
	items, props, err := f.s.listing(f.ctx, f.l, f.it)
	if err != nil {
		return nil, err
	}
	st := stateOf(f.ctx)
	if st.props == nil {
		st.props = map[string][]drive.DeadProp{}
	}
	out := make([]os.FileInfo, len(items))
	for i, it := range items {
		child := loc{org: f.l.org, space: f.l.space, rel: path.Join(f.l.rel, it.Name)}
		st.remember(child.key(), it)
		st.props[it.ID] = props[it.ID]
		out[i] = info{it: it}
	}
	return out, nil
}

func (f *file) DeadProps() (map[xml.Name]webdav.Property, error) {
	st := stateOf(f.ctx)
	ps, ok := st.props[f.it.ID]
	if !ok {
		var err error
		if ps, err = f.s.Drive.DeadProps(f.l.org.ctx, f.it.ID); err != nil {
			return nil, note(f.ctx, "props", f.l.name, err)
		}
	}
	out := make(map[xml.Name]webdav.Property, len(ps))
	for _, p := range ps {
		n := xml.Name{Space: p.Space, Local: p.Name}
		out[n] = webdav.Property{XMLName: n, Lang: p.Lang, InnerXML: []byte(p.Value)}
	}
	return out, nil
}

func (f *file) Patch(ps []webdav.Proppatch) ([]webdav.Propstat, error) {
	var patches []drive.DeadPropPatch
	for _, p := range ps {
		for _, pr := range p.Props {
			patches = append(patches, drive.DeadPropPatch{Space: pr.XMLName.Space, Name: pr.XMLName.Local, Lang: pr.Lang,
				Value: string(pr.InnerXML), Remove: p.Remove})
		}
	}
	err := f.s.Drive.PatchDeadProps(f.l.org.ctx, f.it.ID, patches)
	delete(stateOf(f.ctx).props, f.it.ID)
	switch apperr.KindOf(err) {
	case apperr.KindForbidden:
		return refuse(ps, 403), nil
	case apperr.KindInvalid:
		return refuse(ps, 422), nil
	}
	if err != nil {
		return nil, note(f.ctx, "proppatch", f.l.name, err)
	}
	return refuse(ps, 200), nil
}

// writer is a file opened for writing (PUT, COPY's destination, LOCK of
// a new name): the first write starts the drive's upload reading from a
// pipe, so bytes stream to the file store as they arrive; Stat or Close
// ends it. Nothing exists until then. A COPY from another drive file
// becomes the drive's copy (same bytes, not copied).
type writer struct {
	s      *Server
	ctx    context.Context
	l      loc
	parent drive.Item // the folder, for a new file

	pw      *io.PipeWriter
	written int64
	result  chan putResult
	done    bool
	it      drive.Item
	err     error
}

type putResult struct {
	it  drive.Item
	err error
}

var _ webdav.DeadPropsHolder = (*writer)(nil)

func (w *writer) start() {
	pr, pw := io.Pipe()
	w.pw = pw
	w.result = make(chan putResult, 1)
	st := stateOf(w.ctx)
	size := int64(-1)
	if st.length >= 0 {
		size = st.length
	}
	go func() {
		it, _, err := w.s.Drive.PutPath(w.l.org.ctx, w.l.space.ID, w.l.rel, st.contentType, pr, size, "")
		if err != nil {
			pr.CloseWithError(err)
		} else {
			pr.Close()
		}
		w.result <- putResult{it, err}
	}()
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, os.ErrClosed
	}
	if w.pw == nil {
		w.start()
	}
	n, err := w.pw.Write(p)
	w.written += int64(n)
	if err != nil {
		w.finish()
		return n, w.err
	}
	return n, nil
}

// ReadFrom copies from another drive file in the same organization
// without copying bytes; from anything else it streams.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if src, ok := r.(*file); ok && w.pw == nil && !w.done && w.parent.ID != "" && src.it.Kind == drive.ItemFile && src.obj == nil &&
		src.l.org.ID == w.l.org.ID {
		it, err := w.s.Drive.Copy(w.l.org.ctx, src.it.ID, drive.MoveInput{ParentID: w.parent.ID, Name: path.Base(w.l.rel)})
		w.done, w.it, w.err = true, it, note(w.ctx, "copy", w.l.name, err)
		stateOf(w.ctx).dirty()
		return it.Size, w.err
	}
	return io.Copy(writerOnly{w}, r)
}

type writerOnly struct{ io.Writer }

// finish ends the upload: commits it, or drops it when the request's
// body was cut short.
func (w *writer) finish() {
	if w.done {
		return
	}
	w.done = true
	st := stateOf(w.ctx)
	if w.pw == nil {
		if st.bodyErr != nil {
			w.err = st.bodyErr
			return
		}
		w.start()
	}
	switch {
	case st.bodyErr != nil:
		w.pw.CloseWithError(st.bodyErr)
	case st.length >= 0 && w.written != st.length:
		w.pw.CloseWithError(io.ErrUnexpectedEOF)
	default:
		w.pw.Close()
	}
	r := <-w.result
	w.it = r.it
	if r.err != nil {
		w.err = note(w.ctx, "write", w.l.name, r.err)
	} else if st.bodyErr != nil {
		w.err = st.bodyErr
	}
	st.dirty()
	if w.err == nil {
		st.remember(w.l.key(), w.it)
	}
}

func (w *writer) Close() error {
	w.finish()
	return w.err
}

func (w *writer) Stat() (os.FileInfo, error) {
	w.finish()
	if w.err != nil {
		return nil, w.err
	}
	return info{it: w.it}, nil
}

func (w *writer) Read([]byte) (int, error)           { return 0, errNotFile }
func (w *writer) Seek(int64, int) (int64, error)     { return 0, errNotFile }
func (w *writer) Readdir(int) ([]os.FileInfo, error) { return nil, errNotFile }

func (w *writer) DeadProps() (map[xml.Name]webdav.Property, error) {
	w.finish()
	if w.err != nil {
		return nil, w.err
	}
	return (&file{s: w.s, ctx: w.ctx, l: w.l, it: w.it}).DeadProps()
}

func (w *writer) Patch(ps []webdav.Proppatch) ([]webdav.Propstat, error) {
	w.finish()
	if w.err != nil {
		return nil, w.err
	}
	return (&file{s: w.s, ctx: w.ctx, l: w.l, it: w.it}).Patch(ps)
}
