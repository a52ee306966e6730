// Package sqlmap is the table-driven engine a domain uses to implement the
// privacy contract (datamap.Contract) for its own tables: from their
// data-map entries and the live schema it computes the statements that
// export, erase, count and sweep a person's rows. A domain gives it only
// its own tables, and Rules for what the data map cannot say (files,
// derived indexes, how a row finds its organization through the domain's
// own tables); nothing here names any table.
//
// Table and column names come from datamap registrations, rules written in
// the owning domain and the live schema (never from requests), and are
// checked to be plain identifiers before they reach a statement.
package sqlmap

import (
	"context"
	"fmt"
	"regexp"
	"sort"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

var identRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func ident(s string) string {
	if !identRe.MatchString(s) {
		panic(fmt.Sprintf("sqlmap: %q is not a plain SQL identifier", s))
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

// schema loads (once) the columns and foreign keys of the engine's tables.
func (e *Engine) schema(ctx context.Context) (map[string][]colInfo, map[string][]string, error) {
	e.mu.RLock()
	if e.cols != nil {
		defer e.mu.RUnlock()
		return e.cols, e.fks, nil
	}
	e.mu.RUnlock()
	cols, err := loadColumns(ctx, e.db)
	if err != nil {
		return nil, nil, err
	}
	fks, err := loadForeignKeys(ctx, e.db)
	if err != nil {
		return nil, nil, err
	}
	own := map[string]bool{}
	for _, t := range e.names {
		own[t] = true
	}
	for t := range cols {
		if !own[t] && !e.virtualOK(t) {
			delete(cols, t)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cols, e.fks = cols, fks
	return e.cols, e.fks, nil
}

// virtualOK keeps the schema of a rule's index table (it is the domain's
// own derived table).
func (e *Engine) virtualOK(t string) bool {
	for _, r := range e.rules {
		if r.Index != nil && r.Index.Table == t {
			return true
		}
	}
	return false
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
	out := map[string][]colInfo{}
	err := db.Each(ctx, d.R(ctx), func(s db.Scanner) error {
		var t string
		var c colInfo
		var nn int
		if err := s.Scan(&t, &c.Name, &c.Type, &nn, &c.Position); err != nil {
			return err
		}
		c.NotNull = nn != 0
		out[t] = append(out[t], c)
		return nil
	}, q)
	if err != nil {
		return nil, err
	}
	return out, nil
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
	out := map[string][]string{}
	err := db.Each(ctx, d.R(ctx), func(s db.Scanner) error {
		var t, ref string
		if err := s.Scan(&t, &ref); err != nil {
			return err
		}
		if t != ref {
			out[t] = append(out[t], ref)
		}
		return nil
	}, q)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mapTable is one of the engine's registered tables that exists in the
// schema.
type mapTable struct {
	datamap.Table
	cols    []colInfo
	has     map[string]bool
	subject []string // subject columns present in the schema
	// orgExpr is the SQL giving a row's organization ("org_id", the rule's
	// OrgExpr, or "" when rows belong to no organization).
	orgExpr string
	rule    Rule
}

func (t mapTable) col(name string) (colInfo, bool) {
	for _, c := range t.cols {
		if c.Name == name {
			return c, true
		}
	}
	return colInfo{}, false
}

// tables returns the engine's tables present in the schema, children
// (tables that reference others) before their parents so that deletes do
// not trip foreign keys.
func (e *Engine) tables(ctx context.Context) ([]mapTable, error) {
	cols, fks, err := e.schema(ctx)
	if err != nil {
		return nil, err
	}
	var out []mapTable
	for _, name := range e.names {
		t, ok := datamap.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("sqlmap: table %s is not registered in the data map", name)
		}
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
		mt.rule = e.rule(t.Name)
		switch {
		case mt.has["org_id"]:
			mt.orgExpr = "org_id"
		case mt.rule.OrgExpr != "":
			mt.orgExpr = mt.rule.OrgExpr
		}
		out = append(out, mt)
	}
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
