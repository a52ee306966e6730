package db

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
)

// Scanner is what *sql.Row and *sql.Rows offer: one row's columns. It is
// an alias so that a store's scan function written against the same
// method set (func(interface{ Scan(...any) error }) (T, error)) fits
// QueryAll and QueryOne as it is.
type Scanner = interface {
	Scan(dest ...any) error
}

// QueryAll runs query and returns every row, each read by scan. It closes
// the rows and reports the error that ended the iteration, if any.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := Each(ctx, q, func(s Scanner) error {
		v, err := scan(s)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// QueryOne runs query and returns its first row read by scan, or
// ErrNotFound when there is none.
func QueryOne[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// Each runs query and calls fn for every row, stopping at the first error
// fn returns. Use it when rows fill something other than a slice (a map, a
// running total).
func Each(ctx context.Context, q Querier, fn func(Scanner) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Value reads a row of one column into a T. It is the scan function of
// QueryAll and QueryOne for single-column queries:
//
//	ids, err := db.QueryAll(ctx, q, db.Value[string], `SELECT id FROM t`)
func Value[T any](s Scanner) (T, error) {
	var v T
	err := s.Scan(&v)
	return v, err
}

// Placeholders returns the n parameter placeholders that start at number
// from: "$3, $4, $5" for (3, 3). Both engines read the same $n placeholders
// (SQLite accepts PostgreSQL's numbered style), so there is no rebinding.
func Placeholders(from, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('$')
		sb.WriteString(strconv.Itoa(from + i))
	}
	return sb.String()
}

// Arg appends v to args and returns its placeholder.
func Arg(args *[]any, v any) string {
	*args = append(*args, v)
	return "$" + strconv.Itoa(len(*args))
}

// In appends vals to args and returns their placeholders, for an
// "x IN (…)" list: "$4, $5" when args held three values. An empty IN list is
// a syntax error, so callers test len(vals) first.
func In[T any](args *[]any, vals []T) string {
	from := len(*args) + 1
	for _, v := range vals {
		*args = append(*args, v)
	}
	return Placeholders(from, len(vals))
}

// OrEmpty passes on what QueryAll returned, with an empty result as an
// empty slice rather than nil, for lists that are encoded as JSON ([] rather
// than null):
//
//	return db.OrEmpty(db.QueryAll(ctx, q, scanRole, `SELECT …`))
func OrEmpty[T any](s []T, err error) ([]T, error) {
	if err == nil && s == nil {
		s = []T{}
	}
	return s, err
}
