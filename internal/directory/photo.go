package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/imaging"
)

// Profile photos. A person uploads one picture; the server decodes it,
// crops it to a square (the rectangle the person chose, or the centre),
// scales it to each size the app shows and encodes it again. Only pixels
// survive the round trip: EXIF (GPS position, camera, time), XMP, ICC
// profiles and comments of the upload are never stored. The photo is the
// person's own (one for all their organizations), its bytes encrypted under
// their key, and it is shown to whoever may see their profile.

// Photo sizes, in pixels (square).
const (
	PhotoLarge = 512
	PhotoSmall = 96
)

// PhotoMaxBytes is the largest upload accepted (413 file_too_large above).
const PhotoMaxBytes = 10 << 20

// photoMaxPixels bounds what is decoded: a small file can declare a huge
// canvas.
const photoMaxPixels = 40_000_000

var photoSizes = []int{PhotoLarge, PhotoSmall}

// PhotoCrop is the square to keep, in pixels of the upload as it is shown
// (after its EXIF orientation is applied).
type PhotoCrop struct {
	X, Y, Size int
}

// PhotoInfo describes a person's photo: its version (changes with every
// upload) and where each size is served.
type PhotoInfo struct {
	Version  string `json:"version"`
	URL      string `json:"url"`
	URLLarge string `json:"url_large"`
}

var (
	errInvalidImage = apperr.Invalid("invalid_image", "the file is not an image that can be read (JPEG, PNG, WebP or GIF)")
	errImageTooBig  = apperr.New(apperr.KindTooLarge, "image_too_large", "the image has too many pixels").With("max_pixels", photoMaxPixels)
	errInvalidCrop  = apperr.Invalid("invalid_crop", "the crop square must lie inside the image")
	errInvalidSize  = apperr.Invalid("invalid_photo_size", "size must be 96 or 512")
)

// PhotoURL is where the photo of accountID in version v is served at size.
func PhotoURL(accountID, v string, size int) string {
	return fmt.Sprintf("/api/v1/people/%s/photo?size=%d&v=%s", accountID, size, v)
}

func photoInfo(accountID, v string) PhotoInfo {
	return PhotoInfo{Version: v, URL: PhotoURL(accountID, v, PhotoSmall), URLLarge: PhotoURL(accountID, v, PhotoLarge)}
}

// SetMyPhoto makes body (at most PhotoMaxBytes) the caller's profile photo,
// cropped to crop (nil: the largest centred square).
func (s *Service) SetMyPhoto(ctx context.Context, body io.Reader, crop *PhotoCrop) (PhotoInfo, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return PhotoInfo{}, err
	}
	if s.blobs == nil {
		return PhotoInfo{}, apperr.New(apperr.KindUnavailable, "no_file_store", "file uploads are not configured")
	}
	data, err := io.ReadAll(io.LimitReader(body, PhotoMaxBytes+1))
	if err != nil {
		return PhotoInfo{}, err
	}
	if len(data) > PhotoMaxBytes {
		return PhotoInfo{}, apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", int64(PhotoMaxBytes))
	}
	outs, err := renderPhoto(data, crop, photoSizes)
	if err != nil {
		return PhotoInfo{}, err
	}
	version := ids.Token(8)
	now := s.now().UnixMilli()
	rows := make([]photoRow, 0, len(outs))
	var stored []string
	for i, o := range outs {
		info, err := blob.PutFor(ctx, s.blobs, a.AccountID, bytes.NewReader(o.data), 0)
		if err != nil {
			s.dropBlobs(ctx, stored)
			return PhotoInfo{}, err
		}
		stored = append(stored, info.Key)
		rows = append(rows, photoRow{ID: ids.New("pph"), AccountID: a.AccountID, Size: photoSizes[i], Version: version,
			Name: fmt.Sprintf("profile-photo-%d%s", photoSizes[i], o.ext), ContentType: o.contentType, BlobKey: info.Key, CreatedAt: now})
	}
	var old []string
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		old, err = s.st.replacePhotos(ctx, a.AccountID, rows)
		return err
	})
	if err != nil {
		s.dropBlobs(ctx, stored)
		return PhotoInfo{}, err
	}
	s.dropBlobs(ctx, old)
	return photoInfo(a.AccountID, version), nil
}

