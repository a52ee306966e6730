package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

type pair struct {
	id string
	n  int
}

func scanPair(s db.Scanner) (pair, error) {
	var p pair
	err := s.Scan(&p.id, &p.n)
	return p, err
}

func TestQueryHelpers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := d.W(ctx)
		if _, err := q.ExecContext(ctx, `CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO t (id, n) VALUES `+
			`(`+db.Placeholders(1, 2)+`), (`+db.Placeholders(3, 2)+`), (`+db.Placeholders(5, 2)+`)`,
			"a", 1, "b", 2, "c", 3); err != nil {
			t.Fatal(err)
		}

		// In and Arg number their placeholders after the arguments so far.
		var args []any
		where := `n > ` + db.Arg(&args, 0) + ` AND id IN (` + db.In(&args, []string{"a", "c", "zz"}) + `)`
		if where != `n > $1 AND id IN ($2, $3, $4)` {
			t.Fatalf("where = %q", where)
		}
		got, err := db.QueryAll(ctx, q, scanPair, `SELECT id, n FROM t WHERE `+where+` ORDER BY id`, args...)
		if err != nil {
			t.Fatal(err)
		}
		if want := []pair{{"a", 1}, {"c", 3}}; !slices.Equal(got, want) {
			t.Fatalf("QueryAll = %v, want %v", got, want)
		}
		ids, err := db.QueryAll(ctx, q, db.Value[string], `SELECT id FROM t WHERE n > $1 ORDER BY id`, 5)
		if err != nil || len(ids) != 0 {
			t.Fatalf("no rows: %v %v", ids, err)
		}
		// OrEmpty makes "no rows" an empty list, and keeps an error's nil.
		if ids, err := db.OrEmpty(db.QueryAll(ctx, q, db.Value[string], `SELECT id FROM t WHERE n > $1`, 5)); err != nil || ids == nil {
			t.Fatalf("OrEmpty: %#v %v", ids, err)
		}
		if ids, err := db.OrEmpty(db.QueryAll(ctx, q, db.Value[string], `SELECT nope FROM t`)); err == nil || ids != nil {
			t.Fatalf("OrEmpty on error: %#v %v", ids, err)
		}

		// QueryOne: a row, or ErrNotFound that services map to a 404.
		p, err := db.QueryOne(ctx, q, scanPair, `SELECT id, n FROM t WHERE id = $1`, "b")
		if err != nil || p != (pair{"b", 2}) {
			t.Fatalf("QueryOne = %v %v", p, err)
		}
		_, err = db.QueryOne(ctx, q, db.Value[int], `SELECT n FROM t WHERE id = $1`, "zz")
		if !errors.Is(err, db.ErrNotFound) || apperr.MapNotFound(err) != apperr.ErrNotFound {
			t.Fatalf("missing row: %v", err)
		}
		if other := errors.New("x"); apperr.MapNotFound(other) != other {
			t.Fatal("MapNotFound changed an unrelated error")
		}

		// Each stops at the first error its function returns.
		stop := errors.New("stop")
		seen := 0
		err = db.Each(ctx, q, func(s db.Scanner) error {
			seen++
			return stop
		}, `SELECT id FROM t`)
		if !errors.Is(err, stop) || seen != 1 {
			t.Fatalf("Each: seen %d, err %v", seen, err)
		}
		// A bad query reports its error.
		if _, err := db.QueryAll(ctx, q, db.Value[int], `SELECT nope FROM t`); err == nil {
			t.Fatal("bad query: no error")
		}
	})
}
