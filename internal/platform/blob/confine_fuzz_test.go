package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// FuzzLocalConfined stores a body and then opens and deletes arbitrary keys:
// only the key the store returned opens, nothing outside the store's
// directory is read or removed, and bodies over the limit are refused
// without leaving partial files.
func FuzzLocalConfined(f *testing.F) {
	for _, k := range []string{"../secret", "../../secret", "/etc/passwd", "00/00/../../../secret", strings.Repeat("a", 32), "0123456789abcdef0123456789abcdef", "..", "", "tmp/put-1", "ab/cd/" + strings.Repeat("f", 32)} {
		f.Add(k, []byte("body"), int64(100))
	}
	f.Fuzz(func(t *testing.T, key string, body []byte, limit int64) {
		parent := t.TempDir()
		secret := filepath.Join(parent, "secret")
		os.WriteFile(secret, []byte("SECRET"), 0o600)
		dir := filepath.Join(parent, "store")
		st, err := blob.NewLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		info, err := st.Put(ctx, bytes.NewReader(body), limit)
		switch {
		case err == nil && limit > 0 && int64(len(body)) > limit:
			t.Fatalf("stored %d bytes over a limit of %d", len(body), limit)
		case err != nil:
			if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 0 {
				t.Fatalf("a refused body left %d temporary files", len(ents))
			}
		}
		if key != info.Key {
			if o, _, err := st.Open(ctx, key); err == nil {
				b, _ := io.ReadAll(o)
				o.Close()
				t.Fatalf("Open(%q) succeeded (read %q)", key, b)
			} else if !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("Open(%q): %v, want ErrNotFound", key, err)
			}
		}
		_ = st.Delete(ctx, key)
		if b, err := os.ReadFile(secret); err != nil || string(b) != "SECRET" {
			t.Fatalf("Delete(%q) reached outside the store", key)
		}
		if info.Key != "" && key != info.Key {
			o, _, err := st.Open(ctx, info.Key)
			if err != nil {
				t.Fatalf("Delete(%q) removed the stored body %s: %v", key, info.Key, err)
			}
			o.Close()
		}
	})
}