// RemoveMyPhoto deletes the caller's profile photo, bytes included (and
// succeeds when there is none).
func (s *Service) RemoveMyPhoto(ctx context.Context) error {
	a, err := actor.Caller(ctx)
	if err != nil {
		return err
	}
	var old []string
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		old, err = s.st.deletePhotos(ctx, a.AccountID)
		return err
	})
	if err != nil {
		return err
	}
	s.dropBlobs(ctx, old)
	return nil
}

// photoFor returns the photo of accountID as the caller
// may see it: only people who may see the person's profile as a colleague,
// a contact or themselves see it; anyone else, and a person without a
// photo, is 404.
func (s *Service) photoFor(ctx context.Context, accountID string, size int) (photoRow, error) {
	if size == 0 {
		size = PhotoSmall
	}
	if size != PhotoSmall && size != PhotoLarge {
		return photoRow{}, errInvalidSize
	}
	a, err := actor.Caller(ctx)
	if err != nil {
		return photoRow{}, err
	}
	if accountID != a.AccountID {
		rel, _, err := s.relation(ctx, a.AccountID, accountID)
		if err != nil {
			return photoRow{}, err
		}
		if rel != "colleague" && rel != "contact" {
			return photoRow{}, apperr.ErrNotFound
		}
	}
	r, err := s.st.photo(ctx, accountID, size)
	return r, apperr.MapNotFound(err)
}

// openPhoto opens the bytes of a photo photoFor returned.
func (s *Service) openPhoto(ctx context.Context, r photoRow) (io.ReadCloser, error) {
	if s.blobs == nil {
		return nil, apperr.ErrNotFound
	}
	o, _, err := s.blobs.Open(ctx, r.BlobKey)
	if err != nil {
		if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrUnreadable) {
			return nil, apperr.ErrNotFound
		}
		return nil, err
	}
	return o, nil
}

// photoVersions returns the photo versions of those of accountIDs who have
// one.
func (s *Service) photoVersions(ctx context.Context, accountIDs []string) map[string]string {
	if len(accountIDs) == 0 {
		return nil
	}
	v, err := s.st.photoVersions(ctx, accountIDs)
	if err != nil {
		s.log.WarnContext(ctx, "directory: read photo versions", "err", err)
		return nil
	}
	return v
}

func (s *Service) dropBlobs(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil && !errors.Is(err, blob.ErrNotFound) {
			s.log.WarnContext(ctx, "directory: delete a photo's bytes", "err", err)
		}
	}
}

// rendered is one size of a photo, encoded.
type rendered struct {
	data        []byte
	contentType string
	ext         string
}

// renderPhoto decodes data, crops it and returns it encoded at each size
// (platform/imaging: the pixel count checked before decoding, the EXIF
// orientation applied, no metadata kept).
func renderPhoto(data []byte, crop *PhotoCrop, sizes []int) ([]rendered, error) {
	pic, err := imaging.Decode(data, photoMaxPixels)
	switch {
	case errors.Is(err, imaging.ErrTooManyPixels):
		return nil, errImageTooBig
	case err != nil:
		return nil, errInvalidImage
	}
	// The person chose the square on the picture as browsers show it:
	// rotated and mirrored as its EXIF orientation says.
	sw, sh := pic.ShownSize()
	var c PhotoCrop
	if crop == nil {
		n := min(sw, sh)
		c = PhotoCrop{X: (sw - n) / 2, Y: (sh - n) / 2, Size: n}
	} else {
		c = *crop
		if c.Size < 1 || c.X < 0 || c.Y < 0 || c.X+c.Size > sw || c.Y+c.Size > sh {
			return nil, errInvalidCrop.With("width", sw).With("height", sh)
		}
	}
	out := make([]rendered, 0, len(sizes))
	for _, n := range sizes {
		e, err := imaging.Encode(pic.Square(c.X, c.Y, c.Size, n))
		if err != nil {
			return nil, err
		}
		out = append(out, rendered{data: e.Data, contentType: e.ContentType, ext: e.Ext})
	}
	return out, nil
}

// photoRow is one size of a person's photo.
type photoRow struct {
	ID, AccountID string
	Size          int
	Version       string
	Name          string
	ContentType   string
	BlobKey       string
	CreatedAt     int64
}
