package directory

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/qr"
)

// qrModules encodes text as a QR code and returns its modules (true = dark).
func qrModules(text string) ([][]bool, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	b := code.Bounds()
	out := make([][]bool, b.Dy())
	for y := range out {
		out[y] = make([]bool, b.Dx())
		for x := range out[y] {
			r, _, _, _ := code.At(b.Min.X+x, b.Min.Y+y).RGBA()
			out[y][x] = r < 0x8000
		}
	}
	return out, nil
}

// qrPNG draws the modules with a 4-module quiet zone, scale pixels each.
func qrPNG(m [][]bool, scale int) ([]byte, error) {
	n := len(m) + 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					img.SetGray((x+4)*scale+dx, (y+4)*scale+dy, color.Gray{})
				}
			}
		}
	}
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

// qrSVG draws the modules as one path with a 4-module quiet zone.
func qrSVG(m [][]bool) []byte {
	n := len(m) + 8
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range m {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}

// InvitationQR returns a QR code of an invitation's link as PNG or SVG.
func (s *Service) InvitationQR(ctx context.Context, id, format string) ([]byte, error) {
	inv, err := s.GetInvitation(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := qrModules(inv.Link)
	if err != nil {
		return nil, err
	}
	if format == "svg" {
		return qrSVG(m), nil
	}
	return qrPNG(m, 8)
}
