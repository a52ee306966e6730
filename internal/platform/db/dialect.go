package db

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect holds the few things that differ between SQLite and PostgreSQL.
// Everything else is the same SQL text on both.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// IsUniqueViolation reports whether err is a unique-constraint failure.
	IsUniqueViolation(err error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key failure.
	IsForeignKeyViolation(err error) bool
	// ILike returns a case-insensitive LIKE of expr against the parameter
	// placeholder param (e.g. "$1").
	ILike(expr, param string) string
	// ForUpdateSkipLocked is the row-locking suffix for job claims
	// ("" on SQLite, where the single writer already serializes).
	ForUpdateSkipLocked() string
	// XactLock is a statement that takes a transaction-scoped lock on key,
	// released at COMMIT or ROLLBACK ("" on SQLite, whose single writer
	// already serializes transactions).
	XactLock(key int64) string
}

type sqliteDialect struct{}

func (sqliteDialect) Name() string { return "sqlite" }

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

func (sqliteDialect) IsUniqueViolation(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func (sqliteDialect) IsForeignKeyViolation(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

func (sqliteDialect) ILike(expr, param string) string {
	return expr + " LIKE " + param + " ESCAPE '\\'"
}

func (sqliteDialect) ForUpdateSkipLocked() string { return "" }

func (sqliteDialect) XactLock(int64) string { return "" }

type postgresDialect struct{}

func (postgresDialect) Name() string { return "postgres" }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func (postgresDialect) IsUniqueViolation(err error) bool { return pgCode(err) == "23505" }

func (postgresDialect) IsForeignKeyViolation(err error) bool { return pgCode(err) == "23503" }

func (postgresDialect) ILike(expr, param string) string {
	return expr + " ILIKE " + param + " ESCAPE '\\'"
}

func (postgresDialect) ForUpdateSkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

func (postgresDialect) XactLock(key int64) string {
	return "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(key, 10) + ")"
}

// EscapeLike escapes %, _ and \ so that s matches literally inside a LIKE
// pattern built with ILike.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
