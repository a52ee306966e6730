package backup

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// DefaultPGBin is where PostgreSQL's client programs are looked for when
// they are not on PATH.
const DefaultPGBin = "/usr/lib/postgresql/15/bin"

// pgTool finds pg_dump or pg_restore: in bin when the operator named one
// (ATRIUM_PG_BIN), else on PATH, else in DefaultPGBin. pg_dump must not be
// older than the server, so the operator's choice comes first.
func pgTool(bin, name string) (string, error) {
	if bin != "" {
		if p := filepath.Join(bin, name); fileExists(p) {
			return p, nil
		}
		return "", fmt.Errorf("%s not found in %s (ATRIUM_PG_BIN)", name, bin)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if p := filepath.Join(DefaultPGBin, name); fileExists(p) {
		return p, nil
	}
	return "", fmt.Errorf("%s not found on PATH or in %s: install the PostgreSQL client programs, or set ATRIUM_PG_BIN", name, DefaultPGBin)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// libpqURL turns a connection URL that pgx understands into one libpq
// programs accept, and returns the schema the URL selects (its search_path,
// which libpq does not take as a URL parameter).
func libpqURL(ctx context.Context, raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	if schema == "" {
		d, err := db.Open(ctx, db.Options{URL: raw})
		if err != nil {
			return "", "", err
		}
		defer d.Close()
		if err := d.Reader().QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return "", "", err
		}
	}
	return u.String(), schema, nil
}

func run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v: %s", filepath.Base(name), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// pgSnap is what was read in the snapshot pg_dump dumped.
type pgSnap struct {
	position   int64
	ledger     int
	extensions []string
}

// pgDump writes a custom-format dump of d's schema to file, leaving out the
// rows (not the definitions) of the tables in exclude. The snapshot is
// exported from a repeatable-read transaction that stays open while
// pg_dump runs with it, so the position and ledger size recorded in the
// manifest are those of the dumped data, and the dump is consistent while
// the server runs.
func pgDump(ctx context.Context, d *db.DB, bin, file string, exclude []string) (pgSnap, error) {
	var snap pgSnap
	tool, err := pgTool(bin, "pg_dump")
	if err != nil {
		return snap, err
	}
	u, schema, err := libpqURL(ctx, d.URL)
	if err != nil {
		return snap, err
	}
	conn, err := d.Writer().Conn(ctx)
	if err != nil {
		return snap, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return snap, err
	}
	defer tx.Rollback()
	var id string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
		return snap, fmt.Errorf("export a snapshot for pg_dump: %w", err)
	}
	// The sequence is read after the snapshot was taken: an upper bound of
	// what the dump holds, so a keyring snapshot taken after the dump never
	// has a smaller position.
	if snap.position, err = position(ctx, d, tx); err != nil {
		return snap, err
	}
	if ok, err := hasTableQ(ctx, d, tx, LedgerTable); err != nil {
		return snap, err
	} else if ok {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+LedgerTable).Scan(&snap.ledger); err != nil {
			return snap, err
		}
	}
	if snap.extensions, err = pgExtensions(ctx, tx); err != nil {
		return snap, err
	}
	args := []string{"--format=custom", "--no-owner", "--no-privileges", "--snapshot=" + id, "--schema=" + schema, "--file=" + file, "--dbname=" + u}
	for _, t := range exclude {
		args = append(args, "--exclude-table-data="+quoteIdent(schema)+"."+quoteIdent(t))
	}
	if err := run(ctx, tool, args...); err != nil {
		return snap, err
	}
	return snap, tx.Commit()
}

var schemaTOC = regexp.MustCompile(`^\d+; \d+ \d+ SCHEMA - `)

// pgRestore replaces the URL's schema with the dump in file, in one
// transaction: the schema is dropped and created empty, then every object of
// the dump but the schema itself is restored into it.
func pgRestore(ctx context.Context, bin, rawURL, file string, extensions []string) error {
	tool, err := pgTool(bin, "pg_restore")
	if err != nil {
		return err
	}
	u, schema, err := libpqURL(ctx, rawURL)
	if err != nil {
		return err
	}
	var list bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, "--list", file)
	cmd.Stdout = &list
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_restore --list: %w", err)
	}
	var keep []string
	for _, line := range strings.Split(list.String(), "\n") {
		if !schemaTOC.MatchString(line) {
			keep = append(keep, line)
		}
	}
	listFile := file + ".list"
	if err := os.WriteFile(listFile, []byte(strings.Join(keep, "\n")), 0o600); err != nil {
		return err
	}
	defer os.Remove(listFile)

	d, err := db.Open(ctx, db.Options{URL: rawURL})
	if err != nil {
		return err
	}
	qs := quoteIdent(schema)
	_, err = d.Writer().ExecContext(ctx, "DROP SCHEMA IF EXISTS "+qs+" CASCADE; CREATE SCHEMA "+qs)
	for _, e := range extensions {
		if err != nil {
			break
		}
		name, nsp, _ := strings.Cut(e, " ")
		_, err = d.Writer().ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS "+quoteIdent(name)+" SCHEMA "+quoteIdent(nsp))
	}
	d.Close()
	if err != nil {
		return fmt.Errorf("recreate schema %s: %w", schema, err)
	}
	return run(ctx, tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--use-list="+listFile, "--dbname="+u, file)
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// pgExtensions lists the extensions of d's database ("name schema"),
// leaving out plpgsql, which every database has.
func pgExtensions(ctx context.Context, q db.Querier) ([]string, error) {
	return db.QueryAll(ctx, q, func(s db.Scanner) (string, error) {
		var name, nsp string
		err := s.Scan(&name, &nsp)
		return name + " " + nsp, err
	}, `SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY 1`)
}
