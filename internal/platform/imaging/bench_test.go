package imaging

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// BenchmarkThumbnails12MP makes the drive's two thumbnails (1024 and 256
// pixels) of a 12-megapixel JPEG (4000 × 3000, a phone camera's): decode,
// scale, encode — what one thumbnail job does besides reading and storing.
func BenchmarkThumbnails12MP(b *testing.B) {
	m := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for y := range 3000 {
		for x := range 4000 {
			m.Y[y*m.YStride+x] = uint8((x*7 + y*3) % 256)
		}
	}
	for i := range m.Cb {
		m.Cb[i], m.Cr[i] = uint8(i%200), uint8(128)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		pic, err := Decode(data, 50_000_000)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range pic.Fits([]int{1024, 256}) {
			if _, err := Encode(t); err != nil {
				b.Fatal(err)
			}
		}
	}
}
