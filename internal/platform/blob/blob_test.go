package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// TestPutOpenDelete stores, reads, seeks and deletes a body on each
// backend: nothing is left once it is deleted.
func TestPutOpenDelete(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.store
		body := []byte("hello, atrium")
		info, err := s.Put(ctx, bytes.NewReader(body), 100)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if info.Size != int64(len(body)) || info.SHA256 != hex.EncodeToString(sum[:]) || len(info.Key) != 32 {
			t.Fatalf("info = %+v", info)
		}
		if got := b.list(t); len(got) != 1 || got[0] != info.Key {
			t.Fatalf("stored %v", got)
		}
		o, size, err := s.Open(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(o)
		if size != int64(len(body)) || !bytes.Equal(got, body) {
			t.Fatalf("read back %q (%d)", got, size)
		}
		if _, err := o.Seek(7, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		if tail, _ := io.ReadAll(o); string(tail) != "atrium" {
			t.Fatalf("after seek: %q", tail)
		}
		o.Close()
		if err := s.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Open(ctx, info.Key); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.Delete(ctx, info.Key); err != nil {
			t.Fatalf("second delete: %v", err)
		}
		if got := b.list(t); len(got) != 0 {
			t.Fatalf("left after delete: %v", got)
		}
	})
}

// TestLimitAndConfinement: a body over the limit is refused and leaves
// nothing; malformed keys open nothing and delete nothing.
func TestLimitAndConfinement(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := b.store
		if _, err := s.Put(ctx, strings.NewReader(strings.Repeat("x", 11)), 10); !errors.Is(err, blob.ErrTooLarge) {
			t.Fatalf("want ErrTooLarge, got %v", err)
		}
		if got := append(b.list(t), b.leftovers(t)...); len(got) != 0 {
			t.Fatalf("a refused body left %v", got)
		}
		if _, err := s.Put(ctx, strings.NewReader(strings.Repeat("x", 10)), 10); err != nil {
			t.Fatalf("exactly the limit: %v", err)
		}
		for _, k := range []string{"", "../../etc/passwd", "..", strings.Repeat("A", 32), strings.Repeat("0", 31) + "/", strings.Repeat("0", 32)} {
			if _, _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open(%q) = %v, want ErrNotFound", k, err)
			}
			if err := s.Delete(ctx, k); err != nil {
				t.Errorf("Delete(%q) = %v", k, err)
			}
		}
		if got := b.list(t); len(got) != 1 {
			t.Fatalf("stored %v", got)
		}
	})
}

// TestLargeBodyStreams stores a body of several multipart parts (the S3
// store's parts are 5 MiB here) from a reader of unknown length, reads it
// back whole and from an offset in its last part; over the limit, the
// multipart upload is aborted and nothing stays.
func TestLargeBodyStreams(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		body := make([]byte, 12<<20+12345)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range body {
			body[i] = byte(rng.UintN(256))
		}
		info, err := b.store.Put(ctx, io.MultiReader(bytes.NewReader(body[:1<<20]), bytes.NewReader(body[1<<20:])), 0)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(body)
		if info.Size != int64(len(body)) || info.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("info %+v", info)
		}
		if raw := b.raw(t, info.Key); !bytes.Equal(raw, body) {
			t.Fatalf("stored %d bytes, not the body", len(raw))
		}
		o, n, err := b.store.Open(ctx, info.Key)
		if err != nil || n != int64(len(body)) {
			t.Fatal(n, err)
		}
		if _, err := o.Seek(-100, io.SeekEnd); err != nil {
			t.Fatal(err)
		}
		if tail, _ := io.ReadAll(o); !bytes.Equal(tail, body[len(body)-100:]) {
			t.Fatal("seek into the last part reads other bytes")
		}
		o.Close()
		if err := b.store.Delete(ctx, info.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := b.store.Put(ctx, bytes.NewReader(body), 11<<20); !errors.Is(err, blob.ErrTooLarge) {
			t.Fatalf("over the limit: %v", err)
		}
		if got := append(b.list(t), b.leftovers(t)...); len(got) != 0 {
			t.Fatalf("left behind: %v", got)
		}
	})
}

// TestCancelledPutLeavesNothing: a body whose reader fails midway (a
// client gone) is not kept.
func TestCancelledPutLeavesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx, cancel := context.WithCancel(context.Background())
		r := io.MultiReader(bytes.NewReader(make([]byte, 6<<20)), readerFunc(func([]byte) (int, error) {
			cancel()
			return 0, context.Canceled
		}))
		if _, err := b.store.Put(ctx, r, 0); err == nil {
			t.Fatal("a failed body was stored")
		}
		if got := append(b.list(t), b.leftovers(t)...); len(got) != 0 {
			t.Fatalf("left behind: %v", got)
		}
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
