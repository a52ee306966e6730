package calendar

import (
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HandleUpload stores the raw body as a file named by ?name=. The content
// type is sniffed from the bytes, not taken from the client.
func (s *Service) HandleUpload(w http.ResponseWriter, r *http.Request) error {
	body, ct, err := httpx.SniffUpload(w, r, MaxFileSize)
	if err != nil {
		return err
	}
	f, err := s.Upload(r.Context(), UploadInput{Name: r.URL.Query().Get("name"), ContentType: ct, Body: body})
	if err != nil {
		return httpx.UploadError(err, MaxFileSize)
	}
	return httpx.Created(w, f)
}

// HandleDownload serves a file's bytes: images (not SVG) inline, anything
// else as a download.
func (s *Service) HandleDownload(w http.ResponseWriter, r *http.Request) error {
	f, o, err := s.OpenFile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer o.Close()
	return httpx.ServeFile(w, f.Name, f.ContentType, o)
}
