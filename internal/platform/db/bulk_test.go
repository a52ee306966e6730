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

// TestRowsInsertAndWith writes rows of every column type in chunks of
// powers of two (SQLite) or one unnest (PostgreSQL) and reads them back in
// order, NULL bytes included, then updates from them through a CTE.
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
		rows := make([]bulkRow, 27)
		for i := range rows {
			rows[i] = bulkRow{id: fmt.Sprintf("r%02d", i), n: int64(i) * 1000, flag: i%2 == 0}
			if i%3 != 0 {
				rows[i].blob = []byte{byte(i), 0, 0xff}
			}
		}
		r := db.Rows{Cols: db.Cols("id text", "n bigint", "blob bytea", "flag boolean"), PerStmt: 12}
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
		if got, want := stmtRows(stmts, 4), map[db.Kind][]int{db.SQLite: {8, 8, 8, 2, 1}, db.Postgres: {-1}}[d.Kind]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("statements of %v rows, want %v", got, want)
		}
		var returned []string
		for _, st := range stmts {
			ids, err := db.QueryAll(ctx, q, db.Value[string], st.Query, st.Args...)
			if err != nil {
				t.Fatalf("%s: %v", st.Query, err)
			}
			returned = append(returned, ids...)
		}
		for i, id := range returned {
			if id != rows[i].id {
				t.Fatalf("returned %v, want the ids in order", returned)
			}
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

// stmtRows is the number of rows of each statement on SQLite (its
// arguments over cols), -1 for a statement of arrays (PostgreSQL).
func stmtRows(stmts []db.Stmt, cols int) []int {
	var out []int
	for _, st := range stmts {
		if strings.Contains(st.Query, "unnest(") {
			out = append(out, -1)
			continue
		}
		out = append(out, len(st.Args)/cols)
	}
	return out
}

// TestRowsChunkSizes: on SQLite a run of rows goes in statements of powers
// of two, largest first and none above PerStmt, that keep the rows in
// order; so batches of every size from 1 to 512 make a few statement
// texts, which the connection keeps prepared.
func TestRowsChunkSizes(t *testing.T) {
	for _, tc := range []struct {
		per, max, texts int
	}{
		{per: 200, max: 128, texts: 8},
		{per: 0, max: 128, texts: 8}, // the default, 200
		{per: 1000, max: 512, texts: 10},
		{per: 128, max: 128, texts: 8},
		{per: 1, max: 1, texts: 1},
	} {
		r := db.Rows{Cols: db.Cols("id text", "n bigint"), PerStmt: tc.per}
		texts := map[string]bool{}
		for n := 1; n <= 600; n++ {
			fill := func(i int, v []any) { v[0], v[1] = fmt.Sprint(i), i }
			ins, err := r.Insert(db.SQLite, "t", "RETURNING id", "", n, fill)
			if err != nil {
				t.Fatal(err)
			}
			with, err := r.With(db.SQLite, "v", "SELECT id FROM v", n, fill)
			if err != nil {
				t.Fatal(err)
			}
			for _, stmts := range [][]db.Stmt{ins, with} {
				sizes := stmtRows(stmts, 2)
				next := 0
				for j, size := range sizes {
					if size < 1 || size&(size-1) != 0 || size > tc.max || (j > 0 && size > sizes[j-1]) {
						t.Fatalf("PerStmt %d, %d rows: statements of %v rows, want decreasing powers of two up to %d", tc.per, n, sizes, tc.max)
					}
					if strings.Count(stmts[j].Query, "(?, ?)") != size {
						t.Fatalf("PerStmt %d, %d rows: a statement of %d rows has %q", tc.per, n, size, stmts[j].Query)
					}
					for k := 0; k < size; k++ {
						if a := stmts[j].Args[2*k+1]; a != next {
							t.Fatalf("PerStmt %d, %d rows: statement %d row %d is row %v, want %d", tc.per, n, j, k, a, next)
						}
						next++
					}
					if j < len(sizes)-1 && size != tc.max && size == sizes[j+1] {
						t.Fatalf("PerStmt %d, %d rows: statements of %v rows, want each size below the largest once", tc.per, n, sizes)
					}
				}
				if next != n {
					t.Fatalf("PerStmt %d: %d rows went into %d", tc.per, n, next)
				}
				if n <= 512 {
					for _, st := range stmts {
						texts[st.Query] = true
					}
				}
			}
		}
		if len(texts) != 2*tc.texts {
			t.Errorf("PerStmt %d: %d texts for the Insert and the With of 1 to 512 rows, want 2 × %d", tc.per, len(texts), tc.texts)
		}
	}

	// With Pad the rest goes in one statement, NULL rows making up a power
	// of two.
	r := db.Rows{Cols: db.Cols("id text", "n bigint"), PerStmt: 8, Pad: true}
	stmts, err := r.Insert(db.SQLite, "t", "", "", 19, func(i int, v []any) { v[0], v[1] = fmt.Sprint(i), i })
	if err != nil {
		t.Fatal(err)
	}
	if got := stmtRows(stmts, 2); fmt.Sprint(got) != "[8 8 4]" {
		t.Fatalf("padded statements of %v rows, want [8 8 4]", got)
	}
	if last := stmts[2].Args; last[5] != 18 || last[6] != nil || last[7] != nil {
		t.Fatalf("last padded statement's arguments %v, want row 18 then NULLs", last)
	}
}

// TestRowsPrepareFewTexts: inserting batches of every size from 1 to 512
// rows through one connection prepares a statement for each power of two
// up to 128, and no more.
func TestRowsPrepareFewTexts(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE few_t (id TEXT NOT NULL, n BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	r := db.Rows{Cols: db.Cols("id text", "n bigint"), PerStmt: 200}
	before := db.Prepares()
	err := d.Tx(ctx, func(ctx context.Context) error {
		for n := 1; n <= 512; n++ {
			stmts, err := r.Insert(d.Kind, "few_t", "", "", n, func(i int, v []any) { v[0], v[1] = "x", i })
			if err != nil {
				return err
			}
			for _, st := range stmts {
				if _, err := d.W(ctx).ExecContext(ctx, st.Query, st.Args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Prepares() - before; got > 8 {
		t.Fatalf("%d statements prepared for batches of 1 to 512 rows, want at most 8", got)
	}
}

// TestRowsPad writes rows with Pad: the NULL rows that make up a power of
// two are skipped, by an INSERT (its tail still applying) and by a CTE.
func TestRowsPad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := d.W(ctx)
		if _, err := q.ExecContext(ctx, `CREATE TABLE pad_t (id TEXT PRIMARY KEY, n BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		r := db.Rows{Cols: db.Cols("id text", "n bigint"), PerStmt: 4, Pad: true}
		ids := []string{"a", "b", "c", "d", "e", "f", "g"}
		fill := func(i int, v []any) { v[0], v[1] = ids[i], i }
		for range 2 { // the second time, the tail skips every row
			stmts, err := r.Insert(d.Kind, "pad_t", "ON CONFLICT (id) DO NOTHING RETURNING id", "", len(ids), fill)
			if err != nil {
				t.Fatal(err)
			}
			var returned []string
			for _, st := range stmts {
				got, err := db.QueryAll(ctx, q, db.Value[string], st.Query, st.Args...)
				if err != nil {
					t.Fatalf("%s: %v", st.Query, err)
				}
				returned = append(returned, got...)
			}
			if want := fmt.Sprint(ids); len(returned) > 0 && fmt.Sprint(returned) != want {
				t.Fatalf("returned %v, want %v", returned, want)
			}
		}
		if n := count(t, q, ctx, `SELECT count(*) FROM pad_t`); n != len(ids) {
			t.Fatalf("%d rows, want %d", n, len(ids))
		}
		stmts, err := r.With(d.Kind, "v", `SELECT count(*), COALESCE(sum(v.n), 0) FROM v`, 3, fill)
		if err != nil {
			t.Fatal(err)
		}
		var rows, sum int64
		if err := q.QueryRowContext(ctx, stmts[0].Query, stmts[0].Args...).Scan(&rows, &sum); err != nil {
			t.Fatal(err)
		}
		if len(stmts) != 1 || rows != 3 || sum != 3 {
			t.Fatalf("%d statements, the first seeing %d rows of sum %d, want 1 seeing 3 of sum 3", len(stmts), rows, sum)
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
