package report

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HandleUpload stores the raw body as a file named by ?name=. The content
// type is sniffed from the bytes, not taken from the client.
func (s *Service) HandleUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFileSize+1)
	head := make([]byte, 512)
	n, err := io.ReadFull(r.Body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return uploadError(err)
	}
	head = head[:n]
	f, err := s.Upload(r.Context(), UploadInput{Name: r.URL.Query().Get("name"), ContentType: http.DetectContentType(head),
		Body: io.MultiReader(bytes.NewReader(head), r.Body)})
	if err != nil {
		return uploadError(err)
	}
	return httpx.Created(w, f)
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge()
	}
	return err
}

// HandleDownload serves a file's bytes: images (not SVG) inline, anything
// else as a download.
func (s *Service) HandleDownload(w http.ResponseWriter, r *http.Request) error {
	f, o, err := s.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer o.Close()
	ct := strings.TrimSpace(strings.Split(f.ContentType, ";")[0])
	disp := "attachment"
	if strings.HasPrefix(ct, "image/") && ct != "image/svg+xml" {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = io.Copy(w, o)
	return err
}
