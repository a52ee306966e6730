package safezip_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/safezip"
)

// FuzzArchive opens and extracts arbitrary bytes as a ZIP archive with small
// limits: no panic, nothing written outside the destination, nothing larger
// than the limits.
func FuzzArchive(f *testing.F) {
	f.Add(build(f, entry{name: "a.txt", body: []byte("hello")}, entry{name: "d/b.json", body: []byte("{}")}))
	f.Add(build(f, entry{name: "../x", body: []byte("x")}))
	f.Add(build(f, entry{name: "zeros", body: make([]byte, 4096)}))
	f.Add(build(f, entry{name: "l", body: []byte("/etc"), mode: fs.ModeSymlink | 0o777}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		limits := safezip.Limits{MaxEntries: 20, MaxFile: 8 << 10, MaxTotal: 32 << 10, MaxRatio: 50}
		r, err := safezip.New(bytes.NewReader(data), int64(len(data)), limits)
		if err != nil {
			return
		}
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Files() {
			if _, err := safezip.CleanName(f.Name); err != nil {
				t.Fatalf("listed an unsafe name %q", f.Name)
			}
			if rc, err := f.Open(); err == nil {
				n, _ := io.Copy(io.Discard, rc)
				rc.Close()
				if n > limits.MaxFile {
					t.Fatalf("read %d bytes from %q", n, f.Name)
				}
			}
		}
		n, _ := safezip.Extract(r, dir)
		if n > limits.MaxTotal {
			t.Fatalf("extracted %d bytes", n)
		}
		entries, _ := os.ReadDir(parent)
		if len(entries) != 1 {
			t.Fatalf("wrote beside the destination: %v", entries)
		}
	})
}
