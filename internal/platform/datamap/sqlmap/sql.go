package sqlmap

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// scope selects the rows of a table that concern a person.
type scope struct {
	ids []string // subject ids (account id and member ids)
	// org restricts to one organization's rows; noOrg selects rows that
	// belong to no organization.
	org   string
	noOrg bool
	// exceptOrgs leaves out the rows of these organizations (a legal
	// hold keeps them), in tables that know a row's organization.
	exceptOrgs []string
}

// where returns the condition selecting t's rows in sc, or "" when t has
// no way to tell.
func (t mapTable) where(sc scope, args *[]any) string {
	if len(t.subject) == 0 || len(sc.ids) == 0 {
		return ""
	}
	var ors []string
	for _, c := range t.subject {
		ors = append(ors, ident(c)+" IN ("+db.In(args, sc.ids)+")")
	}
	cond := "(" + strings.Join(ors, " OR ") + ")"
	switch {
	case sc.org != "" && t.orgExpr != "":
		cond += " AND " + t.orgExpr + " = " + db.Arg(args, sc.org)
	case sc.noOrg && t.orgExpr != "":
		cond += " AND COALESCE(" + t.orgExpr + ", '') = ''"
	}
	if len(sc.exceptOrgs) > 0 && t.orgExpr != "" {
		cond += " AND COALESCE(" + t.orgExpr + ", '') NOT IN (" + db.In(args, sc.exceptOrgs) + ")"
	}
	return cond
}

// orgKey carries a row's computed organization through an export.
const orgKey = "\x00org"

// selectRows returns the rows of t matching where, as column → value.
func (e *Engine) selectRows(ctx context.Context, t mapTable, where string, args []any) ([]datamap.Row, error) {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = ident(c.Name)
	}
	sel := strings.Join(names, ", ")
	withOrg := t.orgExpr != "" && !t.has["org_id"]
	if withOrg {
		sel += ", COALESCE(" + t.orgExpr + ", '')"
	}
	q := "SELECT " + sel + " FROM " + ident(t.Name) + " WHERE " + where
	if t.has["created_at"] {
		q += " ORDER BY created_at"
	}
	out, err := db.QueryAll(ctx, e.db.R(ctx), func(s db.Scanner) (datamap.Row, error) {
		n := len(names)
		if withOrg {
			n++
		}
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := s.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := datamap.Row{}
		for i, n := range names {
			r[n] = normalize(vals[i])
		}
		if withOrg {
			r[orgKey] = fmt.Sprint(normalize(vals[len(names)]))
		}
		return r, nil
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", t.Name, err)
	}
	return out, nil
}

// normalize turns driver values into JSON-friendly ones; bytes that are
// not text stay []byte (sealed values), opened later or marked.
func normalize(v any) any {
	if x, ok := v.([]byte); ok {
		if utf8.Valid(x) && !looksSealed(x) {
			return string(x)
		}
		return append([]byte(nil), x...)
	}
	return v
}

// looksSealed reports whether b has the keyring's sealed-value shape
// (version byte 1, 12-byte nonce, 16-byte tag).
func looksSealed(b []byte) bool { return len(b) >= 29 && b[0] == 1 }

func (e *Engine) count(ctx context.Context, t mapTable, where string, args []any) (int64, error) {
	var n int64
	err := e.db.R(ctx).QueryRowContext(ctx, "SELECT COUNT(*) FROM "+ident(t.Name)+" WHERE "+where, args...).Scan(&n)
	return n, err
}

