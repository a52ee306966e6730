package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// The keyring archive: a gzip-compressed tar holding
//
//	keys.jsonl        the wrapped data keys (wrapped by the master key)
//	tombstones.jsonl  the tombstones of destroyed keys
//	ledger.jsonl      the erasure ledger (ids only)
//	master.key        only with --include-master-key
//	manifest.json     backup id, position, time, counts and checksums
//
// read in one snapshot of the database. Without the master key it opens
// nothing; with it, it opens every data archive up to its own time, which
// is why operators keep keyring archives only for a limited period.

// Errors of the keyring side of a restore.
var (
	// ErrNotData is returned when a keyring archive is given as the data.
	ErrNotData = apperr.Invalid("not_a_data_archive", "this is not a data archive (is it a keyring archive? pass it with --keyring)")
	// ErrNotKeyring is returned when a data archive is given as the keyring.
	ErrNotKeyring = apperr.Invalid("not_a_keyring_archive", "this is not a keyring archive (atrium backup writes one beside every data archive)")
	// ErrKeyringOlder is returned when the keyring archive is older than the
	// data archive: it may lack keys the data needs, and restoring data with
	// keys of an earlier time is never what an operator means.
	ErrKeyringOlder = apperr.Conflict("keyring_older_than_data", "the keyring archive is older than the data archive; restore with a keyring archive taken at the same time as the data archive or later")
	// ErrKeyringSuperseded is returned when a newer keyring archive lies
	// beside the one given: the older one may still hold the key of a
	// person erased since, and the newer one is what a restore must use.
	ErrKeyringSuperseded = apperr.Conflict("keyring_superseded", "a newer keyring archive lies beside this one; restore with the newest keyring archive (or pass its directory to --keyring), so that nothing erased since comes back")
	// ErrKeyringRequired is returned when no keyring at least as new as the
	// data is available.
	ErrKeyringRequired = apperr.Invalid("keyring_required", "a keyring archive at least as new as the data archive is required (--keyring FILE): the data archive holds no keys")
	// ErrNoMasterKey is returned when neither the configuration, the data
	// directory nor the keyring archive has a master key.
	ErrNoMasterKey = apperr.Invalid("master_key_missing", "no master key: copy the deployment's master key to <data-dir>/master.key (or set ATRIUM_MASTER_KEY) first; without it nothing encrypted can be read")
)

// KeyringManifest describes a keyring archive.
type KeyringManifest struct {
	Format int    `json:"format"`
	Kind   string `json:"kind"`
	// BackupID is the id of this backup; DataBackupID is that of the data
	// archive written with it ("" for `atrium backup --keyring-only`).
	BackupID     string `json:"backup_id"`
	DataBackupID string `json:"data_backup_id,omitempty"`
	// CreatedAt is when the snapshot was taken (unix ms); Position the event
	// log's sequence then (see Manifest.Position).
	CreatedAt     int64   `json:"created_at"`
	Position      int64   `json:"position"`
	Version       string  `json:"atrium_version"`
	Database      db.Kind `json:"database"`
	Keys          int     `json:"keys"`
	Tombstones    int     `json:"tombstones"`
	LedgerEntries int     `json:"ledger_entries"`
	MasterKey     bool    `json:"master_key_included"`
	Files         []File  `json:"files"`
}

// Keyring is the content of a keyring archive (or of a live database's
// keyring, read by SnapshotKeyring).
type Keyring struct {
	Manifest   KeyringManifest
	Keys       []keyring.ArchivedKey
	Tombstones []keyring.Tombstone
	Ledger     []LedgerRow
	// MasterKey is the base64 master key, when the archive holds it.
	MasterKey string
}

