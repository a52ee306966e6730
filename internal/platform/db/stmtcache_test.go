package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

// The statement cache is SQLite's alone (pgx caches statements itself);
// these tests check that running queries through prepared statements
// never changes what a query returns.

func stmtCacheDB(t *testing.T) (*db.DB, context.Context) {
	t.Helper()
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	if _, err := d.Writer().ExecContext(ctx, `CREATE TABLE sc (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := d.Writer().ExecContext(ctx, `INSERT INTO sc (id, v) VALUES ($1, $2)`, i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	return d, ctx
}

func count(t *testing.T, q db.Querier, ctx context.Context, query string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestStmtCacheNestedSameQuery runs a query while the same query's rows
// are still open on the same connection (the writer has one).
func TestStmtCacheNestedSameQuery(t *testing.T) {
	d, ctx := stmtCacheDB(t)
	const q = `SELECT id, v FROM sc WHERE id >= $1 ORDER BY id`
	err := d.Tx(ctx, func(ctx context.Context) error {
		outer, err := d.W(ctx).QueryContext(ctx, q, 1)
		if err != nil {
			return err
		}
		defer outer.Close()
		var seen []int
		for outer.Next() {
			var id int
			var v string
			if err := outer.Scan(&id, &v); err != nil {
				return err
			}
			seen = append(seen, id)
			// The same text again, inner: must not disturb the outer cursor.
			inner, err := d.W(ctx).QueryContext(ctx, q, id)
			if err != nil {
				return err
			}
			n := 0
			for inner.Next() {
				n++
			}
			inner.Close()
			if n != 6-id {
				return fmt.Errorf("inner query from %d saw %d rows, want %d", id, n, 6-id)
			}
		}
		if err := outer.Err(); err != nil {
			return err
		}
		if fmt.Sprint(seen) != "[1 2 3 4 5]" {
			return fmt.Errorf("outer cursor saw %v", seen)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStmtCacheEviction runs more distinct query texts than a connection
// keeps, while one evicted statement still has open rows.
func TestStmtCacheEviction(t *testing.T) {
	d, ctx := stmtCacheDB(t)
	err := d.Tx(ctx, func(ctx context.Context) error {
		held, err := d.W(ctx).QueryContext(ctx, `SELECT v FROM sc ORDER BY id`)
		if err != nil {
			return err
		}
		defer held.Close()
		if !held.Next() {
			return errors.New("no first row")
		}
		for i := 0; i < 600; i++ {
			q := fmt.Sprintf(`SELECT COUNT(*) + %d FROM sc WHERE id <= $1`, i)
			if n := count(t, d.W(ctx), ctx, q, 3); n != 3+i {
				return fmt.Errorf("%s = %d", q, n)
			}
		}
		// Large texts: the byte budget pushes them (and the held
		// statement, again) out.
		pad := strings.Repeat(" ", 30<<10)
		for i := 0; i < 40; i++ {
			q := fmt.Sprintf(`SELECT COUNT(*) + %d FROM sc WHERE id <= $1%s`, i, pad)
			if n := count(t, d.W(ctx), ctx, q, 2); n != 2+i {
				return fmt.Errorf("large query %d = %d", i, n)
			}
		}
		// The held rows still read correctly after their statement was
		// pushed out of the cache.
		var vs []string
		for {
			var v string
			if err := held.Scan(&v); err != nil {
				return err
			}
			vs = append(vs, v)
			if !held.Next() {
				break
			}
		}
		if fmt.Sprint(vs) != "[v1 v2 v3 v4 v5]" {
			return fmt.Errorf("held rows read %v", vs)
		}
		return held.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// Readers (a pool of connections, each with its own cache) agree.
	for i := 0; i < 20; i++ {
		if n := count(t, d.Reader(), ctx, `SELECT COUNT(*) FROM sc WHERE id <= $1`, i%6); n != i%6 {
			t.Fatalf("reader count(%d) = %d", i%6, n)
		}
	}
}

// TestStmtCacheAfterErrorsAndSchemaChanges: a statement that failed
// (constraint) runs again; a cached SELECT * sees a column added later;
// a script runs every statement; a cancelled context stops a query.
func TestStmtCacheAfterErrorsAndSchemaChanges(t *testing.T) {
	d, ctx := stmtCacheDB(t)
	const ins = `INSERT INTO sc (id, v) VALUES ($1, $2)`
	if _, err := d.Writer().ExecContext(ctx, ins, 10, "v1"); !errors.Is(d.Classify(err), db.ErrConflict) {
		t.Fatalf("duplicate insert: %v", err)
	}
	if _, err := d.Writer().ExecContext(ctx, ins, 10, "v10"); err != nil {
		t.Fatalf("insert after a failed one: %v", err)
	}

	cols := func() []string {
		rows, err := d.Writer().QueryContext(ctx, `SELECT * FROM sc WHERE id = $1`, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, _ := rows.Columns()
		return c
	}
	if got := fmt.Sprint(cols()); got != "[id v]" {
		t.Fatalf("columns %s", got)
	}
	if _, err := d.Writer().ExecContext(ctx, `ALTER TABLE sc ADD COLUMN w TEXT`); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cols()); got != "[id v w]" {
		t.Fatalf("columns after ALTER TABLE: %s", got)
	}

	if _, err := d.Writer().ExecContext(ctx, `INSERT INTO sc (id, v) VALUES (20, 'a;b'); INSERT INTO sc (id, v) VALUES (21, 'c');`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d.Writer(), ctx, `SELECT COUNT(*) FROM sc WHERE id IN (20, 21)`); n != 2 {
		t.Fatalf("script ran %d of 2 inserts", n)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.Writer().QueryRowContext(cctx, `SELECT COUNT(*) FROM sc`).Scan(new(int)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled query: %v", err)
	}
	if n := count(t, d.Writer(), ctx, `SELECT COUNT(*) FROM sc`); n != 8 {
		t.Fatalf("count after a cancelled query: %d", n)
	}
}
