package drive

import (
	"context"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// What the WebDAV server (internal/dav) needs beyond the path helpers:
// dead properties, the properties a client sets on an item with
// PROPPATCH, kept by XML namespace and name with their XML value. Reading
// them takes the right to see the item, changing them the right to edit
// it, as for its content.

// Limits of dead properties.
const (
	// MaxDeadPropValue bounds one property's XML value in bytes.
	MaxDeadPropValue = 64 << 10
	// MaxDeadProps bounds how many dead properties an item has.
	MaxDeadProps = 200
)

// DeadProp is a dead property of an item: its XML namespace (Space) and
// local name, xml:lang and the XML inside it.
type DeadProp struct {
	ItemID string
	Space  string
	Name   string
	Lang   string
	Value  string
}

// DeadPropPatch sets (Remove false) or removes a dead property.
type DeadPropPatch struct {
	Space, Name, Lang, Value string
	Remove                   bool
}

// errTooManyProps refuses a property beyond MaxDeadProps (the WebDAV
// server answers 422 for it).
var errTooManyProps = apperr.Invalid("invalid_field", "an item has at most 200 properties").With("max_properties", MaxDeadProps)

// DeadProps returns an item's dead properties (404 when the caller may
// not see it).
func (s *Service) DeadProps(ctx context.Context, itemID string) ([]DeadProp, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.item(ctx, c, itemID, RoleViewer)
	if err != nil {
		return nil, err
	}
	return deadPropsOf(ctx, s.DB, c.OrgID, []string{t.it.ID})
}

// ChildDeadProps returns the dead properties of every item of a folder
// the caller may see, by item id: one query for a whole listing.
func (s *Service) ChildDeadProps(ctx context.Context, folderID string) (map[string][]DeadProp, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.item(ctx, c, folderID, RoleViewer)
	if err != nil {
		return nil, err
	}
	ps, err := deadPropsOfChildren(ctx, s.DB, c.OrgID, t.it.ID)
	if err != nil {
		return nil, err
	}
	out := map[string][]DeadProp{}
	for _, p := range ps {
		out[p.ItemID] = append(out[p.ItemID], p)
	}
	return out, nil
}

// PatchDeadProps applies patches to an item's dead properties in order,
// all or none: 403 when the caller may not edit the item, 400
// invalid_field for a property without a name, a value longer than
// MaxDeadPropValue or not UTF-8, and beyond
// MaxDeadProps (with max_properties).
func (s *Service) PatchDeadProps(ctx context.Context, itemID string, patches []DeadPropPatch) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	for _, p := range patches {
		switch {
		case p.Name == "":
			return apperr.Invalid("invalid_field", "a property has a name")
		case len(p.Value) > MaxDeadPropValue:
			return apperr.Invalid("invalid_field", "a property's value is at most 64 KiB")
		case !utf8.ValidString(p.Space + p.Name + p.Lang + p.Value):
			return apperr.Invalid("invalid_field", "a property is UTF-8 text")
		}
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		t, err := s.item(ctx, c, itemID, RoleEditor)
		if err != nil {
			return err
		}
		for _, p := range patches {
			if p.Remove {
				err = deleteDeadProp(ctx, s.DB, t.it.ID, p.Space, p.Name)
			} else {
				err = setDeadProp(ctx, s.DB, c.OrgID, DeadProp{ItemID: t.it.ID, Space: p.Space, Name: p.Name, Lang: p.Lang, Value: p.Value})
			}
			if err != nil {
				return err
			}
		}
		n, err := countDeadProps(ctx, s.DB, t.it.ID)
		if err != nil {
			return err
		}
		if n > MaxDeadProps {
			return errTooManyProps
		}
		return nil
	})
}
