package db_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

type bulkRow struct {
	id   string
	n    int64
	blob []byte
	flag bool
}

// TestRowsInsertAndWith writes rows of every column type in chunks (SQLite)
// or one unnest (PostgreSQL) and reads them back in order, NULL bytes
// included, then updates from them through a CTE.
func TestRowsInsertAndWith(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := d.W(ctx)
		if _, err := q.ExecContext(ctx, `CREATE TABLE bulk_t (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
			n BIGINT NOT NULL, blob BYTEA, flag BOOLEAN NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if d.Kind == db.Postgres {
			if _, err := q.ExecContext(ctx, `CREATE SEQUENCE bulk_seq; ALTER TABLE bulk_t ALTER COLUMN seq SET DEFAULT nextval('bulk_seq')`); err != nil {
				t.Fatal(err)
			}
		}
		rows := make([]bulkRow, 25)
		for i := range rows {
			rows[i] = bulkRow{id: fmt.Sprintf("r%02d", i), n: int64(i) * 1000, flag: i%2 == 0}
			if i%3 != 0 {
				rows[i].blob = []byte{byte(i), 0, 0xff}
			}
		}
		r := db.Rows{Cols: db.Cols("id text", "n bigint", "blob bytea", "flag boolean"), PerStmt: 7}
		fill := func(i int, v []any) {
			var blob any
			if rows[i].blob != nil {
				blob = rows[i].blob
			}
			v[0], v[1], v[2], v[3] = rows[i].id, rows[i].n, blob, rows[i].flag
		}
		stmts, err := r.Insert(d.Kind, "bulk_t", "ON CONFLICT (id) DO NOTHING RETURNING id", "", len(rows), fill)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[db.Kind]int{db.SQLite: 4, db.Postgres: 1}[d.Kind]; len(stmts) != want {
			t.Fatalf("%d statements, want %d", len(stmts), want)
		}
		var returned []string
		for _, st := range stmts {
			ids, err := db.QueryAll(ctx, q, db.Value[string], st.Query, st.Args...)
			if err != nil {
				t.Fatalf("%s: %v", st.Query, err)
			}
			returned = append(returned, ids...)
		}
		if len(returned) != len(rows) {
			t.Fatalf("returned %d ids, want %d", len(returned), len(rows))
		}
		got, err := db.QueryAll(ctx, q, func(s db.Scanner) (bulkRow, error) {
			var b bulkRow
			err := s.Scan(&b.id, &b.n, &b.blob, &b.flag)
			return b, err
		}, `SELECT id, n, blob, flag FROM bulk_t ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			w := rows[i]
			if g.id != w.id || g.n != w.n || !bytes.Equal(g.blob, w.blob) || (g.blob == nil) != (w.blob == nil) || g.flag != w.flag {
				t.Fatalf("row %d = %+v, want %+v (insertion order kept, NULL kept)", i, g, w)
			}
		}

		// The tail applies: inserting the same ids again inserts nothing.
		stmts, _ = r.Insert(d.Kind, "bulk_t", "ON CONFLICT (id) DO NOTHING RETURNING id", "", len(rows), fill)
		for _, st := range stmts {
			ids, err := db.QueryAll(ctx, q, db.Value[string], st.Query, st.Args...)
			if err != nil || len(ids) != 0 {
				t.Fatalf("second insert returned %v, %v", ids, err)
			}
		}

		// With: rows as a CTE that an UPDATE reads.
		add := db.Rows{Cols: db.Cols("id text", "d bigint"), PerStmt: 2}
		stmts, err = add.With(d.Kind, "v", `UPDATE bulk_t SET n = bulk_t.n + v.d FROM v WHERE bulk_t.id = v.id RETURNING bulk_t.id`, 3,
			func(i int, v []any) { v[0], v[1] = rows[i].id, i+1 })
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stmts {
			if _, err := q.ExecContext(ctx, st.Query, st.Args...); err != nil {
				t.Fatalf("%s: %v", st.Query, err)
			}
		}
		ns, err := db.QueryAll(ctx, q, db.Value[int64], `SELECT n FROM bulk_t WHERE id IN ('r00', 'r01', 'r02', 'r03') ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{1, 1002, 2003, 3000}; fmt.Sprint(ns) != fmt.Sprint(want) {
			t.Fatalf("after update n = %v, want %v", ns, want)
		}
	})
}

// TestRowsRefuseWrongTypes: a value of the wrong type for its column is an
// error on PostgreSQL, where it would go into a typed array.
func TestRowsRefuseWrongTypes(t *testing.T) {
	r := db.Rows{Cols: db.Cols("id text", "n bigint")}
	_, err := r.Insert(db.Postgres, "t", "", "", 1, func(i int, v []any) { v[0], v[1] = "a", "not a number" })
	if err == nil || !strings.Contains(err.Error(), "column n") {
		t.Fatalf("err = %v, want a column n type error", err)
	}
	bad := db.Rows{Cols: db.Cols("id uuid")}
	if _, err := bad.Insert(db.Postgres, "t", "", "", 1, func(i int, v []any) { v[0] = "x" }); err == nil {
		t.Fatal("an unsupported column type was accepted")
	}
}
