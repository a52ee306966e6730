package safezip_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/safezip"
)

type entry struct {
	name string
	body []byte
	mode fs.FileMode
}

func build(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(b []byte, l safezip.Limits) (*safezip.Reader, error) {
	return safezip.New(bytes.NewReader(b), int64(len(b)), l)
}

func TestAcceptsAndExtracts(t *testing.T) {
	b := build(t,
		entry{name: "data.json", body: []byte(`{"a":1}`)},
		entry{name: "files/", mode: fs.ModeDir | 0o755},
		entry{name: "files/photo.jpg", body: bytes.Repeat([]byte{1, 2, 3}, 1000)},
		entry{name: "files/deep/nested/note.txt", body: []byte("hello")},
		entry{name: "会议纪要.md", body: []byte("# notes")},
	)
	r, err := open(b, safezip.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.Files()); n != 4 {
		t.Fatalf("%d files", n)
	}
	dir := t.TempDir()
	n, err := safezip.Extract(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7+3000+5+7 {
		t.Fatalf("wrote %d bytes", n)
	}
	got, err := os.ReadFile(filepath.Join(dir, "files/deep/nested/note.txt"))
	if err != nil || string(got) != "hello" {
		t.Fatalf("%q %v", got, err)
	}
	st, _ := os.Stat(filepath.Join(dir, "data.json"))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
}

func TestRefusesNames(t *testing.T) {
	for _, name := range []string{
		"../evil.txt",
		"a/../../evil.txt",
		"a/../b.txt",
		"./a.txt",
		"/etc/passwd",
		"//server/share",
		`..\evil.txt`,
		`a\..\..\evil.txt`,
		`C:\Windows\evil.txt`,
		"C:evil.txt",
		"a//b.txt",
		"a/./b.txt",
		"a\x00.txt",
		"a\nb.txt",
		"bad\xff.txt",
		strings.Repeat("a", 1025),
	} {
		_, err := open(build(t, entry{name: name, body: []byte("x")}), safezip.Limits{})
		if !errors.Is(err, safezip.ErrUnsafe) {
			t.Errorf("%q: %v, want ErrUnsafe", name, err)
		}
	}
}

func TestRefusesStructure(t *testing.T) {
	for name, tc := range map[string]struct {
		entries []entry
		limits  safezip.Limits
	}{
		"symlink":           {entries: []entry{{name: "link", body: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}}},
		"duplicate":         {entries: []entry{{name: "a.txt", body: []byte("1")}, {name: "a.txt", body: []byte("2")}}},
		"duplicate by case": {entries: []entry{{name: "A.txt", body: []byte("1")}, {name: "a.TXT", body: []byte("2")}}},
		"file and dir":      {entries: []entry{{name: "a", body: []byte("1")}, {name: "a/b", body: []byte("2")}}},
		"too many entries":  {entries: []entry{{name: "1", body: nil}, {name: "2", body: nil}, {name: "3", body: nil}}, limits: safezip.Limits{MaxEntries: 2}},
		"file too large":    {entries: []entry{{name: "big", body: make([]byte, 2000)}}, limits: safezip.Limits{MaxFile: 1000}},
		"total too large":   {entries: []entry{{name: "a", body: make([]byte, 600)}, {name: "b", body: make([]byte, 600)}}, limits: safezip.Limits{MaxTotal: 1000}},
		"bomb (ratio)":      {entries: []entry{{name: "zeros", body: make([]byte, 8<<20)}}},
		"named pipe":        {entries: []entry{{name: "fifo", mode: fs.ModeNamedPipe | 0o644}}},
		"device":            {entries: []entry{{name: "dev", mode: fs.ModeDevice | 0o644}}},
	} {
		_, err := open(build(t, tc.entries...), tc.limits)
		if !errors.Is(err, safezip.ErrUnsafe) {
			t.Errorf("%s: %v, want ErrUnsafe", name, err)
		}
	}
	if _, err := open([]byte("not a zip"), safezip.Limits{}); !errors.Is(err, safezip.ErrUnsafe) {
		t.Errorf("garbage: %v", err)
	}
}

// TestLyingHeaders builds an entry whose headers claim 10 bytes while its
// data inflates to 1 MiB: reading stops at the declared size.
func TestLyingHeaders(t *testing.T) {
	body := bytes.Repeat([]byte("A"), 1<<20)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(body)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "liar.txt", Method: zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(body),
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	r, err := open(buf.Bytes(), safezip.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.Files()[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	if err == nil || n > 10 {
		t.Fatalf("read %d bytes, err %v", n, err)
	}
	if _, err := safezip.Extract(r, t.TempDir()); err == nil {
		t.Fatal("extracted a lying entry")
	}
}

// TestExtractStaysInside plants a symbolic link in the destination that
// points outside it; extraction through it is refused.
func TestExtractStaysInside(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "a")); err != nil {
		t.Fatal(err)
	}
	r, err := open(build(t, entry{name: "a/escaped.txt", body: []byte("x")}), safezip.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := safezip.Extract(r, dir); err == nil {
		t.Fatal("extraction followed a symlink out of the destination")
	}
	if _, err := os.Stat(filepath.Join(outside, "escaped.txt")); err == nil {
		t.Fatal("file written outside the destination")
	}
}
