// Package backup makes consistent online backups of an Atrium deployment and
// restores them.
//
// A backup is two files. The data archive (a gzip-compressed tar) holds:
//
//	db/atrium.db        SQLite: a transactionally consistent copy (VACUUM INTO)
//	db/postgres.dump    PostgreSQL: pg_dump's custom format (one snapshot)
//	files/...           the data directory's other files (the file store)
//	manifest.json       what the archive holds, with a SHA-256 of every file
//
// It holds no key material: the rows of the data key table are left out (on
// SQLite deleted from the copy, which is then rebuilt by VACUUM; on
// PostgreSQL excluded from the dump), and the master key never goes in.
// Derived data is left out too: the full-text and name search tables are
// emptied (they are rebuilt after a restore), and caches and temporary
// directories are skipped. So are the rows of transient queues (the email
// outbox), which name people in the clear for the seconds until delivery:
// mail still queued when a backup is taken is not sent after a restore.
//
// The keyring archive (keyring.go) is small and kept apart, for a limited
// period: the wrapped data keys, the tombstones of destroyed keys and the
// erasure ledger, read in one snapshot taken at or after the data
// snapshot. Both manifests carry the backup id and a position (the event
// log's sequence), so that a restore can tell which is newer.
//
// Restoring installs only the keys of the keyring archive, so a key that
// was destroyed before the keyring archive was taken stays destroyed in the
// restored copy; the keyring's erasure ledger rows that the data archive does
// not hold are merged into the restored database, and the erasures they
// record are applied again (by hooks the privacy service registers) before
// the server accepts traffic. A keyring archive older than the data archive
// is refused. See docs/operations.md.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// FormatVersion is the version of the archive layout written by Create and
// CreateKeyring. Version 1 data archives (which could still hold key
// material) are read; restoring one installs only the keyring archive's
// keys all the same.
const FormatVersion = 2

// Archive kinds, recorded in every manifest.
const (
	KindData    = "data"
	KindKeyring = "keyring"
)

// Manifest describes a data archive.
type Manifest struct {
	Format int `json:"format"`
	// Kind is KindData ("" in version 1 archives).
	Kind string `json:"kind,omitempty"`
	// BackupID is shared by the data archive and the keyring archive that
	// one `atrium backup` writes.
	BackupID string `json:"backup_id,omitempty"`
	// CreatedAt is when the database snapshot was taken (unix ms).
	CreatedAt int64 `json:"created_at"`
	// Position is the event log's sequence at the snapshot: a keyring
	// archive taken later never has a smaller one.
	Position      int64   `json:"position"`
	Version       string  `json:"atrium_version"`
	Database      db.Kind `json:"database"`
	SchemaVersion int64   `json:"schema_version"`
	// LedgerEntries counts the erasure ledger entries the snapshot holds.
	LedgerEntries int `json:"ledger_entries"`
	// MasterKey is only ever set in version 1 archives; a restore never
	// takes a master key from a data archive.
	MasterKey bool `json:"master_key_included,omitempty"`
	// Extensions are the PostgreSQL extensions the database uses
	// ("name schema"); a restore creates them before the dump's objects.
	Extensions []string `json:"postgres_extensions,omitempty"`
	Files      []File   `json:"files"`
	// Excluded lists what was deliberately left out, for the operator.
	Excluded []string `json:"excluded"`
}

// File is one file of an archive.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Options say what to back up.
type Options struct {
	DB      *db.DB
	DataDir string
	// MasterKeyFile is the master key's file name in DataDir: never put in
	// a data archive.
	MasterKeyFile string
	// PGBin is where pg_dump/pg_restore are looked for when not on PATH.
	PGBin   string
	Version string
	// SchemaVersion is recorded in the manifest.
	SchemaVersion int64
	// BackupID names the backup (NewBackupID when empty).
	BackupID string
	// Derived lists the tables of derived data to leave out; nil means
	// every table the data map marks Derived.
	Derived []string
	// Transient lists the queues whose rows are left out; nil means every
	// table the data map marks Transient.
	Transient []string
}

// NewBackupID returns a new, time-ordered backup id.
func NewBackupID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "bk_" + time.Now().UTC().Format("20060102T150405") + "_" + hex.EncodeToString(b)
}

