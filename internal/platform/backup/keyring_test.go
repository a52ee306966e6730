package backup_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/backup"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func addLedger(t *testing.T, d *db.DB, id, status string, at int64) {
	t.Helper()
	completed := int64(0)
	if status == "done" {
		completed = at
	}
	if _, err := d.Writer().Exec(`INSERT INTO erasure_ledger (id, kind, account_id, status, requested_at, due_at, completed_at) VALUES ($1, 'account', $2, $3, $4, $4, $5)`, id, "acc_"+id, status, at, completed); err != nil {
		t.Fatal(err)
	}
}

func event(t *testing.T, d *db.DB) {
	t.Helper()
	if _, err := d.Writer().Exec(`INSERT INTO event_log (org_id, scope_kind, scope_id, type, data, created_at) VALUES ('', 'test', 'x', 'test', '{}', 0)`); err != nil {
		t.Fatal(err)
	}
}

// TestKeyringArchive takes a keyring snapshot, writes and reads it back,
// and installs it into another database: only the archive's keys are
// installed, never one whose owner is tombstoned (in the archive or in the
// target), the ledger is merged (an erasure the target holds as scheduled
// and the archive as done counts as one to apply again), and the target's
// position moves up to the archive's.
func TestKeyringArchive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, src *db.DB) {
		ctx := context.Background()
		master := keyring.GenerateKey()
		kr, err := keyring.Load(ctx, src, master, "")
		if err != nil {
			t.Fatal(err)
		}
		sealed := map[string][]byte{}
		for _, o := range []string{"acc_keep", "acc_gone", "org_later"} {
			if sealed[o], err = kr.Seal(ctx, o, "t:"+o, []byte("secret of "+o)); err != nil {
				t.Fatal(err)
			}
		}
		if err := kr.Destroy(ctx, "acc_gone"); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UnixMilli()
		addLedger(t, src, "before", "done", now-10)
		addLedger(t, src, "sched", "done", now)
		addLedger(t, src, "after", "done", now)
		event(t, src)
		event(t, src)

		k, err := backup.SnapshotKeyring(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if len(k.Keys) != 2 || len(k.Tombstones) != 1 || len(k.Ledger) != 3 || k.Manifest.Position < 2 {
			t.Fatalf("snapshot: %d keys, %d tombstones, %d ledger rows, position %d", len(k.Keys), len(k.Tombstones), len(k.Ledger), k.Manifest.Position)
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "k.keyring.tar.gz")
		k.Manifest.BackupID = "bk_test"
		if err := backup.WriteKeyring(k, path); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Errorf("keyring archive mode %v", st.Mode().Perm())
		}
		got, err := backup.ReadKeyring(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Keys) != 2 || len(got.Tombstones) != 1 || len(got.Ledger) != 3 || got.MasterKey != "" {
			t.Fatalf("read back: %+v", got.Manifest)
		}
		mk, _ := keyring.DecodeMasterKey(master)
		if err := keyring.CheckMaster(mk, got.Keys); err != nil {
			t.Errorf("the right master key: %v", err)
		}
		other, _ := keyring.DecodeMasterKey(keyring.GenerateKey())
		if err := keyring.CheckMaster(other, got.Keys); err == nil {
			t.Error("a wrong master key opens the archive's keys")
		}

		// The target: a restored data archive, taken before "after" and
		// while "sched" was still scheduled, that (a version 1 archive)
		// still holds a key of its own and the destroyed one.
		dst := dbtest.Open(t, src.Kind)
		addLedger(t, dst, "before", "done", now-10)
		if _, err := dst.Writer().Exec(`INSERT INTO erasure_ledger (id, kind, account_id, status, requested_at, due_at) VALUES ('sched', 'account', 'acc_sched', 'scheduled', $1, $1)`, now); err != nil {
			t.Fatal(err)
		}
		var wrapped []byte
		src.Reader().QueryRow(`SELECT wrapped FROM data_keys WHERE owner_id = 'acc_keep'`).Scan(&wrapped)
		dst.Writer().Exec(`INSERT INTO data_keys (owner_id, wrapped, created_at) VALUES ('acc_gone', $1, 0), ('acc_stale', $1, 0)`, wrapped)
		res, err := backup.InstallKeyring(ctx, dst, []*backup.Keyring{got}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Installed != 2 || res.Tombstones != 1 || len(res.LedgerAdded) != 2 {
			t.Errorf("install: %+v, %d ledger rows added", res.ImportResult, len(res.LedgerAdded))
		}
		var owners []string
		rows, _ := dst.Reader().Query(`SELECT owner_id FROM data_keys ORDER BY owner_id`)
		for rows.Next() {
			var o string
			rows.Scan(&o)
			owners = append(owners, o)
		}
		rows.Close()
		if len(owners) != 2 || owners[0] != "acc_keep" || owners[1] != "org_later" {
			t.Errorf("keys after the install: %v (want only the archive's, none destroyed)", owners)
		}
		var status string
		dst.Reader().QueryRow(`SELECT status FROM erasure_ledger WHERE id = 'sched'`).Scan(&status)
		if status != "done" {
			t.Errorf("an erasure done after the data snapshot is %q in the restored ledger", status)
		}
		kr2, err := keyring.Load(ctx, dst, master, "")
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := kr2.Open(ctx, "acc_keep", "t:acc_keep", sealed["acc_keep"]); err != nil || string(pt) != "secret of acc_keep" {
			t.Errorf("a kept owner's data after the install: %q %v", pt, err)
		}
		if _, err := kr2.Open(ctx, "acc_gone", "t:acc_gone", sealed["acc_gone"]); err != keyring.ErrKeyDestroyed {
			t.Errorf("a destroyed owner's data after the install: %v", err)
		}
		next, err := backup.SnapshotKeyring(ctx, dst)
		if err != nil {
			t.Fatal(err)
		}
		if next.Manifest.Position < got.Manifest.Position {
			t.Errorf("the restored position %d is behind the keyring's %d", next.Manifest.Position, got.Manifest.Position)
		}

		// A newer keyring archive beside it supersedes it; the directory
		// yields the newest.
		event(t, src)
		k2, err := backup.SnapshotKeyring(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		newer := filepath.Join(dir, "k2.keyring.tar.gz")
		if err := backup.WriteKeyring(k2, newer); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "junk.tar.gz"), []byte("not an archive"), 0o600)
		if err := got.CheckSuperseded(path); apperr.CodeOf(err) != "keyring_superseded" {
			t.Errorf("an older keyring with a newer one beside it: %v", err)
		}
		if err := k2.CheckSuperseded(newer); err != nil {
			t.Errorf("the newest keyring: %v", err)
		}
		if p, err := backup.NewestKeyring(dir); err != nil || p != newer {
			t.Errorf("newest keyring in the directory: %q %v", p, err)
		}
		if got.Newer(backup.Manifest{Position: k2.Manifest.Position, CreatedAt: k2.Manifest.CreatedAt}) {
			t.Error("an older keyring passes for a newer one")
		}
		if err := got.CheckNewer(backup.Manifest{Position: k2.Manifest.Position}); apperr.CodeOf(err) != "keyring_older_than_data" {
			t.Errorf("CheckNewer: %v", err)
		}
	})
}
