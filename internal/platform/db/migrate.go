package db

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Version int64  `json:"version"`
	Source  string `json:"source"`
	Applied bool   `json:"applied"`
}

func (d *DB) provider(migrations fs.FS) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, string(d.Kind))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if d.Kind == Postgres {
		dialect = goose.DialectPostgres
	}
	// goose's own table is the schema version table; each migration runs in
	// its own transaction, so an interrupted run leaves the schema either
	// before or after a migration, never in between.
	return goose.NewProvider(dialect, d.w, sub)
}

// Migrate applies every pending migration from migrations/<kind>/*.sql and
// returns the resulting schema version.
func (d *DB) Migrate(ctx context.Context, migrations fs.FS) (int64, error) {
	p, err := d.provider(migrations)
	if err != nil {
		return 0, err
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// MigrationStatuses lists every known migration and whether it is applied.
func (d *DB) MigrationStatuses(ctx context.Context, migrations fs.FS) ([]MigrationStatus, error) {
	p, err := d.provider(migrations)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{Version: s.Source.Version, Source: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// SchemaVersion returns the version of the last applied migration.
func (d *DB) SchemaVersion(ctx context.Context, migrations fs.FS) (int64, error) {
	p, err := d.provider(migrations)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// Column is one column of a table, as the schema reports it.
type Column struct {
	Table  string
	Column string
}

// Columns lists every column of every application table (goose's own table
// and SQLite internals excluded), sorted by table then column name.
func (d *DB) Columns(ctx context.Context) ([]Column, error) {
	var q string
	if d.Kind == SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
		       AND m.name NOT LIKE '%_fts%'
		     ORDER BY m.name, p.name`
	} else {
		q = `SELECT table_name, column_name FROM information_schema.columns
		     WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
		     ORDER BY table_name, column_name`
	}
	return QueryAll(ctx, d.r, func(s Scanner) (Column, error) {
		var c Column
		err := s.Scan(&c.Table, &c.Column)
		return c, err
	}, q)
}
