package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/backup"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
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
			kr, err := keyring.Load(ctx, d, "", dataDir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := kr.Seal(ctx, "acc_keep", "test:1", []byte("kept")); err != nil {
				t.Fatal(err)
			}
			var wrapped []byte
			d.Reader().QueryRow(`SELECT wrapped FROM data_keys WHERE owner_id = 'acc_keep'`).Scan(&wrapped)
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
			if raw := gunzip(t, file); len(wrapped) == 0 || bytes.Contains(raw, wrapped) {
				t.Errorf("the data archive holds the wrapped data key (%d bytes)", len(wrapped))
			}
			ka, err := backup.ReadKeyring(strings.TrimSuffix(file, ".tar.gz") + ".keyring.tar.gz")
			if err != nil {
				t.Fatalf("the keyring archive beside the data archive: %v", err)
			}
			if ka.Manifest.BackupID != m.BackupID || !ka.Newer(m) || ka.MasterKey != "" || ka.Manifest.Keys != 1 || !bytes.Equal(ka.Keys[0].Wrapped, wrapped) {
				t.Errorf("keyring manifest %+v for data manifest %+v", ka.Manifest, m)
			}

			// An erasure after the backup: recorded in the ledger, file gone.
			time.Sleep(2 * time.Millisecond)
			if err := addLedger(ctx, d, "led_after", time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
			os.Remove(blobPath)
			d.Close()

			if out, err := runCmd(t, append([]string{"restore", file}, args...)...); !errors.Is(err, backup.ErrNotEmpty) {
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
			// In place: the replaced database's own keyring is used.
			out, err = runCmd(t, append([]string{"restore", "--force", file}, args...)...)
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

			// A fresh machine: refused without a keyring archive, and
			// without a master key, each with its stable code.
			if kind == db.SQLite {
				fresh := t.TempDir()
				kfile := strings.TrimSuffix(file, ".tar.gz") + ".keyring.tar.gz"
				out, err := runCmd(t, "restore", file, "--keyring", kfile, "--data-dir", fresh)
				if apperr.CodeOf(err) != "master_key_missing" {
					t.Errorf("restore without a master key: %v\n%s", err, out)
				}
				os.WriteFile(filepath.Join(fresh, keyring.KeyFile), key, 0o600)
				out, err = runCmd(t, "restore", file, "--data-dir", fresh)
				if apperr.CodeOf(err) != "keyring_required" {
					t.Errorf("restore onto a fresh machine without a keyring archive: %v\n%s", err, out)
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
// after the machine is lost: onto a fresh data dir with no master key, with
// a --keyring-only archive taken after the data archive that carries the
// master key (--include-master-key) and an erasure made after the data
// archive. It also checks that the data archive holds no wrapped key, that
// an older keyring archive is refused, and that the restored database's
// positions continue after the keyring's.
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
	kr, err := keyring.Load(ctx, d, "", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := kr.Seal(ctx, "acc_keep", "test:1", []byte("kept secret"))
	if err != nil {
		t.Fatal(err)
	}
	var wrapped []byte
	d.Reader().QueryRow(`SELECT wrapped FROM data_keys WHERE owner_id = 'acc_keep'`).Scan(&wrapped)
	addLedger(ctx, d, "led_before", time.Now().UnixMilli())
	d.Writer().Exec(`INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at) VALUES ('', 'test', 'x', 'test', '{}', 0)`)
	oldKeyring := filepath.Join(t.TempDir(), "old.keyring.tar.gz")
	if out, err := runCmd(t, append([]string{"backup", "--keyring-only", "--out", oldKeyring}, args...)...); err != nil {
		t.Fatalf("keyring-only backup: %v\n%s", err, out)
	}
	d.Writer().Exec(`INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at) VALUES ('', 'test', 'y', 'test', '{}', 0)`)
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	if out, err := runCmd(t, append([]string{"backup", "--out", file}, args...)...); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if raw := gunzip(t, file); len(wrapped) == 0 || bytes.Contains(raw, wrapped) {
		t.Errorf("the data archive holds the wrapped data key (%d bytes)", len(wrapped))
	}
	addLedger(ctx, d, "led_after", time.Now().UnixMilli()+1)
	keyFile := filepath.Join(t.TempDir(), "k.tar.gz")
	out, err := runCmd(t, append([]string{"backup", "--keyring-only", "--include-master-key", "--out", keyFile}, args...)...)
	if err != nil || !strings.Contains(out, "2 erasure ledger entries") || !strings.Contains(out, "with the master key") {
		t.Fatalf("keyring export: %v\n%s", err, out)
	}
	// The machine is lost: every table dropped, the data dir gone.
	if _, err := d.Writer().Exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	fresh := []string{"--data-dir", t.TempDir(), "--database-url", url}

	// A keyring archive older than the data archive is refused, before
	// anything is touched.
	out, err = runCmd(t, append([]string{"restore", file, "--keyring", oldKeyring}, fresh...)...)
	if apperr.CodeOf(err) != "keyring_older_than_data" {
		t.Fatalf("restore with an older keyring: %v\n%s", err, out)
	}
	// The archives swapped: refused with their own codes.
	if _, err := runCmd(t, append([]string{"restore", keyFile, "--keyring", keyFile}, fresh...)...); apperr.CodeOf(err) != "not_a_data_archive" {
		t.Errorf("a keyring archive as the data: %v", err)
	}
	if _, err := runCmd(t, append([]string{"restore", file, "--keyring", file}, fresh...)...); apperr.CodeOf(err) != "not_a_keyring_archive" {
		t.Errorf("a data archive as the keyring: %v", err)
	}

	var seen int
	extraRestoreHooks = []func(*server.App){func(a *server.App) {
		a.OnRestore(server.ReapplyErasures, "test.erasures", func(ctx context.Context, s int64) (int, error) { seen++; return 0, nil })
	}}
	t.Cleanup(func() { extraRestoreHooks = nil })
	out, err = runCmd(t, append([]string{"restore", file, "--keyring", keyFile}, fresh...)...)
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if seen != 1 || !strings.Contains(out, "1 entries made after the backup") || !strings.Contains(out, "master key taken from the keyring archive") {
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
	// The key came back from the keyring archive, with the master key.
	kr2, err := keyring.Load(ctx, d, "", fresh[1])
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := kr2.Open(ctx, "acc_keep", "test:1", sealed); err != nil || string(pt) != "kept secret" {
		t.Errorf("a sealed value does not open after the restore: %q %v", pt, err)
	}
	k, _ := backup.ReadKeyring(keyFile)
	var pos int64
	d.Reader().QueryRow(`SELECT pg_sequence_last_value(pg_get_serial_sequence('event_log', 'pos')::regclass)`).Scan(&pos)
	if pos < k.Manifest.Position {
		t.Errorf("the restored event log position %d is behind the keyring's %d", pos, k.Manifest.Position)
	}
}

// gunzip returns the uncompressed bytes of a .tar.gz (the tar stream, so a
// search finds what any extracted file holds).
func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startApp runs the real server on dataDir/dbURL until the returned stop
// function is called.
func startApp(t *testing.T, dataDir, dbURL string) (base string, env *servertest.Env, stop func()) {
	t.Helper()
	cfg, err := config.Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.DatabaseURL = dataDir, dbURL
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	out := &servertest.SafeBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Build(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), out)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	for i := 0; i < 400 && !strings.Contains(out.String(), "running at"); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	env = &servertest.Env{URL: cfg.BaseURL, App: app, Out: out, Logs: &servertest.SafeBuffer{}}
	return cfg.BaseURL, env, func() {
		cancel()
		<-done
		app.Close()
	}
}

// TestRestoreReappliesErasures: erasures made after the backup was taken
// are applied again by the restore: an account deleted after the backup
// cannot sign in and is not found afterwards; a message erased for everyone
// is not back in the API, the database or the search index.
func TestRestoreReappliesErasures(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			dataDir := t.TempDir()
			args := []string{"--data-dir", dataDir}
			var pgURL string
			if kind == db.Postgres {
				pgURL = dbtest.NewPostgresURL(t)
				args = append(args, "--database-url", pgURL)
			}
			_, env, stop := startApp(t, dataDir, pgURL)
			stopped := false
			defer func() {
				if !stopped {
					stop()
				}
			}()
			var tok string
			for i := 0; i < 400 && tok == ""; i++ {
				if m := regexp.MustCompile(`/setup\?token=([0-9a-f]+)`).FindStringSubmatch(env.Out.String()); m != nil {
					tok = m[1]
				} else {
					time.Sleep(5 * time.Millisecond)
				}
			}
			owner := env.Client()
			var setup struct {
				Org struct {
					ID string `json:"id"`
				} `json:"organization"`
			}
			owner.Do(t, "POST", "/api/v1/setup", map[string]any{
				"token":        tok,
				"organization": map[string]any{"name": "Restore Inc"},
				"owner":        map[string]any{"name": "Owner", "email": "owner@restore.test", "password": "correct horse battery"},
			}, &setup).Want(t, http.StatusCreated)
			var conv struct {
				ID string `json:"id"`
			}
			owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "G", "member_ids": []string{}}, &conv).Want(t, http.StatusCreated)
			sent := 0
			sendTo := func(convID, body string) string {
				var m struct {
					ID string `json:"id"`
				}
				sent++
				owner.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"client_msg_id": fmt.Sprintf("c%d", sent), "body": body}, &m).Want(t, http.StatusCreated)
				return m.ID
			}
			send := func(body string) string { return sendTo(conv.ID, body) }
			keep := send("KEEPSAKE kept message")
			gone := send("ERASEDCANARY secret message")
			// Erased after the backup through chat itself: deleted for
			// everyone, deleted for me, and a history cleared for me.
			chatDeleted := send("CHATDELETEDCANARY deleted in chat")
			hidden := send("HIDDENCANARY deleted for me")
			var conv2 struct {
				ID string `json:"id"`
			}
			owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "G2", "member_ids": []string{}}, &conv2).Want(t, http.StatusCreated)
			sendTo(conv2.ID, "CLEAREDCANARY in a history cleared for me")
			// A profile field the owner deletes after the backup.
			owner.Do(t, "POST", "/api/v1/me/erasures/profile", map[string]any{"fields": map[string]any{"office": "OFFICECANARY Room 42"}}, nil).Want(t, http.StatusOK)
			// A member who will delete their account after the backup.
			const leaverEmail = "leaver@restore.test"
			leaverAcc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: leaverEmail, Password: "correct horse battery", Name: "Leaver"})
			if err != nil {
				t.Fatal(err)
			}
			owner.Do(t, "POST", "/api/v1/members", map[string]any{"account_id": leaverAcc.ID}, nil).Want(t, http.StatusAccepted)
			leaver := env.Client()
			leaver.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": leaverEmail, "password": "correct horse battery"}, nil).Want(t, http.StatusOK)
			// The add is an invitation: the leaver accepts it.
			var mine struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
			}
			leaver.Do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
			if len(mine.Items) != 1 {
				t.Fatalf("the leaver's invitations: %+v", mine.Items)
			}
			leaver.Do(t, "POST", "/api/v1/me/invitations/"+mine.Items[0].ID+"/accept", nil, nil).Want(t, http.StatusOK)

			file := filepath.Join(t.TempDir(), "b.tar.gz")
			if out, err := runCmd(t, append([]string{"backup", "--out", file}, args...)...); err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			// After the backup: the message is erased for everyone.
			owner.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": gone, "for_everyone": true}, nil)
			if r := owner.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages/"+gone, nil, nil); strings.Contains(string(r.Body), "ERASEDCANARY") {
				t.Fatalf("the erasure did not erase: %s", r.Body)
			}
			owner.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": chatDeleted, "for_everyone": true}, nil).Want(t, http.StatusOK)
			owner.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": hidden}, nil).Want(t, http.StatusOK)
			owner.Do(t, "POST", "/api/v1/me/erasures/conversation", map[string]any{"conversation_id": conv2.ID}, nil).Want(t, http.StatusOK)
			owner.Do(t, "POST", "/api/v1/me/erasures/profile", map[string]any{"fields": map[string]any{"office": nil}}, nil).Want(t, http.StatusOK)
			// And the leaver deletes their account (the org erases at once);
			// wait until it is done.
			owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "delete", "leave_period_days": 0, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
			if r := leaver.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": "correct horse battery"}, nil); r.Status/100 != 2 {
				t.Fatalf("delete account: %d %s", r.Status, r.Body)
			}
			for i := 0; ; i++ {
				var pending int
				env.App.DB.Reader().QueryRow(`SELECT count(*) FROM erasure_ledger WHERE account_id = $1 AND status <> 'done'`, leaverAcc.ID).Scan(&pending)
				if pending == 0 {
					break
				}
				if i > 600 {
					t.Fatal("the account deletion did not complete")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if r := env.Client().Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": leaverEmail, "password": "correct horse battery"}, nil); r.Status == http.StatusOK {
				t.Fatal("a deleted account can still sign in")
			}
			stop()
			stopped = true

			out, err := runCmd(t, append([]string{"restore", "--force", file}, args...)...)
			if err != nil {
				t.Fatalf("restore: %v\n%s", err, out)
			}
			if strings.Contains(out, " 0 entries made after the backup") {
				t.Errorf("restore did not find the erasure made after the backup:\n%s", out)
			}
			_, env2, stop2 := startApp(t, dataDir, pgURL)
			defer stop2()
			c := env2.Client()
			c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "owner@restore.test", "password": "correct horse battery"}, nil).Want(t, http.StatusOK)
			c.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": setup.Org.ID}, nil).Want(t, http.StatusOK)
			if r := env2.Client().Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": leaverEmail, "password": "correct horse battery"}, nil); r.Status == http.StatusOK {
				t.Error("an account deleted after the backup can sign in again after the restore")
			}
			if r := c.Do(t, "GET", "/api/v1/people/"+leaverAcc.ID, nil, nil); r.Status != http.StatusNotFound {
				t.Errorf("an account deleted after the backup is found again after the restore: %d %s", r.Status, r.Body)
			}
			if r := c.Do(t, "GET", "/api/v1/search/messages?q=KEEPSAKE", nil, nil); !strings.Contains(string(r.Body), keep) {
				t.Errorf("search after the restore does not find the kept message (index not rebuilt?): %s", r.Body)
			}

			// The message erased after the backup stays erased.
			d, err := db.Open(context.Background(), db.Options{URL: pgURL, DataDir: dataDir})
			if err != nil {
				t.Fatal(err)
			}
			for _, canary := range []string{"ERASEDCANARY", "CHATDELETEDCANARY"} {
				var n int
				d.Reader().QueryRow(`SELECT count(*) FROM messages WHERE body LIKE '%' || $1 || '%'`, canary).Scan(&n)
				if n != 0 {
					t.Errorf("the message with %s erased after the backup is back in the database after the restore (%d rows)", canary, n)
				}
			}
			d.Close()
			for path, canaries := range map[string][]string{
				"/api/v1/conversations/" + conv.ID + "/messages":                {"ERASEDCANARY", "CHATDELETEDCANARY", "HIDDENCANARY"},
				"/api/v1/conversations/" + conv.ID + "/messages/" + gone:        {"ERASEDCANARY"},
				"/api/v1/conversations/" + conv.ID + "/messages/" + chatDeleted: {"CHATDELETEDCANARY"},
				"/api/v1/conversations/" + conv2.ID + "/messages":               {"CLEAREDCANARY"},
				"/api/v1/search/messages?q=CANARY":                              {"ERASEDCANARY", "CHATDELETEDCANARY", "HIDDENCANARY", "CLEAREDCANARY"},
				"/api/v1/members/me":                                            {"OFFICECANARY"},
			} {
				r := c.Do(t, "GET", path, nil, nil)
				for _, canary := range canaries {
					if strings.Contains(string(r.Body), canary) {
						t.Errorf("GET %s after the restore shows %s, erased after the backup: %s", path, canary, r.Body)
					}
				}
			}
			// What was kept is still there (the checks above see real pages).
			if r := c.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, nil); !strings.Contains(string(r.Body), "KEEPSAKE") {
				t.Errorf("history after the restore lacks the kept message: %s", r.Body)
			}
			c.Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		})
	}
}
