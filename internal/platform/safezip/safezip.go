// Package safezip reads ZIP archives uploaded by people (imports) without
// letting a hostile archive exhaust memory or disk or write outside its
// destination: it bounds the number of entries, each entry's and the total
// uncompressed size, and the compression ratio, and refuses entry names that
// are absolute, climb out with "..", use backslashes or drive letters, hold
// control characters, repeat another name, or are symbolic links.
//
// Limits are checked twice: against the sizes the archive declares (so an
// obviously hostile archive is refused before anything is read), and while
// reading (so an archive whose headers lie is cut off at the limit).
package safezip

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"unicode"
)

// ErrUnsafe is wrapped by every refusal, so callers can answer 400.
var ErrUnsafe = errors.New("safezip: archive refused")

// Limits bound what an archive may hold. Zero fields take the defaults.
type Limits struct {
	MaxEntries int   // default 10,000
	MaxFile    int64 // uncompressed bytes of one entry; default 256 MiB
	MaxTotal   int64 // uncompressed bytes of all entries; default 1 GiB
	// MaxRatio bounds uncompressed/compressed for entries larger than
	// 1 MiB uncompressed (small files may compress very well). Default 100.
	MaxRatio int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntries <= 0 {
		l.MaxEntries = 10_000
	}
	if l.MaxFile <= 0 {
		l.MaxFile = 256 << 20
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = 1 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 100
	}
	return l
}

const ratioFloor = 1 << 20

// Reader is an archive that passed the header checks.
type Reader struct {
	zr     *zip.Reader
	limits Limits
	files  []*File
	read   int64 // uncompressed bytes read so far, over all entries
}

// File is one regular file of the archive with a safe, slash-separated,
// relative Name.
type File struct {
	Name string
	Size int64 // declared uncompressed size
	r    *Reader
	zf   *zip.File
}

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsafe, fmt.Sprintf(format, args...))
}

// New checks the archive's headers against l and returns a Reader.
// Directory entries are dropped (directories are implied by file names).
func New(ra io.ReaderAt, size int64, l Limits) (*Reader, error) {
	l = l.withDefaults()
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, refuse("not a valid ZIP archive: %v", err)
	}
	if len(zr.File) > l.MaxEntries {
		return nil, refuse("%d entries (limit %d)", len(zr.File), l.MaxEntries)
	}
	r := &Reader{zr: zr, limits: l}
	seen := map[string]bool{}
	dirs := map[string]bool{}
	var total uint64
	for _, zf := range zr.File {
		name, err := CleanName(zf.Name)
		if err != nil {
			return nil, err
		}
		mode := zf.Mode()
		if mode&fs.ModeSymlink != 0 || mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
			return nil, refuse("entry %q is not a regular file", name)
		}
		key := strings.ToLower(name)
		if zf.FileInfo().IsDir() || strings.HasSuffix(zf.Name, "/") {
			dirs[key] = true
			continue
		}
		if seen[key] {
			return nil, refuse("entry %q appears twice", name)
		}
		seen[key] = true
		if zf.UncompressedSize64 > uint64(l.MaxFile) {
			return nil, refuse("entry %q is %d bytes uncompressed (limit %d)", name, zf.UncompressedSize64, l.MaxFile)
		}
		total += zf.UncompressedSize64
		if total > uint64(l.MaxTotal) {
			return nil, refuse("more than %d bytes uncompressed in total", l.MaxTotal)
		}
		if zf.UncompressedSize64 > ratioFloor && zf.UncompressedSize64 > uint64(l.MaxRatio)*max(zf.CompressedSize64, 1) {
			return nil, refuse("entry %q expands %d times (limit %d)", name, zf.UncompressedSize64/max(zf.CompressedSize64, 1), l.MaxRatio)
		}
		r.files = append(r.files, &File{Name: name, Size: int64(zf.UncompressedSize64), r: r, zf: zf})
	}
	// A file and a directory of the same name would collide on extraction.
	for _, f := range r.files {
		for d := path.Dir(strings.ToLower(f.Name)); d != "."; d = path.Dir(d) {
			if seen[d] {
				return nil, refuse("%q is both a file and a directory", d)
			}
		}
	}
	return r, nil
}

// Files lists the archive's regular files in archive order.
func (r *Reader) Files() []*File { return r.files }

// Open returns the entry's content. Reading fails with ErrUnsafe once the
// entry passes MaxFile or its declared size, or the archive passes MaxTotal.
func (f *File) Open() (io.ReadCloser, error) {
	rc, err := f.zf.Open()
	if err != nil {
		return nil, refuse("entry %q: %v", f.Name, err)
	}
	limit := min(f.Size, f.r.limits.MaxFile)
	return &countingReader{rc: rc, f: f, left: limit}, nil
}

type countingReader struct {
	rc   io.ReadCloser
	f    *File
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			return 0, refuse("entry %q is larger than it declares", c.f.Name)
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	c.f.r.read += int64(n)
	if c.f.r.read > c.f.r.limits.MaxTotal {
		return n, refuse("more than %d bytes uncompressed in total", c.f.r.limits.MaxTotal)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, refuse("entry %q: %v", c.f.Name, err)
	}
	return n, err
}

func (c *countingReader) Close() error { return c.rc.Close() }

// CleanName checks an entry name and returns it in canonical form: relative,
// slash-separated, no "." or ".." elements, no empty elements.
func CleanName(name string) (string, error) {
	switch {
	case name == "":
		return "", refuse("empty entry name")
	case len(name) > 1024:
		return "", refuse("entry name longer than 1024 bytes")
	case strings.ContainsRune(name, '\\'):
		return "", refuse("entry name %q contains a backslash", name)
	case strings.HasPrefix(name, "/"):
		return "", refuse("entry name %q is absolute", name)
	case len(name) >= 2 && name[1] == ':':
		return "", refuse("entry name %q has a drive letter", name)
	}
	for _, r := range name {
		if r == 0 || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return "", refuse("entry name %q contains a control or invalid character", name)
		}
	}
	trimmed := strings.TrimSuffix(name, "/")
	for _, el := range strings.Split(trimmed, "/") {
		if el == "" || el == "." || el == ".." {
			return "", refuse("entry name %q has an empty, . or .. element", name)
		}
	}
	return trimmed, nil
}

// Extract writes every file of r under dir (which must exist) and returns
// the number of bytes written. Files are created exclusively with mode 0600
// through an os.Root, so nothing is written outside dir even if dir holds
// symbolic links.
func Extract(r *Reader, dir string) (int64, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer root.Close()
	var written int64
	for _, f := range r.files {
		if d := path.Dir(f.Name); d != "." {
			if err := mkdirAll(root, d); err != nil {
				return written, err
			}
		}
		rc, err := f.Open()
		if err != nil {
			return written, err
		}
		out, err := root.OpenFile(f.Name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			rc.Close()
			return written, refuse("entry %q: %v", f.Name, err)
		}
		n, err := io.Copy(out, rc)
		written += n
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func mkdirAll(root *os.Root, dir string) error {
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		if err := root.Mkdir(p, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return refuse("directory %q: %v", p, err)
		}
	}
	return nil
}
