// Package imaging decodes pictures people upload and re-encodes them at
// the sizes the app shows: profile photos (a square) and drive thumbnails
// (the whole picture within a box).
//
// Only pixels survive the round trip: EXIF (GPS position, camera, time),
// XMP, ICC profiles and comments of the upload are never written out. The
// EXIF orientation of a JPEG is applied, so the output shows the picture
// the way browsers show the upload. The pixel count is checked from the
// header before anything is decoded: a small file can declare a huge
// canvas (a decompression bomb), and such a file is refused before its
// pixels are allocated.
package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	_ "image/gif" // registers the GIF decoder (the first frame is kept)
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder
)

var (
	// ErrInvalid is returned for data that is not a JPEG, PNG, GIF or WebP
	// picture that can be read.
	ErrInvalid = errors.New("imaging: not a picture that can be read")
	// ErrTooManyPixels is returned, before decoding, for a picture whose
	// header declares more pixels than allowed.
	ErrTooManyPixels = errors.New("imaging: the picture has too many pixels")
)

// Picture is a decoded picture with the EXIF orientation it is shown in.
type Picture struct {
	Image image.Image
	// Format is the decoder's name: jpeg, png, gif or webp.
	Format string
	// Orientation is the EXIF orientation (1–8; 1 for none).
	Orientation int
}

// Header reads a picture's format and stored size from its header only.
func Header(data []byte) (format string, width, height int, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", 0, 0, ErrInvalid
	}
	return format, cfg.Width, cfg.Height, nil
}

// Decode decodes data (JPEG, PNG, GIF's first frame or WebP) when its
// header declares at most maxPixels pixels: ErrTooManyPixels otherwise,
// checked before any pixel is allocated.
func Decode(data []byte, maxPixels int64) (Picture, error) {
	_, w, h, err := Header(data)
	if err != nil {
		return Picture{}, err
	}
	if int64(w)*int64(h) > maxPixels {
		return Picture{}, ErrTooManyPixels
	}
	src, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Picture{}, ErrInvalid
	}
	orient := 1
	if format == "jpeg" {
		orient = exifOrientation(data)
	}
	return Picture{Image: src, Format: format, Orientation: orient}, nil
}

// ShownSize is the picture's size as it is shown (width and height swap
// for the orientations that turn it a quarter).
func (p Picture) ShownSize() (int, int) {
	b := p.Image.Bounds()
	if p.Orientation >= 5 {
		return b.Dy(), b.Dx()
	}
	return b.Dx(), b.Dy()
}

// Square returns the square at x, y of side size, in pixels of the picture
// as shown, scaled to n×n pixels. The square must lie inside the picture.
func (p Picture) Square(x, y, size, n int) *image.RGBA {
	b := p.Image.Bounds()
	w, h := b.Dx(), b.Dy()
	x0, y0 := toSource(p.Orientation, x, y, w, h)
	x1, y1 := toSource(p.Orientation, x+size, y+size, w, h)
	rect := image.Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)).Add(b.Min)
	tmp := image.NewRGBA(image.Rect(0, 0, n, n))
	draw.CatmullRom.Scale(tmp, tmp.Bounds(), p.Image, rect, draw.Src, nil)
	return reorient(tmp, p.Orientation)
}

// Fit returns the whole picture as shown, scaled so that its longer side
// is at most box pixels (never enlarged).
func (p Picture) Fit(box int) *image.RGBA {
	return fit(p.Image, p.Orientation, box, draw.CatmullRom)
}

// Fits returns the picture scaled into each box, largest first: each
// smaller one is scaled from the one before it, which costs a fraction of
// scaling the original again.
func (p Picture) Fits(boxes []int) []*image.RGBA {
	out := make([]*image.RGBA, len(boxes))
	order := make([]int, len(boxes))
	for i := range order {
		order[i] = i
	}
	// Largest box first (few boxes: insertion sort).
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && boxes[order[j]] > boxes[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	var prev *image.RGBA
	for _, i := range order {
		if prev == nil {
			prev = p.Fit(boxes[i])
		} else {
			// prev is already upright.
			prev = fit(prev, 1, boxes[i], draw.CatmullRom)
		}
		out[i] = prev
	}
	return out
}

func fit(src image.Image, orient, box int, k *draw.Kernel) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	sw, sh := w, h
	if orient >= 5 {
		sw, sh = h, w
	}
	tw, th := sw, sh
	if m := max(sw, sh); m > box {
		tw = max(1, int(int64(sw)*int64(box)/int64(m)))
		th = max(1, int(int64(sh)*int64(box)/int64(m)))
	}
	// The scaled picture in the stored orientation, then turned upright.
	dw, dh := tw, th
	if orient >= 5 {
		dw, dh = th, tw
	}
	tmp := image.NewRGBA(image.Rect(0, 0, dw, dh))
	k.Scale(tmp, tmp.Bounds(), src, b, draw.Src, nil)
	return reorient(tmp, orient)
}

// Encoded is a picture encoded for storage.
type Encoded struct {
	Data        []byte
	ContentType string
	// Ext is the file name extension of the type (".jpg", ".png").
	Ext string
}

// Encode encodes m as JPEG (quality 88) when it is opaque, else as PNG
// (transparency kept). Nothing but the pixels is written.
func Encode(m *image.RGBA) (Encoded, error) {
	var buf bytes.Buffer
	e := Encoded{ContentType: "image/jpeg", Ext: ".jpg"}
	var err error
	if m.Opaque() {
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: 88})
	} else {
		e.ContentType, e.Ext = "image/png", ".png"
		err = png.Encode(&buf, m)
	}
	if err != nil {
		return Encoded{}, err
	}
	e.Data = buf.Bytes()
	return e, nil
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

// reorient turns pixels cut from the stored picture into the picture as
// shown under EXIF orientation o (width and height swap for 5–8).
func reorient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	W, H := m.Bounds().Dx(), m.Bounds().Dy()
	ow, oh := W, H
	if o >= 5 {
		ow, oh = H, W
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range oh {
		for x := range ow {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = W-1-x, y
			case 3:
				sx, sy = W-1-x, H-1-y
			case 4:
				sx, sy = x, H-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, H-1-x
			case 7:
				sx, sy = W-1-y, H-1-x
			case 8:
				sx, sy = W-1-y, x
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