// SnapshotKeyring reads d's data keys, tombstones and erasure ledger in one
// read transaction. Taken after a data snapshot, it holds every key that
// data may need and every erasure made up to its own time.
func SnapshotKeyring(ctx context.Context, d *db.DB) (*Keyring, error) {
	k := &Keyring{Manifest: KeyringManifest{Format: FormatVersion, Kind: KindKeyring, Database: d.Kind}}
	var opts *sql.TxOptions
	if d.Kind == db.Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
		// The sequence is not transactional: read before the snapshot, it
		// is a lower bound of what the snapshot holds.
		pos, err := position(ctx, d, d.Reader())
		if err != nil {
			return nil, err
		}
		k.Manifest.Position = pos
	}
	k.Manifest.CreatedAt = time.Now().UnixMilli()
	tx, err := d.Reader().BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if d.Kind == db.SQLite {
		// In WAL mode the snapshot starts with the first read: this one.
		if k.Manifest.Position, err = position(ctx, d, tx); err != nil {
			return nil, err
		}
	}
	if ok, err := hasTableQ(ctx, d, tx, keyring.KeysTable); err != nil {
		return nil, err
	} else if ok {
		if k.Keys, k.Tombstones, err = keyring.Export(ctx, tx); err != nil {
			return nil, err
		}
	}
	if k.Ledger, err = readLedger(ctx, d, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	k.Manifest.Keys, k.Manifest.Tombstones, k.Manifest.LedgerEntries = len(k.Keys), len(k.Tombstones), len(k.Ledger)
	return k, nil
}

// WriteKeyring writes k as a keyring archive to out (a temporary file
// renamed into place, mode 0600) and fills in k.Manifest's files. The
// manifest is the archive's first entry, so that finding the newest of many
// keyring archives reads only their first block (PeekKeyring).
func WriteKeyring(k *Keyring, out string) error {
	k.Manifest.Format, k.Manifest.Kind = FormatVersion, KindKeyring
	k.Manifest.MasterKey = k.MasterKey != ""
	k.Manifest.Files = nil
	type part struct {
		name string
		b    []byte
	}
	var parts []part
	encode := func(name string, write func(enc *json.Encoder) error) error {
		var buf bytes.Buffer
		if err := write(json.NewEncoder(&buf)); err != nil {
			return err
		}
		parts = append(parts, part{name, buf.Bytes()})
		return nil
	}
	err := errors.Join(
		encode("keys.jsonl", func(enc *json.Encoder) (err error) {
			for _, r := range k.Keys {
				err = errors.Join(err, enc.Encode(r))
			}
			return err
		}),
		encode("tombstones.jsonl", func(enc *json.Encoder) (err error) {
			for _, r := range k.Tombstones {
				err = errors.Join(err, enc.Encode(r))
			}
			return err
		}),
		encode("ledger.jsonl", func(enc *json.Encoder) (err error) {
			for _, r := range k.Ledger {
				err = errors.Join(err, enc.Encode(r))
			}
			return err
		}),
	)
	if err != nil {
		return err
	}
	if k.MasterKey != "" {
		parts = append(parts, part{keyring.KeyFile, []byte(strings.TrimSpace(k.MasterKey) + "\n")})
	}
	for _, p := range parts {
		sum := sha256.Sum256(p.b)
		k.Manifest.Files = append(k.Manifest.Files, File{Name: p.name, Size: int64(len(p.b)), SHA256: hex.EncodeToString(sum[:])})
	}
	f, err := os.OpenFile(out+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer os.Remove(out + ".tmp")
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = writeManifest(tw, k.Manifest, k.Manifest.CreatedAt)
	for _, p := range parts {
		if err != nil {
			break
		}
		if err = tw.WriteHeader(&tar.Header{Name: p.name, Mode: 0o600, Size: int64(len(p.b)), ModTime: time.UnixMilli(k.Manifest.CreatedAt)}); err == nil {
			_, err = tw.Write(p.b)
		}
	}
	if err != nil {
		f.Close()
		return err
	}
	if err := errors.Join(tw.Close(), gz.Close(), f.Sync(), f.Close()); err != nil {
		return err
	}
	return os.Rename(out+".tmp", out)
}

// errStop ends a walk early.
var errStop = errors.New("stop")

// PeekKeyring reads the manifest of the keyring archive at path from its
// first entry only; ok is false for any other file (a data archive, or
// something else altogether).
func PeekKeyring(path string) (m KeyringManifest, ok bool) {
	err := walkTar(path, func(h *tar.Header, r io.Reader) error {
		if h.Name == "manifest.json" && h.Size < 1<<20 {
			if json.NewDecoder(r).Decode(&m) == nil && m.Kind == KindKeyring {
				ok = true
			}
		}
		return errStop
	})
	return m, ok && errors.Is(err, errStop)
}

// keyringArchives lists the keyring archives in dir (by their manifest,
// not their name).
func keyringArchives(dir string) (map[string]KeyringManifest, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]KeyringManifest{}
	for _, e := range ents {
		if !e.Type().IsRegular() || !(strings.HasSuffix(e.Name(), ".tar.gz") || strings.HasSuffix(e.Name(), ".tgz")) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if m, ok := PeekKeyring(p); ok {
			out[p] = m
		}
	}
	return out, nil
}

