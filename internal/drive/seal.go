package drive

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// Sealed names. A file or folder name is personal content: it is stored
// sealed with AES-GCM (platform/keyring) under the key of the space's
// controller — the person's for a personal space, the organization's for
// an organization space — the key whose destruction must erase it, the
// same key that seals the file's bytes. The AAD follows the keyring's
// "table.column:id" convention: "drive_items.name:" + the item id,
// "drive_uploads.name:" + the upload id, so a sealed name copied to
// another row does not open. content_key names the owner whose key sealed
// the row; the plaintext name column is empty for sealed rows.
//
// name_key, which the unique index keeps unique in a folder, is then a
// keyed hash (keyring.Hash, purpose "drive.name") of the lower-cased name:
// lookups by name (paths, WebDAV, uploads) hash the name they look for.
// Listing a folder opens its names in one batch (the owners' keys are
// loaded once) and sorts them in Go.
//
// Rows written before sealing (content_key empty) keep their plaintext
// and are read as they are until SealPlaintextNames, run at start-up,
// seals them. A name whose key was destroyed reads as empty.

// Sealer seals names and hashes them for lookups (*keyring.Keyring).
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
	Hash(purpose, value string) string
}

// preloader loads many owners' keys in one query (*keyring.Keyring).
type preloader interface {
	Preload(ctx context.Context, owners []string) error
}

func itemNameAAD(id string) string   { return "drive_items.name:" + id }
func uploadNameAAD(id string) string { return "drive_uploads.name:" + id }

// nameKey is the form names are compared in: unique in a folder ignoring
// case. With a Sealer it is a keyed hash of the lower-cased name, so the
// database holds no plaintext of it.
func (s *Service) nameKey(n string) string {
	k := strings.ToLower(n)
	if s.Sealer == nil {
		return k
	}
	return s.Sealer.Hash("drive.name", k)
}

// sealName seals x's name under owner's key and sets its name key. A root
// folder (no name) stays as it is. Without a Sealer the name stays
// plaintext.
func (s *Service) sealName(ctx context.Context, owner string, x *itemRow) error {
	x.NameKey = s.nameKey(x.Name)
	x.NameBox, x.NameOwner = nil, ""
	if s.Sealer == nil || x.ParentID == "" || x.Name == "" {
		return nil
	}
	box, err := s.Sealer.Seal(ctx, owner, itemNameAAD(x.ID), []byte(x.Name))
	if err != nil {
		return fmt.Errorf("drive: seal a name: %w", err)
	}
	x.NameBox, x.NameOwner = box, owner
	return nil
}

// batchOpener opens many values of one owner with its key loaded once
// (*keyring.Keyring).
type batchOpener interface {
	Opener(ctx context.Context, owner string) (*keyring.Opener, error)
}

// openNames fills in the names of sealed rows, loading their owners' keys
// in one batch first. With a keyring each owner's key is looked up once,
// and the names are opened into one buffer that becomes one string, each
// name a part of it: a folder of 10,000 files costs a handful of
// allocations, not several per name.
func (s *Service) openNames(ctx context.Context, rows []itemRow) {
	if s.Sealer == nil {
		return
	}
	var owners []string
	size := 0
	for i := range rows {
		if len(rows[i].NameBox) > 0 {
			if len(owners) == 0 || owners[len(owners)-1] != rows[i].NameOwner {
				owners = append(owners, rows[i].NameOwner)
			}
			size += len(rows[i].NameBox)
		}
	}
	if len(owners) == 0 {
		return
	}
	if p, ok := s.Sealer.(preloader); ok && len(owners) > 1 {
		if err := p.Preload(ctx, owners); err != nil {
			s.Log.Debug("drive: preload name keys", "err", err)
		}
	}
	bo, ok := s.Sealer.(batchOpener)
	if !ok {
		for i := range rows {
			s.openName(ctx, &rows[i])
		}
		return
	}
	openers := map[string]*keyring.Opener{}
	var (
		owner string
		op    *keyring.Opener
	)
	const prefix = "drive_items.name:"
	aad := make([]byte, len(prefix), len(prefix)+64)
	copy(aad, prefix)
	buf := make([]byte, 0, size) // more than the names take: each box carries a nonce and a tag
	ends := make([]int, len(rows))
	for i := range rows {
		x := &rows[i]
		ends[i] = -1
		if len(x.NameBox) == 0 {
			continue
		}
		if op == nil || x.NameOwner != owner {
			o, seen := openers[x.NameOwner]
			if !seen {
				var err error
				if o, err = bo.Opener(ctx, x.NameOwner); err != nil {
					s.Log.Debug("drive: name key not readable", "owner", x.NameOwner, "err", err)
					o = nil
				}
				openers[x.NameOwner] = o
			}
			owner, op = x.NameOwner, o
		}
		if op == nil {
			x.Name, x.NameBox = "", nil
			continue
		}
		aad = append(aad[:len(prefix)], x.ID...)
		var err error
		if buf, err = op.OpenAppend(buf, aad, x.NameBox); err != nil {
			s.Log.Debug("drive: item name not readable", "item", x.ID, "err", err)
			x.Name, x.NameBox = "", nil
			continue
		}
		ends[i] = len(buf)
	}
	all := string(buf)
	start := 0
	for i := range rows {
		if ends[i] < 0 {
			continue
		}
		rows[i].Name, rows[i].NameBox = all[start:ends[i]], nil
		start = ends[i]
	}
}

