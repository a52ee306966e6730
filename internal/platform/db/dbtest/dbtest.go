// Package dbtest gives tests real databases: a fresh SQLite file per test and
// a fresh schema per test on a PostgreSQL server. The server is the one named
// by ATRIUM_TEST_POSTGRES, or a throwaway cluster that this package starts
// on a free loopback port with the binaries in /usr/lib/postgresql/15/bin.
//
// Use Each to run a test on both databases:
//
//	func TestThing(t *testing.T) {
//		dbtest.Each(t, func(t *testing.T, d *db.DB) { ... })
//	}
//
// and call Main from the package's TestMain so the cluster is stopped:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// When PostgreSQL is not available the postgres half skips with a message,
// unless ATRIUM_REQUIRE_POSTGRES=1 (set by CI), where it fails.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/migrations"
)

// PGBin is where the PostgreSQL server binaries are looked for.
var PGBin = envOr("ATRIUM_PG_BIN", "/usr/lib/postgresql/15/bin")

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

var (
	pgOnce    sync.Once
	pgURL     string
	pgErr     error
	pgCleanup func()
)

// Main runs the package's tests and stops a cluster that this package started.
func Main(m *testing.M) {
	code := m.Run()
	if pgCleanup != nil {
		pgCleanup()
	}
	os.Exit(code)
}

// Kinds lists the databases that Each runs on.
var Kinds = []db.Kind{db.SQLite, db.Postgres}

// Each runs fn as a subtest on a fresh, migrated database of each kind.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			fn(t, Open(t, k))
		})
	}
}

// Open returns a fresh, migrated database of the given kind, closed when the
// test ends.
func Open(t testing.TB, kind db.Kind) *db.DB {
	t.Helper()
	d := OpenEmpty(t, kind)
	if _, err := d.Migrate(context.Background(), migrations.FS); err != nil {
		t.Fatalf("migrate %s: %v", kind, err)
	}
	return d
}

// OpenEmpty is Open without migrations.
func OpenEmpty(t testing.TB, kind db.Kind) *db.DB {
	t.Helper()
	ctx := context.Background()
	var opts db.Options
	switch kind {
	case db.SQLite:
		opts.DataDir = t.TempDir()
	case db.Postgres:
		opts.URL = NewPostgresURL(t)
	}
	d, err := db.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open %s: %v", kind, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// NewPostgresURL returns the URL of a fresh, empty schema on the test
// server (its search_path points at the schema), or skips the test.
func NewPostgresURL(t testing.TB) string {
	t.Helper()
	base := serverURL(t)
	schema := "t_" + randHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ServerURL returns the base URL of the test PostgreSQL server, or skips.
func ServerURL(t testing.TB) string { return serverURL(t) }

func serverURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() {
		if u := os.Getenv("ATRIUM_TEST_POSTGRES"); u != "" {
			pgURL = u
			return
		}
		pgURL, pgCleanup, pgErr = startCluster()
	})
	if pgErr != nil {
		if os.Getenv("ATRIUM_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL is required (ATRIUM_REQUIRE_POSTGRES=1) but unavailable: %v", pgErr)
		}
		t.Skipf("PostgreSQL half skipped: %v (install PostgreSQL 15 server binaries in %s, or set ATRIUM_TEST_POSTGRES)", pgErr, PGBin)
	}
	return pgURL
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartCluster starts a throwaway PostgreSQL cluster and returns its URL and
// a function that stops it and removes its files. Exposed for the CI script
// and the load tool.
func StartCluster() (string, func(), error) { return startCluster() }

func startCluster() (string, func(), error) {
	initdb := filepath.Join(PGBin, "initdb")
	if _, err := os.Stat(initdb); err != nil {
		return "", nil, fmt.Errorf("no PostgreSQL server binaries: %s not found", initdb)
	}
	dir, err := os.MkdirTemp("", "atrium-pg-")
	if err != nil {
		return "", nil, err
	}
	cleanupDir := func() { os.RemoveAll(dir) }
	// initdb refuses to run as root: run the server as the postgres user.
	var runAs []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			cleanupDir()
			return "", nil, fmt.Errorf("running as root and there is no postgres user to run the server as")
		}
		if out, err := exec.Command("chown", "-R", u.Username, dir).CombinedOutput(); err != nil {
			cleanupDir()
			return "", nil, fmt.Errorf("chown %s: %v: %s", dir, err, out)
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		full := append(append([]string{}, runAs...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", filepath.Base(args[0]), err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		cleanupDir()
		return "", nil, err
	}
	port, err := freePort()
	if err != nil {
		cleanupDir()
		return "", nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", port, dir)
	pgctl := filepath.Join(PGBin, "pg_ctl")
	if err := run(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		cleanupDir()
		return "", nil, err
	}
	stop := func() {
		_ = run(pgctl, "-D", data, "-m", "immediate", "-w", "stop")
		cleanupDir()
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	// Wait until it accepts connections over TCP.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := sql.Open("pgx", u)
		if err == nil {
			err = c.Ping()
			c.Close()
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("postgres did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return u, stop, nil
}
