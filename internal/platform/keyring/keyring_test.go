package keyring

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func load(t *testing.T, d *db.DB, key, dir string) *Keyring {
	t.Helper()
	k, err := Load(context.Background(), d, key, dir)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := load(t, d, GenerateKey(), "")
		msg := []byte("+49 170 5550123")
		aad := "accounts.phone:acc_1"
		s1, err := k.Seal(ctx, "acc_1", aad, msg)
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := k.Seal(ctx, "acc_1", aad, msg)
		if bytes.Equal(s1, s2) || bytes.Contains(s1, msg) || s1[0] != version {
			t.Fatal("sealed values must be versioned, randomized and not contain the plaintext")
		}
		got, err := k.Open(ctx, "acc_1", aad, s1)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("open = %q, %v", got, err)
		}
		// Another row, another owner, a flipped byte: all refuse.
		if _, err := k.Open(ctx, "acc_1", "accounts.phone:acc_2", s1); err == nil {
			t.Fatal("opened with the wrong associated data")
		}
		if _, err := k.Seal(ctx, "acc_2", aad, msg); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Open(ctx, "acc_2", aad, s1); err == nil {
			t.Fatal("opened with another owner's key")
		}
		bad := append([]byte(nil), s1...)
		bad[len(bad)-1] ^= 1
		if _, err := k.Open(ctx, "acc_1", aad, bad); err == nil {
			t.Fatal("opened a tampered value")
		}
		if _, err := k.Open(ctx, "acc_1", aad, s1[:5]); err == nil {
			t.Fatal("opened a truncated value")
		}
		if _, err := k.Open(ctx, "acc_never", aad, s1); !errors.Is(err, ErrNoKey) {
			t.Fatalf("owner without key: %v", err)
		}
		// A fresh keyring (another node, or after a restart) opens it too.
		k2 := load(t, d, base64.StdEncoding.EncodeToString(k.hashRoot), "")
		if got, err := k2.Open(ctx, "acc_1", aad, s1); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("second keyring: %q, %v", got, err)
		}
		// Empty plaintexts round-trip.
		s3, _ := k.Seal(ctx, "acc_1", aad, nil)
		if got, err := k.Open(ctx, "acc_1", aad, s3); err != nil || len(got) != 0 {
			t.Fatalf("empty: %q %v", got, err)
		}
	})
}

func TestConcurrentFirstSealAgreesOnOneKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		key := GenerateKey()
		var wg sync.WaitGroup
		sealed := make([][]byte, 16)
		errs := make([]error, 16)
		for i := range sealed {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				// Separate keyrings: separate caches, like separate nodes.
				k, err := Load(ctx, d, key, "")
				if err != nil {
					errs[i] = err
					return
				}
				sealed[i], errs[i] = k.Seal(ctx, "org_1", "x", []byte("v"))
			}(i)
		}
		wg.Wait()
		k := load(t, d, key, "")
		for i, s := range sealed {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if _, err := k.Open(ctx, "org_1", "x", s); err != nil {
				t.Fatalf("value %d sealed with a key that was lost: %v", i, err)
			}
		}
	})
}

func TestKeyCreatedInRolledBackTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := load(t, d, GenerateKey(), "")
		boom := errors.New("boom")
		_ = d.Tx(ctx, func(ctx context.Context) error {
			if _, err := k.Seal(ctx, "acc_1", "x", []byte("a")); err != nil {
				return err
			}
			return boom
		})
		s, err := k.Seal(ctx, "acc_1", "x", []byte("b"))
		if err != nil {
			t.Fatal(err)
		}
		k2 := load(t, d, base64.StdEncoding.EncodeToString(k.hashRoot), "")
		if _, err := k2.Open(ctx, "acc_1", "x", s); err != nil {
			t.Fatalf("key after rollback is not the stored one: %v", err)
		}
	})
}

