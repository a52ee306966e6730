package drive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/imaging"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

// Thumbnails. Pictures (JPEG, PNG, GIF's first frame, WebP) and the first
// page of PDFs get a small and a large thumbnail, made by a job after a
// body is stored (never on the request path): the picture is decoded
// through platform/imaging (pixel count checked before decoding, EXIF
// orientation applied, no metadata kept), a PDF's first page is rendered
// by poppler's pdftoppm (thumb_pdf.go) when the server has it. A
// thumbnail belongs to a body, not to an item: copies that share a body
// share its thumbnails, and they go when the body goes (dropBlobs),
// erasure included. Its bytes are sealed under the body's key. They are
// derived data: left out of exports (the file itself is there), and made
// again when a file without one is asked for.

// Thumbnail sizes: the longer side's box, in pixels.
const (
	ThumbSmall = 256
	ThumbLarge = 1024
)

var thumbSizes = []int{ThumbLarge, ThumbSmall}

// ThumbJob is the job kind that makes a body's thumbnails.
const ThumbJob = "drive.thumbnail"

// Thumbnails configures how thumbnails are made.
type Thumbnails struct {
	// Jobs queues the work (nil: no thumbnails are made).
	Jobs *jobs.Queue
	// PDFToPPM is the path of poppler's pdftoppm ("": PDFs get no
	// thumbnail).
	PDFToPPM string
	// MaxPixels bounds the pictures decoded (default 50 million).
	MaxPixels int64
	// MaxImageBytes bounds the pictures read (default 64 MiB).
	MaxImageBytes int64
	// MaxPDFBytes bounds the PDFs rendered (default 256 MiB).
	MaxPDFBytes int64
	// PDFTimeout bounds one rendering (default 20 s).
	PDFTimeout time.Duration
}

func (t *Thumbnails) maxPixels() int64 {
	if t.MaxPixels > 0 {
		return t.MaxPixels
	}
	return 50_000_000
}

func (t *Thumbnails) maxImageBytes() int64 {
	if t.MaxImageBytes > 0 {
		return t.MaxImageBytes
	}
	return 64 << 20
}

// Thumb describes a thumbnail being served.
type Thumb struct {
	ContentType string
	ETag        string
	Width       int
	Height      int
	CreatedAt   int64
}

var errNoThumb = apperr.New(apperr.KindNotFound, "no_thumbnail", "the file has no thumbnail (yet)")

// thumbPayload is the job's: the body's key.
type thumbPayload struct {
	Key string `json:"key"`
}

// thumbable reports whether bodies of content type ct get thumbnails.
func (s *Service) thumbable(ct string) bool {
	if s.Thumbs == nil || s.Thumbs.Jobs == nil || s.Blobs == nil {
		return false
	}
	switch ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	case "application/pdf":
		return s.Thumbs.PDFToPPM != ""
	}
	return false
}

// queueThumb asks for the thumbnails of a body of content type ct, in
// ctx's transaction when there is one (once per body: the job is keyed by
// it).
func (s *Service) queueThumb(ctx context.Context, key, ct string) error {
	if !s.thumbable(ct) {
		return nil
	}
	_, err := s.Thumbs.Jobs.Enqueue(ctx, ThumbJob, thumbPayload{Key: key}, jobs.Options{Key: key, MaxAttempts: 3})
	return err
}

// ThumbnailJob is the handler of ThumbJob.
func (s *Service) ThumbnailJob(ctx context.Context, j *jobs.Job) error {
	var p thumbPayload
	if err := j.Decode(&p); err != nil || p.Key == "" {
		return jobs.Permanent(errors.New("drive: thumbnail job without a key"))
	}
	return s.MakeThumbnails(ctx, p.Key)
}

// MakeThumbnails makes the thumbnails of a stored body, unless it has
// them, is gone, or is not a picture or PDF that can be read (then it has
// none, and nil is returned).
func (s *Service) MakeThumbnails(ctx context.Context, key string) error {
	if s.Thumbs == nil || s.Blobs == nil {
		return nil
	}
	src, err := bodyOf(ctx, s.DB, key)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if ok, err := hasThumbs(ctx, s.DB, key); err != nil || ok {
		return err
	}
	pic, err := s.decodeBody(ctx, key)
	if err != nil {
		if errors.Is(err, errNoPicture) {
			s.Log.InfoContext(ctx, "drive: no thumbnail for a file", "reason", err)
			return nil
		}
		return err
	}
	imgs := pic.Fits(thumbSizes)
	now := s.now()
	rows := make([]thumbRow, 0, len(imgs))
	var stored []string
	for i, m := range imgs {
		e, err := imaging.Encode(m)
		if err != nil {
			s.dropBodies(ctx, stored)
			return err
		}
		info, err := blob.PutFor(ctx, s.Blobs, src.Owner, bytes.NewReader(e.Data), 0)
		if err != nil {
			s.dropBodies(ctx, stored)
			return err
		}
		stored = append(stored, info.Key)
		b := m.Bounds()
		rows = append(rows, thumbRow{BlobKey: key, Size: thumbSizes[i], ThumbKey: info.Key, ContentType: e.ContentType,
			Width: b.Dx(), Height: b.Dy(), Bytes: info.Size, CreatedAt: now})
	}
	var unused []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		unused = nil
		for _, r := range rows {
			ok, err := insertThumb(ctx, s.DB, r)
			if err != nil {
				return err
			}
			if !ok {
				unused = append(unused, r.ThumbKey)
			}
		}
		return nil
	})
	if err != nil {
		s.dropBodies(ctx, stored)
		return err
	}
	s.dropBodies(ctx, unused)
	// The body may have gone while the thumbnails were made, after its
	// thumbnails were looked for (dropBlobs): look again now that these
	// are recorded.
	if _, err := bodyOf(ctx, s.DB, key); errors.Is(err, db.ErrNotFound) {
		s.dropThumbs(ctx, []string{key})
	}
	return nil
}

