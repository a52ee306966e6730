package drive

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Share gives members (kind member), a department with its
// sub-departments, or a role the role viewer or editor on an item and
// everything below it.
type Share struct {
	ID        string `json:"id"`
	ItemID    string `json:"item_id"`
	Kind      string `json:"kind"`
	SubjectID string `json:"subject_id"`
	Role      string `json:"role"`
	CreatedBy string `json:"created_by"`
	CreatedAt int64  `json:"created_at"`
}

// ShareInput shares an item.
type ShareInput struct {
	Kind      string `json:"kind"`
	SubjectID string `json:"subject_id"`
	Role      string `json:"role"`
}

// ShareList is an item's shares.
type ShareList struct {
	Items []Share `json:"items"`
}

func shareOf(r shareRow) Share {
	return Share{ID: r.ID, ItemID: r.ItemID, Kind: r.Kind, SubjectID: r.SubjectID, Role: r.Role, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// Shares lists an item's own shares (not those of the folders above it),
// for its editors.
func (s *Service) Shares(ctx context.Context, itemID string) (ShareList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return ShareList{}, err
	}
	t, err := s.item(ctx, c, itemID, RoleEditor)
	if err != nil {
		return ShareList{}, err
	}
	rows, err := sharesOn(ctx, s.DB, c.OrgID, []string{t.it.ID})
	if err != nil {
		return ShareList{}, err
	}
	out := ShareList{Items: make([]Share, len(rows))}
	for i, r := range rows {
		out.Items[i] = shareOf(r)
	}
	return out, nil
}

// AddShare shares an item (its editors): viewer or editor, never more
// than the caller's own role. Sharing again with the same subject changes
// the role.
func (s *Service) AddShare(ctx context.Context, itemID string, in ShareInput) (Share, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Share{}, err
	}
	if in.Role != RoleViewer && in.Role != RoleEditor {
		return Share{}, apperr.InvalidField("role", "viewer or editor")
	}
	switch in.Kind {
	case SubjectMember, SubjectDepartment, SubjectRole:
	default:
		return Share{}, apperr.InvalidField("kind", "member, department or role")
	}
	t, err := s.item(ctx, c, itemID, RoleEditor)
	if err != nil {
		return Share{}, err
	}
	if err := s.Directory.Check(ctx, c.OrgID, in.Kind, []string{in.SubjectID}); err != nil {
		return Share{}, err
	}
	r := shareRow{ID: ids.New("dsh"), OrgID: c.OrgID, SpaceID: t.sp.ID, ItemID: t.it.ID, Kind: in.Kind, SubjectID: in.SubjectID,
		Role: in.Role, CreatedBy: c.AccountID, CreatedAt: s.now()}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := upsertShare(ctx, s.DB, r); err != nil {
			return err
		}
		got, err := shareBySubject(ctx, s.DB, t.it.ID, in.Kind, in.SubjectID)
		if err != nil {
			return err
		}
		r = got
		return s.record(ctx, c.OrgID, "drive.share", "drive_item", t.it.ID, map[string]any{"kind": in.Kind, "subject_id": in.SubjectID, "role": in.Role})
	})
	if err != nil {
		return Share{}, err
	}
	return shareOf(r), nil
}

// RemoveShare stops sharing an item with a subject (its editors).
func (s *Service) RemoveShare(ctx context.Context, itemID, shareID string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	t, err := s.item(ctx, c, itemID, RoleEditor)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := deleteShare(ctx, s.DB, t.it.ID, shareID)
		if err != nil {
			return err
		}
		if !ok {
			return errNotFound
		}
		return s.record(ctx, c.OrgID, "drive.unshare", "drive_item", t.it.ID, map[string]any{"share_id": shareID})
	})
}

// SharedWithMe lists the items shared with the caller — with them, one of
// their departments or one of their roles — outside their own personal
// space, newest share first.
func (s *Service) SharedWithMe(ctx context.Context) (ItemList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return ItemList{}, err
	}
	f, err := c.groups(ctx, s)
	if err != nil {
		return ItemList{}, err
	}
	rows, err := s.sharedWith(ctx, c.OrgID, c.MemberID, f.Departments, f.Roles)
	if err != nil {
		return ItemList{}, err
	}
	out := ItemList{Items: []Item{}}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		t, err := s.item(ctx, c, r.ID, RoleViewer)
		if apperr.IsNotFound(err) || errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return ItemList{}, err
		}
		if t.sp.Kind == KindPersonal && t.sp.OwnerAccountID == c.AccountID {
			continue
		}
		out.Items = append(out.Items, itemOf(t.it, t.role))
	}
	return out, nil
}
