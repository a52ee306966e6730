// Package crash_test proves that acknowledged writes survive a crash: it
// builds the real atrium binary, runs it on a temporary data directory (or
// PostgreSQL schema), lets many clients write at load, SIGKILLs the server
// at random moments, restarts it, and checks that every write the server
// acknowledged is there, that SQLite's integrity and foreign keys hold, and
// that a migration killed half-way leaves each migration all-or-nothing and
// the server able to start.
//
// CI runs 20 kill/restart cycles per database; `make crash` runs
// CRASH_CYCLES (default 200).
package crash_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func cycles() int {
	if n, err := strconv.Atoi(os.Getenv("CRASH_CYCLES")); err == nil && n > 0 {
		return n
	}
	return 20
}

// workload is what the clients write: each write returns the id the server
// acknowledged, and list returns every id the server holds.
type workload interface {
	name() string
	// prepare runs once on a fresh server, as the owner.
	prepare(ctx context.Context, owner *client) error
	// write sends one write as c; id is set only when the server
	// acknowledged it (2xx with an id).
	write(ctx context.Context, c *client, n int) (id string, err error)
	// list returns every id of this workload the server holds.
	list(ctx context.Context, owner *client) (map[string]bool, error)
}

// departments writes org departments: the write path available from the
// directory (every write is one audited, event-logged transaction).
type departments struct{}

func (departments) name() string                                 { return "departments" }
func (departments) prepare(ctx context.Context, c *client) error { return nil }

func (departments) write(ctx context.Context, c *client, n int) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	st, body, err := c.do(ctx, "POST", "/api/v1/departments", map[string]any{"name": fmt.Sprintf("D%d-%d", n, rand.IntN(1e9))}, &out)
	if err != nil {
		return "", err
	}
	if st != http.StatusCreated || out.ID == "" {
		return "", fmt.Errorf("status %d: %s", st, body)
	}
	return out.ID, nil
}

func (departments) list(ctx context.Context, c *client) (map[string]bool, error) {
	var out struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	st, body, err := c.do(ctx, "GET", "/api/v1/departments", nil, &out)
	if err != nil || st != 200 {
		return nil, fmt.Errorf("list departments: %d %s %v", st, body, err)
	}
	ids := map[string]bool{}
	for _, it := range out.Items {
		ids[it.ID] = true
	}
	return ids, nil
}

// messages sends chat messages: the group-commit path, where a send is
// acknowledged only after the batch holding it committed.
type messages struct{ conv *string }

func (messages) name() string { return "messages" }

func (m messages) prepare(ctx context.Context, c *client) error {
	var out struct {
		ID string `json:"id"`
	}
	st, body, err := c.do(ctx, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Crash", "member_ids": []string{}}, &out)
	if err != nil || st != http.StatusCreated {
		return fmt.Errorf("create conversation: %d %s %v", st, body, err)
	}
	*m.conv = out.ID
	return nil
}

func (m messages) write(ctx context.Context, c *client, n int) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	st, body, err := c.do(ctx, "POST", "/api/v1/conversations/"+*m.conv+"/messages", map[string]any{"client_msg_id": fmt.Sprintf("c%d-%d", n, rand.Int64()), "body": fmt.Sprintf("message %d", n)}, &out)
	if err != nil {
		return "", err
	}
	if st/100 != 2 || out.ID == "" {
		return "", fmt.Errorf("status %d: %s", st, body)
	}
	return out.ID, nil
}

func (m messages) list(ctx context.Context, c *client) (map[string]bool, error) {
	ids := map[string]bool{}
	after := int64(0)
	for {
		var page struct {
			Items []struct {
				ID  string `json:"id"`
				Seq int64  `json:"seq"`
			} `json:"items"`
			HasAfter bool `json:"has_after"`
		}
		st, body, err := c.do(ctx, "GET", fmt.Sprintf("/api/v1/conversations/%s/messages?after=%d&limit=200", *m.conv, after), nil, &page)
		if err != nil || st != 200 {
			return nil, fmt.Errorf("history: %d %s %v", st, body, err)
		}
		for _, it := range page.Items {
			ids[it.ID] = true
			after = max(after, it.Seq)
		}
		if !page.HasAfter || len(page.Items) == 0 {
			return ids, nil
		}
	}
}