// errNoPicture wraps the reasons a body has no thumbnail.
var errNoPicture = errors.New("not a picture or PDF that can be read")

// decodeBody decodes a body as a picture, or renders a PDF's first page.
func (s *Service) decodeBody(ctx context.Context, key string) (imaging.Picture, error) {
	o, _, err := s.Blobs.Open(ctx, key)
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrUnreadable) {
		return imaging.Picture{}, errNoPicture
	}
	if err != nil {
		return imaging.Picture{}, err
	}
	defer o.Close()
	br := bufio.NewReader(o)
	head, _ := br.Peek(5)
	var data []byte
	if string(head) == "%PDF-" {
		if s.Thumbs.PDFToPPM == "" {
			return imaging.Picture{}, errNoPicture
		}
		data, err = s.renderPDF(ctx, br)
	} else {
		limit := s.Thumbs.maxImageBytes()
		data, err = io.ReadAll(io.LimitReader(br, limit+1))
		if err == nil && int64(len(data)) > limit {
			return imaging.Picture{}, errors.Join(errNoPicture, errors.New("larger than the pictures read"))
		}
	}
	if err != nil {
		return imaging.Picture{}, err
	}
	pic, err := imaging.Decode(data, s.Thumbs.maxPixels())
	if err != nil {
		return imaging.Picture{}, errors.Join(errNoPicture, err)
	}
	return pic, nil
}

// dropThumbs deletes the thumbnails of bodies, rows and bytes.
func (s *Service) dropThumbs(ctx context.Context, keys []string) {
	if len(keys) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	var thumbs []string
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		thumbs, err = takeThumbs(ctx, s.DB, keys)
		return err
	})
	if err != nil {
		// The sweep (SweepThumbnails) deletes them later.
		s.Log.WarnContext(ctx, "drive: delete thumbnails", "err", err)
		return
	}
	s.dropBodies(ctx, thumbs)
}

// SweepThumbnails deletes thumbnails whose body is gone (a body another
// domain shares, a body dropped while its thumbnails were made) and
// returns how many it deleted.
func (s *Service) SweepThumbnails(ctx context.Context) (int, error) {
	total := 0
	for {
		var keys []string
		err := s.DB.Tx(ctx, func(ctx context.Context) error {
			var err error
			keys, err = takeOrphanThumbs(ctx, s.DB, 500)
			return err
		})
		if err != nil {
			return total, err
		}
		s.dropBodies(ctx, keys)
		total += len(keys)
		if len(keys) < 500 {
			return total, nil
		}
	}
}

// Thumbnail opens a thumbnail of a file the caller may see (size 256 or
// 1024; 0 is 256): 404 no_thumbnail when it has none (yet).
func (s *Service) Thumbnail(ctx context.Context, id string, size int) (Thumb, blob.Object, error) {
	if err := checkThumbSize(&size); err != nil {
		return Thumb{}, nil, err
	}
	c, err := s.caller(ctx)
	if err != nil {
		return Thumb{}, nil, err
	}
	t, err := s.item(ctx, c, id, RoleViewer)
	if err != nil {
		return Thumb{}, nil, err
	}
	return s.openThumb(ctx, t.it, size)
}

// LinkThumbnail opens a thumbnail of a file reached through a link (the
// link's file, or one below its folder); a view link is enough.
func (s *Service) LinkThumbnail(ctx context.Context, token, itemID string, size int, v Visitor) (Thumb, blob.Object, error) {
	if err := checkThumbSize(&size); err != nil {
		return Thumb{}, nil, err
	}
	_, it, _, err := s.useLink(ctx, token, v, actThumbnail, itemID)
	if err != nil {
		return Thumb{}, nil, err
	}
	return s.openThumb(ctx, it, size)
}

func checkThumbSize(size *int) error {
	if *size == 0 {
		*size = ThumbSmall
	}
	if *size != ThumbSmall && *size != ThumbLarge {
		return apperr.InvalidField("size", "256 or 1024")
	}
	return nil
}

// openThumb opens a file's thumbnail; a picture or PDF without one has it
// made (the job runs once per body).
func (s *Service) openThumb(ctx context.Context, it itemRow, size int) (Thumb, blob.Object, error) {
	if it.Kind != ItemFile || s.Blobs == nil {
		return Thumb{}, nil, errNoThumb
	}
	r, err := thumbOf(ctx, s.DB, it.BlobKey, size)
	if errors.Is(err, db.ErrNotFound) {
		if err := s.queueThumb(ctx, it.BlobKey, it.ContentType); err != nil {
			s.Log.WarnContext(ctx, "drive: queue a thumbnail", "err", err)
		}
		return Thumb{}, nil, errNoThumb
	}
	if err != nil {
		return Thumb{}, nil, err
	}
	o, _, err := s.Blobs.Open(ctx, r.ThumbKey)
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrUnreadable) {
		return Thumb{}, nil, errNoThumb
	}
	if err != nil {
		return Thumb{}, nil, apperr.Internal(err)
	}
	sum := sha256.Sum256([]byte(r.ThumbKey))
	return Thumb{ContentType: r.ContentType, ETag: `"t` + hex.EncodeToString(sum[:12]) + `"`, Width: r.Width, Height: r.Height,
		CreatedAt: r.CreatedAt}, o, nil
}
