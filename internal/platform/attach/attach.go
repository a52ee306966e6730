// Package attach holds what the domains that take file uploads share:
// storing an upload's bytes encrypted for their organization with the
// same checks and errors everywhere, keeping names displayable, and
// deleting bytes once their rows are gone. Each domain keeps its own
// table of files and its own rule of who may download them.
package attach

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path"
	"strings"
	"unicode"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// ErrNoStore answers an upload when no file store is configured.
var ErrNoStore = apperr.New(apperr.KindUnavailable, "no_file_store", "file uploads are not configured")

// TooLarge is the 413 file_too_large answer, naming the limit.
func TooLarge(max int64) error {
	return apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", max)
}

// Put stores an upload's bytes in st, encrypted under owner's key (an
// organization's: blob.PutFor), after checking its name: 503
// no_file_store without a store, 400 for a name that is not clean text,
// 413 file_too_large over max bytes, 400 empty_file for no bytes.
func Put(ctx context.Context, st blob.Store, owner, name string, body io.Reader, max int64) (blob.Info, error) {
	if st == nil {
		return blob.Info{}, ErrNoStore
	}
	if err := safetext.Check("name", name); err != nil {
		return blob.Info{}, err
	}
	info, err := blob.PutFor(ctx, st, owner, body, max)
	if errors.Is(err, blob.ErrTooLarge) {
		return blob.Info{}, TooLarge(max)
	}
	if err != nil {
		return blob.Info{}, err
	}
	if info.Size == 0 {
		_ = st.Delete(ctx, info.Key)
		return blob.Info{}, apperr.Invalid("empty_file", "the file is empty")
	}
	return info, nil
}

// ContentType is the stored type of an upload: the sniffed one, or
// application/octet-stream.
func ContentType(sniffed string) string {
	if sniffed == "" {
		return "application/octet-stream"
	}
	return sniffed
}

// CleanName keeps a file name displayable: no directories, no control
// characters or quotes, at most 255 bytes, never empty.
func CleanName(n string) string {
	n = path.Base(strings.ReplaceAll(n, "\\", "/"))
	n = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, n))
	for len(n) > 255 {
		n = string([]rune(n)[:len([]rune(n))-1])
	}
	if n == "" || n == "." || n == "/" || n == ".." {
		n = "file"
	}
	return strings.ToValidUTF8(n, "")
}

// Drop deletes the bytes of files whose rows are gone (after the commit
// that deleted them), logging what it could not delete.
func Drop(ctx context.Context, st blob.Store, log *slog.Logger, keys []string) {
	if st == nil {
		return
	}
	for _, k := range keys {
		if err := st.Delete(ctx, k); err != nil {
			log.WarnContext(ctx, "attach: delete a file's bytes", "err", err)
		}
	}
}
