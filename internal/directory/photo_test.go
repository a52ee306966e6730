package directory_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// gpsMarker is written into the GPS block of test uploads: it must never
// reach the stored photo.
const gpsMarker = "ATRIUM-GPS-31.2304N-121.4737E"

var (
	red  = color.RGBA{R: 255, A: 255}
	blue = color.RGBA{B: 255, A: 255}
)

// halves is a w×h picture, red on the left half and blue on the right.
func halves(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := red
			if x >= w/2 {
				c = blue
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// exifJPEG encodes m as a JPEG carrying an EXIF block with the orientation
// tag and a GPS block holding gpsMarker.
func exifJPEG(t *testing.T, m image.Image, orientation uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)
	// IFD0: orientation, and the pointer to the GPS IFD at 38.
	tiff = le.AppendUint16(tiff, 2)
	tiff = le.AppendUint16(tiff, 0x0112)
	tiff = le.AppendUint16(tiff, 3)
	tiff = le.AppendUint32(tiff, 1)
	tiff = le.AppendUint16(tiff, orientation)
	tiff = le.AppendUint16(tiff, 0)
	tiff = le.AppendUint16(tiff, 0x8825)
	tiff = le.AppendUint16(tiff, 4)
	tiff = le.AppendUint32(tiff, 1)
	tiff = le.AppendUint32(tiff, 38)
	tiff = le.AppendUint32(tiff, 0)
	// GPS IFD: GPSProcessingMethod, its bytes at 56.
	tiff = le.AppendUint16(tiff, 1)
	tiff = le.AppendUint16(tiff, 0x001B)
	tiff = le.AppendUint16(tiff, 7)
	tiff = le.AppendUint32(tiff, uint32(len(gpsMarker)))
	tiff = le.AppendUint32(tiff, 56)
	tiff = le.AppendUint32(tiff, 0)
	tiff = append(tiff, gpsMarker...)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(app1)+2))
	seg = append(seg, app1...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func pngBytes(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// putPhoto uploads body as p's photo with the query q.
func putPhoto(t *testing.T, p *person, q string, body []byte) *servertest.Response {
	t.Helper()
	req, err := http.NewRequest("PUT", p.Env.URL+"/api/v1/me/photo"+q, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	return p.Request(t, req)
}

func getPhoto(t *testing.T, p *person, accountID, q, etag string) *servertest.Response {
	t.Helper()
	req, err := http.NewRequest("GET", p.Env.URL+"/api/v1/people/"+accountID+"/photo"+q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	return p.Request(t, req)
}

// decoded decodes a served photo and checks its size.
func decoded(t *testing.T, r *servertest.Response, size int) image.Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("served photo does not decode: %v", err)
	}
	if b := m.Bounds(); b.Dx() != size || b.Dy() != size {
		t.Fatalf("served photo is %v, want %d×%d", b, size, size)
	}
	return m
}

// near reports whether the pixel at (x, y) is close to want.
func near(m image.Image, x, y int, want color.RGBA) bool {
	r, g, b, _ := m.At(x, y).RGBA()
	d := func(a uint32, w uint8) bool { v := int(a>>8) - int(w); return v > -40 && v < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// blobFiles counts the files in the server's file store.
func blobFiles(t *testing.T, env *servertest.Env) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(filepath.Join(env.App.Cfg.DataDir, "blobs"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			n++
		}
		return nil
	})
	return n
}

// TestProfilePhoto: a person uploads a photo with a crop; it is stored at
// 512 and 96 pixels without its EXIF and GPS block, shown to colleagues
// (ETag, 304) and named on their profile and member rows, hidden from
// people of other organizations, replaced by a new upload and removed.
func TestProfilePhoto(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		owner := o.Owner
		colleague, _ := o.member(t, "Cara Colleague")
		stranger := newPerson(t, env, "Sam Stranger")
		stranger.do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other Co"}, nil).Want(t, http.StatusCreated)

		upload := exifJPEG(t, halves(800, 400), 1)
		if !bytes.Contains(upload, []byte(gpsMarker)) || !bytes.Contains(upload, []byte("Exif")) {
			t.Fatal("the test upload carries no EXIF GPS block")
		}
		// The right half of the picture: all blue.
		var info directory.PhotoInfo
		r := putPhoto(t, owner, "?x=400&y=0&size=400", upload).Want(t, http.StatusOK)
		decodeJSON(t, r, &info)
		if info.Version == "" || !strings.Contains(info.URL, "size=96") {
			t.Fatalf("photo info %+v", info)
		}
		if n := blobFiles(t, env); n != 2 {
			t.Fatalf("%d files in the store, want 2 (512 and 96 pixels)", n)
		}

		big := getPhoto(t, colleague, owner.AccountID, "?size=512", "").Want(t, http.StatusOK)
		if ct := big.Header.Get("Content-Type"); ct != "image/jpeg" {
			t.Fatalf("content type %q", ct)
		}
		if cc := big.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
			t.Fatalf("Cache-Control %q", cc)
		}
		for _, leak := range []string{gpsMarker, "Exif", "II*\x00"} {
			if bytes.Contains(big.Body, []byte(leak)) {
				t.Fatalf("the stored photo still holds %q", leak)
			}
		}
		m := decoded(t, big, 512)
		for _, pt := range [][2]int{{5, 5}, {256, 256}, {506, 506}} {
			if !near(m, pt[0], pt[1], blue) {
				t.Fatalf("pixel %v is %v, want blue (the crop was not applied)", pt, m.At(pt[0], pt[1]))
			}
		}
		small := getPhoto(t, colleague, owner.AccountID, "", "").Want(t, http.StatusOK)
		decoded(t, small, 96)
		if bytes.Contains(small.Body, []byte(gpsMarker)) {
			t.Fatal("the small photo holds the GPS block")
		}
		etag := small.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		getPhoto(t, colleague, owner.AccountID, "?size=96", etag).Want(t, http.StatusNotModified)
		getPhoto(t, owner, owner.AccountID, "?size=512", "").Want(t, http.StatusOK)

		// Another organization's person, and no one at all: 404.
		getPhoto(t, stranger, owner.AccountID, "?size=96", "").WantError(t, http.StatusNotFound, "not_found")
		getPhoto(t, colleague, "acc_nobody", "?size=96", "").WantError(t, http.StatusNotFound, "not_found")
		getPhoto(t, colleague, owner.AccountID, "?size=300", "").WantError(t, http.StatusBadRequest, "invalid_photo_size")

		// The version is on the person and on member rows.
		var p directory.Person
		colleague.do(t, "GET", "/api/v1/people/"+owner.AccountID, nil, &p).Want(t, http.StatusOK)
		if p.PhotoVersion != info.Version {
			t.Fatalf("person photo_version %q, want %q", p.PhotoVersion, info.Version)
		}
		var mp directory.MemberPage
		colleague.do(t, "GET", "/api/v1/members?q=Olivia", nil, &mp).Want(t, http.StatusOK)
		if len(mp.Items) != 1 || mp.Items[0].PhotoVersion != info.Version {
			t.Fatalf("member rows %+v", mp.Items)
		}
		var sp directory.Person
		stranger.do(t, "GET", "/api/v1/people/"+colleague.AccountID, nil, nil)
		if r := stranger.do(t, "GET", "/api/v1/people/"+owner.AccountID, nil, &sp); r.Status == http.StatusOK && sp.PhotoVersion != "" {
			t.Fatal("a stranger is told the photo version")
		}

		// Bad input.
		putPhoto(t, owner, "", []byte("this is not a picture")).WantError(t, http.StatusBadRequest, "invalid_image")
		putPhoto(t, owner, "?x=500&y=0&size=400", upload).WantError(t, http.StatusBadRequest, "invalid_crop")
		putPhoto(t, owner, "?x=0&y=0&size=0", upload).WantError(t, http.StatusBadRequest, "invalid_crop")
		putPhoto(t, owner, "?x=10", upload).WantError(t, http.StatusBadRequest, "invalid_crop")
		putPhoto(t, owner, "", bytes.Repeat([]byte{0xFF}, directory.PhotoMaxBytes+10)).WantError(t, http.StatusRequestEntityTooLarge, "file_too_large")
		// A picture declaring a huge canvas is not decoded.
		hugeHeader := pngBytes(t, image.NewRGBA(image.Rect(0, 0, 1, 1)))
		binary.BigEndian.PutUint32(hugeHeader[16:], 20000)
		binary.BigEndian.PutUint32(hugeHeader[20:], 20000)
		binary.BigEndian.PutUint32(hugeHeader[29:], crc32.ChecksumIEEE(hugeHeader[12:29]))
		putPhoto(t, owner, "", hugeHeader).WantError(t, http.StatusRequestEntityTooLarge, "image_too_large")

		// A transparent PNG stays a PNG; it replaces the photo and the old
		// bytes are deleted.
		clear := image.NewNRGBA(image.Rect(0, 0, 50, 30))
		var info2 directory.PhotoInfo
		decodeJSON(t, putPhoto(t, owner, "", pngBytes(t, clear)).Want(t, http.StatusOK), &info2)
		if info2.Version == info.Version {
			t.Fatal("the version did not change")
		}
		if n := blobFiles(t, env); n != 2 {
			t.Fatalf("%d files in the store after a replacement, want 2", n)
		}
		got := getPhoto(t, colleague, owner.AccountID, "?size=512", "").Want(t, http.StatusOK)
		if ct := got.Header.Get("Content-Type"); ct != "image/png" {
			t.Fatalf("transparent photo served as %q", ct)
		}
		decoded(t, got, 512)
		getPhoto(t, colleague, owner.AccountID, "?size=96", etag).Want(t, http.StatusOK)

		// Removed: gone for everyone, bytes included.
		owner.do(t, "DELETE", "/api/v1/me/photo", nil, nil).Want(t, http.StatusNoContent)
		getPhoto(t, colleague, owner.AccountID, "?size=96", "").WantError(t, http.StatusNotFound, "not_found")
		owner.do(t, "DELETE", "/api/v1/me/photo", nil, nil).Want(t, http.StatusNoContent)
		if n := blobFiles(t, env); n != 0 {
			t.Fatalf("%d files left in the store after removal", n)
		}
		var after directory.Person
		colleague.do(t, "GET", "/api/v1/people/"+owner.AccountID, nil, &after).Want(t, http.StatusOK)
		if after.PhotoVersion != "" {
			t.Fatalf("removed photo still has version %q", after.PhotoVersion)
		}
	})
}