// workloads lists what the crash test writes: chat messages through the
// group-commit writer, and directory departments (plain transactions).
func workloads() []workload { return []workload{messages{conv: new(string)}, departments{}} }

// setupOwner runs first-run setup on a fresh server and returns the
// owner's client.
func setupOwner(t *testing.T, p *proc) *client {
	t.Helper()
	var tok string
	for i := 0; i < 500 && tok == ""; i++ {
		if m := setupRe.FindStringSubmatch(p.output()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if tok == "" {
		t.Fatalf("no setup link:\n%s", p.output())
	}
	c := newClient(p.URL)
	st, body, err := c.do(context.Background(), "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Crash Test Inc", "region": "CN"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@crash.test", "password": "correct horse battery"},
	}, nil)
	if err != nil || st != http.StatusCreated {
		t.Fatalf("setup: %d %s %v", st, body, err)
	}
	return c
}

// checkSQLite opens the database file of a killed server and checks its
// integrity and foreign keys.
func checkSQLite(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.OpenSQLite(ctx, filepath.Join(dataDir, "atrium.db"), 1)
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer d.Close()
	var res string
	if err := d.Writer().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check after crash: %q %v", res, err)
	}
	rows, err := d.Writer().QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid, fkid any
		rows.Scan(&table, &rowid, &parent, &fkid)
		t.Fatalf("foreign_key_check after crash: row %v of %s points at a missing row of %s", rowid, table, parent)
	}
}

// TestCrashSafety: clients write at load; the server is SIGKILLed at a
// random moment; on restart every acknowledged id must be there.
func TestCrashSafety(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		for _, wl := range workloads() {
			t.Run(string(kind)+"/"+wl.name(), func(t *testing.T) { crashCycles(t, kind, wl) })
		}
	}
}

func crashCycles(t *testing.T, kind db.Kind, wl workload) {
	{
		{
			dataDir := t.TempDir()
			var dbURL string
			if kind == db.Postgres {
				dbURL = dbtest.NewPostgresURL(t)
			}
			p := serve(t, dataDir, dbURL)
			owner := setupOwner(t, p)
			ctx := context.Background()
			if err := wl.prepare(ctx, owner); err != nil {
				t.Fatal(err)
			}
			const clients = 8
			acked := map[string]bool{}
			var mu sync.Mutex
			total, lostAfterKill := 0, 0
			n := cycles()
			if wl.name() != "messages" {
				n = max(n/4, 5) // the second workload: fewer cycles
			}
			for cycle := 0; cycle < n; cycle++ {
				var wg sync.WaitGroup
				stop := make(chan struct{})
				for i := 0; i < clients; i++ {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						for n := 0; ; n++ {
							select {
							case <-stop:
								return
							default:
							}
							id, err := wl.write(ctx, owner, n)
							if err != nil {
								// The server died under us, or refused: either
								// way nothing was acknowledged.
								if p.exited() {
									return
								}
								continue
							}
							mu.Lock()
							acked[id] = true
							mu.Unlock()
						}
					}(i)
				}
				// Kill at a random moment while the writes flow.
				time.Sleep(time.Duration(50+rand.IntN(600)) * time.Millisecond)
				p.kill()
				close(stop)
				wg.Wait()
				if kind == db.SQLite {
					checkSQLite(t, dataDir)
				}
				p = serve(t, dataDir, dbURL)
				owner.rebase(p.URL)
				have, err := wl.list(ctx, owner)
				if err != nil {
					t.Fatalf("cycle %d: %v\n%s", cycle, err, p.output())
				}
				mu.Lock()
				for id := range acked {
					if !have[id] {
						lostAfterKill++
						t.Errorf("cycle %d: acknowledged %s %s is missing after the crash", cycle, wl.name(), id)
					}
				}
				total = len(acked)
				mu.Unlock()
				if lostAfterKill > 0 {
					break
				}
			}
			p.kill()
			if kind == db.SQLite {
				checkSQLite(t, dataDir)
			}
			t.Logf("%s on %s: %d kill/restart cycles, %d acknowledged writes, none lost", wl.name(), kind, n, total)
			if total == 0 {
				t.Fatal("no write was acknowledged: the workload did not run")
			}
		}
	}
}
