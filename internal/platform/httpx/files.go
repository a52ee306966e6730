package httpx

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Files sent as a raw request body and served back: one way for every
// domain that stores them (approvals, announcements, reports).

// SniffUpload limits r's body to max bytes and returns it with its content
// type sniffed from the first 512 bytes — never the client's word. Reading
// past max fails with an error UploadError turns into 413.
func SniffUpload(w http.ResponseWriter, r *http.Request, max int64) (io.Reader, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, max+1)
	head := make([]byte, 512)
	n, err := io.ReadFull(r.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", UploadError(err, max)
	}
	head = head[:n]
	return io.MultiReader(bytes.NewReader(head), r.Body), http.DetectContentType(head), nil
}

// UploadError answers 413 file_too_large (with max_bytes) for a body over
// its limit and returns any other error as it is.
func UploadError(err error, max int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", max)
	}
	return err
}

// ServeFile writes a stored file: images other than SVG inline, anything
// else as a download named name; never sniffed by the browser, sandboxed
// should it be opened, and cached privately for a day.
func ServeFile(w http.ResponseWriter, name, contentType string, body io.Reader) error {
	ct := strings.TrimSpace(strings.Split(contentType, ";")[0])
	disp := "attachment"
	if strings.HasPrefix(ct, "image/") && ct != "image/svg+xml" {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err := io.Copy(w, body)
	return err
}
