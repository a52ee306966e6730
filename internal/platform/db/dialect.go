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
	// ForUpdate is the suffix of a SELECT that locks the rows it reads
	// until the transaction ends ("" on SQLite, whose transactions already
	// exclude other writers).
	ForUpdate() string

	// A text index is a table of (rowid, column) that finds the rows whose
	// text contains a string of three characters or more: an FTS5 trigram
	// table on SQLite, a table with a pg_trgm GIN index on PostgreSQL.

	// TextPattern is the argument that TextMatch and TextScan compare with
	// the indexed text to find text.
	TextPattern(text string) string
	// TextMatch is the condition that the row of text index table, whose
	// column is col (qualified as the query names it), contains the
	// TextPattern bound to param, answered by the index.
	TextMatch(table, col, param string) string
	// TextScan is TextMatch tested on the rows a query reads anyway (in
	// rowid order) rather than answered by the index, where the engine can
	// tell them apart (PostgreSQL); otherwise it is TextMatch.
	TextScan(table, col, param string) string
	// TextIndexOrdered reports whether the text index yields its matches
	// in rowid order, so that the newest few cost no more than reading
	// them (FTS5). When false (pg_trgm) the index finds every match and
	// they are sorted after: a newest-first search should scan the newest
	// rows first (TextScan) and ask the index only for older ones.
	TextIndexOrdered() bool
	// EmptyTextIndex is the statement that deletes every row of a text
	// index table.
	EmptyTextIndex(table string) string
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

func (sqliteDialect) ForUpdate() string { return "" }

// TextPattern quotes text as one FTS5 phrase.
func (sqliteDialect) TextPattern(text string) string {
	return `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
}

// TextMatch is a MATCH of the FTS5 table, which names the table rather
// than the (contentless) column.
func (sqliteDialect) TextMatch(table, _, param string) string { return table + " MATCH " + param }

func (d sqliteDialect) TextScan(table, col, param string) string {
	return d.TextMatch(table, col, param)
}

func (sqliteDialect) TextIndexOrdered() bool { return true }

// EmptyTextIndex is FTS5's delete-all command, the only way to empty a
// contentless table.
func (sqliteDialect) EmptyTextIndex(table string) string {
	return "INSERT INTO " + table + " (" + table + ") VALUES ('delete-all')"
}

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

func (postgresDialect) ForUpdate() string { return " FOR UPDATE" }

// TextPattern is a LIKE pattern of text anywhere.
func (postgresDialect) TextPattern(text string) string { return "%" + EscapeLike(text) + "%" }

// TextMatch is an ILIKE of the column, which the trigram index answers.
func (d postgresDialect) TextMatch(_, col, param string) string { return d.ILike(col, param) }

// TextScan is an ILIKE of an expression of the column, which the trigram
// index cannot answer, so the planner tests the rows it reads.
func (d postgresDialect) TextScan(_, col, param string) string {
	return d.ILike("("+col+" || '')", param)
}

func (postgresDialect) TextIndexOrdered() bool { return false }

func (postgresDialect) EmptyTextIndex(table string) string { return "DELETE FROM " + table }

// EscapeLike escapes %, _ and \ so that s matches literally inside a LIKE
// pattern built with ILike.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
