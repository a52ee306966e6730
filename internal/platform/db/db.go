// Package db opens Atrium's database — embedded SQLite by default, PostgreSQL
// for scale — and carries transactions in a context so that one service call
// can span several stores.
//
// Both databases run the same hand-written SQL ($1 placeholders, ON CONFLICT,
// RETURNING). The few real differences live behind Dialect and nowhere else.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Kind names a database engine.
type Kind string

// The supported engines.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// Store errors. They carry no HTTP meaning; services map them.
var (
	// ErrNotFound is returned when a row that must exist does not.
	// apperr.MapNotFound turns it into the services' not-found error.
	ErrNotFound error = notFoundError{}
	// ErrConflict is returned when a unique constraint rejects a write.
	ErrConflict = errors.New("db: conflict")
)

type notFoundError struct{}

func (notFoundError) Error() string { return "db: not found" }

// NotFound marks the error as "no such row" for apperr.MapNotFound, which
// cannot import this package.
func (notFoundError) NotFound() bool { return true }

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database: a writer pool (one connection on SQLite) and a
// reader pool (the same pool on PostgreSQL).
type DB struct {
	Kind    Kind
	Dialect Dialect
	// Path is the SQLite database file ("" on PostgreSQL).
	Path string
	// URL is the PostgreSQL connection string ("" on SQLite).
	URL string

	w *sql.DB
	r *sql.DB
}

// Options say which database to open.
type Options struct {
	// URL is a postgres:// connection string; empty means SQLite in DataDir.
	URL string
	// DataDir holds atrium.db when URL is empty.
	DataDir string
	// Readers is the size of the SQLite reader pool (default 4).
	Readers int
}

// Open opens the database described by opts and checks that it answers.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.URL != "" {
		if !strings.HasPrefix(opts.URL, "postgres://") && !strings.HasPrefix(opts.URL, "postgresql://") {
			return nil, fmt.Errorf("database url must start with postgres:// (got scheme %q)", schemeOf(opts.URL))
		}
		return openPostgres(ctx, opts.URL)
	}
	if opts.DataDir == "" {
		return nil, errors.New("data dir is empty")
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	return OpenSQLite(ctx, filepath.Join(opts.DataDir, "atrium.db"), opts.Readers)
}

func schemeOf(u string) string {
	if i := strings.Index(u, "://"); i > 0 {
		return u[:i]
	}
	return ""
}

// sqliteDSN builds a modernc DSN. busy_timeout comes first so that every
// later pragma already waits for locks instead of failing.
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	pragmas := []string{
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(1)",
		"secure_delete(1)",
	}
	if readOnly {
		pragmas = append(pragmas, "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		pragmas = append(pragmas,
			// Statement journals (multi-row inserts, AUTOINCREMENT tables
			// such as the event log) stay in memory on the one writer
			// connection instead of a temporary file per statement.
			"temp_store(MEMORY)",
			// Checkpoint the WAL every ~40 MB rather than every 4 MB: the
			// pages every batch touches (the right edges of the busiest
			// B-trees) are copied into the database once per checkpoint
			// instead of ten times.
			"wal_autocheckpoint(10000)",
			// A 64 MiB page cache for the writer: batches touch leaves all
			// over the indexes.
			"cache_size(-65536)",
		)
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return "file:" + path + "?" + q.Encode()
}

// OpenSQLite opens (creating if needed) the SQLite file at path.
func OpenSQLite(ctx context.Context, path string, readers int) (*DB, error) {
	if readers <= 0 {
		readers = 4
	}
	w, err := sql.Open(sqliteDriverName, sqliteDSN(path, false))
	if err != nil {
		return nil, err
	}
	// One writer: SQLite serializes writes anyway, and a single connection
	// turns lock contention into queueing in Go instead of SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
		w.Close()
		return nil, err
	}
	r, err := sql.Open(sqliteDriverName, sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	return &DB{Kind: SQLite, Dialect: sqliteDialect{}, Path: path, w: w, r: r}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(16)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &DB{Kind: Postgres, Dialect: postgresDialect{}, URL: dsn, w: p, r: p}, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.w.Close()
	if d.r != d.w {
		err = errors.Join(err, d.r.Close())
	}
	return err
}

// Writer returns the writer pool, for tools (migrations, backups) that need
// the raw handle.
func (d *DB) Writer() *sql.DB { return d.w }

// Reader returns the reader pool.
func (d *DB) Reader() *sql.DB { return d.r }

type txKey struct{}

// W returns the transaction carried by ctx, or the writer pool.
func (d *DB) W(ctx context.Context) Querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	return d.w
}

// R returns the transaction carried by ctx (so that reads see the
// transaction's own writes), or the reader pool.
func (d *DB) R(ctx context.Context) Querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	return d.r
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*sql.Tx)
	return ok
}

// Tx runs fn in a transaction carried by the context passed to fn. If ctx
// already carries one, fn joins it and the outer call commits. The
// transaction commits when fn returns nil and rolls back otherwise.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if InTx(ctx) {
		return fn(ctx)
	}
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	hooks := &commitHooks{}
	if err = fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), hooksKey{}, hooks)); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	hooks.run()
	return nil
}

type hooksKey struct{}

type commitHooks struct {
	mu  sync.Mutex
	fns []func()
}

func (h *commitHooks) run() {
	h.mu.Lock()
	fns := h.fns
	h.fns = nil
	h.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// AfterCommit runs fn after the transaction carried by ctx commits (never if
// it rolls back), or at once when ctx carries no transaction. The event log
// uses it to wake the stream only once its rows are visible to readers.
func AfterCommit(ctx context.Context, fn func()) {
	h, ok := ctx.Value(hooksKey{}).(*commitHooks)
	if !ok {
		fn()
		return
	}
	h.mu.Lock()
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
}

// Classify maps driver errors to ErrNotFound / ErrConflict where they apply,
// wrapping the original so that the cause is still logged.
func (d *DB) Classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case d.Dialect.IsUniqueViolation(err):
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// Checkpoint makes SQLite fold its WAL back into the main file and truncate
// it, so that erased bytes do not linger in the WAL. No-op on PostgreSQL.
func (d *DB) Checkpoint(ctx context.Context) error {
	if d.Kind != SQLite {
		return nil
	}
	_, err := d.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}
