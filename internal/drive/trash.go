package drive

import (
	"context"
	"errors"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// The trash: a trashed item leaves its folder (its name is free again) with
// everything below it, and stays in its space — counted in its quota —
// until it is restored, deleted for good, or the organization's trash
// period passes (PurgeTrash). Only the item that was trashed is listed in
// the trash; what was inside comes back with it.

// Trash moves an item with everything in it to the trash (editor).
func (s *Service) Trash(ctx context.Context, id string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	t, err := s.item(ctx, c, id, RoleEditor)
	if err != nil {
		return err
	}
	if t.it.ParentID == "" {
		return apperr.Conflict("root_folder", "a space's root folder cannot be renamed, moved or deleted")
	}
	now := s.now()
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := trashSubtree(ctx, s.DB, t.it.ID, c.AccountID, now); err != nil {
			return err
		}
		return touch(ctx, s.DB, t.it.ParentID, now)
	})
}

// ListTrash lists the items trashed in a space, newest first: every one
// for the space's editors, in a personal space its owner.
func (s *Service) ListTrash(ctx context.Context, spaceID string) (ItemList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return ItemList{}, err
	}
	sp, role, err := s.space(ctx, c, spaceID, RoleEditor)
	if err != nil {
		return ItemList{}, err
	}
	rows, err := s.trashOf(ctx, c.OrgID, sp.ID)
	if err != nil {
		return ItemList{}, err
	}
	out := ItemList{Items: make([]Item, len(rows))}
	for i, r := range rows {
		out.Items[i] = itemOf(r, role)
	}
	return out, nil
}

// trashed loads an item the caller trashed or may restore: a trash root
// in a space where the caller is an editor.
func (s *Service) trashed(ctx context.Context, c *caller, id string) (target, error) {
	it, err := s.getItem(ctx, c.OrgID, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (it.TrashedAt == 0 || it.TrashRootID != it.ID)) {
		return target{}, errNotFound
	}
	if err != nil {
		return target{}, err
	}
	sp, role, err := s.space(ctx, c, it.SpaceID, RoleEditor)
	if err != nil {
		return target{}, err
	}
	return target{it: it, sp: sp, role: role}, nil
}

// Restore brings an item back from the trash into its folder, or into the
// space's root folder when its folder is gone; 409 name_taken when the
// name has been used there since.
func (s *Service) Restore(ctx context.Context, id string) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	t, err := s.trashed(ctx, c, id)
	if err != nil {
		return Item{}, err
	}
	now := s.now()
	parent, err := s.getItem(ctx, c.OrgID, t.it.ParentID)
	if err != nil || parent.TrashedAt != 0 {
		t.it.ParentID = t.sp.RootID
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := restoreSubtree(ctx, s.DB, t.it.ID, t.it.ParentID, now); err != nil {
			return s.nameErr(err, t.it.Name)
		}
		return touch(ctx, s.DB, t.it.ParentID, now)
	})
	if err != nil {
		return Item{}, err
	}
	it, err := s.getItem(ctx, c.OrgID, t.it.ID)
	if err != nil {
		return Item{}, err
	}
	return itemOf(it, t.role), nil
}

// DeleteForever deletes an item in the trash for good, with its versions
// and (once nothing refers to them) its bytes.
func (s *Service) DeleteForever(ctx context.Context, id string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	t, err := s.trashed(ctx, c, id)
	if err != nil {
		return err
	}
	return s.purge(ctx, t.sp, t.it.ID)
}

// EmptyTrash deletes everything in a space's trash for good (its managers)
// and returns how many trashed items it deleted.
func (s *Service) EmptyTrash(ctx context.Context, spaceID string) (int, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return 0, err
	}
	sp, _, err := s.space(ctx, c, spaceID, RoleManager)
	if err != nil {
		return 0, err
	}
	rows, err := s.trashOf(ctx, c.OrgID, sp.ID)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if err := s.purge(ctx, sp, r.ID); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// purge deletes an item's subtree for good: its rows, versions, shares and
// links, its bytes once nothing refers to them, and what it counted in the
// space's quota.
func (s *Service) purge(ctx context.Context, sp spaceRow, id string) error {
	var drop []string
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		keys, size, err := subtreeRefs(ctx, s.DB, id)
		if err != nil {
			return err
		}
		if err := deleteSubtree(ctx, s.DB, id); err != nil {
			return err
		}
		if err := addUsed(ctx, s.DB, sp.ID, -size); err != nil {
			return err
		}
		drop, err = s.unref(ctx, keys)
		return err
	})
	if err != nil {
		return err
	}
	s.dropBlobs(ctx, drop)
	return nil
}

// PurgeTrash deletes for good what has been in the trash longer than its
// organization's trash period, and returns how many trashed items it
// deleted. A trashed tree in which any item or earlier version names a
// person under a legal hold (Held) stays, whoever trashed it. The
// background job calls it.
func (s *Service) PurgeTrash(ctx context.Context) (int, error) {
	n := 0
	now := s.Now()
	orgs, err := orgsWithTrash(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	const page = 500
	for _, org := range orgs {
		st, err := settingsOf(ctx, s.DB, org)
		if err != nil {
			return n, err
		}
		cutoff := now.Add(-time.Duration(st.TrashDays) * 24 * time.Hour).UnixMilli()
		// Page through the old trash, so that held trees at its start do
		// not keep the rest from being purged.
		var afterAt int64
		afterID := ""
		for {
			rows, err := s.trashBefore(ctx, org, cutoff, afterAt, afterID, page)
			if err != nil {
				return n, err
			}
			for _, r := range rows {
				afterAt, afterID = r.TrashedAt, r.ID
				held, err := s.trashHeld(ctx, org, r.ID)
				if err != nil {
					return n, err
				}
				if held {
					continue
				}
				sp, err := getSpace(ctx, s.DB, org, r.SpaceID)
				if err != nil {
					return n, err
				}
				if err := s.purge(ctx, sp, r.ID); err != nil {
					return n, err
				}
				n++
			}
			if len(rows) < page {
				break
			}
		}
	}
	return n, nil
}

// trashHeld reports whether a legal hold keeps the tree trashed at root:
// one of the people its items or their versions name is held.
func (s *Service) trashHeld(ctx context.Context, org, root string) (bool, error) {
	if s.Held == nil {
		return false, nil
	}
	people, err := trashPeople(ctx, s.DB, org, root)
	if err != nil {
		return false, err
	}
	for _, p := range people {
		if p == "" {
			continue
		}
		held, err := s.Held(ctx, org, p)
		if err != nil || held {
			return held, err
		}
	}
	return false, nil
}
