package drive

import (
	"net/http"
	"strconv"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// thumbSize reads ?size= (256 or 1024; none is 256).
func thumbSize(r *http.Request) (int, error) {
	v := r.URL.Query().Get("size")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.InvalidField("size", "256 or 1024")
	}
	return n, nil
}

// HandleThumbnail serves a file's thumbnail (?size=256|1024): 404
// no_thumbnail when it has none (yet).
func (s *Service) HandleThumbnail(w http.ResponseWriter, r *http.Request) error {
	size, err := thumbSize(r)
	if err != nil {
		return err
	}
	th, o, err := s.Thumbnail(r.Context(), r.PathValue("id"), size)
	if err != nil {
		return err
	}
	return serveThumb(w, r, th, o)
}

// HandleLinkThumbnail serves a thumbnail through a link (?item_id=, the
// link's file by default; ?size=256|1024).
func (s *Service) HandleLinkThumbnail(w http.ResponseWriter, r *http.Request) error {
	size, err := thumbSize(r)
	if err != nil {
		return err
	}
	th, o, err := s.LinkThumbnail(r.Context(), r.PathValue("token"), r.URL.Query().Get("item_id"), size, visitor(r))
	if err != nil {
		return err
	}
	return serveThumb(w, r, th, o)
}

// serveThumb writes a thumbnail: private (it is someone's file), checked
// again by its ETag (304) since the same address shows the file's newest
// content.
func serveThumb(w http.ResponseWriter, r *http.Request, th Thumb, o blob.Object) error {
	defer o.Close()
	h := w.Header()
	h.Set("Content-Type", th.ContentType)
	h.Set("Content-Disposition", "inline")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", th.ETag)
	http.ServeContent(w, r, "", time.UnixMilli(th.CreatedAt), o)
	return nil
}