// newerManifest reports whether a was taken after b.
func newerManifest(a, b KeyringManifest) bool {
	if a.Position != b.Position {
		return a.Position > b.Position
	}
	return a.CreatedAt > b.CreatedAt
}

// NewestKeyring returns the newest keyring archive in dir.
func NewestKeyring(dir string) (string, error) {
	all, err := keyringArchives(dir)
	if err != nil {
		return "", err
	}
	best := ""
	for p, m := range all {
		if best == "" || newerManifest(m, all[best]) {
			best = p
		}
	}
	if best == "" {
		return "", ErrNotKeyring.With("dir", dir)
	}
	return best, nil
}

// CheckSuperseded returns ErrKeyringSuperseded when a keyring archive newer
// than k lies beside the one at path: restoring with the older one would
// bring back whatever was erased between the two.
func (k *Keyring) CheckSuperseded(path string) error {
	all, err := keyringArchives(filepath.Dir(path))
	if err != nil {
		return err
	}
	self, _ := filepath.Abs(path)
	for p, m := range all {
		if abs, _ := filepath.Abs(p); abs == self {
			continue
		}
		if newerManifest(m, k.Manifest) {
			return ErrKeyringSuperseded.With("newer", p)
		}
	}
	return nil
}

// ReadKeyring reads and verifies the keyring archive at in.
func ReadKeyring(in string) (*Keyring, error) {
	k := &Keyring{}
	sums := map[string]File{}
	contents := map[string][]byte{}
	err := walkTar(in, func(h *tar.Header, r io.Reader) error {
		if h.Name == "manifest.json" {
			return json.NewDecoder(r).Decode(&k.Manifest)
		}
		if h.Size > 1<<30 {
			return fmt.Errorf("damaged keyring archive: entry %q is too large", h.Name)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		sums[h.Name] = File{Name: h.Name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
		contents[h.Name] = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	if k.Manifest.Kind != KindKeyring {
		return nil, ErrNotKeyring
	}
	if err := verify(k.Manifest.Format, k.Manifest.Files, sums); err != nil {
		return nil, err
	}
	for name, b := range contents {
		if name == keyring.KeyFile {
			k.MasterKey = strings.TrimSpace(string(b))
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		for dec.More() {
			var err error
			switch name {
			case "keys.jsonl":
				var r keyring.ArchivedKey
				if err = dec.Decode(&r); err == nil {
					k.Keys = append(k.Keys, r)
				}
			case "tombstones.jsonl":
				var r keyring.Tombstone
				if err = dec.Decode(&r); err == nil {
					k.Tombstones = append(k.Tombstones, r)
				}
			case "ledger.jsonl":
				var r LedgerRow
				if err = dec.Decode(&r); err == nil {
					k.Ledger = append(k.Ledger, r)
				}
			default:
				return nil, fmt.Errorf("damaged keyring archive: unexpected entry %q", name)
			}
			if err != nil {
				return nil, fmt.Errorf("damaged keyring archive: %s: %w", name, err)
			}
		}
	}
	if len(k.Keys) != k.Manifest.Keys || len(k.Tombstones) != k.Manifest.Tombstones || len(k.Ledger) != k.Manifest.LedgerEntries {
		return nil, errors.New("damaged keyring archive: its content does not match its manifest")
	}
	return k, nil
}

// Newer reports whether the keyring k was taken at or after the data
// snapshot m: a larger position, or the same position and a time not
// earlier.
func (k *Keyring) Newer(m Manifest) bool {
	if k.Manifest.Position != m.Position {
		return k.Manifest.Position > m.Position
	}
	return k.Manifest.CreatedAt >= m.CreatedAt
}

// CheckNewer returns ErrKeyringOlder (with both times and positions) when
// k is older than the data archive m.
func (k *Keyring) CheckNewer(m Manifest) error {
	if k.Newer(m) {
		return nil
	}
	return ErrKeyringOlder.
		With("data_created_at", time.UnixMilli(m.CreatedAt).UTC().Format(time.RFC3339)).
		With("keyring_created_at", time.UnixMilli(k.Manifest.CreatedAt).UTC().Format(time.RFC3339)).
		With("data_position", m.Position).With("keyring_position", k.Manifest.Position)
}

// KeyringResult says what InstallKeyring did.
type KeyringResult struct {
	keyring.ImportResult
	// LedgerAdded are the erasures the restored database did not know of
	// (or knew as not yet done): they are applied again.
	LedgerAdded []LedgerRow
}

// InstallKeyring gives the restored database d the keys of the keyring
// sources and only those: every key the data archive might still hold (a
// version 1 archive) is deleted, every source's tombstones are recorded,
// and a source's keys are installed unless a tombstone names their owner.
// Every source's erasure ledger is merged into d's (MergeLedger). keys
// lists the sources whose keys are installed; erasures lists further
// sources of tombstones and ledger rows only (a replaced database older than
// the data).
func InstallKeyring(ctx context.Context, d *db.DB, keys []*Keyring, erasures []*Keyring) (KeyringResult, error) {
	var res KeyringResult
	if _, err := d.Writer().ExecContext(ctx, "DELETE FROM "+keyring.KeysTable); err != nil {
		return res, fmt.Errorf("clear the data keys of the restored database: %w", err)
	}
	var allKeys []keyring.ArchivedKey
	var tombs []keyring.Tombstone
	var ledger []LedgerRow
	for _, k := range keys {
		allKeys = append(allKeys, k.Keys...)
	}
	for _, k := range append(append([]*Keyring(nil), keys...), erasures...) {
		tombs = append(tombs, k.Tombstones...)
		ledger = append(ledger, k.Ledger...)
	}
	r, err := keyring.Import(ctx, d, allKeys, tombs)
	if err != nil {
		return res, err
	}
	res.ImportResult = r
	if res.LedgerAdded, err = MergeLedger(ctx, d, ledger); err != nil {
		return res, err
	}
	// Positions keep growing across the restore: a backup of the restored
	// database is newer than every keyring used here, and an archive of
	// the timeline the restore left behind never passes for a newer one.
	var pos int64
	for _, k := range keys {
		pos = max(pos, k.Manifest.Position)
	}
	return res, advancePosition(ctx, d, pos)
}

// advancePosition moves the event log's sequence to at least pos.
func advancePosition(ctx context.Context, d *db.DB, pos int64) error {
	cur, err := position(ctx, d, d.Writer())
	if err != nil || cur >= pos {
		return err
	}
	if d.Kind == db.SQLite {
		res, err := d.Writer().ExecContext(ctx, `UPDATE sqlite_sequence SET seq = $1 WHERE name = 'event_log'`, pos)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = d.Writer().ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES ('event_log', $1)`, pos)
		}
		return err
	}
	_, err = d.Writer().ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('event_log', 'pos')::regclass, $1)`, pos)
	return err
}
