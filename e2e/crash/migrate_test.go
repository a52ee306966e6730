package crash_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/atrium-hq/atrium/e2e/atriumbin"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/migrations"
)

func provider(t *testing.T, d *db.DB) *goose.Provider {
	t.Helper()
	sub, err := fs.Sub(migrations.FS, string(d.Kind))
	if err != nil {
		t.Fatal(err)
	}
	dialect := goose.DialectSQLite3
	if d.Kind == db.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.Writer(), sub)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// target is a database the migration runs on: a data dir (SQLite) or a
// PostgreSQL schema URL.
type target struct {
	dir string
	url string
}

func (tg target) open(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Options{URL: tg.url, DataDir: tg.dir})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (tg target) args(cmd ...string) []string {
	a := append(cmd, "--data-dir", tg.dir)
	if tg.url != "" {
		a = append(a, "--database-url", tg.url)
	}
	return a
}

func newTarget(t *testing.T, kind db.Kind) target {
	tg := target{dir: t.TempDir()}
	if kind == db.Postgres {
		tg.url = dbtest.NewPostgresURL(t)
	}
	return tg
}

// TestMigrationKilled runs `atrium migrate up` on a database at the oldest
// schema and SIGKILLs it at moments spread over the run. After each kill,
// the schema must be exactly the schema of the version goose records (each
// migration all old or all new), SQLite must pass its integrity check, and
// the server must start on it and finish the migrations.
func TestMigrationKilled(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			// The schema after each version, from fresh databases.
			probe := dbtest.OpenEmpty(t, kind)
			versions := []int64{}
			srcs, err := provider(t, probe).Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range srcs {
				versions = append(versions, s.Source.Version)
			}
			latest := versions[len(versions)-1]
			ref := map[int64][]db.Column{}
			for _, v := range versions {
				d := dbtest.OpenEmpty(t, kind)
				if _, err := provider(t, d).UpTo(ctx, v); err != nil {
					t.Fatal(err)
				}
				cols, err := d.Columns(ctx)
				if err != nil {
					t.Fatal(err)
				}
				ref[v] = cols
			}

			// An old database: only the first migration applied.
			old := func() target {
				tg := newTarget(t, kind)
				d := tg.open(t)
				defer d.Close()
				if _, err := provider(t, d).UpTo(ctx, versions[0]); err != nil {
					t.Fatal(err)
				}
				return tg
			}

			// How long an uninterrupted run takes.
			tg := old()
			atriumbin.Path(t)
			begin := time.Now()
			p := start(t, tg.args("migrate", "up")...)
			p.Wait()
			full := time.Since(begin)
			if p.Cmd.ProcessState.ExitCode() != 0 {
				t.Fatalf("migrate up: %s", p.output())
			}

			outcomes := map[string]int{}
			attempts := 24
			for i := 0; i < attempts; i++ {
				tg := old()
				delay := full * time.Duration(i+1) / time.Duration(attempts)
				p := start(t, tg.args("migrate", "up")...)
				time.Sleep(delay)
				p.kill()

				d := tg.open(t)
				v, err := provider(t, d).GetDBVersion(ctx)
				if err != nil {
					t.Fatalf("attempt %d: version after kill: %v", i, err)
				}
				cols, err := d.Columns(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(cols, ref[v]) {
					t.Fatalf("attempt %d (killed after %v): goose records version %d but the schema is not that version's: a migration was half applied", i, delay, v)
				}
				if kind == db.SQLite {
					var res string
					d.Writer().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res)
					if res != "ok" {
						t.Fatalf("attempt %d: integrity_check %q", i, res)
					}
				}
				d.Close()
				switch {
				case v == versions[0]:
					outcomes["before the first pending migration"]++
				case v == latest:
					outcomes["after the last migration"]++
				default:
					outcomes[fmt.Sprintf("between migrations (at %d)", v)]++
				}

				// The server starts on it and completes the migrations.
				if i%4 == 0 {
					s := serve(t, tg.dir, tg.url)
					resp, err := http.Get(s.URL + "/api/v1/health")
					if err != nil || resp.StatusCode != 200 {
						t.Fatalf("attempt %d: server after an interrupted migration: %v", i, err)
					}
					resp.Body.Close()
					s.kill()
					d := tg.open(t)
					v, _ := provider(t, d).GetDBVersion(ctx)
					cols, _ := d.Columns(ctx)
					d.Close()
					if v != latest || !reflect.DeepEqual(cols, ref[latest]) {
						t.Fatalf("attempt %d: after the server started, version %d, schema matches latest: %v", i, v, reflect.DeepEqual(cols, ref[latest]))
					}
				}
				if kind == db.SQLite {
					os.RemoveAll(filepath.Join(tg.dir))
				}
			}
			t.Logf("%s: uninterrupted run %v; %d kills: %v", kind, full.Round(time.Millisecond), attempts, outcomes)
		})
	}
}
