package directory

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HandleSetMyPhoto is PUT /api/v1/me/photo: the picture is the raw body or
// the "file" part of a multipart body; ?x=&y=&size= (all three, in pixels
// of the picture as shown) choose the square to keep.
func (s *Service) HandleSetMyPhoto(w http.ResponseWriter, r *http.Request) error {
	crop, err := cropOf(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, PhotoMaxBytes+(1<<20))
	var body io.Reader = r.Body
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return apperr.Invalid("invalid_multipart", "the multipart body cannot be read")
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				return apperr.Invalid("missing_file", `the multipart body has no "file" part`)
			}
			if p.FormName() == "file" {
				body = p
				break
			}
		}
	}
	out, err := s.SetMyPhoto(r.Context(), body, crop)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", int64(PhotoMaxBytes))
		}
		return err
	}
	return httpx.OK(w, out)
}

// cropOf reads the crop square of the query: none, or x, y and size.
func cropOf(r *http.Request) (*PhotoCrop, error) {
	q := r.URL.Query()
	if !q.Has("x") && !q.Has("y") && !q.Has("size") {
		return nil, nil
	}
	var v [3]int
	for i, k := range []string{"x", "y", "size"} {
		n, err := strconv.Atoi(strings.TrimSpace(q.Get(k)))
		if err != nil {
			return nil, errInvalidCrop.With("field", k)
		}
		v[i] = n
	}
	return &PhotoCrop{X: v[0], Y: v[1], Size: v[2]}, nil
}

// HandleRemoveMyPhoto is DELETE /api/v1/me/photo.
func (s *Service) HandleRemoveMyPhoto(w http.ResponseWriter, r *http.Request) error {
	if err := s.RemoveMyPhoto(r.Context()); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandlePersonPhoto is GET /api/v1/people/{account_id}/photo?size=96|512:
// cached privately, revalidated by its ETag (the photo's version).
func (s *Service) HandlePersonPhoto(w http.ResponseWriter, r *http.Request) error {
	size := 0
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errInvalidSize
		}
		size = n
	}
	p, err := s.photoFor(r.Context(), r.PathValue("account_id"), size)
	if err != nil {
		return err
	}
	etag := `"` + p.Version + "-" + strconv.Itoa(p.Size) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Vary", "Cookie, Authorization")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body, err := s.openPhoto(r.Context(), p)
	if err != nil {
		return err
	}
	defer body.Close()
	h.Set("Content-Type", p.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = io.Copy(w, body)
	return err
}