// openName fills in x's name from its sealed value; a name whose key was
// destroyed reads as empty.
func (s *Service) openName(ctx context.Context, x *itemRow) {
	if len(x.NameBox) == 0 || s.Sealer == nil {
		return
	}
	b, err := s.Sealer.Open(ctx, x.NameOwner, itemNameAAD(x.ID), x.NameBox)
	if err != nil {
		s.Log.Debug("drive: item name not readable", "item", x.ID, "err", err)
		x.Name = ""
	} else {
		x.Name = string(b)
	}
	x.NameBox = nil
}

// sealUploadName seals an upload's name under owner's key.
func (s *Service) sealUploadName(ctx context.Context, owner string, u *uploadRow) error {
	if s.Sealer == nil {
		return nil
	}
	box, err := s.Sealer.Seal(ctx, owner, uploadNameAAD(u.ID), []byte(u.Name))
	if err != nil {
		return fmt.Errorf("drive: seal a name: %w", err)
	}
	u.NameBox, u.NameOwner = box, owner
	return nil
}

func (s *Service) openUploadName(ctx context.Context, u *uploadRow) {
	if len(u.NameBox) == 0 || s.Sealer == nil {
		return
	}
	b, err := s.Sealer.Open(ctx, u.NameOwner, uploadNameAAD(u.ID), u.NameBox)
	if err != nil {
		u.Name = ""
	} else {
		u.Name = string(b)
	}
	u.NameBox = nil
}

