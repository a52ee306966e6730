// Package blob stores file bodies (uploads, thumbnails, exports) apart from
// the database. The default Store is a local directory under
// <data-dir>/blobs; an S3-compatible store can implement the same interface.
//
// Keys are opaque random names chosen by the store, never by the caller's
// input, so a key cannot reach outside the store and deleting one file's
// bytes never touches another's (no deduplication by content: erasure must
// be able to remove exactly what one person uploaded). A body is shared
// only deliberately, by a link (Envelope.Link) whose referrers Counted
// keeps, so that its bytes go with the last of them.
package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ErrNotFound is returned for a key that does not exist (or is malformed).
var ErrNotFound = errors.New("blob: not found")

// ErrTooLarge is returned by Put when the body exceeds the limit.
var ErrTooLarge = errors.New("blob: body exceeds the size limit")

// Info describes a stored body.
type Info struct {
	Key    string
	Size   int64
	SHA256 string // lowercase hex
}

// Object is an open body: readable and seekable (for HTTP range requests).
type Object interface {
	io.ReadSeekCloser
}

// Store keeps file bodies.
type Store interface {
	// Put stores at most limit bytes from r (limit <= 0: no limit) and
	// returns the new key once the body is durable. A body longer than
	// limit is refused with ErrTooLarge and nothing is kept.
	Put(ctx context.Context, r io.Reader, limit int64) (Info, error)
	// Open opens the body stored under key.
	Open(ctx context.Context, key string) (Object, int64, error)
	// Delete removes the body and its bytes; deleting a missing key is not
	// an error.
	Delete(ctx context.Context, key string) error
}

// Local is a Store in a directory: <dir>/<k[0:2]>/<k[2:4]>/<k>.
type Local struct {
	dir string
}

// NewLocal opens (creating if needed) a local store in dir.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("blob: empty directory")
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Local{dir: dir}, nil
}

const keyLen = 32 // hex digits

func validKey(k string) bool {
	if len(k) != keyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// path returns where key lives; only called with valid keys, so the result
// is always inside l.dir.
func (l *Local) path(key string) string {
	return filepath.Join(l.dir, key[0:2], key[2:4], key)
}

// Put implements Store: the body goes to a temporary file that is synced,
// then renamed into place, and the directory is synced, so a key returned
// is a body that survives a crash.
func (l *Local) Put(ctx context.Context, r io.Reader, limit int64) (Info, error) {
	var kb [keyLen / 2]byte
	if _, err := rand.Read(kb[:]); err != nil {
		return Info{}, err
	}
	key := hex.EncodeToString(kb[:])
	tmp, err := os.CreateTemp(filepath.Join(l.dir, "tmp"), "put-*")
	if err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if err != nil {
		return Info{}, fmt.Errorf("blob: write: %w", err)
	}
	if limit > 0 && n > limit {
		return Info{}, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return Info{}, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return Info{}, fmt.Errorf("blob: close: %w", err)
	}
	dst := l.path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return Info{}, fmt.Errorf("blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Info{}, fmt.Errorf("blob: rename: %w", err)
	}
	ok = true
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return Info{}, err
	}
	return Info{Key: key, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Open implements Store.
func (l *Local) Open(ctx context.Context, key string) (Object, int64, error) {
	if !validKey(key) {
		return nil, 0, ErrNotFound
	}
	f, err := os.Open(l.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("blob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob: %w", err)
	}
	return f, st.Size(), nil
}

// Delete implements Store. The file's blocks are overwritten with zeros
// before it is unlinked, so that the bytes do not linger on filesystems that
// reuse blocks in place (best effort: copy-on-write filesystems and SSD
// wear levelling may keep old blocks).
func (l *Local) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return nil
	}
	p := l.path(key)
	if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
		if st, err := f.Stat(); err == nil {
			zero := make([]byte, 64<<10)
			for left := st.Size(); left > 0; {
				n := int64(len(zero))
				if left < n {
					n = left
				}
				if _, err := f.Write(zero[:n]); err != nil {
					break
				}
				left -= n
			}
			_ = f.Sync()
		}
		f.Close()
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: delete: %w", err)
	}
	return syncDir(filepath.Dir(p))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("blob: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("blob: sync dir: %w", err)
	}
	return nil
}

// ctxReader stops a copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
