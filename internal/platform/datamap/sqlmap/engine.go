package sqlmap

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Keyring opens sealed values for the export (platform/keyring).
type Keyring interface {
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// Rule tells the engine what the data map cannot say about one of the
// domain's tables.
type Rule struct {
	Table string
	// NameColumn and TypeColumn describe the file named by the table's
	// first Files column, for the export.
	NameColumn string
	TypeColumn string
	// TimeColumn is what retention compares (default "created_at").
	TimeColumn string
	// ConversationColumn links rows to a conversation for per-conversation
	// retention overrides and holds (default "conversation_id" when present).
	ConversationColumn string
	// ClassBy computes the retention class of each row from another of
	// the domain's tables (messages: "messages." + conversations.kind).
	ClassBy *ClassJoin
	// Index names a derived full-text index keyed by one of the table's
	// columns: its entries are purged with the rows.
	Index *IndexRef
	// OrgColumn names the column holding the organization, for purging a
	// disbanded one (default "org_id"; "id" for the organizations table).
	OrgColumn string
	// OrgExpr is an SQL expression over the domain's own tables giving a
	// row's organization, for tables without an org_id column.
	OrgExpr string
	// Shared marks container rows other people's rows hang off (a
	// conversation): erasure replaces the person in them and never
	// deletes the row.
	Shared bool
	// DeletedAtColumn is set when ClearRow clears a row's content.
	DeletedAtColumn string
	// SealedAAD gives, per sealed column, the associated-data prefix the
	// domain seals with (the row id follows), when it is not the
	// "table.column:" convention.
	SealedAAD map[string]string
	// Open decrypts the sealed columns of an exported row in place.
	Open func(ctx context.Context, row datamap.Row) error
	// ErasedBy, when set, says which mechanism erases the rows instead of
	// the engine (data keys: only the keyring's Destroy, which honours
	// legal holds); the engine leaves them alone when erasing.
	ErasedBy string
	// Children are the domain's tables whose rows go with a row of this
	// one (a foreign key ON DELETE CASCADE): a retention sweep keeps a row
	// when one of its children names a person under a legal hold, since
	// deleting it would delete theirs (an approver's decision on a request,
	// a reader's confirmation of an announcement).
	Children []Child
}

// Child is a table whose rows hang off another's by Column (its id).
type Child struct {
	Table, Column string
}

// ClassJoin computes a row's retention class as Prefix + Table.KindColumn
// of the row joined on Column = Table.Key (Kinds lists the values).
// OrgColumn, when set, scopes the joined table to the organization.
type ClassJoin struct {
	Column     string
	Table      string
	Key        string
	KindColumn string
	Prefix     string
	OrgColumn  string
	Kinds      []string
}

// IndexRef names a derived index table whose rowid is RowIDColumn of the
// indexed table.
type IndexRef struct {
	Table       string
	RowIDColumn string
}

// Config builds an Engine over a domain's own tables.
type Config struct {
	DB *db.DB
	// Keys opens sealed values for the export (nil: they stay marked).
	Keys Keyring
	// Files is the domain's file store, for the tables' Files columns.
	Files blob.Store
	// Tables names the domain's tables, registered in the data map.
	Tables []string
	Rules  []Rule
	Log    *slog.Logger
}

// Engine implements datamap.Contract for a domain's tables from their
// data-map entries.
type Engine struct {
	db    *db.DB
	keys  Keyring
	files blob.Store
	names []string
	rules map[string]Rule
	log   *slog.Logger

	mu   sync.RWMutex
	cols map[string][]colInfo
	fks  map[string][]string
}

var _ datamap.Contract = (*Engine)(nil)

// New returns the engine for c.
func New(c Config) *Engine {
	e := &Engine{db: c.DB, keys: c.Keys, files: c.Files, names: append([]string(nil), c.Tables...), rules: map[string]Rule{}, log: c.Log}
	for _, r := range c.Rules {
		e.rules[r.Table] = r
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	sort.Strings(e.names)
	return e
}

func (e *Engine) rule(table string) Rule {
	r, ok := e.rules[table]
	if !ok {
		r.Table = table
	}
	return r
}

// Tables names the engine's tables.
func (e *Engine) Tables() []string { return append([]string(nil), e.names...) }

// Coverage says that the engine exports every personal column of a table
// whose rows name their subject, erases them as the map says, and exports
// and erases the files of its Files columns when it has a file store.
func (e *Engine) Coverage() []datamap.Coverage {
	var out []datamap.Coverage
	for _, n := range e.names {
		t, ok := datamap.Lookup(n)
		if !ok {
			continue
		}
		cv := datamap.Coverage{Table: n}
		if len(t.Subject) > 0 {
			for c := range t.Columns {
				cv.Exported = append(cv.Exported, c)
				cv.Erased = append(cv.Erased, c)
			}
			if e.files != nil {
				cv.Files = append(cv.Files, t.Files...)
			}
		}
		sort.Strings(cv.Exported)
		sort.Strings(cv.Erased)
		out = append(out, cv)
	}
	return out
}

// ---- export ----------------------------------------------------------------

// Export adds the rows of every table that name the person, one section
// per table and organization, and the files they name.
func (e *Engine) Export(ctx context.Context, r datamap.ExportRequest, w datamap.ExportWriter) error {
	tabs, err := e.tables(ctx)
	if err != nil {
		return err
	}
	ids := r.Subject.IDs()
	for _, t := range tabs {
		if len(t.subject) == 0 || t.Derived {
			continue
		}
		var args []any
		where := t.where(scope{ids: ids}, &args)
		rows, err := e.selectRows(ctx, t, where, args)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			continue
		}
		byOrg := map[string][]datamap.Row{}
		for _, row := range rows {
			org, _ := row["org_id"].(string)
			if o, ok := row[orgKey].(string); ok {
				org = o
				delete(row, orgKey)
			}
			e.openRow(ctx, t, r.Subject.AccountID, org, row)
			byOrg[org] = append(byOrg[org], row)
			if len(t.Files) > 0 && e.files != nil {
				if key, _ := row[t.Files[0]].(string); key != "" {
					name, _ := row[t.rule.NameColumn].(string)
					ct, _ := row[t.rule.TypeColumn].(string)
					w.AddFile(datamap.File{Table: t.Name, RowID: fmt.Sprint(row["id"]), OrgID: org, Name: name, ContentType: ct,
						Open: func(ctx context.Context) (io.ReadCloser, error) {
							obj, _, err := e.files.Open(ctx, key)
							return obj, err
						}})
				}
			}
		}
		orgs := make([]string, 0, len(byOrg))
		for o := range byOrg {
			orgs = append(orgs, o)
		}
		sort.Strings(orgs)
		for _, o := range orgs {
			w.AddSection(datamap.Section{Table: t.Name, Controller: string(t.Controller), OrgID: o, Purpose: t.Purpose,
				Categories: Categories(t.Table), Retention: t.Retention, Rows: byOrg[o]})
		}
	}
	return nil
}

// Categories lists the data categories of a table's personal columns.
func Categories(t datamap.Table) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, c := range t.Columns {
		if !seen[string(c)] {
			seen[string(c)] = true
			out = append(out, string(c))
		}
	}
	sort.Strings(out)
	return out
}

