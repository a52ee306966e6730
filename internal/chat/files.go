package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers the GIF decoder
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// thumbMax is the longest side of a thumbnail, in pixels.
const thumbMax = 320

// UploadInput describes an upload. SniffedType is what the HTTP layer
// detected from the first bytes (http.DetectContentType); DeclaredType is
// what the client said, used only for audio the sniffer does not know.
type UploadInput struct {
	Name         string
	DeclaredType string
	SniffedType  string
	Body         io.Reader
}

// cleanName keeps a file name displayable and harmless: no directories, no
// control characters, at most 255 bytes.
func cleanName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	n = path.Base(n)
	n = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, n)
	n = strings.TrimSpace(n)
	if !utf8.ValidString(n) {
		n = strings.ToValidUTF8(n, "")
	}
	for len(n) > 255 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	if n == "" || n == "." || n == "/" || n == ".." {
		n = "file"
	}
	return n
}

func contentType(sniffed, declared string) string {
	ct := strings.TrimSpace(strings.Split(sniffed, ";")[0])
	if ct == "" {
		ct = "application/octet-stream"
	}
	decl := strings.ToLower(strings.TrimSpace(strings.Split(declared, ";")[0]))
	if ct == "application/octet-stream" && strings.HasPrefix(decl, "audio/") && len(decl) < 64 {
		return decl
	}
	return ct
}

// Upload stores a file for the caller to attach to messages.
func (s *Service) Upload(ctx context.Context, in UploadInput) (File, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return File{}, err
	}
	if s.Blobs == nil {
		return File{}, apperr.New(apperr.KindUnavailable, "no_file_store", "file uploads are not configured")
	}
	// A name with a right-to-left override or a control character could
	// show "invoice\u202Efdp.exe" as "invoiceexe.pdf": refused, not rewritten.
	if err := safetext.Check("name", in.Name); err != nil {
		return File{}, err
	}
	// The bytes are encrypted under the uploader's key (when the store is
	// a blob.Envelope), like the messages that carry them.
	info, err := blob.PutFor(ctx, s.Blobs, a.AccountID, in.Body, s.MaxFileSize)
	if errors.Is(err, blob.ErrTooLarge) {
		return File{}, apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", s.MaxFileSize)
	}
	if err != nil {
		return File{}, err
	}
	if info.Size == 0 {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, apperr.Invalid("empty_file", "the file is empty")
	}
	f := File{
		ID: ids.New("fil"), Name: cleanName(in.Name), ContentType: contentType(in.SniffedType, in.DeclaredType),
		Size: info.Size, SHA256: info.SHA256, UploaderID: a.AccountID, CreatedAt: s.now(),
		orgID: a.OrgID, blobKey: info.Key,
	}
	if strings.HasPrefix(f.ContentType, "image/") {
		s.thumbnail(ctx, &f)
	}
	if err := s.sealFileMeta(ctx, &f); err != nil {
		return File{}, err
	}
	if err := insertFile(ctx, s.DB, &f); err != nil {
		_ = s.Blobs.Delete(ctx, f.blobKey)
		if f.thumbKey != "" {
			_ = s.Blobs.Delete(ctx, f.thumbKey)
		}
		return File{}, err
	}
	f.HasThumbnail = f.thumbKey != ""
	return f, nil
}

// thumbnail records an image's size and stores a thumbnail of it. Images
// above MaxImagePixels are not decoded (a small file can declare a huge
// canvas); they are kept as plain files without a thumbnail.
func (s *Service) thumbnail(ctx context.Context, f *File) {
	o, _, err := s.Blobs.Open(ctx, f.blobKey)
	if err != nil {
		return
	}
	defer o.Close()
	cfg, format, err := image.DecodeConfig(o)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return
	}
	f.Width, f.Height = cfg.Width, cfg.Height
	if int64(cfg.Width)*int64(cfg.Height) > s.MaxImagePixels {
		return
	}
	if _, err := o.Seek(0, io.SeekStart); err != nil {
		return
	}
	src, _, err := image.Decode(o)
	if err != nil {
		return
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > thumbMax || h > thumbMax {
		if w >= h {
			w, h = thumbMax, max(1, h*thumbMax/w)
		} else {
			w, h = max(1, w*thumbMax/h), thumbMax
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, draw.Over, nil)
	var buf bytes.Buffer
	if format == "png" || format == "gif" {
		err = png.Encode(&buf, dst)
	} else {
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		return
	}
	info, err := blob.PutFor(ctx, s.Blobs, f.UploaderID, &buf, 0)
	if err != nil {
		s.Log.Warn("chat: store thumbnail", "err", err)
		return
	}
	f.thumbKey = info.Key
}

// fileForSend returns a file the sender may attach: one they uploaded, or
// one they can already see in a conversation (forwarding).
func (s *Service) fileForSend(ctx context.Context, fileID, sender string) (File, error) {
	f, err := s.loadFile(ctx, fileID)
	if err == nil && f.UploaderID != sender {
		var ok bool
		ok, err = fileVisibleTo(ctx, s.DB, fileID, sender)
		if err == nil && !ok {
			err = db.ErrNotFound
		}
	}
	if errors.Is(err, db.ErrNotFound) {
		return File{}, apperr.InvalidField("file_id", "no such file")
	}
	return f, err
}

// FileMeta returns a file the caller may see (404 otherwise).
func (s *Service) FileMeta(ctx context.Context, fileID string) (File, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return File{}, err
	}
	f, err := s.loadFile(ctx, fileID)
	if err != nil {
		return File{}, apperr.MapNotFound(err)
	}
	if f.UploaderID != a.AccountID {
		ok, err := fileVisibleTo(ctx, s.DB, fileID, a.AccountID)
		if err != nil {
			return File{}, err
		}
		if !ok {
			return File{}, apperr.ErrNotFound
		}
	}
	return f, nil
}

