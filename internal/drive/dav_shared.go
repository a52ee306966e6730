package drive

import (
	"context"
	"strings"
)

// SharedItem is an item shared with the caller with its path in its
// space ("/" for a space's root folder), so that a WebDAV client can reach
// it and what is below it through the path helpers, with the rights the
// shares give.
type SharedItem struct {
	Item
	Path string
}

// SharedPaths lists the items shared with the caller (SharedWithMe) with
// their paths. The folders above an item are named even when the caller
// may not see them: the path only leads to the item, whose rights the path
// helpers check again on every use.
func (s *Service) SharedPaths(ctx context.Context) ([]SharedItem, error) {
	l, err := s.SharedWithMe(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SharedItem, 0, len(l.Items))
	for _, it := range l.Items {
		var names []string
		p := it.ParentID
		for p != "" {
			if len(names) > MaxDepth {
				break
			}
			r, err := s.getItem(ctx, c.OrgID, p)
			if err != nil {
				return nil, err
			}
			if r.ParentID != "" {
				names = append(names, r.Name)
			}
			p = r.ParentID
		}
		parts := []string{}
		for i := len(names) - 1; i >= 0; i-- {
			parts = append(parts, names[i])
		}
		if it.ParentID != "" {
			parts = append(parts, it.Name)
		}
		out = append(out, SharedItem{Item: it, Path: "/" + strings.Join(parts, "/")})
	}
	return out, nil
}
