package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestTxCommitRollbackAndClassify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W(ctx).ExecContext(ctx, `CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		// Commit.
		err := d.Tx(ctx, func(ctx context.Context) error {
			_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO t (id, v) VALUES ($1, $2)`, "a", "1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Rollback on error, and the nested call joins the outer transaction.
		boom := errors.New("boom")
		err = d.Tx(ctx, func(ctx context.Context) error {
			if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO t (id, v) VALUES ($1, $2)`, "b", "2"); err != nil {
				return err
			}
			return d.Tx(ctx, func(ctx context.Context) error { return boom })
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
		var n int
		if err := d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("rows = %d, want 1 (rollback failed)", n)
		}
		// Unique violation → ErrConflict; no rows → ErrNotFound.
		_, err = d.W(ctx).ExecContext(ctx, `INSERT INTO t (id, v) VALUES ($1, $2)`, "a", "x")
		if !errors.Is(d.Classify(err), db.ErrConflict) {
			t.Fatalf("duplicate insert: want ErrConflict, got %v", err)
		}
		var v string
		err = d.R(ctx).QueryRowContext(ctx, `SELECT v FROM t WHERE id = $1`, "zzz").Scan(&v)
		if !errors.Is(d.Classify(err), db.ErrNotFound) {
			t.Fatalf("missing row: want ErrNotFound, got %v", err)
		}
		// ILike is case-insensitive on both.
		err = d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM t WHERE `+d.Dialect.ILike("id", "$1"), "A").Scan(&n)
		if err != nil || n != 1 {
			t.Fatalf("ilike: n=%d err=%v", n, err)
		}
	})
}

func TestSQLitePragmas(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	checks := map[string]string{
		"journal_mode":  "wal",
		"synchronous":   "2",
		"foreign_keys":  "1",
		"secure_delete": "1",
		// The writer's tuning is the database layer's, not a domain's.
		"temp_store":         "2",
		"wal_autocheckpoint": "10000",
		"cache_size":         "-65536",
	}
	for p, want := range checks {
		var got string
		if err := d.W(ctx).QueryRowContext(ctx, "PRAGMA "+p).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", p, got, want)
		}
	}
	// Readers are read-only.
	if _, err := d.Reader().ExecContext(ctx, `CREATE TABLE x (a int)`); err == nil {
		t.Fatal("reader pool accepted a write")
	}
}
