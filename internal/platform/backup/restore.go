package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// ErrNotEmpty is returned when a restore would overwrite existing data and
// Force was not given.
var ErrNotEmpty = errors.New("the target already holds data; pass --force to replace it")

// RestoreOptions say where to restore to.
type RestoreOptions struct {
	// DataDir receives the file store (and, on SQLite, atrium.db).
	DataDir string
	// DatabaseURL is the PostgreSQL database to restore into ("" = SQLite).
	DatabaseURL string
	// Force replaces existing data. The master key file is never touched.
	Force bool
	// MasterKeyFile is the master key's file name in DataDir.
	MasterKeyFile string
	PGBin         string
}

// TargetHasData reports whether the restore target already holds data: a
// non-empty SQLite database or file store, or any table in the PostgreSQL
// schema.
func TargetHasData(ctx context.Context, o RestoreOptions) (bool, error) {
	if o.DataDir != "" {
		ents, err := os.ReadDir(o.DataDir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, err
		}
		for _, e := range ents {
			if e.Name() != o.MasterKeyFile {
				return true, nil
			}
		}
	}
	if o.DatabaseURL != "" {
		d, err := db.Open(ctx, db.Options{URL: o.DatabaseURL})
		if err != nil {
			return false, err
		}
		defer d.Close()
		var n int
		if err := d.Reader().QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil {
			return false, err
		}
		return n > 0, nil
	}
	return false, nil
}