// TestProfilePhotoOrientation: the crop square is in the picture as shown,
// after the JPEG's EXIF orientation (here: rotate 90° clockwise).
func TestProfilePhotoOrientation(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		// Stored 200×100, red left and blue right; shown 100×200 with red
		// on top and blue below.
		upload := exifJPEG(t, halves(200, 100), 6)
		putPhoto(t, o.Owner, "?x=0&y=100&size=100", upload).Want(t, http.StatusOK)
		m := decoded(t, getPhoto(t, o.Owner, o.Owner.AccountID, "?size=96", "").Want(t, http.StatusOK), 96)
		if !near(m, 48, 48, blue) {
			t.Fatalf("bottom square is %v, want blue", m.At(48, 48))
		}
		putPhoto(t, o.Owner, "?x=0&y=0&size=100", upload).Want(t, http.StatusOK)
		m = decoded(t, getPhoto(t, o.Owner, o.Owner.AccountID, "?size=96", "").Want(t, http.StatusOK), 96)
		if !near(m, 48, 48, red) {
			t.Fatalf("top square is %v, want red", m.At(48, 48))
		}
		putPhoto(t, o.Owner, "?x=100&y=0&size=100", upload).WantError(t, http.StatusBadRequest, "invalid_crop")
	})
}

type exportFiles struct {
	sections []datamap.Section
	files    []datamap.File
}