// openRow decrypts sealed values (the table's rule first, then the
// keyring's "table.column:id" convention with the person's or the row's
// org key) and withholds credentials. Values that stay sealed are replaced
// by a marker: an export never carries ciphertext.
func (e *Engine) openRow(ctx context.Context, t mapTable, accountID, org string, row datamap.Row) {
	if t.rule.Open != nil {
		if err := t.rule.Open(ctx, row); err != nil {
			e.log.WarnContext(ctx, "sqlmap: open row for export", "table", t.Name, "err", err)
		}
	}
	for col, v := range row {
		if t.Columns[col] == datamap.Credentials {
			if v != nil && v != "" {
				row[col] = "[withheld: credential]"
			}
			continue
		}
		b, ok := v.([]byte)
		if !ok {
			continue
		}
		row[col] = e.openValue(ctx, t, col, accountID, org, row, b)
	}
}

// openValue opens one sealed value. The data map's Seal entry for the
// column says where its associated data and owner are (a message's
// content_key, an event's sealed_aad); otherwise the rule's prefix and the
// keyring's "table.column:id" convention are tried with the person's and
// the organization's keys.
func (e *Engine) openValue(ctx context.Context, t mapTable, col, accountID, org string, row datamap.Row, b []byte) any {
	if len(b) == 0 {
		return ""
	}
	if e.keys != nil {
		table := t.Name
		id := fmt.Sprint(row["id"])
		owners := []string{accountID}
		if org != "" {
			owners = append(owners, org)
		}
		base := strings.TrimSuffix(col, "_sealed")
		aads := []string{table + "." + base + ":" + id, table + "." + col + ":" + id}
		if prefix := t.rule.SealedAAD[col]; prefix != "" {
			aads = append([]string{prefix + id}, aads...)
		}
		if sl, ok := t.Sealed[col]; ok {
			if sl.AADColumn != "" {
				if v := rowString(row[sl.AADColumn]); v != "" {
					aads = append([]string{v}, aads...)
				}
			} else if sl.AAD != "" {
				sid := id
				if sl.IDColumn != "" {
					sid = fmt.Sprint(row[sl.IDColumn])
				}
				aads = append([]string{sl.AAD + sid}, aads...)
			}
			if sl.OwnerColumn != "" {
				if v := rowString(row[sl.OwnerColumn]); v != "" {
					owners = append([]string{v}, owners...)
				}
			}
		}
		for _, owner := range owners {
			for _, aad := range aads {
				if pt, err := e.keys.Open(ctx, owner, aad, b); err == nil {
					return string(pt)
				}
			}
		}
	}
	return map[string]any{"sealed": true}
}

