package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/backup"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/migrations"
)

// runCmd runs the atrium command in-process with args and returns its output.
func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func addLedger(ctx context.Context, d *db.DB, id string, at int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO erasure_ledger (id, kind, account_id, status, requested_at, due_at) VALUES ($1, 'account', $2, 'done', $3, $3)`, id, "acc_"+id, at)
	return err
}

func ledgerIDs(t *testing.T, d *db.DB) map[string]bool {
	t.Helper()
	rows, err := backup.ReadLedger(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range rows {
		out[fmt.Sprint(r["id"])] = true
	}
	return out
}

// TestBackupRestore backs up a live database while a writer keeps
// committing, records an erasure after the backup, restores with --force
// and checks that: every write acknowledged before the backup started is
// back, the file store is back, the master key was not touched, the
// erasure made after the backup is in the restored ledger and the erasure
// replay ran (with the backup's time) before the command returned; and that
// restoring over data without --force, or without a master key, is refused.
func TestBackupRestore(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			dataDir := t.TempDir()
			args := []string{"--data-dir", dataDir}
			var pgURL string
			if kind == db.Postgres {
				pgURL = dbtest.NewPostgresURL(t)
				args = append(args, "--database-url", pgURL)
			}
			d, err := db.Open(ctx, db.Options{URL: pgURL, DataDir: dataDir})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Migrate(ctx, migrations.FS); err != nil {
				t.Fatal(err)
			}
			if _, err := keyring.Load(ctx, d, "", dataDir); err != nil {
				t.Fatal(err)
			}
			key, err := os.ReadFile(filepath.Join(dataDir, keyring.KeyFile))
			if err != nil {
				t.Fatal(err)
			}
			blobPath := filepath.Join(dataDir, "blobs", "ab", "cd", "abcd0123")
			os.MkdirAll(filepath.Dir(blobPath), 0o700)
			os.WriteFile(blobPath, []byte("file body"), 0o600)
			os.MkdirAll(filepath.Join(dataDir, "blobs", "tmp"), 0o700)
			os.WriteFile(filepath.Join(dataDir, "blobs", "tmp", "put-1"), []byte("partial"), 0o600)
			if err := addLedger(ctx, d, "led_before", time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}

			// A writer commits continuously while the backup runs.
			var acked sync.Map
			var n atomic.Int64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					id := fmt.Sprintf("led_w%05d", n.Add(1))
					if err := addLedger(ctx, d, id, time.Now().UnixMilli()); err == nil {
						acked.Store(id, true)
					}
				}
			}()
			time.Sleep(50 * time.Millisecond)
			var beforeBackup []string
			acked.Range(func(k, _ any) bool { beforeBackup = append(beforeBackup, k.(string)); return true })
			file := filepath.Join(t.TempDir(), "atrium-backup.tar.gz")
			out, err := runCmd(t, append([]string{"backup", "--out", file}, args...)...)
			close(stop)
			<-done
			if err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			if !strings.Contains(out, "left out") {
				t.Errorf("backup output does not say what was left out:\n%s", out)
			}
			m, err := backup.Read(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Files {
				if strings.Contains(f.Name, keyring.KeyFile) || strings.Contains(f.Name, "/tmp/") {
					t.Errorf("backup holds %s", f.Name)
				}
			}

			// An erasure after the backup: recorded in the ledger, file gone.
			time.Sleep(2 * time.Millisecond)
			if err := addLedger(ctx, d, "led_after", time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
			os.Remove(blobPath)
			d.Close()

			if out, err := runCmd(t, append([]string{"restore", "--in", file}, args...)...); !errors.Is(err, backup.ErrNotEmpty) {
				t.Fatalf("restore over data without --force: %v\n%s", err, out)
			}

			var since int64 = -1
			var seen []string
			extraRestoreHooks = []func(*server.App){func(a *server.App) {
				a.OnRestore(server.ReapplyErasures, "test.erasures", func(ctx context.Context, s int64) (int, error) {
					since = s
					rows, err := backup.ReadLedger(ctx, a.DB)
					for _, r := range rows {
						if at, _ := r["requested_at"].(int64); at >= s {
							seen = append(seen, fmt.Sprint(r["id"]))
						}
					}
					return len(seen), err
				})
			}}
			t.Cleanup(func() { extraRestoreHooks = nil })
			out, err = runCmd(t, append([]string{"restore", "--force", "--in", file}, args...)...)
			if err != nil {
				t.Fatalf("restore: %v\n%s", err, out)
			}
			if !strings.Contains(out, "entries made after the backup recorded again") || strings.Contains(out, " 0 entries made after") {
				t.Errorf("restore output:\n%s", out)
			}
			if since != m.CreatedAt {
				t.Errorf("erasure replay ran with since=%d, backup taken at %d", since, m.CreatedAt)
			}
			if !contains(seen, "led_after") {
				t.Errorf("erasure replay did not see the erasure made after the backup: %v", seen)
			}

			d, err = db.Open(ctx, db.Options{URL: pgURL, DataDir: dataDir})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			ids := ledgerIDs(t, d)
			for _, id := range append(beforeBackup, "led_before", "led_after") {
				if !ids[id] {
					t.Errorf("ledger row %s acknowledged before the backup (or re-applied after it) is missing", id)
				}
			}
			if len(beforeBackup) == 0 {
				t.Error("the writer acknowledged nothing before the backup")
			}
			if b, err := os.ReadFile(blobPath); err != nil || string(b) != "file body" {
				t.Errorf("file store not restored: %q %v", b, err)
			}
			if b, _ := os.ReadFile(filepath.Join(dataDir, keyring.KeyFile)); !bytes.Equal(b, key) {
				t.Error("restore changed the master key")
			}
			if kind == db.SQLite {
				var res string
				d.Writer().QueryRow("PRAGMA integrity_check").Scan(&res)
				if res != "ok" {
					t.Errorf("integrity_check: %s", res)
				}
			}

			// A fresh machine with no master key: refused, with a clear message.
			if kind == db.SQLite {
				fresh := t.TempDir()
				out, err := runCmd(t, "restore", "--in", file, "--data-dir", fresh)
				if err == nil || !strings.Contains(err.Error(), "master key") {
					t.Errorf("restore without a master key: %v\n%s", err, out)
				}
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestBackupRestorePostgresDatabase runs backup and restore against a whole
// PostgreSQL database in its public schema (how operators configure it),
// including the --ledger-only export re-applied from a file after the
// database was lost.
func TestBackupRestorePostgresDatabase(t *testing.T) {
	base := dbtest.ServerURL(t)
	ctx := context.Background()
	admin, err := db.Open(ctx, db.Options{URL: base})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("atrium_bk_%d", time.Now().UnixNano())
	if _, err := admin.Writer().Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Writer().Exec("DROP DATABASE " + name + " WITH (FORCE)") })
	url := strings.Replace(base, "/postgres?", "/"+name+"?", 1)
	dataDir := t.TempDir()
	args := []string{"--data-dir", dataDir, "--database-url", url}

	d, err := db.Open(ctx, db.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx, migrations.FS); err != nil {
		t.Fatal(err)
	}
	addLedger(ctx, d, "led_before", time.Now().UnixMilli())
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	if out, err := runCmd(t, append([]string{"backup", "--include-master-key", "--out", file}, args...)...); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	addLedger(ctx, d, "led_after", time.Now().UnixMilli()+1)
	ledgerFile := filepath.Join(t.TempDir(), "ledger.jsonl")
	if out, err := runCmd(t, append([]string{"backup", "--ledger-only", "--out", ledgerFile}, args...)...); err != nil || !strings.Contains(out, "2 erasure ledger entries") {
		t.Fatalf("ledger export: %v\n%s", err, out)
	}
	// The database is lost: every table dropped.
	if _, err := d.Writer().Exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	d.Close()

	var seen int
	extraRestoreHooks = []func(*server.App){func(a *server.App) {
		a.OnRestore(server.ReapplyErasures, "test.erasures", func(ctx context.Context, s int64) (int, error) { seen++; return 0, nil })
	}}
	t.Cleanup(func() { extraRestoreHooks = nil })
	// The data dir still holds the master key and the (empty) file store.
	out, err := runCmd(t, append([]string{"restore", "--force", "--in", file, "--ledger", ledgerFile}, args...)...)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if seen != 1 || !strings.Contains(out, "1 entries made after the backup") {
		t.Fatalf("erasure replay ran %d times; output:\n%s", seen, out)
	}
	d, err = db.Open(ctx, db.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ids := ledgerIDs(t, d)
	if !ids["led_before"] || !ids["led_after"] {
		t.Fatalf("ledger after restore: %v", ids)
	}
	if v, err := d.SchemaVersion(ctx, migrations.FS); err != nil || v < 5 {
		t.Fatalf("schema version %d %v", v, err)
	}
}
