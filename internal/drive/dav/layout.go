package dav

import (
	"context"
	"errors"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// state is what one request keeps: the layout it resolved, the items it
// saw (a PROPFIND of a folder asks for each child again), their dead
// properties, and the last error of the drive (http.go answers with its
// status rather than the generic one x/net/webdav picks).
type state struct {
	account string
	orgs    []*orgEntry
	items   map[string]drive.Item
	props   map[string][]drive.DeadProp
	err     error
	// PUT: the request's declared type and length, and whether reading
	// its body failed (the upload is then dropped, not committed short).
	contentType string
	length      int64
	bodyErr     error
	// COPY and MOVE: the source, so that a destination naming the same
	// item (another spelling) is not deleted first, and whether it moves.
	src  string
	move bool
}

type stateKey struct{}

func stateOf(ctx context.Context) *state {
	if st, ok := ctx.Value(stateKey{}).(*state); ok {
		return st
	}
	return &state{}
}

// note records a drive error and returns it as the file system's error:
// not found as os.ErrNotExist, which x/net/webdav recognises.
func note(ctx context.Context, op, name string, err error) error {
	if err == nil {
		return nil
	}
	if apperr.IsNotFound(err) {
		return &os.PathError{Op: op, Path: name, Err: os.ErrNotExist}
	}
	stateOf(ctx).err = err
	return err
}

// dirty forgets what the request saw after a change.
func (st *state) dirty() {
	st.items = nil
	st.props = nil
}

type orgEntry struct {
	Org
	seg    string
	ctx    context.Context
	spaces []*spaceEntry
	shared []*sharedEntry
}

type spaceEntry struct {
	drive.Space
	seg string
}

// loc is a resolved path: the root (org nil), an organization (space nil)
// or a path in a space (rel, "/" for its root folder). A path under
// shared/ is a path in the space of the item shared there (rel its path
// in that space, so that every spelling has one key and one lock): shared
// is set for the shared folder itself (space nil), top for one of the
// items listed in it.
type loc struct {
	name   string
	org    *orgEntry
	space  *spaceEntry
	rel    string
	shared bool
	top    bool
}

// info is the os.FileInfo of the item at l, named by its segment when it
// is a space's root folder or an item listed in shared/.
func (l loc) info(it drive.Item) info {
	return info{it: it, root: l.rel == "/" || l.top, seg: l.space.seg}
}

func (l loc) inSpace() bool { return l.space != nil }

// key is the path's canonical form, the same for every spelling: by ids,
// the rest lower-cased (names are unique ignoring case).
func (l loc) key() string {
	switch {
	case l.org == nil:
		return "/"
	case l.space == nil:
		return "/" + l.org.ID
	case l.rel == "/":
		return "/" + l.org.ID + "/" + l.space.ID
	}
	return "/" + l.org.ID + "/" + l.space.ID + strings.ToLower(l.rel)
}

// usable reports whether a name can be a path segment as it is.
func usable(n string) bool {
	if n == "" || n == "." || n == ".." || strings.ContainsAny(n, `/\`) || strings.TrimSpace(n) != n {
		return false
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// segments names siblings: a usable name unique ignoring case (and not
// reserved) as it is, "<name>~<id>" for the others, the id for names
// that cannot be a segment.
func segments(names, ids []string, reserved ...string) []string {
	count := map[string]int{}
	for _, n := range names {
		count[strings.ToLower(n)]++
	}
	out := make([]string, len(names))
	for i, n := range names {
		switch {
		case !usable(n):
			out[i] = ids[i]
		case count[strings.ToLower(n)] > 1 || slices.ContainsFunc(reserved, func(r string) bool { return strings.EqualFold(n, r) }):
			out[i] = n + "~" + ids[i]
		default:
			out[i] = n
		}
	}
	return out
}

// orgList loads the person's organizations once per request, each with
// a context whose actor is the person's member there.
func (s *Server) orgList(ctx context.Context) ([]*orgEntry, error) {
	st := stateOf(ctx)
	if st.orgs != nil {
		return st.orgs, nil
	}
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	os, err := s.Orgs(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(os, func(i, j int) bool { return os[i].ID < os[j].ID })
	names, ids := make([]string, len(os)), make([]string, len(os))
	for i, o := range os {
		names[i], ids[i] = o.Name, o.ID
	}
	segs := segments(names, ids)
	out := []*orgEntry{}
	for i, o := range os {
		if o.ID == "" || o.MemberID == "" {
			continue
		}
		oa := &actor.Actor{AccountID: a.AccountID, SessionID: a.SessionID, Via: a.Via, OrgID: o.ID, MemberID: o.MemberID}
		out = append(out, &orgEntry{Org: o, seg: segs[i], ctx: actor.With(ctx, oa)})
	}
	st.orgs = out
	return out, nil
}

// spaceList loads the spaces of an organization the person may open.
func (s *Server) spaceList(o *orgEntry) ([]*spaceEntry, error) {
	if o.spaces != nil {
		return o.spaces, nil
	}
	l, err := s.Drive.ListSpaces(o.ctx)
	if err != nil {
		return nil, err
	}
	var org []drive.Space
	out := []*spaceEntry{}
	for _, sp := range l.Items {
		if sp.Kind == drive.KindPersonal {
			out = append(out, &spaceEntry{Space: sp, seg: PersonalName})
		} else {
			org = append(org, sp)
		}
	}
	sort.Slice(org, func(i, j int) bool { return org[i].ID < org[j].ID })
	names, ids := make([]string, len(org)), make([]string, len(org))
	for i, sp := range org {
		names[i], ids[i] = sp.Name, sp.ID
	}
	for i, seg := range segments(names, ids, PersonalName, SharedName) {
		out = append(out, &spaceEntry{Space: org[i], seg: seg})
	}
	o.spaces = out
	return out, nil
}

// clean makes a request path absolute and clean: ".." never climbs above
// /dav/, and below a space the drive refuses any name it does not allow.
func clean(name string) string {
	return path.Clean("/" + name)
}

// locate resolves a path to its organization and space (404 for what the
// person may not open).
func (s *Server) locate(ctx context.Context, name string) (loc, error) {
	name = clean(name)
	l := loc{name: name}
	if name == "/" {
		return l, nil
	}
	segs := strings.SplitN(name[1:], "/", 3)
	orgs, err := s.orgList(ctx)
	if err != nil {
		return l, err
	}
	for _, o := range orgs {
		if strings.EqualFold(o.seg, segs[0]) || o.ID == segs[0] {
			l.org = o
			break
		}
	}
	if l.org == nil {
		return l, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	if len(segs) == 1 {
		return l, nil
	}
	if strings.EqualFold(segs[1], SharedName) {
		return s.locateShared(ctx, l, segs[2:])
	}
	spaces, err := s.spaceList(l.org)
	if err != nil {
		return l, note(ctx, "open", name, err)
	}
	for _, sp := range spaces {
		if strings.EqualFold(sp.seg, segs[1]) || sp.ID == segs[1] {
			l.space = sp
			break
		}
	}
	if l.space == nil {
		return l, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	l.rel = "/"
	if len(segs) == 3 {
		l.rel = "/" + segs[2]
	}
	return l, nil
}

// item returns the drive item at a path in a space (cached for the
// request).
func (s *Server) item(ctx context.Context, l loc) (drive.Item, error) {
	st := stateOf(ctx)
	k := l.key()
	if it, ok := st.items[k]; ok {
		return it, nil
	}
	it, err := s.Drive.ResolvePath(l.org.ctx, l.space.ID, l.rel)
	if err != nil {
		return drive.Item{}, note(ctx, "stat", l.name, err)
	}
	st.remember(k, it)
	return it, nil
}

func (st *state) remember(k string, it drive.Item) {
	if st.items == nil {
		st.items = map[string]drive.Item{}
	}
	st.items[k] = it
}

func contextWith(ctx context.Context, st *state) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func asApp(err error, target **apperr.Error) bool { return errors.As(err, target) }