// ---- erasure -----------------------------------------------------------------

// Erase applies the data map to the person's rows in the request's scope,
// in ctx's transaction. File bodies are deleted by Erased.After.
func (e *Engine) Erase(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	res := datamap.Erased{Deleted: map[string]int64{}, Anonymized: map[string]int64{}}
	org := func(t mapTable) bool { return t.Controller == datamap.Organization }
	switch r.Scope {
	case datamap.ScopeAccount:
		ids := r.Subject.IDs()
		// Personal data: every table but the organizations' (whose rows
		// follow each org's leave policy), plus org-table rows that belong
		// to no organization (direct chats, personal files).
		// Rows of organizations holding the person stay until the hold
		// is released.
		if err := e.pass(ctx, &res, scope{ids: ids, exceptOrgs: r.HeldOrgs}, func(t mapTable) bool { return !org(t) }, datamap.ModeScrub, r.Tombstone); err != nil {
			return res, err
		}
		if err := e.pass(ctx, &res, scope{ids: ids, noOrg: true}, func(t mapTable) bool { return org(t) && t.orgExpr != "" },
			datamap.ModeScrub, r.Tombstone); err != nil {
			return res, err
		}
	case datamap.ScopeMembership:
		ids := []string{r.Subject.AccountID}
		if r.MemberID != "" {
			ids = append(ids, r.MemberID)
		}
		// Rows of the org's tables that name the person: by organization
		// where the table knows it, else by the member id (unique to the org).
		if err := e.pass(ctx, &res, scope{ids: ids, org: r.OrgID}, func(t mapTable) bool { return org(t) && t.orgExpr != "" },
			r.Mode, r.Tombstone); err != nil {
			return res, err
		}
		if r.MemberID != "" {
			if err := e.pass(ctx, &res, scope{ids: []string{r.MemberID}}, func(t mapTable) bool { return org(t) && t.orgExpr == "" },
				r.Mode, r.Tombstone); err != nil {
				return res, err
			}
		}
	case datamap.ScopeOrganization:
		if err := e.eraseOrg(ctx, &res, r.OrgID); err != nil {
			return res, err
		}
	default:
		return res, fmt.Errorf("sqlmap: unknown erasure scope %q", r.Scope)
	}
	return res, nil
}