// sqliteFiles are the live database files; the consistent copy replaces them.
var sqliteFiles = map[string]bool{"atrium.db": true, "atrium.db-wal": true, "atrium.db-shm": true, "atrium.db-journal": true}

// derivedDirs are never backed up: temporary files, caches and indexes that
// are rebuilt from the database.
var derivedDirs = map[string]bool{"tmp": true, "cache": true, "search": true, "index": true}

// derivedTables returns the tables o leaves out as derived data.
func (o Options) derivedTables() []string {
	if o.Derived != nil {
		return o.Derived
	}
	return tablesWhere(func(t datamap.Table) bool { return t.Derived })
}

// transientTables returns the queues whose rows o leaves out.
func (o Options) transientTables() []string {
	if o.Transient != nil {
		return o.Transient
	}
	return tablesWhere(func(t datamap.Table) bool { return t.Transient })
}

// tablesWhere returns the data map's tables that keep says to.
func tablesWhere(keep func(datamap.Table) bool) []string {
	var out []string
	for _, t := range datamap.All() {
		if keep(t) {
			out = append(out, t.Name)
		}
	}
	return out
}

// Create writes a data archive of o to the file out (atomically: a
// temporary file renamed into place) and returns its manifest.
func Create(ctx context.Context, o Options, out string) (Manifest, error) {
	if o.BackupID == "" {
		o.BackupID = NewBackupID()
	}
	m := Manifest{Format: FormatVersion, Kind: KindData, BackupID: o.BackupID, Version: o.Version, Database: o.DB.Kind, SchemaVersion: o.SchemaVersion}
	work, err := os.MkdirTemp(filepath.Dir(absOr(out)), ".atrium-backup-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(work)

	// 1. The database snapshot, first: files added after it are harmless
	// extras, and the file store only ever adds new immutable files.
	m.CreatedAt = time.Now().UnixMilli()
	var dbFile, dbName string
	switch o.DB.Kind {
	case db.SQLite:
		dbFile, dbName = filepath.Join(work, "atrium.db"), "db/atrium.db"
		if _, err := o.DB.Writer().ExecContext(ctx, "VACUUM INTO $1", dbFile); err != nil {
			return m, fmt.Errorf("snapshot the SQLite database: %w", err)
		}
		excluded, pos, ledger, err := stripSQLite(ctx, dbFile, o.derivedTables(), o.transientTables())
		if err != nil {
			return m, err
		}
		m.Excluded = append(m.Excluded, excluded...)
		m.Position, m.LedgerEntries = pos, ledger
	case db.Postgres:
		dbFile, dbName = filepath.Join(work, "postgres.dump"), "db/postgres.dump"
		derived, transient := o.derivedTables(), o.transientTables()
		exclude := append(append([]string{keyring.KeysTable}, derived...), transient...)
		snap, err := pgDump(ctx, o.DB, o.PGBin, dbFile, exclude)
		if err != nil {
			return m, err
		}
		m.Position, m.LedgerEntries, m.Extensions = snap.position, snap.ledger, snap.extensions
		m.Excluded = append(m.Excluded, "table "+keyring.KeysTable+" rows (key material: in the keyring archive)")
		for _, t := range derived {
			m.Excluded = append(m.Excluded, "table "+t+" rows (derived: rebuilt after restore)")
		}
		for _, t := range transient {
			m.Excluded = append(m.Excluded, "table "+t+" rows (queued work: not done again after restore)")
		}
		m.Excluded = append(m.Excluded, "index contents (rebuilt by the restore)")
	}

	f, err := os.OpenFile(out+".tmp", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return m, err
	}
	defer os.Remove(out + ".tmp")
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	add := func(name, src string) error {
		fe, err := addFile(tw, name, src)
		if err != nil {
			return fmt.Errorf("add %s: %w", name, err)
		}
		m.Files = append(m.Files, fe)
		return nil
	}
	if err := add(dbName, dbFile); err != nil {
		f.Close()
		return m, err
	}
	// 2. The rest of the data directory.
	if o.DataDir != "" {
		err := filepath.WalkDir(o.DataDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(o.DataDir, p)
			rel = filepath.ToSlash(rel)
			if rel == "." {
				return nil
			}
			if d.IsDir() {
				if derivedDirs[d.Name()] || strings.HasPrefix(d.Name(), ".atrium-") {
					m.Excluded = append(m.Excluded, rel+"/ (derived or temporary)")
					return filepath.SkipDir
				}
				return nil
			}
			switch {
			case !d.Type().IsRegular():
				return nil
			case sqliteFiles[rel]:
				return nil
			case rel == o.MasterKeyFile:
				m.Excluded = append(m.Excluded, rel+" (master key: keep it apart from every archive)")
				return nil
			case strings.HasSuffix(rel, ".tmp") || strings.HasSuffix(rel, ".lock"):
				return nil
			}
			if abs, _ := filepath.Abs(p); abs == absOr(out) || abs == absOr(out+".tmp") {
				return nil
			}
			err = add("files/"+rel, p)
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked (an erasure): fine
			}
			return err
		})
		if err != nil {
			f.Close()
			return m, err
		}
	}
	if err := writeManifest(tw, m, m.CreatedAt); err != nil {
		f.Close()
		return m, err
	}
	if err := errors.Join(tw.Close(), gz.Close(), f.Sync(), f.Close()); err != nil {
		return m, err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return m, err
	}
	return m, nil
}

