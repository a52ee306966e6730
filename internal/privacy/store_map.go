package privacy

// SQL computed from the data map: the generic export, erasure, count and
// retention statements over any registered table. Table and column names
// come from datamap registrations and the live schema (never from requests)
// and are checked to be plain identifiers before they reach a statement.

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

var identRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func ident(s string) string {
	if !identRe.MatchString(s) {
		panic(fmt.Sprintf("privacy: %q is not a plain SQL identifier", s))
	}
	return s
}

// colInfo describes one column of the live schema.
type colInfo struct {
	Name     string
	Type     string // lower-case declared type
	NotNull  bool
	Position int
}

// schema loads (once) the columns and foreign keys of every table.
func (s *Service) schema(ctx context.Context) (map[string][]colInfo, map[string][]string, error) {
	s.mu.RLock()
	if s.cols != nil {
		defer s.mu.RUnlock()
		return s.colInfo, s.fks, nil
	}
	s.mu.RUnlock()
	cols, err := loadColumns(ctx, s.DB)
	if err != nil {
		return nil, nil, err
	}
	fks, err := loadForeignKeys(ctx, s.DB)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.colInfo = cols
	s.cols = map[string][]string{}
	for t, cs := range cols {
		for _, c := range cs {
			s.cols[t] = append(s.cols[t], c.Name)
		}
	}
	s.fks = fks
	return s.colInfo, s.fks, nil
}