// pass erases the person's rows in sc of the tables filter accepts: Delete
// tables are deleted, Anonymize tables anonymized (or deleted when mode is
// delete), Keep tables kept.
func (e *Engine) pass(ctx context.Context, res *datamap.Erased, sc scope, filter func(mapTable) bool, mode datamap.Mode, tombstone string) error {
	tabs, err := e.tables(ctx)
	if err != nil {
		return err
	}
	var blobs []string
	for _, t := range tabs {
		if t.rule.ErasedBy != "" || t.Derived || t.Erasure == datamap.Keep || !filter(t) {
			continue
		}
		var args []any
		where := t.where(sc, &args)
		if where == "" {
			continue
		}
		for _, fc := range t.Files {
			if !t.has[fc] {
				continue
			}
			keys, err := e.columnValues(ctx, t, fc, where, args)
			if err != nil {
				return err
			}
			blobs = append(blobs, keys...)
		}
		action := erasureAction(t, mode)
		if action != datamap.ModeAnonymize {
			if err := e.purgeIndex(ctx, t, where, args); err != nil {
				return err
			}
		}
		if action == datamap.ModeDelete {
			n, err := e.deleteRows(ctx, t, where, args)
			if err != nil {
				return err
			}
			if n > 0 {
				res.Deleted[t.Name] += n
			}
			continue
		}
		n, err := e.anonymizeRows(ctx, t, sc, tombstone, where, args, action == datamap.ModeScrub)
		if err != nil {
			return err
		}
		if n > 0 {
			res.Anonymized[t.Name] += n
		}
	}
	e.deleteFilesAfter(res, blobs)
	return nil
}

