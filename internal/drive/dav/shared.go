package dav

import (
	"context"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/drive"
)

// /dav/<org>/shared/ lists the items shared one by one with the person —
// with them, one of their departments (or one above it) or one of their
// roles — from every space of the organization, and below each shared
// folder what is in it. Rights are the API's: the path under shared/
// stands for the item's path in its space, and every operation goes
// through the drive's path helpers as the person, so a viewer share reads
// only (403 for PUT, DELETE, MKCOL, MOVE) and an editor share writes
// inside; once a share is revoked its entry is gone at the next request
// (404). Nothing can be created at the top of shared/ (403).
//
// Each item is listed by its name; items of the same name (ignoring
// case) from different places are told apart by their ids' order: the
// first keeps the name, the next become "name (2)", "name (3)" (before a
// file's extension). An item can also be reached by its id.

// SharedName is the segment of the items shared with the person in each
// organization (a space of that name is listed as "<name>~<id>").
const SharedName = "shared"

type sharedEntry struct {
	drive.SharedItem
	seg string
}

// sharedList loads the items shared with the person in an organization
// once per request, each with its segment.
func (s *Server) sharedList(o *orgEntry) ([]*sharedEntry, error) {
	if o.shared != nil {
		return o.shared, nil
	}
	items, err := s.Drive.SharedPaths(o.ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	out := make([]*sharedEntry, 0, len(items))
	taken := map[string]bool{}
	for _, it := range items {
		seg := it.Name
		if !usable(seg) {
			seg = it.ID
		}
		if taken[strings.ToLower(seg)] {
			seg = numbered(seg, it.Kind == drive.ItemFile, taken)
		}
		taken[strings.ToLower(seg)] = true
		out = append(out, &sharedEntry{SharedItem: it, seg: seg})
	}
	o.shared = out
	return out, nil
}

// numbered returns "name (n)" (for a file "base (n).ext") with the
// smallest n from 2 not taken.
func numbered(name string, isFile bool, taken map[string]bool) string {
	base, ext := name, ""
	if isFile {
		if e := path.Ext(name); e != "" && e != name {
			base, ext = strings.TrimSuffix(name, e), e
		}
	}
	for n := 2; ; n++ {
		c := base + " (" + strconv.Itoa(n) + ")" + ext
		if !taken[strings.ToLower(c)] {
			return c
		}
	}
}

// locateShared resolves the rest of a path under <org>/shared/.
func (s *Server) locateShared(ctx context.Context, l loc, rest []string) (loc, error) {
	l.shared = true
	if len(rest) == 0 {
		return l, nil
	}
	entries, err := s.sharedList(l.org)
	if err != nil {
		return l, note(ctx, "open", l.name, err)
	}
	first, below, _ := strings.Cut(rest[0], "/")
	var e *sharedEntry
	for _, x := range entries {
		if strings.EqualFold(x.seg, first) || x.ID == first {
			e = x
			break
		}
	}
	if e == nil {
		return l, &os.PathError{Op: "open", Path: l.name, Err: os.ErrNotExist}
	}
	l.space = &spaceEntry{Space: drive.Space{ID: e.SpaceID}, seg: e.seg}
	l.rel = e.Path
	if below == "" {
		l.top = true
	} else {
		l.rel = strings.TrimSuffix(e.Path, "/") + "/" + below
	}
	return l, nil
}

// newShared reports whether a failed locate was of a new name at the top
// of shared/, where nothing can be created.
func newShared(l loc, err error) bool {
	return err != nil && os.IsNotExist(err) && l.shared && l.org != nil && l.space == nil &&
		strings.Count(strings.TrimSuffix(l.name, "/"), "/") == 3
}

// sharedInfos lists shared/ (remembering the items for the request).
func (s *Server) sharedInfos(ctx context.Context, l loc) ([]os.FileInfo, error) {
	entries, err := s.sharedList(l.org)
	if err != nil {
		return nil, note(ctx, "readdir", l.name, err)
	}
	st := stateOf(ctx)
	out := make([]os.FileInfo, 0, len(entries))
	for _, e := range entries {
		el := loc{org: l.org, space: &spaceEntry{Space: drive.Space{ID: e.SpaceID}, seg: e.seg}, rel: e.Path, top: true}
		st.remember(el.key(), e.Item)
		out = append(out, el.info(e.Item))
	}
	return out, nil
}
