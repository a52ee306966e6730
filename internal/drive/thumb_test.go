package drive_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Test pictures.

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testJPEGOriented is a w×h JPEG whose EXIF block says orientation o and
// carries a camera name that must not survive.
func testJPEGOriented(t testing.TB, w, h int, o uint16) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(x), 90, uint8(y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// TIFF (big-endian): one IFD with the orientation, then the camera
	// name as trailing bytes of the segment.
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8))
	binary.Write(&tiff, binary.BigEndian, uint16(1))
	binary.Write(&tiff, binary.BigEndian, []uint16{0x0112, 3})
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, []uint16{o, 0})
	binary.Write(&tiff, binary.BigEndian, uint32(0))
	tiff.WriteString("SecretCam GPS 48.8584N")
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	app1 = append(app1, seg...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), app1...), b[2:]...)
}

// hugePNG is a small PNG file whose header declares w×h pixels.
func hugePNG(t testing.TB, w, h uint32) []byte {
	t.Helper()
	b := testPNG(t, 1, 1)
	// The IHDR chunk: length (4) at 8, type at 12, data at 16 (width,
	// height), CRC after its 13 bytes.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// testPDF is a one-page PDF of 400×200 points with a filled rectangle.
func testPDF() []byte {
	content := "0.2 0.4 0.8 rg 20 20 360 160 re f"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// blobKeyOf is the key of a file's current body.
func blobKeyOf(t testing.TB, env *servertest.Env, itemID string) string {
	t.Helper()
	var key string
	if err := env.App.DB.Reader().QueryRow(`SELECT blob_key FROM drive_items WHERE id = $1`, itemID).Scan(&key); err != nil {
		t.Fatal(err)
	}
	return key
}

// thumbJobState runs due jobs until the thumbnail job of a file's body
// is finished and returns its state ("" when none was queued).
func thumbJobState(t testing.TB, env *servertest.Env, itemID string) string {
	t.Helper()
	key := blobKeyOf(t, env, itemID)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := env.App.Jobs().RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		var state string
		err := env.App.DB.Reader().QueryRow(`SELECT state FROM jobs WHERE kind = $1 AND dedupe_key = $2`, drive.ThumbJob, key).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		if state == "done" || state == "failed" {
			return state
		}
		if time.Now().After(deadline) {
			t.Fatalf("the thumbnail job is still %s", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func thumbnail(t testing.TB, p *person, id string, size int, hdr map[string]string) *servertest.Response {
	t.Helper()
	return raw(t, p, "GET", fmt.Sprintf("/api/v1/drive/items/%s/thumbnail?size=%d", id, size), nil, hdr)
}

// picture decodes a thumbnail and checks it carries no metadata.
func picture(t testing.TB, r *servertest.Response) image.Image {
	t.Helper()
	if bytes.Contains(r.Body, []byte("Exif")) || bytes.Contains(r.Body, []byte("SecretCam")) {
		t.Fatal("the thumbnail kept the upload's metadata")
	}
	m, _, err := image.Decode(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("thumbnail (%s): %v", r.Header.Get("Content-Type"), err)
	}
	return m
}

func wantSize(t testing.TB, m image.Image, w, h int) {
	t.Helper()
	if b := m.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("thumbnail is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
}

// TestThumbnails: pictures get a 256 and a 1024 thumbnail in the
// background (EXIF orientation applied, metadata gone, never enlarged),
// served privately with an ETag; a text file gets none; a picture whose
// header declares too many pixels gets none and is never decoded.
func TestThumbnails(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)

		pic := file(t, ann, sp.RootID, "wide.png", testPNG(t, 600, 300))
		// Not before the job ran: 404 no_thumbnail.
		if st := thumbJobState(t, env, pic.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		r := thumbnail(t, ann, pic.ID, 256, nil).Want(t, http.StatusOK)
		wantSize(t, picture(t, r), 256, 128)
		if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
			t.Fatalf("Cache-Control: %q", cc)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		thumbnail(t, ann, pic.ID, 256, map[string]string{"If-None-Match": etag}).Want(t, http.StatusNotModified)
		// The large size is the picture itself when it is smaller.
		wantSize(t, picture(t, thumbnail(t, ann, pic.ID, 1024, nil).Want(t, http.StatusOK)), 600, 300)
		thumbnail(t, ann, pic.ID, 500, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// A JPEG stored 400×200 that is shown turned a quarter (EXIF 6).
		jp := file(t, ann, sp.RootID, "phone.jpg", testJPEGOriented(t, 400, 200, 6))
		if st := thumbJobState(t, env, jp.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		r = thumbnail(t, ann, jp.ID, 256, nil).Want(t, http.StatusOK)
		if r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		wantSize(t, picture(t, r), 128, 256)
		wantSize(t, picture(t, thumbnail(t, ann, jp.ID, 1024, nil).Want(t, http.StatusOK)), 200, 400)

		// A new version has its own thumbnail, under a new ETag.
		raw(t, ann, "PUT", "/api/v1/drive/items/"+pic.ID+"/content", testPNG(t, 100, 400), nil).Want(t, http.StatusOK)
		if st := thumbJobState(t, env, pic.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		r = thumbnail(t, ann, pic.ID, 256, map[string]string{"If-None-Match": etag}).Want(t, http.StatusOK)
		wantSize(t, picture(t, r), 64, 256)

		// A text file: no job, no thumbnail.
		txt := file(t, ann, sp.RootID, "notes.txt", []byte("just words"))
		if st := thumbJobState(t, env, txt.ID); st != "" {
			t.Fatalf("a text file's thumbnail job: %q", st)
		}
		thumbnail(t, ann, txt.ID, 256, nil).WantError(t, http.StatusNotFound, "no_thumbnail")
		thumbnail(t, ann, sp.RootID, 256, nil).WantError(t, http.StatusNotFound, "no_thumbnail")

		// 100,000 × 100,000 pixels declared by a 70-byte file: refused
		// from its header, the job done without a thumbnail.
		bomb := file(t, ann, sp.RootID, "bomb.png", hugePNG(t, 100_000, 100_000))
		if st := thumbJobState(t, env, bomb.ID); st != "done" {
			t.Fatalf("the bomb's thumbnail job: %q", st)
		}
		thumbnail(t, ann, bomb.ID, 256, nil).WantError(t, http.StatusNotFound, "no_thumbnail")
	})
}

// TestThumbnailPDF: a PDF's first page, rendered by pdftoppm.
func TestThumbnailPDF(t *testing.T) {
	if drive.FindPDFToPPM() == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftoppm (Debian: poppler-utils) is not installed; scripts/test.sh installs it")
		}
		t.Skip("pdftoppm (Debian: poppler-utils) is not installed: PDF thumbnails are not tested")
	}
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		pdf := file(t, ann, sp.RootID, "page.pdf", testPDF())
		if st := thumbJobState(t, env, pdf.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		r := thumbnail(t, ann, pdf.ID, 1024, nil).Want(t, http.StatusOK)
		m := picture(t, r)
		wantSize(t, m, 1024, 512)
		// The rectangle is drawn (blue), the margin is paper (white).
		if cr, cg, cb, _ := m.At(512, 256).RGBA(); cb>>8 < 150 || cr>>8 > 120 || cg>>8 > 160 {
			t.Fatalf("the page's middle is %d,%d,%d", cr>>8, cg>>8, cb>>8)
		}
		if cr, _, _, _ := m.At(5, 5).RGBA(); cr>>8 < 240 {
			t.Fatalf("the page's corner is not white")
		}
		wantSize(t, picture(t, thumbnail(t, ann, pdf.ID, 256, nil).Want(t, http.StatusOK)), 256, 128)

		// Not a PDF after all: no thumbnail, the job done.
		bad := file(t, ann, sp.RootID, "broken.pdf", []byte("%PDF-1.4\nthis is not a PDF"))
		if st := thumbJobState(t, env, bad.ID); st != "done" {
			t.Fatalf("thumbnail job of a broken PDF: %q", st)
		}
		thumbnail(t, ann, bad.ID, 256, nil).WantError(t, http.StatusNotFound, "no_thumbnail")
	})
}

// TestThumbnailAccess: a thumbnail is for whoever may see the file:
// another member and another organization get 404 until it is shared; a
// view link shows it, and its use is recorded.
func TestThumbnailAccess(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		anon := &person{Client: env.Client()}
		sp := mySpace(t, ann)
		pic := file(t, ann, sp.RootID, "pic.png", testPNG(t, 300, 300))
		if st := thumbJobState(t, env, pic.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		thumbnail(t, ann, pic.ID, 256, nil).Want(t, http.StatusOK)
		thumbnail(t, bob, pic.ID, 256, nil).WantError(t, http.StatusNotFound, "not_found")
		thumbnail(t, w.mallory, pic.ID, 256, nil).WantError(t, http.StatusNotFound, "not_found")
		thumbnail(t, anon, pic.ID, 256, nil).Want(t, http.StatusUnauthorized)
		ann.Do(t, "POST", "/api/v1/drive/items/"+pic.ID+"/shares", map[string]any{"kind": "member", "subject_id": bob.MemberID, "role": "viewer"}, nil).Want(t, http.StatusCreated)
		wantSize(t, picture(t, thumbnail(t, bob, pic.ID, 256, nil).Want(t, http.StatusOK)), 256, 256)

		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)
		var view drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+pic.ID+"/links", map[string]any{"permission": "view"}, &view).Want(t, http.StatusCreated)
		r := linkGet(t, anon, "/api/v1/drive/public/"+view.Token+"/thumbnail?size=1024", "").Want(t, http.StatusOK)
		wantSize(t, picture(t, r), 300, 300)
		linkGet(t, anon, "/api/v1/drive/public/"+view.Token+"/content", "").WantError(t, http.StatusForbidden, "link_permission")
		linkGet(t, anon, "/api/v1/drive/public/not-a-token/thumbnail", "").WantError(t, http.StatusNotFound, "not_found")
		var log drive.AccessList
		ann.Do(t, "GET", "/api/v1/drive/links/"+view.ID+"/access", nil, &log).Want(t, http.StatusOK)
		found := false
		for _, a := range log.Items {
			found = found || (a.Action == "thumbnail" && a.Outcome == "ok")
		}
		if !found {
			t.Fatalf("the link's use for a thumbnail is not recorded: %+v", log.Items)
		}
		ann.Do(t, "DELETE", "/api/v1/drive/links/"+view.ID, nil, nil).Want(t, http.StatusNoContent)
		linkGet(t, anon, "/api/v1/drive/public/"+view.Token+"/thumbnail", "").WantError(t, http.StatusNotFound, "not_found")
	})
}

// thumbKeys lists the file-store keys of a body's thumbnails.
func thumbKeys(t testing.TB, env *servertest.Env, blobKey string) []string {
	t.Helper()
	rows, err := env.App.DB.Reader().Query(`SELECT thumb_key FROM drive_thumbs WHERE blob_key = $1`, blobKey)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

func wantGone(t testing.TB, env *servertest.Env, keys []string) {
	t.Helper()
	for _, k := range keys {
		if o, _, err := env.App.Drive().Blobs.Open(context.Background(), k); err == nil {
			o.Close()
			t.Fatalf("thumbnail %s is still in the file store", k)
		}
	}
}

// TestThumbnailsGoWithTheirFile: deleting a file for good, and erasing
// the person whose personal space held it, deletes its thumbnails, rows
// and bytes; a copy sharing the body keeps them until it goes too.
func TestThumbnailsGoWithTheirFile(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		pic := file(t, ann, sp.RootID, "pic.png", testPNG(t, 300, 200))
		if st := thumbJobState(t, env, pic.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		key := blobKeyOf(t, env, pic.ID)
		keys := thumbKeys(t, env, key)
		if len(keys) != 2 {
			t.Fatalf("%d thumbnails recorded", len(keys))
		}
		cp := decode[drive.Item](t, ann.Do(t, "POST", "/api/v1/drive/items/"+pic.ID+"/copy", map[string]any{"parent_id": sp.RootID, "name": "copy.png"}, nil).Want(t, http.StatusCreated))
		thumbnail(t, ann, cp.ID, 256, nil).Want(t, http.StatusOK)

		ann.Do(t, "DELETE", "/api/v1/drive/items/"+pic.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+pic.ID+"/trash", nil, nil).Want(t, http.StatusNoContent)
		// The copy still refers to the body.
		thumbnail(t, ann, cp.ID, 256, nil).Want(t, http.StatusOK)
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+cp.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+cp.ID+"/trash", nil, nil).Want(t, http.StatusNoContent)
		if left := thumbKeys(t, env, key); len(left) != 0 {
			t.Fatalf("%d thumbnail rows left", len(left))
		}
		wantGone(t, env, keys)

		// Erasure: the personal space goes with its thumbnails.
		pic2 := file(t, ann, sp.RootID, "pic2.png", testPNG(t, 300, 200))
		if st := thumbJobState(t, env, pic2.ID); st != "done" {
			t.Fatalf("thumbnail job: %q", st)
		}
		key2 := blobKeyOf(t, env, pic2.ID)
		keys2 := thumbKeys(t, env, key2)
		if len(keys2) != 2 {
			t.Fatalf("%d thumbnails recorded", len(keys2))
		}
		p := env.App.Drive().Privacy()
		var out datamap.Erased
		err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
			var err error
			out, err = p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: datamap.Subject{AccountID: ann.ID},
				OrgID: w.orgID, MemberID: ann.MemberID, Mode: datamap.ModeAnonymize, Tombstone: "tmb_former"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range out.After {
			if err := fn(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if left := thumbKeys(t, env, key2); len(left) != 0 {
			t.Fatalf("%d thumbnail rows left after erasure", len(left))
		}
		wantGone(t, env, keys2)
	})
}