func (e *Engine) deleteFilesAfter(res *datamap.Erased, keys []string) {
	if len(keys) == 0 || e.files == nil {
		return
	}
	res.After = append(res.After, func(ctx context.Context) error {
		for _, k := range keys {
			if err := e.files.Delete(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// erasureAction is what erasing in mode does to a table's rows.
func erasureAction(t mapTable, mode datamap.Mode) datamap.Mode {
	switch {
	case t.Erasure == datamap.Delete:
		return datamap.ModeDelete
	case t.rule.Shared && mode == datamap.ModeDelete:
		return datamap.ModeAnonymize
	}
	return mode
}

// eraseOrg deletes every company row of a disbanded organization.
func (e *Engine) eraseOrg(ctx context.Context, res *datamap.Erased, orgID string) error {
	tabs, err := e.tables(ctx)
	if err != nil {
		return err
	}
	var blobs []string
	for _, t := range tabs {
		col := t.rule.OrgColumn
		if col == "" {
			col = "org_id"
		}
		if t.Derived || !t.has[col] || t.Controller != datamap.Organization || t.rule.ErasedBy != "" {
			continue
		}
		args := []any{orgID}
		where := ident(col) + " = $1"
		for _, fc := range t.Files {
			if t.has[fc] {
				keys, err := e.columnValues(ctx, t, fc, where, args)
				if err != nil {
					return err
				}
				blobs = append(blobs, keys...)
			}
		}
		if err := e.purgeIndex(ctx, t, where, args); err != nil {
			return err
		}
		n, err := e.deleteRows(ctx, t, where, args)
		if err != nil {
			return err
		}
		if n > 0 {
			res.Deleted[t.Name] += n
		}
	}
	e.deleteFilesAfter(res, blobs)
	return nil
}

// ClearRow clears the content columns of one row (by id) of table, purges
// its index entries and marks it deleted at at (unix ms) when the rule
// names a DeletedAtColumn: a single item erased for everyone, applied
// again after a restore.
func (e *Engine) ClearRow(ctx context.Context, table, id string, at int64) error {
	tabs, err := e.tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tabs {
		if t.Name != table || !t.has["id"] {
			continue
		}
		args := []any{id}
		where := "id = $1"
		var sets []string
		for col, cat := range t.Columns {
			if cat != datamap.Content {
				continue
			}
			if ci, ok := t.col(col); ok {
				sets = append(sets, ident(col)+" = "+blankFor(ci, e.db.Kind))
			}
		}
		if dc := t.rule.DeletedAtColumn; dc != "" && t.has[dc] {
			sets = append(sets, ident(dc)+" = CASE WHEN "+ident(dc)+" = 0 THEN "+db.Arg(&args, at)+" ELSE "+ident(dc)+" END")
		}
		sort.Strings(sets)
		if err := e.purgeIndex(ctx, t, where, args[:1]); err != nil {
			return err
		}
		if len(sets) == 0 {
			return nil
		}
		_, err := e.exec(ctx, "UPDATE "+ident(t.Name)+" SET "+strings.Join(sets, ", ")+" WHERE "+where, args)
		return err
	}
	return nil
}

// ---- count ---------------------------------------------------------------------

// Count counts the person's rows per table and organization.
func (e *Engine) Count(ctx context.Context, s datamap.Subject) ([]datamap.Held, error) {
	tabs, err := e.tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []datamap.Held
	for _, t := range tabs {
		if len(t.subject) == 0 || t.Derived {
			continue
		}
		var args []any
		where := t.where(scope{ids: s.IDs()}, &args)
		if t.has["org_id"] {
			counts, err := e.groupCount(ctx, t, where, args)
			if err != nil {
				return nil, err
			}
			for org, n := range counts {
				out = append(out, datamap.Held{Table: t.Name, OrgID: org, Count: n})
			}
			continue
		}
		n, err := e.count(ctx, t, where, args)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, datamap.Held{Table: t.Name, Count: n})
		}
	}
	return out, nil
}

// ---- retention -------------------------------------------------------------------

type target struct {
	t    mapTable
	time string
	conv string
}

func (e *Engine) targets(ctx context.Context) ([]target, error) {
	tabs, err := e.tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []target
	for _, t := range tabs {
		tc := t.rule.TimeColumn
		if tc == "" {
			tc = "created_at"
		}
		if !t.has[tc] || !t.has["id"] || t.Derived || (t.rule.ClassBy == nil && t.Retention == "") {
			continue
		}
		conv := t.rule.ConversationColumn
		if conv == "" && t.has["conversation_id"] {
			conv = "conversation_id"
		}
		out = append(out, target{t: t, time: tc, conv: conv})
	}
	return out, nil
}

// Targets lists the tables with a time column and a retention class (the
// data map's, or the rule's ClassBy kinds).
func (e *Engine) Targets(ctx context.Context) ([]datamap.Target, error) {
	tgs, err := e.targets(ctx)
	if err != nil {
		return nil, err
	}
	var out []datamap.Target
	for _, tg := range tgs {
		x := datamap.Target{Table: tg.t.Name, PerConversation: tg.conv != ""}
		if cb := tg.t.rule.ClassBy; cb != nil {
			for _, k := range cb.Kinds {
				x.Classes = append(x.Classes, cb.Prefix+k)
			}
		} else {
			x.Classes = []string{tg.t.Retention}
		}
		out = append(out, x)
	}
	return out, nil
}

// sweepWhere builds the condition of a sweep.
func (e *Engine) sweepWhere(ctx context.Context, r datamap.SweepRequest, args *[]any) (target, string, error) {
	tgs, err := e.targets(ctx)
	if err != nil {
		return target{}, "", err
	}
	var tg *target
	for i := range tgs {
		if tgs[i].t.Name == r.Table {
			tg = &tgs[i]
		}
	}
	if tg == nil {
		return target{}, "", fmt.Errorf("sqlmap: table %s is not a retention target", r.Table)
	}
	t := tg.t
	conds := []string{ident(tg.time) + " < " + db.Arg(args, r.Cutoff)}
	cb := t.rule.ClassBy
	switch {
	case t.has["org_id"]:
		conds = append(conds, "org_id = "+db.Arg(args, r.OrgID))
	case cb != nil && cb.OrgColumn != "":
		conds = append(conds, ident(cb.Column)+" IN (SELECT "+ident(cb.Key)+" FROM "+ident(cb.Table)+" WHERE "+ident(cb.OrgColumn)+" = "+db.Arg(args, r.OrgID)+")")
	case r.OrgID != "":
		// A table with no organization belongs to the deployment's policy.
		conds = append(conds, "1 = 0")
	}
	if cb != nil && r.Only == "" {
		kind := strings.TrimPrefix(r.Class, cb.Prefix)
		conds = append(conds, ident(cb.Column)+" IN (SELECT "+ident(cb.Key)+" FROM "+ident(cb.Table)+" WHERE "+ident(cb.KindColumn)+" = "+db.Arg(args, kind)+")")
	}
	if r.Only != "" {
		if tg.conv == "" {
			conds = append(conds, "1 = 0")
		} else {
			conds = append(conds, ident(tg.conv)+" = "+db.Arg(args, r.Only))
		}
	}
	if len(r.Except) > 0 && tg.conv != "" {
		conds = append(conds, ident(tg.conv)+" NOT IN ("+db.In(args, r.Except)+")")
	}
	if len(r.Held) > 0 {
		for _, c := range t.subject {
			conds = append(conds, ident(c)+" NOT IN ("+db.In(args, r.Held)+")")
		}
		ts, err := e.tables(ctx)
		if err != nil {
			return target{}, "", err
		}
		for _, ch := range t.rule.Children {
			var subj []string
			for _, x := range ts {
				if x.Name == ch.Table {
					subj = x.subject
				}
			}
			if len(subj) == 0 {
				continue
			}
			in := db.In(args, r.Held)
			var ors []string
			for _, c := range subj {
				ors = append(ors, "c."+ident(c)+" IN ("+in+")")
			}
			conds = append(conds, "NOT EXISTS (SELECT 1 FROM "+ident(ch.Table)+" c WHERE c."+ident(ch.Column)+" = "+ident(t.Name)+".id AND ("+
				strings.Join(ors, " OR ")+"))")
		}
	}
	return *tg, strings.Join(conds, " AND "), nil
}

// Sweep counts (DryRun) or deletes, at most Limit at a time, the rows of a
// retention class older than the cutoff, with their files and index
// entries, in ctx's transaction.
func (e *Engine) Sweep(ctx context.Context, r datamap.SweepRequest) (int64, error) {
	var args []any
	tg, where, err := e.sweepWhere(ctx, r, &args)
	if err != nil {
		return 0, err
	}
	t := tg.t
	if r.DryRun {
		return e.count(ctx, t, where, args)
	}
	if r.Limit > 0 {
		where = "id IN (SELECT id FROM " + ident(t.Name) + " WHERE " + where + " ORDER BY id LIMIT " + strconv.Itoa(r.Limit) + ")"
	}
	for _, fc := range t.Files {
		if !t.has[fc] || e.files == nil {
			continue
		}
		keys, err := e.columnValues(ctx, t, fc, where, args)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			if err := e.files.Delete(ctx, k); err != nil {
				return 0, err
			}
		}
	}
	if err := e.purgeIndex(ctx, t, where, args); err != nil {
		return 0, err
	}
	return e.deleteRows(ctx, t, where, args)
}

// rowString is a row's value as text ("" for NULL).
func rowString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}
