package drive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Item is a folder or a file as the caller sees it.
type Item struct {
	ID      string `json:"id"`
	SpaceID string `json:"space_id"`
	// ParentID is the folder holding it ("" for a space's root folder).
	ParentID    string `json:"parent_id"`
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	// Version counts a file's contents (1 for the first upload).
	Version int `json:"version"`
	// ETag changes whenever the item's content (or, for a folder, the
	// folder itself) changes.
	ETag      string `json:"etag"`
	CreatedBy string `json:"created_by"`
	UpdatedBy string `json:"updated_by"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
	// TrashedAt is when it went to the trash (0: not in the trash).
	TrashedAt int64 `json:"trashed_at,omitempty"`
	// MyRole is the caller's role on the item: viewer, editor or manager.
	MyRole string `json:"my_role"`
}

// IsRoot reports whether the item is its space's root folder.
func (it Item) IsRoot() bool { return it.ParentID == "" }

// ItemList is a list of items.
type ItemList struct {
	Items []Item `json:"items"`
}

// FolderInput creates a folder.
type FolderInput struct {
	ParentID string `json:"parent_id"`
	Name     string `json:"name"`
}

// MoveInput moves an item into another folder (of the same space or
// another one), optionally under a new name.
type MoveInput struct {
	ParentID string `json:"parent_id"`
	Name     string `json:"name,omitempty"`
}

// RenameInput renames an item.
type RenameInput struct {
	Name string `json:"name"`
}

// MaxDepth bounds how deep folders nest.
const MaxDepth = 64

// errInvalidName is 400 invalid_name.
func errInvalidName(why string) error {
	return apperr.Invalid("invalid_name", "not a valid file or folder name: "+why)
}

// validName checks a file or folder name: 1 to 255 bytes of valid UTF-8,
// no "/" or "\", no control characters (NUL included), not "." or "..",
// no leading or trailing spaces and no characters that disguise text
// (safetext). A name is one path segment: it can never reach outside its
// folder.
func validName(n string) error {
	switch {
	case n == "":
		return errInvalidName("empty")
	case len(n) > 255:
		return errInvalidName("longer than 255 bytes")
	case !utf8.ValidString(n):
		return errInvalidName("not UTF-8")
	case n == "." || n == "..":
		return errInvalidName(`"." and ".." are reserved`)
	case strings.ContainsAny(n, `/\`):
		return errInvalidName("contains a slash")
	case strings.TrimSpace(n) != n:
		return errInvalidName("begins or ends with a space")
	}
	for _, r := range n {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return errInvalidName("contains a control character")
		}
	}
	if safetext.Check("name", n) != nil {
		return errInvalidName("contains a character that disguises text")
	}
	return nil
}

func etag(it itemRow) string {
	if it.Kind == ItemFile {
		return fmt.Sprintf(`"%s-%d"`, it.SHA256[:min(16, len(it.SHA256))], it.Version)
	}
	return fmt.Sprintf(`"d%d"`, it.UpdatedAt)
}

func itemOf(it itemRow, role string) Item {
	return Item{ID: it.ID, SpaceID: it.SpaceID, ParentID: it.ParentID, Kind: it.Kind, Name: it.Name, Size: it.Size,
		ContentType: it.ContentType, SHA256: it.SHA256, Version: it.Version, ETag: etag(it), CreatedBy: it.CreatedBy,
		UpdatedBy: it.UpdatedBy, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, TrashedAt: it.TrashedAt, MyRole: role}
}

// target is an item with its space and the caller's role on it.
type target struct {
	it   itemRow
	sp   spaceRow
	role string
}

// itemRole returns the caller's role on an item: their role in its space,
// raised by shares of the item or of a folder above it.
func (s *Service) itemRole(ctx context.Context, c *caller, sp spaceRow, it itemRow) (string, error) {
	role, err := s.spaceRole(ctx, c, sp)
	if err != nil || rank(role) >= rank(RoleEditor) {
		return role, err
	}
	chain, err := s.chain(ctx, it)
	if err != nil {
		return "", err
	}
	shares, err := sharesOn(ctx, s.DB, sp.OrgID, chain)
	if err != nil {
		return "", err
	}
	for _, sh := range shares {
		if rank(sh.Role) <= rank(role) {
			continue
		}
		ok, err := c.holds(ctx, s, sh.Kind, sh.SubjectID)
		if err != nil {
			return "", err
		}
		if ok {
			role = sh.Role
		}
	}
	return role, nil
}

// chain returns the ids of an item and of every folder above it.
func (s *Service) chain(ctx context.Context, it itemRow) ([]string, error) {
	out := []string{it.ID}
	p := it.ParentID
	for p != "" {
		if len(out) > MaxDepth+1 {
			return nil, apperr.Internalf("drive: folders nested deeper than %d", MaxDepth)
		}
		out = append(out, p)
		var err error
		if p, err = parentOf(ctx, s.DB, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// item loads an item of the caller's organization that is not in the
// trash, with the caller's role on it (at least min): 404 when the caller
// may not see it at all, 403 forbidden when they may see it but their
// role does not allow the operation.
func (s *Service) item(ctx context.Context, c *caller, id, min string) (target, error) {
	return s.loadItem(ctx, c, id, min, false)
}

func (s *Service) loadItem(ctx context.Context, c *caller, id, min string, trashed bool) (target, error) {
	it, err := s.getItem(ctx, c.OrgID, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (it.TrashedAt != 0) != trashed) {
		return target{}, errNotFound
	}
	if err != nil {
		return target{}, err
	}
	sp, err := getSpace(ctx, s.DB, c.OrgID, it.SpaceID)
	if err != nil {
		return target{}, apperr.MapNotFound(err)
	}
	role, err := s.itemRole(ctx, c, sp, it)
	if err != nil {
		return target{}, err
	}
	if role == "" {
		return target{}, errNotFound
	}
	if rank(role) < rank(min) {
		return target{}, apperr.Forbidden("forbidden", "your role on this item does not allow it").With("role", role)
	}
	return target{it: it, sp: sp, role: role}, nil
}

// folder loads a folder the caller may write into (editor).
func (s *Service) folder(ctx context.Context, c *caller, id string) (target, error) {
	t, err := s.item(ctx, c, id, RoleEditor)
	if err != nil {
		return target{}, err
	}
	if t.it.Kind != ItemFolder {
		return target{}, apperr.Conflict("not_a_folder", "the parent is a file, not a folder")
	}
	return t, nil
}

// Get returns an item the caller may see (404 otherwise, and for items in
// the trash).
func (s *Service) Get(ctx context.Context, id string) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return Item{}, err
	}
	return itemOf(t.it, t.role), nil
}

// List lists a folder's items (not those in the trash): folders first,
// then by name.
func (s *Service) List(ctx context.Context, folderID string) (ItemList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return ItemList{}, err
	}
	t, err := s.item(ctx, c, folderID, RoleViewer)
	if err != nil {
		return ItemList{}, err
	}
	if t.it.Kind != ItemFolder {
		return ItemList{}, apperr.Conflict("not_a_folder", "a file has no items")
	}
	rows, err := s.childrenOf(ctx, c.OrgID, t.it.ID)
	if err != nil {
		return ItemList{}, err
	}
	out := ItemList{Items: make([]Item, len(rows))}
	for i, r := range rows {
		out.Items[i] = itemOf(r, t.role)
	}
	return out, nil
}

// Ancestors lists the folders above an item, the space's root first
// (breadcrumbs), as far up as the caller may see.
func (s *Service) Ancestors(ctx context.Context, id string) (ItemList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return ItemList{}, err
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return ItemList{}, err
	}
	chain, err := s.chain(ctx, t.it)
	if err != nil {
		return ItemList{}, err
	}
	out := ItemList{Items: []Item{}}
	for i := len(chain) - 1; i >= 1; i-- {
		p, err := s.item(ctx, c, chain[i], RoleViewer)
		if apperr.IsNotFound(err) {
			continue
		}
		if err != nil {
			return ItemList{}, err
		}
		out.Items = append(out.Items, itemOf(p.it, p.role))
	}
	return out, nil
}

// CreateFolder creates a folder in a folder the caller may edit; 409
// name_taken when the name is in use there.
func (s *Service) CreateFolder(ctx context.Context, in FolderInput) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	if err := validName(in.Name); err != nil {
		return Item{}, err
	}
	p, err := s.folder(ctx, c, in.ParentID)
	if err != nil {
		return Item{}, err
	}
	chain, err := s.chain(ctx, p.it)
	if err != nil {
		return Item{}, err
	}
	if len(chain) >= MaxDepth {
		return Item{}, apperr.Conflict("too_deep", fmt.Sprintf("folders nest at most %d deep", MaxDepth))
	}
	now := s.now()
	it := itemRow{ID: ids.New("dit"), OrgID: c.OrgID, SpaceID: p.sp.ID, ParentID: p.it.ID, Kind: ItemFolder, Name: in.Name,
		CreatedBy: c.AccountID, UpdatedBy: c.AccountID, CreatedAt: now, UpdatedAt: now}
	if err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.sealName(ctx, s.owner(p.sp), &it); err != nil {
			return err
		}
		if err := insertItem(ctx, s.DB, it); err != nil {
			return s.nameErr(err, in.Name)
		}
		if err := s.indexName(ctx, it); err != nil {
			return err
		}
		return touch(ctx, s.DB, p.it.ID, now)
	}); err != nil {
		return Item{}, err
	}
	return itemOf(it, p.role), nil
}

// nameErr turns a unique violation of the name index into 409 name_taken.
func (s *Service) nameErr(err error, name string) error {
	if errors.Is(s.DB.Classify(err), db.ErrConflict) {
		return nameTaken(name)
	}
	return err
}

// Rename renames an item (editor); 409 name_taken when its folder holds
// another item of that name. A space's root folder cannot be renamed.
func (s *Service) Rename(ctx context.Context, id, name string) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	if err := validName(name); err != nil {
		return Item{}, err
	}
	t, err := s.item(ctx, c, id, RoleEditor)
	if err != nil {
		return Item{}, err
	}
	if t.it.ParentID == "" {
		return Item{}, apperr.Conflict("root_folder", "a space's root folder cannot be renamed, moved or deleted")
	}
	now := s.now()
	t.it.Name, t.it.UpdatedAt, t.it.UpdatedBy = name, now, c.AccountID
	if err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.sealName(ctx, s.owner(t.sp), &t.it); err != nil {
			return err
		}
		if err := placeItem(ctx, s.DB, t.it); err != nil {
			return s.nameErr(err, name)
		}
		if err := s.indexName(ctx, t.it); err != nil {
			return err
		}
		return touch(ctx, s.DB, t.it.ParentID, now)
	}); err != nil {
		return Item{}, err
	}
	return itemOf(t.it, t.role), nil
}

// Move moves an item into another folder, optionally renaming it (editor
// of both). A folder cannot move into itself or a folder below it (409
// move_cycle). Between spaces whose files are sealed under different keys
// (a personal space and an organization's) every body of the moved files,
// their earlier versions included, is linked for the target's key (no
// bytes copied) and the source's references dropped; the items keep their
// ids, versions, shares and links.
func (s *Service) Move(ctx context.Context, id string, in MoveInput) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	if in.Name != "" {
		if err := validName(in.Name); err != nil {
			return Item{}, err
		}
	}
	t, err := s.item(ctx, c, id, RoleEditor)
	if err != nil {
		return Item{}, err
	}
	if t.it.ParentID == "" {
		return Item{}, apperr.Conflict("root_folder", "a space's root folder cannot be renamed, moved or deleted")
	}
	p, err := s.folder(ctx, c, in.ParentID)
	if err != nil {
		return Item{}, err
	}
	chain, err := s.chain(ctx, p.it)
	if err != nil {
		return Item{}, err
	}
	for _, a := range chain {
		if a == t.it.ID {
			return Item{}, apperr.Conflict("move_cycle", "a folder cannot move into itself or a folder inside it")
		}
	}
	name := t.it.Name
	if in.Name != "" {
		name = in.Name
	}
	// Between key owners every body of the subtree, versions included,
	// gets one for the target's owner before the transaction (the store's
	// writes are not transactional): a link, no bytes copied.
	var rekey map[string]string
	var fresh, drop []string
	if p.sp.ID != t.sp.ID && s.owner(p.sp) != s.owner(t.sp) {
		if rekey, fresh, err = s.rekeyFor(ctx, t.it.ID, s.owner(p.sp)); err != nil {
			return Item{}, err
		}
	}
	now := s.now()
	oldParent := t.it.ParentID
	t.it.ParentID, t.it.Name, t.it.UpdatedAt, t.it.UpdatedBy = p.it.ID, name, now, c.AccountID
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if p.sp.ID != t.sp.ID {
			size, err := subtreeBytes(ctx, s.DB, t.it.ID)
			if err != nil {
				return err
			}
			if err := s.reserve(ctx, p.sp, size); err != nil {
				return err
			}
			if err := moveSubtree(ctx, s.DB, t.it.ID, p.sp.ID); err != nil {
				return err
			}
			if err := addUsed(ctx, s.DB, t.sp.ID, -size); err != nil {
				return err
			}
			if rekey != nil {
				if drop, err = s.applyRekey(ctx, p.sp, t.it.ID, rekey, now); err != nil {
					return err
				}
			}
			if s.owner(p.sp) != s.owner(t.sp) {
				if err := s.resealTree(ctx, t.it.ID, s.owner(p.sp)); err != nil {
					return err
				}
			}
		}
		t.it.SpaceID = p.sp.ID
		if err := s.sealName(ctx, s.owner(p.sp), &t.it); err != nil {
			return err
		}
		if err := placeItem(ctx, s.DB, t.it); err != nil {
			return s.nameErr(err, name)
		}
		if err := s.indexName(ctx, t.it); err != nil {
			return err
		}
		if err := touch(ctx, s.DB, oldParent, now); err != nil {
			return err
		}
		return touch(ctx, s.DB, p.it.ID, now)
	})
	if err != nil {
		s.dropBlobs(ctx, fresh)
		return Item{}, err
	}
	s.dropBlobs(ctx, drop)
	t.it.SpaceID = p.sp.ID
	return itemOf(t.it, higher(p.role, t.role)), nil
}

// Copy copies an item (a folder with everything in it) into a folder the
// caller may edit, optionally under a new name. The copies refer to the
// same bytes (no bytes are copied within a space's key); the copy counts
// against the target's quota.
func (s *Service) Copy(ctx context.Context, id string, in MoveInput) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	if in.Name != "" {
		if err := validName(in.Name); err != nil {
			return Item{}, err
		}
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return Item{}, err
	}
	p, err := s.folder(ctx, c, in.ParentID)
	if err != nil {
		return Item{}, err
	}
	if t.it.Kind == ItemFolder {
		chain, err := s.chain(ctx, p.it)
		if err != nil {
			return Item{}, err
		}
		for _, a := range chain {
			if a == t.it.ID {
				return Item{}, apperr.Conflict("move_cycle", "a folder cannot be copied into itself or a folder inside it")
			}
		}
	}
	name := t.it.Name
	if in.Name != "" {
		name = in.Name
	}
	if t.it.ParentID == "" && in.Name == "" {
		return Item{}, apperr.InvalidField("name", "a copy of a space's root folder needs a name")
	}
	return s.copyTree(ctx, c, t, p, name)
}

// copyTree copies t's subtree (current versions, not in the trash) into
// folder p under name.
func (s *Service) copyTree(ctx context.Context, c *caller, t, p target, name string) (Item, error) {
	rows, err := s.subtree(ctx, t.it.ID)
	if err != nil {
		return Item{}, err
	}
	if len(rows) > 100000 {
		return Item{}, apperr.Conflict("too_many_items", "at most 100,000 items are copied at once")
	}
	sameKey := s.owner(p.sp) == s.owner(t.sp)
	// Bodies sealed under another key are rewrapped for the target's
	// before the transaction (the store's writes are not transactional).
	rewrapped := map[string]string{}
	var fresh []string
	var size int64
	for _, r := range rows {
		if r.Kind != ItemFile {
			continue
		}
		size += r.Size
		if sameKey || rewrapped[r.BlobKey] != "" {
			continue
		}
		k, err := s.rewrap(ctx, r.BlobKey, s.owner(p.sp))
		if err != nil {
			s.dropBlobs(ctx, fresh)
			return Item{}, err
		}
		rewrapped[r.BlobKey] = k
		fresh = append(fresh, k)
	}
	now := s.now()
	newID := map[string]string{}
	var top itemRow
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.reserve(ctx, p.sp, size); err != nil {
			return err
		}
		for _, nk := range fresh {
			var r itemRow
			for _, x := range rows {
				if rewrapped[x.BlobKey] == nk {
					r = x
					break
				}
			}
			if err := insertBlob(ctx, s.DB, blobRow{Key: nk, OrgID: c.OrgID, Owner: s.owner(p.sp), Size: r.Size, SHA256: r.SHA256, CreatedAt: now}); err != nil {
				return err
			}
			if err := s.queueThumb(ctx, nk, r.ContentType); err != nil {
				return err
			}
		}
		for i, r := range rows {
			n := r
			n.ID = ids.New("dit")
			newID[r.ID] = n.ID
			n.SpaceID = p.sp.ID
			n.CreatedBy, n.UpdatedBy, n.CreatedAt, n.UpdatedAt = c.AccountID, c.AccountID, now, now
			if i == 0 {
				n.ParentID, n.Name = p.it.ID, name
				top = n
			} else {
				n.ParentID = newID[r.ParentID]
			}
			if err := s.sealName(ctx, s.owner(p.sp), &n); err != nil {
				return err
			}
			if n.Kind == ItemFile {
				if !sameKey {
					n.BlobKey = rewrapped[r.BlobKey]
				}
				n.Version = 1
				if err := addRef(ctx, s.DB, n.BlobKey, 1); err != nil {
					return err
				}
			}
			if err := insertItem(ctx, s.DB, n); err != nil {
				return s.nameErr(err, n.Name)
			}
			if err := s.indexName(ctx, n); err != nil {
				return err
			}
		}
		return touch(ctx, s.DB, p.it.ID, now)
	})
	if err != nil {
		s.dropBlobs(ctx, fresh)
		return Item{}, err
	}
	return itemOf(top, p.role), nil
}
