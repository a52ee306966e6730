package keyring

// Export and import of the keyring, for the keyring archive that
// `atrium backup` writes beside a data archive. A data archive holds no key
// material: the wrapped data keys and the tombstones of destroyed keys go
// to a separate, small keyring archive that operators keep only for a set
// period. Restoring installs only the keys that archive holds, so a key
// destroyed before it was taken stays destroyed in every restored copy.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// KeysTable is the table of wrapped data keys. Backups leave its rows out
// of data archives.
const KeysTable = "data_keys"

// TombstonesTable is the table of destroyed keys' tombstones.
const TombstonesTable = "data_key_tombstones"

// ArchivedKey is one wrapped data key as a keyring archive holds it.
type ArchivedKey struct {
	Owner     string `json:"owner_id"`
	Wrapped   []byte `json:"wrapped"` // sealed with the master key, bound to Owner
	CreatedAt int64  `json:"created_at"`
}

// Tombstone records that an owner's key was destroyed.
type Tombstone struct {
	Owner       string `json:"owner_id"`
	DestroyedAt int64  `json:"destroyed_at"`
}

// Export reads every wrapped data key and every tombstone through q. The
// caller passes one read transaction, so that keys and tombstones (and
// whatever else it reads there, such as the erasure ledger) come from one
// snapshot.
func Export(ctx context.Context, q db.Querier) ([]ArchivedKey, []Tombstone, error) {
	keys, err := db.QueryAll(ctx, q, func(s db.Scanner) (ArchivedKey, error) {
		var k ArchivedKey
		err := s.Scan(&k.Owner, &k.Wrapped, &k.CreatedAt)
		return k, err
	}, `SELECT owner_id, wrapped, created_at FROM data_keys ORDER BY owner_id`)
	if err != nil {
		return nil, nil, fmt.Errorf("keyring: export keys: %w", err)
	}
	tombs, err := db.QueryAll(ctx, q, func(s db.Scanner) (Tombstone, error) {
		var t Tombstone
		err := s.Scan(&t.Owner, &t.DestroyedAt)
		return t, err
	}, `SELECT owner_id, destroyed_at FROM data_key_tombstones ORDER BY owner_id`)
	if err != nil {
		return nil, nil, fmt.Errorf("keyring: export tombstones: %w", err)
	}
	return keys, tombs, nil
}

// ImportResult says what Import did.
type ImportResult struct {
	Installed  int // keys installed
	Tombstoned int // keys left out because their owner's key was destroyed
	Tombstones int // tombstones recorded that d did not hold
}

// Import installs keys and tombstones into d in one transaction. Every
// tombstone is recorded first; a key is installed only when no tombstone
// (in d or in tombs) names its owner, so a key destroyed in any source stays
// destroyed. Keys d already holds are left as they are.
func Import(ctx context.Context, d *db.DB, keys []ArchivedKey, tombs []Tombstone) (ImportResult, error) {
	var res ImportResult
	err := d.Tx(ctx, func(ctx context.Context) error {
		res = ImportResult{}
		for _, t := range tombs {
			r, err := d.W(ctx).ExecContext(ctx, `INSERT INTO data_key_tombstones (owner_id, destroyed_at) VALUES ($1, $2) ON CONFLICT (owner_id) DO NOTHING`, t.Owner, t.DestroyedAt)
			if err != nil {
				return fmt.Errorf("keyring: import tombstone: %w", err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Tombstones++
			}
			if err := deleteKey(ctx, d, t.Owner); err != nil {
				return err
			}
		}
		for _, k := range keys {
			gone, err := isDestroyed(ctx, d, k.Owner)
			if err != nil {
				return err
			}
			if gone {
				res.Tombstoned++
				continue
			}
			r, err := d.W(ctx).ExecContext(ctx, `INSERT INTO data_keys (owner_id, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT (owner_id) DO NOTHING`, k.Owner, k.Wrapped, k.CreatedAt)
			if err != nil {
				return fmt.Errorf("keyring: import key: %w", err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Installed++
			}
		}
		return nil
	})
	return res, err
}

// CheckMaster reports whether master (32 raw bytes) opens every key of
// keys, so that a restore with the wrong master key stops before it
// replaces anything.
func CheckMaster(master []byte, keys []ArchivedKey) error {
	if len(master) != keySize {
		return fmt.Errorf("keyring: master key must be %d bytes, got %d", keySize, len(master))
	}
	aead, err := newAEAD(master)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := open(aead, wrapAAD(k.Owner), k.Wrapped); err != nil {
			return errors.New("keyring: the master key does not open the data keys of the keyring archive (wrong ATRIUM_MASTER_KEY or master.key?)")
		}
	}
	return nil
}

// MasterKey returns the master key configured (base64 masterKey) or stored
// in <dataDir>/master.key, without creating one; ok is false when there is
// neither.
func MasterKey(masterKey, dataDir string) (key []byte, ok bool, err error) {
	if masterKey != "" {
		key, err = decodeKey(masterKey)
		if err != nil {
			return nil, false, fmt.Errorf("master key (ATRIUM_MASTER_KEY / --master-key): %w", err)
		}
		return key, true, nil
	}
	if dataDir == "" {
		return nil, false, nil
	}
	if _, err := os.Stat(filepath.Join(dataDir, KeyFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	key, err = loadKeyFile(dataDir)
	return key, err == nil, err
}

// DecodeMasterKey decodes a base64 master key (as stored in master.key).
func DecodeMasterKey(s string) ([]byte, error) { return decodeKey(s) }

// WriteKeyFile stores master (base64 text, as in master.key) as
// <dataDir>/master.key with mode 0600. It refuses to replace a key file.
func WriteKeyFile(dataDir, master string) error {
	if _, err := decodeKey(master); err != nil {
		return fmt.Errorf("master key %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dataDir, KeyFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write master key file: %w", err)
	}
	_, werr := f.WriteString(master)
	return errors.Join(werr, f.Sync(), f.Close())
}
