package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

// hasher stands in for the keyring: keyed hashes under a test master key.
type hasher string

func (h hasher) Hash(purpose, value string) string {
	m := hmac.New(sha256.New, []byte(string(h)+"/"+purpose))
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

func signer(t *testing.T, master string) *Signer {
	t.Helper()
	s, err := NewSigner(hasher(master))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hashOf(t *testing.T, d *db.DB, seq int64) string {
	t.Helper()
	var h string
	if err := d.Writer().QueryRow(`SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// truncate deletes the entries after keep and moves the head back to it:
// the attack the chain alone cannot see.
func truncate(t *testing.T, d *db.DB, keep int64) {
	t.Helper()
	exec(t, d, `DELETE FROM audit_log WHERE seq > $1`, keep)
	exec(t, d, `UPDATE audit_head SET seq = $1, hash = $2`, keep, hashOf(t, d, keep))
}

func TestCheckpointDetectsTruncation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := signer(t, "master-1")
		path := filepath.Join(t.TempDir(), CheckpointFile)
		seed(t, d, 5)
		c, err := WriteCheckpoint(ctx, d, s, path, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if c.Seq != 5 || c.Hash != hashOf(t, d, 5) || !s.Valid(c) {
			t.Fatalf("checkpoint %+v", c)
		}
		// Later entries are fine, and the next checkpoint follows on.
		seed(t, d, 2)
		if _, err := WriteCheckpoint(ctx, d, s, path, time.Now()); err != nil {
			t.Fatal(err)
		}
		cps, err := ReadCheckpointFile(path)
		if err != nil || len(cps) != 2 || cps[1].Seq != 7 {
			t.Fatalf("checkpoint file: %+v %v", cps, err)
		}
		if r, err := VerifyWithCheckpoints(ctx, d, s, cps); err != nil || !r.OK || r.Checkpoints != 2 {
			t.Fatalf("intact chain with checkpoints: %+v %v", r, err)
		}

		truncate(t, d, 6)
		if r := verify(t, d); !r.OK {
			t.Fatalf("the chain alone was expected to miss a truncation (else this test proves nothing): %+v", r)
		}
		r, err := VerifyWithCheckpoints(ctx, d, s, cps)
		if err != nil {
			t.Fatal(err)
		}
		wantBad(t, r, 7, "entries at the end were deleted")
		// The server will not sign the shortened head.
		if _, err := WriteCheckpoint(ctx, d, s, path, time.Now()); !errors.Is(err, ErrChainBroken) {
			t.Fatalf("checkpoint of a truncated chain: %v", err)
		}
	})
}

func TestCheckpointDetectsRewrittenTail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := signer(t, "master-1")
		seed(t, d, 5)
		cps := []Checkpoint{s.Sign(5, hashOf(t, d, 5), time.Now())}
		// Delete the last two entries and append three others through the
		// real code path: the chain is well formed and longer than before.
		truncate(t, d, 3)
		seed(t, d, 3)
		if r := verify(t, d); !r.OK || r.HeadSeq != 6 {
			t.Fatalf("rewritten chain should verify on its own: %+v", r)
		}
		r, err := VerifyWithCheckpoints(ctx, d, s, cps)
		if err != nil {
			t.Fatal(err)
		}
		wantBad(t, r, 5, "rewritten")
		path := filepath.Join(t.TempDir(), CheckpointFile)
		if err := AppendCheckpoint(path, cps[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteCheckpoint(ctx, d, s, path, time.Now()); !errors.Is(err, ErrChainBroken) {
			t.Fatalf("checkpoint over a rewritten chain: %v", err)
		}
	})
}

func TestCheckpointSignature(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := signer(t, "master-1")
		seed(t, d, 3)
		good := s.Sign(3, hashOf(t, d, 3), time.Now())
		// Whoever holds only the database cannot make a checkpoint this
		// deployment accepts: another key, or an edited checkpoint, fails.
		other := signer(t, "master-2").Sign(3, hashOf(t, d, 3), time.Now())
		edited := good
		edited.Seq = 2
		edited.Hash = hashOf(t, d, 2)
		for name, c := range map[string]Checkpoint{"other key": other, "edited": edited} {
			if _, err := VerifyWithCheckpoints(ctx, d, s, []Checkpoint{c}); err == nil || !strings.Contains(err.Error(), "signature") {
				t.Errorf("%s: %v", name, err)
			}
		}
		if publicKeyOf(t, "master-1") != s.PublicKey() {
			t.Fatal("the same master key derived another checkpoint key")
		}
		// The file format round-trips and refuses junk.
		var buf bytes.Buffer
		path := filepath.Join(t.TempDir(), "cp")
		if err := AppendCheckpoint(path, good); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		buf.Write(b)
		buf.WriteString("\n")
		cps, err := ReadCheckpoints(&buf)
		if err != nil || len(cps) != 1 || cps[0] != good {
			t.Fatalf("round trip: %+v %v", cps, err)
		}
		if _, err := ReadCheckpoints(strings.NewReader(`{"seq": 1, "hash": "x", "sig": "y", "extra": 1}`)); err == nil {
			t.Fatal("unknown field accepted")
		}
	})
}

func publicKeyOf(t *testing.T, master string) string { return signer(t, master).PublicKey() }
