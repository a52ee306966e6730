package blob_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// keys is a Sealer with one random key per owner, destroyable.
type keys struct {
	mu sync.Mutex
	k  map[string]cipher.AEAD
}

func (s *keys) aead(owner string, create bool) cipher.AEAD {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.k == nil {
		s.k = map[string]cipher.AEAD{}
	}
	a, ok := s.k[owner]
	if !ok && create {
		raw := make([]byte, 32)
		rand.Read(raw)
		b, _ := aes.NewCipher(raw)
		a, _ = cipher.NewGCM(b)
		s.k[owner] = a
	}
	return a
}

func (s *keys) Seal(_ context.Context, owner, aad string, pt []byte) ([]byte, error) {
	a := s.aead(owner, true)
	n := make([]byte, 12)
	rand.Read(n)
	return a.Seal(n, n, pt, []byte(aad)), nil
}

func (s *keys) Open(_ context.Context, owner, aad string, b []byte) ([]byte, error) {
	a := s.aead(owner, false)
	if a == nil {
		return nil, errors.New("destroyed")
	}
	return a.Open(nil, b[:12], b[12:], []byte(aad))
}

func (s *keys) destroy(owner string) {
	s.mu.Lock()
	delete(s.k, owner)
	s.mu.Unlock()
}

// TestEnvelope stores bodies of several sizes encrypted, reads and seeks
// them back, and checks that the stored bytes hold no plaintext, that a
// flipped bit or a destroyed owner key makes the body unreadable, that a
// rewrapped copy opens under its new owner only, and that bodies stored
// before encryption still read — on the local and the S3 store alike.
func TestEnvelope(t *testing.T) {
	eachBackend(t, testEnvelope)
}

func testEnvelope(t *testing.T, b backend) {
	ctx := context.Background()
	local := b.store
	k := &keys{}
	env := blob.Seal(local, k)
	canary := "CANARY-envelope-bytes"
	for _, size := range []int{0, 1, 65535, 65536, 65537, 200_000} {
		body := []byte(strings.Repeat("a", size))
		if size > len(canary) {
			copy(body[size/2:], canary)
		}
		info, err := blob.PutFor(ctx, env, "acc_1", bytes.NewReader(body), 0)
		if err != nil {
			t.Fatal(size, err)
		}
		if info.Size != int64(size) {
			t.Fatalf("size %d: info %+v", size, info)
		}
		raw := b.raw(t, info.Key)
		if bytes.Contains(raw, []byte(canary)) || !bytes.HasPrefix(raw, []byte("ATRB")) {
			t.Fatalf("size %d: stored in plaintext", size)
		}
		o, n, err := env.Open(ctx, info.Key)
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: open %d %v", size, n, err)
		}
		got, err := io.ReadAll(o)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("size %d: read %d bytes, %v", size, len(got), err)
		}
		if size > 10 {
			if _, err := o.Seek(int64(size-5), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			tail, _ := io.ReadAll(o)
			if !bytes.Equal(tail, body[size-5:]) {
				t.Fatalf("size %d: seek read %q", size, tail)
			}
		}
		o.Close()
	}
	// Over the limit: refused, nothing kept.
	if _, err := blob.PutFor(ctx, env, "acc_1", strings.NewReader(strings.Repeat("b", 100)), 99); !errors.Is(err, blob.ErrTooLarge) {
		t.Fatalf("limit: %v", err)
	}

	info, _ := blob.PutFor(ctx, env, "acc_2", strings.NewReader("the plan"), 0)
	moved, err := env.Rewrap(ctx, info.Key, "org_1")
	if err != nil {
		t.Fatal(err)
	}
	if owner, _ := env.Owner(ctx, moved.Key); owner != "org_1" {
		t.Fatalf("rewrapped owner %q", owner)
	}
	// Tampering is detected.
	raw := b.raw(t, info.Key)
	raw[len(raw)-1] ^= 1
	b.write(t, info.Key, raw)
	if o, _, err := env.Open(ctx, info.Key); err == nil {
		if _, err := io.ReadAll(o); !errors.Is(err, blob.ErrUnreadable) {
			t.Fatalf("tampered body read: %v", err)
		}
	}
	// Destroying the first owner's key leaves the rewrapped copy readable.
	k.destroy("acc_2")
	if _, _, err := env.Open(ctx, info.Key); !errors.Is(err, blob.ErrUnreadable) {
		t.Fatalf("open after key destruction: %v", err)
	}
	o, _, err := env.Open(ctx, moved.Key)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(o); string(b) != "the plan" {
		t.Fatalf("rewrapped copy reads %q", b)
	}
	o.Close()

	// A body stored before encryption reads as it is.
	old, _ := local.Put(ctx, strings.NewReader("legacy bytes"), 0)
	o, n, err := env.Open(ctx, old.Key)
	if err != nil || n != 12 {
		t.Fatal(n, err)
	}
	if b, _ := io.ReadAll(o); string(b) != "legacy bytes" {
		t.Fatalf("legacy read %q", b)
	}
	o.Close()
}