func TestDestroy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		key := GenerateKey()
		k := load(t, d, key, "")
		other := load(t, d, key, "") // another node with its own cache
		s, _ := k.Seal(ctx, "acc_1", "x", []byte("secret"))
		keep, _ := k.Seal(ctx, "acc_2", "x", []byte("kept"))
		if _, err := other.Open(ctx, "acc_1", "x", s); err != nil {
			t.Fatal(err)
		}

		// A Destroy that rolls back destroys nothing.
		_ = d.Tx(ctx, func(ctx context.Context) error {
			if err := k.Destroy(ctx, "acc_1"); err != nil {
				return err
			}
			return errors.New("abort")
		})
		if _, err := k.Open(ctx, "acc_1", "x", s); err != nil {
			t.Fatalf("rolled-back destroy took effect: %v", err)
		}

		if err := k.Destroy(ctx, "acc_1"); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Open(ctx, "acc_1", "x", s); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("open after destroy: %v", err)
		}
		if _, err := k.Seal(ctx, "acc_1", "x", []byte("new")); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("seal after destroy: %v", err)
		}
		fresh := load(t, d, key, "")
		if _, err := fresh.Open(ctx, "acc_1", "x", s); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("open on a fresh keyring after destroy: %v", err)
		}
		if gone, _ := fresh.Destroyed(ctx, "acc_1"); !gone {
			t.Fatal("Destroyed = false")
		}
		// Other owners are untouched; destroying twice is fine.
		if got, err := k.Open(ctx, "acc_2", "x", keep); err != nil || string(got) != "kept" {
			t.Fatalf("other owner: %q %v", got, err)
		}
		if err := k.Destroy(ctx, "acc_1"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.Reader().QueryRow(`SELECT count(*) FROM data_keys WHERE owner_id = 'acc_1'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("wrapped key still stored: %d %v", n, err)
		}
	})
}

type holds map[string]bool

func (h holds) UnderLegalHold(ctx context.Context, owner string) (bool, error) { return h[owner], nil }

func TestLegalHoldBlocksDestroy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := load(t, d, GenerateKey(), "")
		k.Holds = holds{"org_1": true}
		s, _ := k.Seal(ctx, "org_1", "x", []byte("evidence"))
		err := k.Destroy(ctx, "org_1")
		if apperr.KindOf(err) != apperr.KindConflict || apperr.CodeOf(err) != "legal_hold" {
			t.Fatalf("destroy under hold: %v", err)
		}
		if _, err := k.Open(ctx, "org_1", "x", s); err != nil {
			t.Fatalf("held key was destroyed: %v", err)
		}
		k.Holds = holds{}
		if err := k.Destroy(ctx, "org_1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMasterKeyFile(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	k := load(t, d, "", dir)
	path := filepath.Join(dir, KeyFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("master.key mode = %04o, want 0600", st.Mode().Perm())
	}
	s, _ := k.Seal(ctx, "acc_1", "x", []byte("v"))
	// The next start reads the same key.
	k2 := load(t, d, "", dir)
	if _, err := k2.Open(ctx, "acc_1", "x", s); err != nil {
		t.Fatalf("reloaded key does not open: %v", err)
	}
	// Looser permissions are refused with a clear message.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, d, "", dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("0644 key file: %v", err)
	}
	os.Chmod(path, 0o600)
	// A key of the wrong length is refused.
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(make([]byte, 16))), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, d, "", dir); err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Fatalf("short key file: %v", err)
	}
	// A different (valid) key does not open the stored data keys.
	if err := os.WriteFile(path, []byte(GenerateKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, d, "", dir); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("wrong key file: %v", err)
	}
}

func TestEnvironmentKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		key := GenerateKey()
		k := load(t, d, key, dir)
		if _, err := os.Stat(filepath.Join(dir, KeyFile)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a key file was created although a key was configured: %v", err)
		}
		s, _ := k.Seal(ctx, "acc_1", "x", []byte("v"))
		if got, err := load(t, d, key, dir).Open(ctx, "acc_1", "x", s); err != nil || string(got) != "v" {
			t.Fatalf("%q %v", got, err)
		}
		if _, err := Load(ctx, d, GenerateKey(), dir); err == nil || !strings.Contains(err.Error(), "does not open") {
			t.Fatalf("another key: %v", err)
		}
		for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
			if _, err := Load(ctx, d, bad, dir); err == nil || !strings.Contains(err.Error(), "ATRIUM_MASTER_KEY") {
				t.Fatalf("bad key %q: %v", bad, err)
			}
		}
	})
}

func TestHash(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	key := GenerateKey()
	k1, k2 := load(t, d, key, ""), load(t, d, key, "")
	h := k1.Hash("email", "ada@example.com")
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not 64 hex digits", h)
	}
	if k2.Hash("email", "ada@example.com") != h {
		t.Fatal("hash not stable for the same master key")
	}
	if k1.Hash("phone", "ada@example.com") == h {
		t.Fatal("purposes are not separated")
	}
	if k1.Hash("email", "bob@example.com") == h {
		t.Fatal("different values hash alike")
	}
	other, _ := New(d, make([]byte, 32))
	if other.Hash("email", "ada@example.com") == h {
		t.Fatal("hash does not depend on the master key")
	}
}

func TestPlaintextNotInSQLiteFile(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	k := load(t, d, GenerateKey(), "")
	secret := []byte("+81 90 1234 5678 unmistakable-phone")
	if _, err := d.Writer().Exec(`CREATE TABLE probe (id TEXT PRIMARY KEY, phone BLOB)`); err != nil {
		t.Fatal(err)
	}
	err := d.Tx(ctx, func(ctx context.Context) error {
		s, err := k.Seal(ctx, "acc_1", "probe.phone:p1", secret)
		if err != nil {
			return err
		}
		_, err = d.W(ctx).ExecContext(ctx, `INSERT INTO probe (id, phone) VALUES ('p1', $1)`, s)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.dataKey(ctx, "acc_1", false)
	if err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := d.Reader().QueryRow(`SELECT phone FROM probe`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if got, err := open(a, "probe.phone:p1", stored); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("stored value: %q %v", got, err)
	}
	// Look in the database file and its WAL, before and after a checkpoint.
	for _, checkpoint := range []bool{false, true} {
		if checkpoint {
			if err := d.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []string{d.Path, d.Path + "-wal"} {
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, secret) {
				t.Fatalf("plaintext found in %s", filepath.Base(p))
			}
			if bytes.Contains(b, k.hashRoot) {
				t.Fatalf("master key found in %s", filepath.Base(p))
			}
		}
	}
}

// A key read (and cached) by a request outside the destroying transaction
// while that transaction is still open is evicted when it commits.
func TestDestroyEvictsKeyCachedDuringTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k := load(t, d, GenerateKey(), "")
		s, _ := k.Seal(ctx, "acc_1", "x", []byte("v"))
		err := d.Tx(ctx, func(txctx context.Context) error {
			if err := k.Destroy(txctx, "acc_1"); err != nil {
				return err
			}
			// Not yet committed: another request still opens it (and caches the key).
			if _, err := k.Open(ctx, "acc_1", "x", s); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.Open(ctx, "acc_1", "x", s); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("open after the destroying transaction committed: %v", err)
		}
	})
}
