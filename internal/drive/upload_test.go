package drive_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func chunk(t *testing.T, p *person, id string, off int64, body []byte) *servertest.Response {
	t.Helper()
	return raw(t, p, "PATCH", "/api/v1/drive/uploads/"+id, body, map[string]string{"Upload-Offset": strconv.FormatInt(off, 10),
		"Content-Type": "application/offset+octet-stream"})
}

// cutChunk sends a chunk announcing all of body but only its first send
// bytes, then drops the connection: a transfer cut mid-way.
func cutChunk(t *testing.T, p *person, id string, off int64, body []byte, send int) {
	t.Helper()
	u, _ := url.Parse(p.Env.URL)
	var cookies, csrf []string
	for _, c := range p.HTTP.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
		if c.Name == server.CSRFCookie {
			csrf = append(csrf, c.Value)
		}
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	head := fmt.Sprintf("PATCH /api/v1/drive/uploads/%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nUpload-Offset: %d\r\n"+
		"Content-Type: application/offset+octet-stream\r\nCookie: %s\r\n%s: %s\r\n\r\n",
		id, u.Host, len(body), off, strings.Join(cookies, "; "), server.CSRFHeader, strings.Join(csrf, ""))
	if _, err := conn.Write(append([]byte(head), body[:send]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let the bytes leave before the cut
	conn.Close()
}

func status(t *testing.T, p *person, id string) drive.UploadSession {
	t.Helper()
	var u drive.UploadSession
	p.Do(t, "GET", "/api/v1/drive/uploads/"+id, nil, &u).Want(t, http.StatusOK)
	return u
}

// Resumable uploads: chunks at the server's offset, a transfer cut
// mid-chunk keeps what arrived and goes on from there (HEAD tells where),
// and completing checks the size and the SHA-256.
func TestHTTPResumableUpload(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		sp := mySpace(t, ann)
		body := make([]byte, 3<<20+123)
		for i := range body {
			body[i] = byte(i * 7 % 251)
		}
		sum := sha256.Sum256(body)
		want := hex.EncodeToString(sum[:])

		var u drive.UploadSession
		r := ann.Do(t, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": "big.bin", "size": len(body), "sha256": want}, &u).Want(t, http.StatusCreated)
		if u.Offset != 0 || u.Size != int64(len(body)) || r.Header.Get("Upload-Offset") != "0" || r.Header.Get("Location") != "/api/v1/drive/uploads/"+u.ID {
			t.Fatalf("created: %+v %v", u, r.Header)
		}
		// The first MiB, then a chunk cut after 700 kB.
		chunk(t, ann, u.ID, 0, body[:1<<20]).Want(t, http.StatusOK)
		chunk(t, ann, u.ID, 0, body[:10]).WantError(t, http.StatusConflict, "upload_offset_mismatch")
		cutChunk(t, ann, u.ID, 1<<20, body[1<<20:2<<20], 700_000)
		var off int64
		for i := 0; i < 200; i++ {
			if off = status(t, ann, u.ID).Offset; off == 1<<20+700_000 {
				break
			}
			time.Sleep(25 * time.Millisecond)
		}
		if off != 1<<20+700_000 {
			t.Fatalf("offset after the cut: %d", off)
		}
		// HEAD says the same in a header.
		h := raw(t, ann, "HEAD", "/api/v1/drive/uploads/"+u.ID, nil, nil).Want(t, http.StatusOK)
		if h.Header.Get("Upload-Offset") != strconv.FormatInt(off, 10) || h.Header.Get("Upload-Length") != strconv.Itoa(len(body)) {
			t.Fatalf("HEAD: %v", h.Header)
		}
		// Not finished: no file yet.
		ann.Do(t, "POST", "/api/v1/drive/uploads/"+u.ID+"/complete", map[string]any{}, nil).WantError(t, http.StatusConflict, "upload_incomplete")
		// Someone else's upload does not exist for them.
		bob.Do(t, "GET", "/api/v1/drive/uploads/"+u.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		chunk(t, bob, u.ID, off, body[off:]).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "POST", "/api/v1/drive/uploads/"+u.ID+"/complete", map[string]any{}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Past the size is refused; the rest completes it.
		chunk(t, ann, u.ID, off, append(append([]byte{}, body[off:]...), 'x')).WantError(t, http.StatusBadRequest, "upload_too_long")
		chunk(t, ann, u.ID, off, body[off:]).Want(t, http.StatusOK)
		var it drive.Item
		ann.Do(t, "POST", "/api/v1/drive/uploads/"+u.ID+"/complete", map[string]any{}, &it).Want(t, http.StatusCreated)
		if it.Size != int64(len(body)) || it.SHA256 != want || it.Name != "big.bin" {
			t.Fatalf("completed: %+v", it)
		}
		if got := download(t, ann, it.ID, nil).Want(t, http.StatusOK).Body; !bytes.Equal(got, body) {
			t.Fatalf("downloaded %d bytes, differing", len(got))
		}
		// The upload is gone once it made its file.
		ann.Do(t, "GET", "/api/v1/drive/uploads/"+u.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// A wrong checksum is refused and the upload kept for another try
		// (or its cancellation).
		var u2 drive.UploadSession
		ann.Do(t, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": "small.bin", "size": 5}, &u2).Want(t, http.StatusCreated)
		chunk(t, ann, u2.ID, 0, []byte("hello")).Want(t, http.StatusOK)
		ann.Do(t, "POST", "/api/v1/drive/uploads/"+u2.ID+"/complete", map[string]any{"sha256": strings.Repeat("0", 64)}, nil).WantError(t, http.StatusBadRequest, "checksum_mismatch")
		ann.Do(t, "GET", "/api/v1/drive/uploads/"+u2.ID, nil, nil).Want(t, http.StatusOK)
		ann.Do(t, "DELETE", "/api/v1/drive/uploads/"+u2.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "GET", "/api/v1/drive/uploads/"+u2.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// A name in use is refused up front; replace makes a new version.
		ann.Do(t, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": "BIG.bin", "size": 5}, nil).WantError(t, http.StatusConflict, "name_taken")
		var u3 drive.UploadSession
		ann.Do(t, "POST", "/api/v1/drive/uploads", map[string]any{"item_id": it.ID, "size": 3}, &u3).Want(t, http.StatusCreated)
		chunk(t, ann, u3.ID, 0, []byte("abc")).Want(t, http.StatusOK)
		var v2 drive.Item
		ann.Do(t, "POST", "/api/v1/drive/uploads/"+u3.ID+"/complete", map[string]any{}, &v2).Want(t, http.StatusCreated)
		if v2.ID != it.ID || v2.Version != 2 || v2.Size != 3 {
			t.Fatalf("new version: %+v", v2)
		}
		// Abandoned uploads are dropped after a day.
		var u4 drive.UploadSession
		ann.Do(t, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": "left.bin", "size": 5}, &u4).Want(t, http.StatusCreated)
		chunk(t, ann, u4.ID, 0, []byte("he")).Want(t, http.StatusOK)
		w.clock.add(25 * time.Hour)
		if n, err := env.App.Drive().PurgeUploads(t.Context()); err != nil || n != 1 {
			t.Fatalf("purge uploads: %d %v", n, err)
		}
		ann.Do(t, "GET", "/api/v1/drive/uploads/"+u4.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}