// Restore unpacks the data archive at in into the target of o, after
// verifying every checksum. It refuses a target holding data unless o.Force.
// It installs no keys and re-applies no erasures: the caller reads the
// keyring of the database being replaced first (SnapshotKeyring), and
// afterwards installs the keyrings (InstallKeyring) and runs the restore
// hooks.
func Restore(ctx context.Context, in string, o RestoreOptions) (Manifest, error) {
	m, err := Read(in)
	if err != nil {
		return m, err
	}
	if (m.Database == db.Postgres) != (o.DatabaseURL != "") {
		return m, fmt.Errorf("the backup is of a %s database; configure the same kind to restore it", m.Database)
	}
	has, err := TargetHasData(ctx, o)
	if err != nil {
		return m, err
	}
	if has && !o.Force {
		return m, ErrNotEmpty
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return m, err
	}
	stage, err := os.MkdirTemp(o.DataDir, ".atrium-restore-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(stage)

	// Unpack into the staging directory, checking sums again as we go (the
	// file could have changed since Read).
	sums := map[string]File{}
	err = walkTar(in, func(h *tar.Header, r io.Reader) error {
		if h.Name == "manifest.json" {
			return nil
		}
		name, err := cleanEntry(h.Name)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(name, "db/") && !strings.HasPrefix(name, "files/") {
			return fmt.Errorf("damaged backup: unexpected entry %q", name)
		}
		dst := filepath.Join(stage, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		hs := sha256.New()
		n, err := io.Copy(io.MultiWriter(f, hs), r)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		sums[name] = File{Name: name, Size: n, SHA256: hex.EncodeToString(hs.Sum(nil))}
		return err
	})
	if err != nil {
		return m, err
	}
	if err := verify(m.Format, m.Files, sums); err != nil {
		return m, err
	}

	// Clear the target (the master key stays), then move the backup in.
	if err := clearDataDir(o.DataDir, o.MasterKeyFile, filepath.Base(stage)); err != nil {
		return m, err
	}
	switch m.Database {
	case db.SQLite:
		if err := os.Rename(filepath.Join(stage, "db", "atrium.db"), filepath.Join(o.DataDir, "atrium.db")); err != nil {
			return m, err
		}
	case db.Postgres:
		if err := pgRestore(ctx, o.PGBin, o.DatabaseURL, filepath.Join(stage, "db", "postgres.dump"), m.Extensions); err != nil {
			return m, err
		}
	}
	files := filepath.Join(stage, "files")
	if _, err := os.Stat(files); err == nil {
		ents, err := os.ReadDir(files)
		if err != nil {
			return m, err
		}
		for _, e := range ents {
			if e.Name() == o.MasterKeyFile {
				// A version 1 archive made with --include-master-key: a
				// master key never comes from a data archive.
				continue
			}
			if err := os.Rename(filepath.Join(files, e.Name()), filepath.Join(o.DataDir, e.Name())); err != nil {
				return m, err
			}
		}
	}
	if m.Database == db.SQLite {
		if err := checkSQLite(ctx, filepath.Join(o.DataDir, "atrium.db")); err != nil {
			return m, err
		}
	}
	return m, nil
}

func clearDataDir(dir, keep, stage string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Name() == keep || e.Name() == stage {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func checkSQLite(ctx context.Context, path string) error {
	d, err := db.OpenSQLite(ctx, path, 1)
	if err != nil {
		return err
	}
	defer d.Close()
	var res string
	if err := d.Writer().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("restored database fails its integrity check: %s", res)
	}
	return nil
}

// LedgerTable is the erasure ledger's table (privacy, migration 00005).
const LedgerTable = "erasure_ledger"

// LedgerRow is one row of the erasure ledger, column name → value. Rows are
// copied whole, so that the ledger's columns may grow without this package
// knowing them.
type LedgerRow map[string]any

func hasTable(ctx context.Context, d *db.DB, table string) (bool, error) {
	return hasTableQ(ctx, d, d.Reader(), table)
}

// hasTableQ is hasTable through q (a transaction: a one-connection pool
// would otherwise wait for itself).
func hasTableQ(ctx context.Context, d *db.DB, q db.Querier, table string) (bool, error) {
	var query string
	if d.Kind == db.SQLite {
		query = `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	} else {
		query = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	var n int
	err := q.QueryRowContext(ctx, query, table).Scan(&n)
	return n > 0, err
}

func countLedger(ctx context.Context, d *db.DB, q db.Querier) (int, error) {
	ok, err := hasTableQ(ctx, d, q, LedgerTable)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	err = q.QueryRowContext(ctx, "SELECT count(*) FROM "+LedgerTable).Scan(&n)
	return n, err
}

// ReadLedger returns every row of d's erasure ledger (none when the table
// does not exist yet).
func ReadLedger(ctx context.Context, d *db.DB) ([]LedgerRow, error) {
	return readLedger(ctx, d, d.Reader())
}

func readLedger(ctx context.Context, d *db.DB, q db.Querier) ([]LedgerRow, error) {
	ok, err := hasTableQ(ctx, d, q, LedgerTable)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+LedgerTable+" ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// A hand loop: the ledger's columns are read by name (rows.Columns),
	// which db.Each does not offer.
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []LedgerRow
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := LedgerRow{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WriteLedger writes rows as JSON lines (ledger.jsonl of a keyring
// archive).
func WriteLedger(w io.Writer, rows []LedgerRow) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// MergeLedger inserts into d's erasure ledger every row of rows whose id it
// does not hold yet — the erasures that happened after the backup was taken
// — and marks done the rows d holds as not yet done that rows records as
// done (an erasure scheduled before the backup and carried out after it).
// It returns both kinds: the erasures to apply again.
func MergeLedger(ctx context.Context, d *db.DB, rows []LedgerRow) ([]LedgerRow, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ok, err := hasTable(ctx, d, LedgerTable)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the restored database has no %s table to re-apply %d erasures from", LedgerTable, len(rows))
	}
	cols, err := tableColumns(ctx, d, LedgerTable)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, c := range cols {
		has[c] = true
	}
	// What d holds already: most of a keyring's ledger, usually.
	held := map[string]string{}
	idRows, err := d.Reader().QueryContext(ctx, "SELECT id, status FROM "+LedgerTable)
	if err != nil {
		return nil, err
	}
	for idRows.Next() {
		var id, status string
		if err := idRows.Scan(&id, &status); err != nil {
			idRows.Close()
			return nil, err
		}
		held[id] = status
	}
	if err := errors.Join(idRows.Err(), idRows.Close()); err != nil {
		return nil, err
	}
	var added []LedgerRow
	err = d.Tx(ctx, func(ctx context.Context) error {
		added = nil
		for _, r := range rows {
			if st, ok := held[fmt.Sprint(r["id"])]; ok && (st == "done" || fmt.Sprint(r["status"]) != "done") {
				continue
			}
			var names []string
			var args []any
			var ph []string
			for _, c := range cols {
				v, ok := r[c]
				if !ok {
					continue
				}
				names = append(names, c)
				args = append(args, ledgerValue(v))
				ph = append(ph, fmt.Sprintf("$%d", len(args)))
			}
			res, err := d.W(ctx).ExecContext(ctx, "INSERT INTO "+LedgerTable+" ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(ph, ", ")+") ON CONFLICT (id) DO NOTHING", args...)
			if err != nil {
				return fmt.Errorf("merge ledger row %v: %w", r["id"], err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added = append(added, r)
				continue
			}
			if fmt.Sprint(r["status"]) != "done" || !has["status"] || !has["completed_at"] {
				continue
			}
			res, err = d.W(ctx).ExecContext(ctx, "UPDATE "+LedgerTable+" SET status = 'done', completed_at = $2 WHERE id = $1 AND status <> 'done'", ledgerValue(r["id"]), ledgerValue(r["completed_at"]))
			if err != nil {
				return fmt.Errorf("merge ledger row %v: %w", r["id"], err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added = append(added, r)
			}
		}
		return nil
	})
	return added, err
}

// ledgerValue turns a value decoded from JSON back into one for SQL.
func ledgerValue(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		} else if f, err := n.Float64(); err == nil {
			return f
		}
	}
	return v
}

func tableColumns(ctx context.Context, d *db.DB, table string) ([]string, error) {
	q := `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	if d.Kind == db.SQLite {
		q = `SELECT name FROM pragma_table_info($1) ORDER BY cid`
	}
	return db.QueryAll(ctx, d.Reader(), db.Value[string], q, table)
}
