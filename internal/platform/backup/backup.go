// Package backup makes consistent online backups of an Atrium deployment and
// restores them.
//
// A backup is one gzip-compressed tar file holding:
//
//	db/atrium.db        SQLite: a transactionally consistent copy (VACUUM INTO)
//	db/postgres.dump    PostgreSQL: pg_dump's custom format (one snapshot)
//	files/...           the data directory's other files (the file store)
//	manifest.json       what the backup holds, with a SHA-256 of every file
//
// Derived data is left out: the full-text search index is emptied in the
// SQLite copy (it is rebuilt after a restore) and caches and temporary
// directories are skipped. The master key is left out unless asked for: a
// backup then holds only ciphertext of encrypted fields, and a key that was
// destroyed (crypto-shredding) stays destroyed for every copy.
//
// Restoring never brings erased data back: the erasure ledger rows of the
// database being replaced (and of any ledger file the operator kept) that the
// backup does not hold are copied into the restored database, and the
// erasures they record are applied again (by hooks the privacy service
// registers) before the server accepts traffic. See docs/operations.md.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
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

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// FormatVersion is the version of the backup layout written by Create.
const FormatVersion = 1

// Manifest describes a backup.
type Manifest struct {
	Format        int     `json:"format"`
	CreatedAt     int64   `json:"created_at"` // unix ms, when the database snapshot was taken
	Version       string  `json:"atrium_version"`
	Database      db.Kind `json:"database"`
	SchemaVersion int64   `json:"schema_version"`
	// LedgerIDs are the erasure ledger entries the snapshot holds.
	LedgerEntries int  `json:"ledger_entries"`
	MasterKey     bool `json:"master_key_included"`
	// Extensions are the PostgreSQL extensions the database uses
	// ("name schema"); a restore creates them before the dump's objects.
	Extensions []string `json:"postgres_extensions,omitempty"`
	Files      []File   `json:"files"`
	// Excluded lists what was deliberately left out, for the operator.
	Excluded []string `json:"excluded"`
}

// File is one file of a backup.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Options say what to back up.
type Options struct {
	DB      *db.DB
	DataDir string
	// MasterKeyFile is the master key's file name in DataDir; it is only
	// included when IncludeMasterKey is set.
	MasterKeyFile    string
	IncludeMasterKey bool
	// PGBin is where pg_dump/pg_restore are looked for when not on PATH.
	PGBin   string
	Version string
	// SchemaVersion is recorded in the manifest.
	SchemaVersion int64
}

// sqliteFiles are the live database files; the consistent copy replaces them.
var sqliteFiles = map[string]bool{"atrium.db": true, "atrium.db-wal": true, "atrium.db-shm": true, "atrium.db-journal": true}

// derivedDirs are never backed up: temporary files, caches and indexes that
// are rebuilt from the database.
var derivedDirs = map[string]bool{"tmp": true, "cache": true, "search": true, "index": true}

// Create writes a backup of o to the file out (atomically: a temporary file
// renamed into place) and returns its manifest.
func Create(ctx context.Context, o Options, out string) (Manifest, error) {
	m := Manifest{Format: FormatVersion, Version: o.Version, Database: o.DB.Kind, SchemaVersion: o.SchemaVersion, MasterKey: o.IncludeMasterKey}
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
		excluded, err := stripDerivedSQLite(ctx, dbFile)
		if err != nil {
			return m, err
		}
		m.Excluded = append(m.Excluded, excluded...)
	case db.Postgres:
		dbFile, dbName = filepath.Join(work, "postgres.dump"), "db/postgres.dump"
		if err := pgDump(ctx, o.PGBin, o.DB.URL, dbFile); err != nil {
			return m, err
		}
		if m.Extensions, err = pgExtensions(ctx, o.DB); err != nil {
			return m, err
		}
	}
	if n, err := countLedger(ctx, o.DB); err == nil {
		m.LedgerEntries = n
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
			case rel == o.MasterKeyFile && !o.IncludeMasterKey:
				m.Excluded = append(m.Excluded, rel+" (master key: back it up separately)")
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
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o600, Size: int64(len(mb)), ModTime: time.UnixMilli(m.CreatedAt)}); err != nil {
		f.Close()
		return m, err
	}
	if _, err := tw.Write(mb); err != nil {
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

// stripDerivedSQLite empties the full-text indexes of the copy at path
// (they are rebuilt after a restore) and compacts it.
func stripDerivedSQLite(ctx context.Context, path string) ([]string, error) {
	d, err := db.OpenSQLite(ctx, path, 1)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	rows, err := d.Writer().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%VIRTUAL TABLE%USING fts%'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var excluded []string
	for _, n := range names {
		q := `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
		// External-content and contentless tables take 'delete-all'; ordinary
		// ones a plain DELETE.
		if _, err := d.Writer().ExecContext(ctx, "INSERT INTO "+q+"("+q+") VALUES('delete-all')"); err != nil {
			if _, err := d.Writer().ExecContext(ctx, "DELETE FROM "+q); err != nil {
				return nil, fmt.Errorf("empty search index %s: %w", n, err)
			}
		}
		excluded = append(excluded, "table "+n+" (search index, rebuilt after restore)")
	}
	if len(names) > 0 {
		if _, err := d.Writer().ExecContext(ctx, "VACUUM"); err != nil {
			return nil, err
		}
	}
	_, err = d.Writer().ExecContext(ctx, "PRAGMA journal_mode=DELETE")
	return excluded, err
}

// Read returns the manifest of the backup at in after checking every file's
// checksum.
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
	return m, verify(m, sums)
}

func verify(m Manifest, got map[string]File) error {
	if m.Format == 0 {
		return errors.New("not an Atrium backup: no manifest")
	}
	if m.Format > FormatVersion {
		return fmt.Errorf("backup format %d is newer than this binary understands (%d)", m.Format, FormatVersion)
	}
	if len(got) != len(m.Files) {
		return fmt.Errorf("backup holds %d files, manifest lists %d", len(got), len(m.Files))
	}
	for _, f := range m.Files {
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