func (w *exportFiles) AddSection(s datamap.Section) { w.sections = append(w.sections, s) }
func (w *exportFiles) AddFile(f datamap.File)       { w.files = append(w.files, f) }

// TestProfilePhotoPrivacy: the photo's rows and bytes are in the person's
// export, and erasing the person deletes them from the file store.
func TestProfilePhotoPrivacy(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		colleague, memberID := o.member(t, "Pat Person")
		putPhoto(t, colleague, "", exifJPEG(t, halves(300, 300), 1)).Want(t, http.StatusOK)
		served := getPhoto(t, colleague, colleague.AccountID, "?size=512", "").Want(t, http.StatusOK).Body

		p := env.App.Directory().Privacy()
		subject := datamap.Subject{AccountID: colleague.AccountID, Members: map[string]string{o.ID: memberID}}
		var w exportFiles
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: o.ID, MemberID: memberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		var rows int
		for _, s := range w.sections {
			if s.Table == "profile_photos" {
				rows += len(s.Rows)
			}
		}
		if rows != 2 {
			t.Fatalf("export holds %d photo rows, want 2", rows)
		}
		var found bool
		for _, f := range w.files {
			if f.Table != "profile_photos" {
				continue
			}
			rc, err := f.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if bytes.Equal(b, served) {
				found = true
				if f.Name != "profile-photo-512.jpg" || f.ContentType != "image/jpeg" {
					t.Fatalf("exported file %q %q", f.Name, f.ContentType)
				}
			}
		}
		if !found {
			t.Fatalf("the photo's bytes are not in the export (%d files)", len(w.files))
		}

		if n := blobFiles(t, env); n != 2 {
			t.Fatalf("%d files in the store, want 2", n)
		}
		res, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount, Subject: subject, Mode: datamap.ModeDelete, Tombstone: "tmb_gone"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted["profile_photos"] != 2 {
			t.Fatalf("erasure deleted %v", res.Deleted)
		}
		for _, f := range res.After {
			if err := f(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := blobFiles(t, env); n != 0 {
			t.Fatalf("%d files left in the store after the erasure", n)
		}
		getPhoto(t, o.Owner, colleague.AccountID, "?size=96", "").WantError(t, http.StatusNotFound, "not_found")
	})
}

func decodeJSON(t *testing.T, r *servertest.Response, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}
