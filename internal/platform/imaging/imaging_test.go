package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"testing"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	// A marker pixel at the stored top-left corner.
	m.Set(0, 0, color.NRGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeRefusesBombsUnallocated: a 70-byte PNG declaring 100,000 ×
// 100,000 pixels (40 GB as RGBA) is refused from its header, without its
// pixels being allocated.
func TestDecodeRefusesBombsUnallocated(t *testing.T) {
	b := pngOf(t, 1, 1)
	binary.BigEndian.PutUint32(b[16:], 100_000)
	binary.BigEndian.PutUint32(b[20:], 100_000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(b, 50_000_000)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooManyPixels) {
		t.Fatalf("Decode = %v, want ErrTooManyPixels", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes", d)
	}
	if _, err := Decode([]byte("not a picture"), 1000); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Decode(text) = %v", err)
	}
}

// TestFitOrientations: each EXIF orientation gives the shown size, with
// the stored top-left corner where browsers show it.
func TestFitOrientations(t *testing.T) {
	src, err := png.Decode(bytes.NewReader(pngOf(t, 40, 20)))
	if err != nil {
		t.Fatal(err)
	}
	// Where the stored (0,0) lands, shown w×h.
	want := map[int][2]int{1: {0, 0}, 2: {1, 0}, 3: {1, 1}, 4: {0, 1}, 5: {0, 0}, 6: {1, 0}, 7: {1, 1}, 8: {0, 1}}
	for o := 1; o <= 8; o++ {
		m := Picture{Image: src, Orientation: o}.Fit(1000)
		w, h := 40, 20
		if o >= 5 {
			w, h = 20, 40
		}
		if b := m.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Fatalf("orientation %d: %v", o, b)
		}
		x, y := want[o][0]*(w-1), want[o][1]*(h-1)
		if r, _, _, _ := m.At(x, y).RGBA(); r>>8 < 200 {
			t.Fatalf("orientation %d: the marker is not at %d,%d", o, x, y)
		}
	}
	// Fits: largest first, each box kept, never enlarged.
	ms := Picture{Image: src, Orientation: 6}.Fits([]int{10, 30})
	if b := ms[0].Bounds(); b.Dx() != 5 || b.Dy() != 10 {
		t.Fatalf("box 10: %v", b)
	}
	if b := ms[1].Bounds(); b.Dx() != 15 || b.Dy() != 30 {
		t.Fatalf("box 30: %v", b)
	}
}
