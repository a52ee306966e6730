package db

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// Col is one column of a set of rows sent at once: its name and its
// PostgreSQL type (text, bigint, bytea or boolean), the element type of
// the array it travels in on PostgreSQL.
type Col struct {
	Name, Type string
}

// Cols makes columns from "name type" pairs: Cols("id text", "n bigint").
func Cols(specs ...string) []Col {
	out := make([]Col, len(specs))
	for i, spec := range specs {
		name, typ, ok := strings.Cut(spec, " ")
		if !ok {
			panic("db: column " + strconv.Quote(spec) + " is not \"name type\"")
		}
		out[i] = Col{Name: name, Type: typ}
	}
	return out
}

// Stmt is a statement with its arguments.
type Stmt struct {
	Query string
	Args  []any
}

// Rows is a set of rows of the same columns that a statement reads as one
// relation. SQLite gets them as VALUES lists of anonymous parameters
// (SQLite resolves "$n" names with a linear search, quadratic over a
// multi-row statement); PostgreSQL gets one typed array per column and
// unnests them, which it parses, plans and binds far faster than
// thousands of scalar parameters. Both sides keep the rows in order.
//
// On SQLite every statement carries a power of two of rows, so that the
// texts of a table's statements are a few (8 for 128 rows at most) and
// stay in the connection's statement cache: a text per row count would
// be prepared anew for nearly every batch of a group-commit writer.
type Rows struct {
	Cols []Col
	// PerStmt bounds how many rows one statement carries on SQLite, whose
	// parameters are limited (default 200): a run of rows goes in
	// statements of powers of two, largest first, the largest being the
	// greatest power of two not above PerStmt (128 for 200). PostgreSQL
	// takes every row in one statement.
	PerStmt int
	// Pad, on SQLite, makes the last statement's row count the next power
	// of two instead of splitting the rest: the missing rows are NULLs
	// that the statement skips, so its first column must never be NULL.
	// Rows that should go in as few statements as possible (an FTS5 table
	// flushes a segment for each) set it and a PerStmt above any batch.
	Pad bool
}

// Insert returns the statements inserting n rows into table, row(i, vals)
// filling the values of row i in column order. tail follows the rows (ON
// CONFLICT …, RETURNING …). join, when not "", is another FROM item the
// rows are selected with on PostgreSQL (a CTE such as an ordering lock).
func (r Rows) Insert(k Kind, table, tail, join string, n int, row func(i int, vals []any)) ([]Stmt, error) {
	names := make([]string, len(r.Cols))
	for i, c := range r.Cols {
		names[i] = c.Name
	}
	head := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") "
	if k == Postgres {
		args, err := r.arrays(n, row)
		if err != nil {
			return nil, err
		}
		var sb strings.Builder
		sb.WriteString(head + "SELECT ")
		for i, name := range names {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("v." + name)
		}
		sb.WriteString(" FROM ")
		if join != "" {
			sb.WriteString(join + ", ")
		}
		sb.WriteString(r.unnest(1) + " WITH ORDINALITY AS v(" + strings.Join(names, ", ") + ", ord) ORDER BY v.ord")
		if tail != "" {
			sb.WriteString(" " + tail)
		}
		return []Stmt{{Query: sb.String(), Args: args}}, nil
	}
	var out []Stmt
	r.chunks(n, func(values string, args []any) {
		q := head + r.values(values)
		if tail != "" {
			q += " " + tail
		}
		out = append(out, Stmt{Query: q, Args: args})
	}, row)
	return out, nil
}

// With returns the statements that run body once per chunk of rows, the
// rows being the CTE name(columns) that body reads: body is the rest of
// the statement after "WITH name(cols) AS (…) ". On PostgreSQL there is
// one statement.
func (r Rows) With(k Kind, name, body string, n int, row func(i int, vals []any)) ([]Stmt, error) {
	names := make([]string, len(r.Cols))
	for i, c := range r.Cols {
		names[i] = c.Name
	}
	head := "WITH " + name + "(" + strings.Join(names, ", ") + ") AS ("
	if k == Postgres {
		args, err := r.arrays(n, row)
		if err != nil {
			return nil, err
		}
		return []Stmt{{Query: head + "SELECT * FROM " + r.unnest(1) + ") " + body, Args: args}}, nil
	}
	var out []Stmt
	r.chunks(n, func(values string, args []any) {
		out = append(out, Stmt{Query: head + r.values(values) + ") " + body, Args: args})
	}, row)
	return out, nil
}

// unnest is unnest($first::type[], …) over the columns.
func (r Rows) unnest(first int) string {
	var sb strings.Builder
	sb.WriteString("unnest(")
	for i, c := range r.Cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("$" + strconv.Itoa(first+i) + "::" + c.Type + "[]")
	}
	sb.WriteByte(')')
	return sb.String()
}

// values is the relation of a chunk's VALUES lists: the lists themselves,
// or with Pad the lists without their rows of NULLs.
func (r Rows) values(lists string) string {
	if r.Pad {
		return "SELECT * FROM (VALUES " + lists + ") WHERE column1 IS NOT NULL"
	}
	return "VALUES " + lists
}