// sortItems orders a folder's items as listings show them: folders first,
// then by name ignoring case, then by id. Each name is lower-cased once,
// and the rows (large structs) are moved once, not at every comparison.
func sortItems(rows []itemRow) {
	type key struct {
		folder bool
		name   string
		i      int
	}
	keys := make([]key, len(rows))
	for i := range rows {
		keys[i] = key{rows[i].Kind == ItemFolder, strings.ToLower(rows[i].Name), i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.folder != b.folder {
			if a.folder {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(rows[a.i].ID, rows[b.i].ID)
	})
	sorted := make([]itemRow, len(rows))
	for i, k := range keys {
		sorted[i] = rows[k.i]
	}
	copy(rows, sorted)
}

// Reading items: the store's queries, with the names opened.

func (s *Service) getItem(ctx context.Context, orgID, id string) (itemRow, error) {
	x, err := getItem(ctx, s.DB, orgID, id)
	if err == nil {
		s.openName(ctx, &x)
	}
	return x, err
}

func (s *Service) childrenOf(ctx context.Context, orgID, parentID string) ([]itemRow, error) {
	rows, err := childrenOf(ctx, s.DB, orgID, parentID)
	if err == nil {
		s.openNames(ctx, rows)
		sortItems(rows)
	}
	return rows, err
}

// childByName returns the item of a folder with a name (ignoring case),
// not in the trash.
func (s *Service) childByName(ctx context.Context, parentID, name string) (itemRow, error) {
	x, err := childByName(ctx, s.DB, parentID, s.nameKey(name))
	if err == nil {
		s.openName(ctx, &x)
	}
	return x, err
}

func (s *Service) subtree(ctx context.Context, id string) ([]itemRow, error) {
	rows, err := subtree(ctx, s.DB, id)
	if err == nil {
		s.openNames(ctx, rows)
	}
	return rows, err
}

func (s *Service) trashOf(ctx context.Context, orgID, spaceID string) ([]itemRow, error) {
	rows, err := trashOf(ctx, s.DB, orgID, spaceID)
	if err == nil {
		s.openNames(ctx, rows)
	}
	return rows, err
}

func (s *Service) trashBefore(ctx context.Context, orgID string, cutoff, afterAt int64, afterID string, limit int) ([]itemRow, error) {
	rows, err := trashBefore(ctx, s.DB, orgID, cutoff, afterAt, afterID, limit)
	if err == nil {
		s.openNames(ctx, rows)
	}
	return rows, err
}

func (s *Service) sharedWith(ctx context.Context, orgID, memberID string, depts, roles []string) ([]itemRow, error) {
	rows, err := sharedWith(ctx, s.DB, orgID, memberID, depts, roles)
	if err == nil {
		s.openNames(ctx, rows)
	}
	return rows, err
}

func (s *Service) filesOfSpace(ctx context.Context, spaceID string) ([]itemRow, error) {
	rows, err := filesOfSpace(ctx, s.DB, spaceID)
	if err == nil {
		s.openNames(ctx, rows)
	}
	return rows, err
}

// SealPlaintextNames seals the names of items and uploads written before
// sealing (content_key empty), so that they leave the plaintext columns
// and, from then on, the backups, and sets their name keys to the keyed
// hash. Safe to run on several nodes and again; the server runs it at
// start-up. It returns how many names it sealed.
func (s *Service) SealPlaintextNames(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, nil
	}
	n := 0
	for after := ""; ; {
		rows, err := plaintextNames(ctx, s.DB, after, 500)
		if err != nil || len(rows) == 0 {
			if err != nil {
				return n, err
			}
			break
		}
		after = rows[len(rows)-1].item.ID
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				x := r.item
				if err := s.sealName(ctx, s.owner(r.space), &x); err != nil {
					// The owner's key is gone (an erasure deletes the rows
					// after it): leave the row to it.
					s.Log.Warn("drive: seal a plaintext name", "item", x.ID, "err", err)
					continue
				}
				if err := setSealedName(ctx, s.DB, x); err != nil {
					return s.nameErr(err, x.Name)
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	for after := ""; ; {
		us, err := plaintextUploads(ctx, s.DB, after, 500)
		if err != nil || len(us) == 0 {
			return n, err
		}
		after = us[len(us)-1].upload.ID
		for _, r := range us {
			u := r.upload
			if err := s.sealUploadName(ctx, s.owner(r.space), &u); err != nil {
				s.Log.Warn("drive: seal a plaintext upload name", "upload", u.ID, "err", err)
				continue
			}
			if err := setSealedUploadName(ctx, s.DB, u); err != nil {
				return n, err
			}
			n++
		}
	}
}

// resealTree seals the names below item id (its subtree, what was trashed
// with it included) for owner: a folder moved between a personal space
// and an organization's takes its contents' names to the new key, so
// that destroying the old one leaves them readable. The item itself is
// sealed by its caller with its new place. A name whose key is already
// gone stays as it is.
func (s *Service) resealTree(ctx context.Context, id, owner string) error {
	if s.Sealer == nil {
		return nil
	}
	rows, err := treeRows(ctx, s.DB, id)
	if err != nil {
		return err
	}
	s.openNames(ctx, rows)
	for i := range rows {
		x := &rows[i]
		// openNames leaves NameOwner set for a sealed row (and the name
		// empty when its key is gone).
		if x.ID == id || x.Name == "" || x.NameOwner == "" || x.NameOwner == owner {
			continue
		}
		if err := s.sealName(ctx, owner, x); err != nil {
			return err
		}
		if err := setNameBox(ctx, s.DB, *x); err != nil {
			return err
		}
	}
	return nil
}