// OpenFile opens the body (or the thumbnail) of a file the caller may see.
func (s *Service) OpenFile(ctx context.Context, fileID string, thumb bool) (File, blob.Object, int64, error) {
	f, err := s.FileMeta(ctx, fileID)
	if err != nil {
		return File{}, nil, 0, err
	}
	if s.Blobs == nil {
		return File{}, nil, 0, apperr.ErrNotFound
	}
	key := f.blobKey
	if thumb {
		if f.thumbKey == "" {
			return File{}, nil, 0, apperr.New(apperr.KindNotFound, "no_thumbnail", "this file has no thumbnail")
		}
		key = f.thumbKey
	}
	o, size, err := s.Blobs.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return File{}, nil, 0, apperr.ErrNotFound
	}
	if errors.Is(err, blob.ErrUnreadable) {
		return File{}, nil, 0, errFileErased
	}
	return f, o, size, err
}

// LinkFile gives owner a body of its own for a file the caller may see
// (404 otherwise), without copying its bytes: a link sealing the body's
// data key under owner's key (blob.Envelope.Link). The file stays as it
// is; its bytes are deleted once it and every link to it are gone. Info
// carries the file's size and SHA-256. blob.ErrNotLinkable when the file
// store cannot share bodies (the caller copies the bytes instead).
func (s *Service) LinkFile(ctx context.Context, fileID, owner string) (File, blob.Info, error) {
	f, err := s.FileMeta(ctx, fileID)
	if err != nil {
		return File{}, blob.Info{}, err
	}
	l, ok := s.Blobs.(interface {
		Link(ctx context.Context, key, owner string) (blob.Info, error)
	})
	if !ok {
		return File{}, blob.Info{}, blob.ErrNotLinkable
	}
	info, err := l.Link(ctx, f.blobKey, owner)
	switch {
	case errors.Is(err, blob.ErrNotFound):
		return File{}, blob.Info{}, apperr.ErrNotFound
	case errors.Is(err, blob.ErrUnreadable):
		return File{}, blob.Info{}, errFileErased
	case err != nil:
		return File{}, blob.Info{}, err
	}
	info.SHA256 = f.SHA256
	return f, info, nil
}

// errFileErased answers for a file whose bytes can no longer be decrypted:
// the key of its owner was destroyed by an erasure.
var errFileErased = apperr.New(apperr.KindNotFound, "file_erased", "this file has been erased")

// fileMeta is the sealed part of a file's row.
type fileMeta struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
}

func fileMetaAAD(id string) string { return "chat_files.meta:" + id }

// sealFileMeta seals a new file's name and content type under the
// uploader's key.
func (s *Service) sealFileMeta(ctx context.Context, f *File) error {
	if s.Sealer == nil {
		return nil
	}
	b, _ := json.Marshal(fileMeta{Name: f.Name, ContentType: f.ContentType})
	box, err := s.Sealer.Seal(ctx, f.UploaderID, fileMetaAAD(f.ID), b)
	if err != nil {
		return fmt.Errorf("chat: seal file: %w", err)
	}
	f.meta, f.metaKey = box, f.UploaderID
	return nil
}

// loadFile reads a file's row and opens its name and content type; when
// they no longer open (erased) the file reads as ContentErased.
func (s *Service) loadFile(ctx context.Context, id string) (File, error) {
	f, err := getFile(ctx, s.DB, id)
	if err != nil || len(f.meta) == 0 {
		return f, err
	}
	var b []byte
	if s.Sealer != nil {
		b, err = s.Sealer.Open(ctx, f.metaKey, fileMetaAAD(f.ID), f.meta)
	} else {
		err = errors.New("no sealer")
	}
	var m fileMeta
	if err != nil || json.Unmarshal(b, &m) != nil {
		f.Name, f.ContentType, f.ContentErased = "", "application/octet-stream", true
		return f, nil
	}
	f.Name, f.ContentType = m.Name, m.ContentType
	return f, nil
}

// resealFiles re-seals the files accountID uploaded in orgID (their
// descriptions and their bytes) under the organization's key; see
// ResealMessages.
func (s *Service) resealFiles(ctx context.Context, orgID, accountID string) (int, error) {
	fs, err := filesSealedBy(ctx, s.DB, orgID, accountID)
	if err != nil {
		return 0, err
	}
	env, _ := s.Blobs.(*blob.Envelope)
	n := 0
	for _, f := range fs {
		pt, err := s.Sealer.Open(ctx, accountID, fileMetaAAD(f.ID), f.meta)
		if err != nil {
			return n, fmt.Errorf("chat: reseal file %s: %w", f.ID, err)
		}
		box, err := s.Sealer.Seal(ctx, orgID, fileMetaAAD(f.ID), pt)
		if err != nil {
			return n, err
		}
		var drop []string
		if env != nil {
			for _, k := range []*string{&f.blobKey, &f.thumbKey} {
				if *k == "" {
					continue
				}
				info, err := env.Rewrap(ctx, *k, orgID)
				if err != nil {
					return n, fmt.Errorf("chat: rewrap file %s: %w", f.ID, err)
				}
				drop = append(drop, *k)
				*k = info.Key
			}
		}
		if err := setFileSealed(ctx, s.DB, f.ID, box, orgID, f.blobKey, f.thumbKey); err != nil {
			return n, err
		}
		for _, k := range drop {
			_ = s.Blobs.Delete(ctx, k)
		}
		n++
	}
	return n, nil
}