// chunkSizes returns the row counts of the statements carrying n rows on
// SQLite: powers of two, largest first, none above the greatest power of
// two not above per. With pad, what is left after the largest ones goes
// in one statement of the next power of two.
func chunkSizes(n, per int, pad bool) []int {
	if per <= 0 {
		per = 200
	}
	size := 1 << (bits.Len(uint(per)) - 1)
	var out []int
	for left := n; left > 0; {
		if left < size {
			if pad {
				out = append(out, 1<<bits.Len(uint(left-1)))
				break
			}
			size = 1 << (bits.Len(uint(left)) - 1)
		}
		out = append(out, size)
		left -= size
	}
	return out
}

// chunks calls emit for each statement's rows (chunkSizes), in order, with
// their VALUES lists and arguments; padding rows are NULLs.
func (r Rows) chunks(n int, emit func(values string, args []any), row func(i int, vals []any)) {
	vals := make([]any, len(r.Cols))
	tuple := "(" + strings.Repeat("?, ", len(r.Cols)-1) + "?)"
	from := 0
	for _, size := range chunkSizes(n, r.PerStmt, r.Pad) {
		var sb strings.Builder
		sb.Grow(size * (len(tuple) + 2))
		args := make([]any, 0, size*len(r.Cols))
		for i := from; i < from+size; i++ {
			if i > from {
				sb.WriteString(", ")
			}
			sb.WriteString(tuple)
			clear(vals)
			if i < n {
				row(i, vals)
			}
			args = append(args, vals...)
		}
		emit(sb.String(), args)
		from += size
	}
}

// arrays gathers the rows into one typed array per column (textArray,
// int8Array, byteaArray or []bool; nil bytes are NULL).
func (r Rows) arrays(n int, row func(i int, vals []any)) ([]any, error) {
	cols := make([]any, len(r.Cols))
	for j, c := range r.Cols {
		switch c.Type {
		case "text":
			cols[j] = make(textArray, n)
		case "bigint":
			cols[j] = make(int8Array, n)
		case "bytea":
			cols[j] = make(byteaArray, n)
		case "boolean":
			cols[j] = make([]bool, n)
		default:
			return nil, fmt.Errorf("db: column %s: unsupported type %q", c.Name, c.Type)
		}
	}
	vals := make([]any, len(r.Cols))
	for i := 0; i < n; i++ {
		clear(vals)
		row(i, vals)
		for j, v := range vals {
			if !put(cols[j], i, v) {
				return nil, fmt.Errorf("db: column %s: %T is not %s", r.Cols[j].Name, v, r.Cols[j].Type)
			}
		}
	}
	return cols, nil
}

// put stores v at index i of the typed array col, reporting whether v has
// the column's type.
func put(col any, i int, v any) bool {
	switch c := col.(type) {
	case textArray:
		s, ok := v.(string)
		c[i] = textElem(s)
		return ok
	case int8Array:
		switch x := v.(type) {
		case int64:
			c[i] = int8Elem(x)
		case int:
			c[i] = int8Elem(x)
		default:
			return false
		}
		return true
	case byteaArray:
		if v == nil {
			return true
		}
		b, ok := v.([]byte)
		c[i] = byteaElem(b)
		return ok
	case []bool:
		b, ok := v.(bool)
		c[i] = b
		return ok
	}
	return false
}

// The arrays a column travels in on PostgreSQL. pgx encodes an array
// element by element, each handed to it as an interface value; for a
// plain []string, []int64 or [][]byte that boxes (allocates) every string,
// number and slice of every row. These arrays hand out pointers to their
// elements instead, whose methods give pgx the value without a copy, so a
// batch's columns are encoded without one allocation per value.
type (
	textArray  []textElem
	int8Array  []int8Elem
	byteaArray []byteaElem
	textElem   string
	int8Elem   int64
	byteaElem  []byte
)

func (e *textElem) TextValue() (pgtype.Text, error) {
	return pgtype.Text{String: string(*e), Valid: true}, nil
}

func (e *int8Elem) Int64Value() (pgtype.Int8, error) {
	return pgtype.Int8{Int64: int64(*e), Valid: true}, nil
}

// BytesValue is nil (NULL) for a nil slice.
func (e *byteaElem) BytesValue() ([]byte, error) { return []byte(*e), nil }

func (a textArray) Dimensions() []pgtype.ArrayDimension  { return dims(len(a), a == nil) }
func (a int8Array) Dimensions() []pgtype.ArrayDimension  { return dims(len(a), a == nil) }
func (a byteaArray) Dimensions() []pgtype.ArrayDimension { return dims(len(a), a == nil) }
func (a textArray) Index(i int) any                      { return &a[i] }
func (a int8Array) Index(i int) any                      { return &a[i] }
func (a byteaArray) Index(i int) any                     { return &a[i] }
func (a textArray) IndexType() any                       { return (*textElem)(nil) }
func (a int8Array) IndexType() any                       { return (*int8Elem)(nil) }
func (a byteaArray) IndexType() any                      { return (*byteaElem)(nil) }

// dims is the dimensions of a one-dimensional array of n elements (none:
// NULL).
func dims(n int, null bool) []pgtype.ArrayDimension {
	if null {
		return nil
	}
	return []pgtype.ArrayDimension{{Length: int32(n), LowerBound: 1}}
}
