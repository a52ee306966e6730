package directory

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers the GIF decoder (the first frame is kept)
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/ids"
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

// renderPhoto decodes data, crops it and returns it encoded at each size.
func renderPhoto(data []byte, crop *PhotoCrop, sizes []int) ([]rendered, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, errInvalidImage
	}
	if int64(cfg.Width)*int64(cfg.Height) > photoMaxPixels {
		return nil, errImageTooBig
	}
	src, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errInvalidImage
	}
	orient := 1
	if format == "jpeg" {
		orient = exifOrientation(data)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	// The person chose the square on the picture as browsers show it:
	// rotated and mirrored as its EXIF orientation says.
	sw, sh := w, h
	if orient >= 5 {
		sw, sh = h, w
	}
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
	// The same square in the stored pixels.
	x0, y0 := toSource(orient, c.X, c.Y, w, h)
	x1, y1 := toSource(orient, c.X+c.Size, c.Y+c.Size, w, h)
	rect := image.Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)).Add(b.Min)
	out := make([]rendered, 0, len(sizes))
	for _, n := range sizes {
		tmp := image.NewRGBA(image.Rect(0, 0, n, n))
		draw.CatmullRom.Scale(tmp, tmp.Bounds(), src, rect, draw.Src, nil)
		dst := reorient(tmp, orient)
		var buf bytes.Buffer
		r := rendered{contentType: "image/jpeg", ext: ".jpg"}
		if dst.Opaque() {
			err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 88})
		} else {
			r.contentType, r.ext = "image/png", ".png"
			err = png.Encode(&buf, dst)
		}
		if err != nil {
			return nil, err
		}
		r.data = buf.Bytes()
		out = append(out, r)
	}
	return out, nil
}

// toSource maps a point of the picture as shown under EXIF orientation o
// to the stored w×h pixels.
func toSource(o, x, y, w, h int) (int, int) {
	switch o {
	case 2:
		return w - x, y
	case 3:
		return w - x, h - y
	case 4:
		return x, h - y
	case 5:
		return y, x
	case 6:
		return y, h - x
	case 7:
		return w - y, h - x
	case 8:
		return w - y, x
	}
	return x, y
}

// reorient turns a square cut from the stored pixels into the picture as
// shown under EXIF orientation o.
func reorient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	n := m.Bounds().Dx()
	out := image.NewRGBA(m.Bounds())
	for y := range n {
		for x := range n {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = n-1-x, y
			case 3:
				sx, sy = n-1-x, n-1-y
			case 4:
				sx, sy = x, n-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, n-1-x
			case 7:
				sx, sy = n-1-y, n-1-x
			case 8:
				sx, sy = n-1-y, x
			}
			i, j := out.PixOffset(x, y), m.PixOffset(sx, sy)
			copy(out.Pix[i:i+4], m.Pix[j:j+4])
		}
	}
	return out
}

// exifOrientation reads the orientation tag (1–8) of a JPEG's EXIF block;
// 1 when there is none or it cannot be read.
func exifOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	count := int(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
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