func loadColumns(ctx context.Context, d *db.DB) (map[string][]colInfo, error) {
	var q string
	if d.Kind == db.SQLite {
		q = `SELECT m.name, p.name, lower(p.type), p."notnull", p.cid FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
		     ORDER BY m.name, p.cid`
	} else {
		q = `SELECT table_name, column_name, lower(data_type), CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END, ordinal_position
		     FROM information_schema.columns
		     WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
		     ORDER BY table_name, ordinal_position`
	}
	rows, err := d.R(ctx).QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]colInfo{}
	for rows.Next() {
		var t string
		var c colInfo
		var nn int
		if err := rows.Scan(&t, &c.Name, &c.Type, &nn, &c.Position); err != nil {
			return nil, err
		}
		c.NotNull = nn != 0
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

// loadForeignKeys returns, per table, the tables it references.
func loadForeignKeys(ctx context.Context, d *db.DB) (map[string][]string, error) {
	var q string
	if d.Kind == db.SQLite {
		q = `SELECT m.name, p."table" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	} else {
		q = `SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc
		     JOIN information_schema.constraint_column_usage ccu
		       ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
		     WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`
	}
	rows, err := d.R(ctx).QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, ref string
		if err := rows.Scan(&t, &ref); err != nil {
			return nil, err
		}
		if t != ref {
			out[t] = append(out[t], ref)
		}
	}
	return out, rows.Err()
}

// mapTable is a registered table that exists in the schema.
type mapTable struct {
	datamap.Table
	cols    []colInfo
	has     map[string]bool
	subject []string // subject columns present in the schema
	// orgExpr is the SQL giving a row's organization ("org_id", a rule's
	// OrgExpr, or "" when rows belong to no organization).
	orgExpr string
	rule    TableRule
}

func (t mapTable) col(name string) (colInfo, bool) {
	for _, c := range t.cols {
		if c.Name == name {
			return c, true
		}
	}
	return colInfo{}, false
}

// tables returns every registered table present in the schema, children
// (tables that reference others) before their parents so that deletes do
// not trip foreign keys.
func (s *Service) tables(ctx context.Context) ([]mapTable, error) {
	cols, fks, err := s.schema(ctx)
	if err != nil {
		return nil, err
	}
	var out []mapTable
	for _, t := range datamap.All() {
		cs, ok := cols[t.Name]
		if !ok || !identRe.MatchString(t.Name) {
			continue
		}
		mt := mapTable{Table: t, cols: cs, has: map[string]bool{}}
		for _, c := range cs {
			mt.has[c.Name] = true
		}
		for _, sc := range t.Subject {
			if mt.has[sc] {
				mt.subject = append(mt.subject, sc)
			}
		}
		mt.rule = s.rule(t.Name)
		switch {
		case mt.has["org_id"]:
			mt.orgExpr = "org_id"
		case mt.rule.OrgExpr != "":
			mt.orgExpr = mt.rule.OrgExpr
		}
		out = append(out, mt)
	}
	// Depth in the reference graph: a table referencing another comes
	// first.
	depth := map[string]int{}
	var visit func(t string, seen map[string]bool) int
	visit = func(t string, seen map[string]bool) int {
		if d, ok := depth[t]; ok {
			return d
		}
		if seen[t] {
			return 0
		}
		seen[t] = true
		d := 0
		for _, parent := range fks[t] {
			if pd := visit(parent, seen) + 1; pd > d {
				d = pd
			}
		}
		depth[t] = d
		return d
	}
	for _, t := range out {
		visit(t.Name, map[string]bool{})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if depth[out[i].Name] != depth[out[j].Name] {
			return depth[out[i].Name] > depth[out[j].Name]
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// args builds "$n, $n+1, …" placeholders for vals appended to args.
func placeholders(args *[]any, vals []string) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		*args = append(*args, v)
		ph[i] = "$" + strconv.Itoa(len(*args))
	}
	return strings.Join(ph, ", ")
}

func arg(args *[]any, v any) string {
	*args = append(*args, v)
	return "$" + strconv.Itoa(len(*args))
}

// scope selects the rows of a table that concern a person.
type scope struct {
	ids []string // subject ids (account id and member ids)
	// org restricts to one organization's rows: org_id = org when the
	// table has an org_id column. noOrg selects rows with org_id = ''.
	org   string
	noOrg bool
}

// where returns the condition selecting t's rows in sc, or "" when t has
// no way to tell (no subject column, or no org scoping possible).
func (t mapTable) where(sc scope, args *[]any) string {
	if len(t.subject) == 0 || len(sc.ids) == 0 {
		return ""
	}
	var ors []string
	for _, c := range t.subject {
		ors = append(ors, ident(c)+" IN ("+placeholders(args, sc.ids)+")")
	}
	cond := "(" + strings.Join(ors, " OR ") + ")"
	switch {
	case sc.org != "" && t.orgExpr != "":
		cond += " AND " + t.orgExpr + " = " + arg(args, sc.org)
	case sc.noOrg && t.orgExpr != "":
		cond += " AND COALESCE(" + t.orgExpr + ", '') = ''"
	}
	return cond
}

// selectRows returns the rows of t matching where, as column → value.
func (s *Service) selectRows(ctx context.Context, t mapTable, where string, args []any, limit int) ([]Row, error) {
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
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := s.DB.R(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", t.Name, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		n := len(names)
		if withOrg {
			n++
		}
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := Row{}
		for i, n := range names {
			r[n] = normalize(vals[i])
		}
		if withOrg {
			r[orgKey] = fmt.Sprint(normalize(vals[len(names)]))
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// orgKey carries a row's computed organization through an export; it is
// removed before the row is written.
const orgKey = "\x00org"

// normalize turns driver values into JSON-friendly ones; bytes that are
// not text stay []byte (sealed values), opened later or marked.
func normalize(v any) any {
	switch x := v.(type) {
	case []byte:
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

// countRows counts t's rows matching where.
func (s *Service) countRows(ctx context.Context, t mapTable, where string, args []any) (int64, error) {
	var n int64
	err := s.DB.R(ctx).QueryRowContext(ctx, "SELECT COUNT(*) FROM "+ident(t.Name)+" WHERE "+where, args...).Scan(&n)
	return n, err
}

// blobKeys returns the values of col in t's rows matching where.
func (s *Service) columnValues(ctx context.Context, t mapTable, col, where string, args []any) ([]string, error) {
	rows, err := s.DB.W(ctx).QueryContext(ctx, "SELECT "+ident(col)+" FROM "+ident(t.Name)+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
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
	}
	return out, rows.Err()
}

// deleteRows deletes t's rows matching where and returns how many.
func (s *Service) deleteRows(ctx context.Context, t mapTable, where string, args []any) (int64, error) {
	res, err := s.DB.W(ctx).ExecContext(ctx, "DELETE FROM "+ident(t.Name)+" WHERE "+where, args...)
	if err != nil {
		return 0, fmt.Errorf("delete from %s: %w", t.Name, err)
	}
	return res.RowsAffected()
}

// blankFor returns the value that clears a column of the given shape.
func blankFor(c colInfo) string {
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
		return "X''"
	}
	return "''"
}

// anonymizeRows replaces the person's ids in t's subject columns by
// tombstone and clears every other personal column except content, for
// the rows matching where. It returns how many rows changed.
func (s *Service) anonymizeRows(ctx context.Context, t mapTable, sc scope, tombstone, where string, args []any, scrub bool) (int64, error) {
	var sets []string
	subj := map[string]bool{}
	for _, c := range t.subject {
		subj[c] = true
		sets = append(sets, fmt.Sprintf("%s = CASE WHEN %s IN (%s) THEN %s ELSE %s END",
			ident(c), ident(c), placeholders(&args, sc.ids), arg(&args, tombstone), ident(c)))
	}
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
				sets = append(sets, fmt.Sprintf("%s = CASE WHEN %s IS NULL OR %s = '' THEN %s ELSE 'erased:' || CAST(id AS TEXT) END",
					ident(col), ident(col), ident(col), ident(col)))
			}
			continue
		}
		blank := blankFor(ci)
		if blank == "X''" && s.DB.Kind == db.Postgres {
			blank = "''::bytea"
		}
		sets = append(sets, ident(col)+" = "+blank)
	}
	sort.Strings(sets[len(t.subject):])
	if len(sets) == 0 {
		return 0, nil
	}
	res, err := s.DB.W(ctx).ExecContext(ctx, "UPDATE "+ident(t.Name)+" SET "+strings.Join(sets, ", ")+" WHERE "+where, args...)
	if err != nil {
		return 0, fmt.Errorf("anonymize %s: %w", t.Name, err)
	}
	return res.RowsAffected()
}

// execRaw runs a statement built here (retention, index purge).
func (s *Service) execRaw(ctx context.Context, q string, args []any) (int64, error) {
	res, err := s.DB.W(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// queryStrings returns the first column of a query built here.
func (s *Service) queryStrings(ctx context.Context, q string, args []any) ([]string, error) {
	rows, err := s.DB.W(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []byte:
			out = append(out, string(x))
		case int64:
			out = append(out, strconv.FormatInt(x, 10))
		}
	}
	return out, rows.Err()
}

// queryInt returns a single number from a query built here.
func (s *Service) queryInt(ctx context.Context, q string, args []any) (int64, error) {
	var n int64
	err := s.DB.R(ctx).QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

// ---- memberships (declared by MemberTable) ---------------------------------------

func memberships(ctx context.Context, d *db.DB, m *MemberTable, accountID string) ([]Membership, error) {
	q := "SELECT " + ident(m.OrgColumn) + ", " + ident(m.IDColumn) + ", " + ident(m.StatusColumn) + ", " + ident(m.RoleColumn) +
		" FROM " + ident(m.Table) + " WHERE " + ident(m.AccountColumn) + " = $1 ORDER BY " + ident(m.OrgColumn)
	rows, err := d.R(ctx).QueryContext(ctx, q, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var x Membership
		var role string
		if err := rows.Scan(&x.OrgID, &x.MemberID, &x.Status, &role); err != nil {
			return nil, err
		}
		x.Owner = role == m.OwnerRole
		if x.Status == m.ActiveStatus {
			x.Status = "active"
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

func memberAccounts(ctx context.Context, d *db.DB, m *MemberTable, orgID string) ([]string, error) {
	q := "SELECT " + ident(m.AccountColumn) + " FROM " + ident(m.Table) + " WHERE " + ident(m.OrgColumn) + " = $1 AND " +
		ident(m.StatusColumn) + " = $2 ORDER BY 1"
	rows, err := d.R(ctx).QueryContext(ctx, q, orgID, m.ActiveStatus)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func liveOrgs(ctx context.Context, d *db.DB, m *MemberTable) ([]string, error) {
	q := "SELECT " + ident(m.OrgIDColumn) + " FROM " + ident(m.OrgTable)
	if m.OrgDisbandedColumn != "" {
		q += " WHERE " + ident(m.OrgDisbandedColumn) + " IS NULL"
	}
	rows, err := d.R(ctx).QueryContext(ctx, q+" ORDER BY 1")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

type disbanded struct {
	id string
	at int64
}

func disbandedOrgs(ctx context.Context, d *db.DB, m *MemberTable) ([]disbanded, error) {
	q := "SELECT " + ident(m.OrgIDColumn) + ", " + ident(m.OrgDisbandedColumn) + " FROM " + ident(m.OrgTable) +
		" WHERE " + ident(m.OrgDisbandedColumn) + " IS NOT NULL ORDER BY 2"
	rows, err := d.R(ctx).QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []disbanded
	for rows.Next() {
		var x disbanded
		if err := rows.Scan(&x.id, &x.at); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