// groupCount counts t's rows matching where per organization.
func (e *Engine) groupCount(ctx context.Context, t mapTable, where string, args []any) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.Each(ctx, e.db.R(ctx), func(s db.Scanner) error {
		var org string
		var n int64
		if err := s.Scan(&org, &n); err != nil {
			return err
		}
		out[org] = n
		return nil
	}, "SELECT org_id, COUNT(*) FROM "+ident(t.Name)+" WHERE "+where+" GROUP BY org_id", args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// columnValues returns the non-empty values of col in t's rows matching where.
func (e *Engine) columnValues(ctx context.Context, t mapTable, col, where string, args []any) ([]string, error) {
	var out []string
	err := db.Each(ctx, e.db.W(ctx), func(s db.Scanner) error {
		var v any
		if err := s.Scan(&v); err != nil {
			return err
		}
		switch x := v.(type) {
		case string:
			if x != "" {
				out = append(out, x)
			}
		case []byte:
			if len(x) > 0 {
				out = append(out, string(x))
			}
		case int64:
			out = append(out, strconv.FormatInt(x, 10))
		}
		return nil
	}, "SELECT "+ident(col)+" FROM "+ident(t.Name)+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (e *Engine) deleteRows(ctx context.Context, t mapTable, where string, args []any) (int64, error) {
	res, err := e.db.W(ctx).ExecContext(ctx, "DELETE FROM "+ident(t.Name)+" WHERE "+where, args...)
	if err != nil {
		return 0, fmt.Errorf("delete from %s: %w", t.Name, err)
	}
	return res.RowsAffected()
}

func (e *Engine) exec(ctx context.Context, q string, args []any) (int64, error) {
	res, err := e.db.W(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// blankFor returns the value that clears a column of the given shape.
func blankFor(c colInfo, kind db.Kind) string {
	if !c.NotNull {
		return "NULL"
	}
	switch {
	case strings.Contains(c.Type, "int"), strings.Contains(c.Type, "numeric"), strings.Contains(c.Type, "real"),
		strings.Contains(c.Type, "double"), strings.Contains(c.Type, "float"):
		return "0"
	case strings.Contains(c.Type, "bool"):
		return "FALSE"
	case strings.Contains(c.Type, "blob"), strings.Contains(c.Type, "bytea"):
		if kind == db.Postgres {
			return "''::bytea"
		}
		return "X''"
	}
	return "''"
}

// anonymizeRows replaces the person's ids in t's subject columns by
// tombstone and clears every other personal column except content (unless
// scrub), for the rows matching where.
func (e *Engine) anonymizeRows(ctx context.Context, t mapTable, sc scope, tombstone, where string, args []any, scrub bool) (int64, error) {
	var sets []string
	subj := map[string]bool{}
	for _, c := range t.subject {
		subj[c] = true
		sets = append(sets, fmt.Sprintf("%s = CASE WHEN %s IN (%s) THEN %s ELSE %s END",
			ident(c), ident(c), db.In(&args, sc.ids), db.Arg(&args, tombstone), ident(c)))
	}
	var rest []string
	for col, cat := range t.Columns {
		if subj[col] || (cat == datamap.Content && !scrub) {
			continue
		}
		ci, ok := t.col(col)
		if !ok {
			continue
		}
		if cat == datamap.Identifier {
			// Scrubbing also replaces ids the person chose or that point
			// at what was erased (client message ids, file ids), with
			// values unique per row so that unique constraints hold.
			if scrub && t.has["id"] && (strings.Contains(ci.Type, "text") || strings.Contains(ci.Type, "char")) {
				rest = append(rest, fmt.Sprintf("%s = CASE WHEN %s IS NULL OR %s = '' THEN %s ELSE 'erased:' || CAST(id AS TEXT) END",
					ident(col), ident(col), ident(col), ident(col)))
			}
			continue
		}
		rest = append(rest, ident(col)+" = "+blankFor(ci, e.db.Kind))
	}
	sort.Strings(rest)
	sets = append(sets, rest...)
	if len(sets) == 0 {
		return 0, nil
	}
	res, err := e.db.W(ctx).ExecContext(ctx, "UPDATE "+ident(t.Name)+" SET "+strings.Join(sets, ", ")+" WHERE "+where, args...)
	if err != nil {
		return 0, fmt.Errorf("anonymize %s: %w", t.Name, err)
	}
	return res.RowsAffected()
}

// purgeIndex removes the rows' entries from the table's derived index.
func (e *Engine) purgeIndex(ctx context.Context, t mapTable, where string, args []any) error {
	r := t.rule
	if r.Index == nil || !t.has[r.Index.RowIDColumn] {
		return nil
	}
	cols, _, err := e.schema(ctx)
	if err != nil {
		return err
	}
	if _, ok := cols[r.Index.Table]; !ok && !e.isVirtual(ctx, r.Index.Table) {
		return nil
	}
	_, err = e.exec(ctx, "DELETE FROM "+ident(r.Index.Table)+" WHERE rowid IN (SELECT "+ident(r.Index.RowIDColumn)+" FROM "+ident(t.Name)+" WHERE "+where+")", args)
	return err
}

// isVirtual reports whether an SQLite virtual table (a full-text index)
// exists under that name.
func (e *Engine) isVirtual(ctx context.Context, table string) bool {
	if e.db.Kind != db.SQLite {
		return false
	}
	var n int64
	err := e.db.R(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&n)
	return err == nil && n > 0
}
