package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalPutOpenDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("hello, atrium")
	info, err := s.Put(ctx, bytes.NewReader(body), 100)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) || len(info.SHA256) != 64 || !validKey(info.Key) {
		t.Fatalf("info = %+v", info)
	}
	o, size, err := s.Open(ctx, info.Key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(o)
	o.Close()
	if size != int64(len(body)) || !bytes.Equal(got, body) {
		t.Fatalf("read back %q (%d)", got, size)
	}
	if err := s.Delete(ctx, info.Key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, info.Key); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.Delete(ctx, info.Key); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	// Nothing but empty directories is left.
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			t.Errorf("leftover file %s", p)
		}
		return nil
	})
}

func TestLocalLimitAndConfinement(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, _ := NewLocal(dir)
	if _, err := s.Put(ctx, strings.NewReader(strings.Repeat("x", 11)), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 0 {
		t.Fatalf("temporary file left behind: %v", ents)
	}
	if _, err := s.Put(ctx, strings.NewReader(strings.Repeat("x", 10)), 10); err != nil {
		t.Fatalf("exactly the limit: %v", err)
	}
	for _, k := range []string{"", "../../etc/passwd", "..", strings.Repeat("A", 32), strings.Repeat("0", 31) + "/"} {
		if _, _, err := s.Open(ctx, k); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", k, err)
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Errorf("Delete(%q) = %v", k, err)
		}
	}
}