func writeManifest(tw *tar.Writer, m any, at int64) error {
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o600, Size: int64(len(mb)), ModTime: time.UnixMilli(at)}); err != nil {
		return err
	}
	_, err := tw.Write(mb)
	return err
}

func absOr(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

func addFile(tw *tar.Writer, name, src string) (File, error) {
	f, err := os.Open(src)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return File{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(f, st.Size()))
	if err != nil {
		return File{}, err
	}
	if n != st.Size() {
		return File{}, fmt.Errorf("%s shrank while being copied", name)
	}
	return File{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// stripSQLite removes from the copy at path what a data archive must not
// hold — the wrapped data keys, and the derived tables (full-text indexes
// and the tables named in derived), which are rebuilt after a restore —
// and rebuilds the file with VACUUM, so no page keeps their bytes. It
// returns what it left out, the copy's position and its ledger size.
func stripSQLite(ctx context.Context, path string, derived, transient []string) (excluded []string, pos int64, ledger int, err error) {
	// Only the writer is used: switching the copy back to a rollback
	// journal at the end needs it to be the only connection that read it.
	d, err := db.OpenSQLite(ctx, path, 1)
	if err != nil {
		return nil, 0, 0, err
	}
	defer d.Close()
	names, err := db.QueryAll(ctx, d.Writer(), db.Value[string], `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%VIRTUAL TABLE%USING fts%'`)
	if err != nil {
		return nil, 0, 0, err
	}
	fts := map[string]bool{}
	for _, n := range names {
		fts[n] = true
	}
	for _, n := range derived {
		if ok, err := hasTableQ(ctx, d, d.Writer(), n); err != nil {
			return nil, 0, 0, err
		} else if ok && !fts[n] {
			names = append(names, n)
		}
	}
	for _, n := range names {
		q := quoteIdent(n)
		// External-content and contentless FTS tables take 'delete-all';
		// ordinary ones a plain DELETE.
		if fts[n] {
			if _, err := d.Writer().ExecContext(ctx, d.Dialect.EmptyTextIndex(q)); err == nil {
				excluded = append(excluded, "table "+n+" (search index, rebuilt after restore)")
				continue
			}
		}
		if _, err := d.Writer().ExecContext(ctx, "DELETE FROM "+q); err != nil {
			return nil, 0, 0, fmt.Errorf("empty derived table %s: %w", n, err)
		}
		excluded = append(excluded, "table "+n+" rows (derived: rebuilt after restore)")
	}
	for _, n := range transient {
		if ok, err := hasTableQ(ctx, d, d.Writer(), n); err != nil {
			return nil, 0, 0, err
		} else if !ok {
			continue
		}
		if _, err := d.Writer().ExecContext(ctx, "DELETE FROM "+quoteIdent(n)); err != nil {
			return nil, 0, 0, fmt.Errorf("leave queued rows of %s out: %w", n, err)
		}
		excluded = append(excluded, "table "+n+" rows (queued work: not done again after restore)")
	}
	if ok, err := hasTableQ(ctx, d, d.Writer(), keyring.KeysTable); err != nil {
		return nil, 0, 0, err
	} else if ok {
		if _, err := d.Writer().ExecContext(ctx, "DELETE FROM "+keyring.KeysTable); err != nil {
			return nil, 0, 0, fmt.Errorf("leave the data keys out: %w", err)
		}
		excluded = append(excluded, "table "+keyring.KeysTable+" rows (key material: in the keyring archive)")
	}
	if pos, err = position(ctx, d, d.Writer()); err != nil {
		return nil, 0, 0, err
	}
	if ledger, err = countLedger(ctx, d, d.Writer()); err != nil {
		return nil, 0, 0, err
	}
	// VACUUM writes a new file from the live rows only: nothing deleted
	// above survives in a free page.
	if _, err := d.Writer().ExecContext(ctx, "VACUUM"); err != nil {
		return nil, 0, 0, err
	}
	_, err = d.Writer().ExecContext(ctx, "PRAGMA journal_mode=DELETE")
	return excluded, pos, ledger, err
}

// position returns the event log's sequence as q sees it: the newest
// stream position ever handed out (0 on a database without one). It only
// grows, erasures of event rows included, so it orders snapshots.
func position(ctx context.Context, d *db.DB, q db.Querier) (int64, error) {
	ok, err := hasTableQ(ctx, d, q, "event_log")
	if err != nil || !ok {
		return 0, err
	}
	var pos sql.NullInt64
	if d.Kind == db.SQLite {
		err = q.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'event_log'`).Scan(&pos)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
	} else {
		err = q.QueryRowContext(ctx, `SELECT pg_sequence_last_value(pg_get_serial_sequence('event_log', 'pos')::regclass)`).Scan(&pos)
	}
	if err != nil {
		return 0, fmt.Errorf("read the event log position: %w", err)
	}
	return pos.Int64, nil
}

// Read returns the manifest of the data archive at in after checking every
// file's checksum.
func Read(in string) (Manifest, error) {
	var m Manifest
	sums := map[string]File{}
	err := walkTar(in, func(h *tar.Header, r io.Reader) error {
		if h.Name == "manifest.json" {
			return json.NewDecoder(r).Decode(&m)
		}
		hs := sha256.New()
		n, err := io.Copy(hs, r)
		if err != nil {
			return err
		}
		sums[h.Name] = File{Name: h.Name, Size: n, SHA256: hex.EncodeToString(hs.Sum(nil))}
		return nil
	})
	if err != nil {
		return m, err
	}
	if m.Kind != KindData && m.Kind != "" {
		return m, ErrNotData
	}
	return m, verify(m.Format, m.Files, sums)
}

func verify(format int, files []File, got map[string]File) error {
	if format == 0 {
		return errors.New("not an Atrium backup: no manifest")
	}
	if format > FormatVersion {
		return fmt.Errorf("backup format %d is newer than this binary understands (%d)", format, FormatVersion)
	}
	if len(got) != len(files) {
		return fmt.Errorf("backup holds %d files, manifest lists %d", len(got), len(files))
	}
	for _, f := range files {
		g, ok := got[f.Name]
		if !ok || g.SHA256 != f.SHA256 || g.Size != f.Size {
			return fmt.Errorf("backup file %s is missing or damaged", f.Name)
		}
	}
	return nil
}

func walkTar(in string, fn func(h *tar.Header, r io.Reader) error) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("not an Atrium backup: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("damaged backup: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			return fmt.Errorf("damaged backup: unexpected entry %q", h.Name)
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}

// cleanEntry checks a tar entry name: relative, no "..", under a known root.
func cleanEntry(name string) (string, error) {
	c := path.Clean(name)
	if c != name || strings.HasPrefix(c, "/") || strings.HasPrefix(c, "../") || c == ".." || strings.Contains(c, "\\") {
		return "", fmt.Errorf("damaged backup: unsafe entry name %q", name)
	}
	return c, nil
}
