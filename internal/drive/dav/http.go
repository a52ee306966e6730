package dav

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/webdav"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// ServeHTTP serves WebDAV under Prefix to an authenticated caller.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := actor.Caller(r.Context())
	if err != nil {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	st := &state{account: a.AccountID, length: -1}
	ctx := r.Context()
	ctx = contextWith(ctx, st)
	r = r.WithContext(ctx)
	switch r.Method {
	case http.MethodPut:
		st.contentType = r.Header.Get("Content-Type")
		st.length = r.ContentLength
		r.Body = &bodyReader{r: r.Body, st: st}
	case "COPY", "MOVE":
		st.src = strings.TrimPrefix(r.URL.Path, Prefix)
	case "LOCK":
		// Taking a lock needs the right to change the resource (refreshing
		// one, with no body, only the token).
		if r.ContentLength != 0 {
			if _, _, _, err := s.writable(ctx, strings.TrimPrefix(r.URL.Path, Prefix)); err != nil && !isNotExist(err) {
				writeStatus(w, status(err, http.StatusForbidden))
				return
			}
		}
	}
	h := &webdav.Handler{Prefix: Prefix, FileSystem: fsys{s}, LockSystem: lockView{s: s, ctx: ctx, account: a.AccountID},
		Logger: func(r *http.Request, err error) {
			if err != nil && s.Log != nil && apperr.KindOf(stateOf(r.Context()).err) == apperr.KindInternal && stateOf(r.Context()).err != nil {
				s.Log("dav: request failed", "method", r.Method, "err", stateOf(r.Context()).err)
			}
		}}
	h.ServeHTTP(&statusWriter{ResponseWriter: w, st: st}, r)
}

// WellKnown redirects /.well-known/webdav to the WebDAV root.
func WellKnown(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
}

func isNotExist(err error) bool {
	return err != nil && strings.Contains(err.Error(), "file does not exist")
}

func writeStatus(w http.ResponseWriter, code int) {
	http.Error(w, webdav.StatusText(code), code)
}

// status is the answer to a drive error, or def when x/net/webdav's
// own choice (def) is right: not found and "already exists" keep theirs
// (409 for a missing parent, 405 for MKCOL on an existing name).
func status(err error, def int) int {
	var ae *apperr.Error
	if !asApp(err, &ae) {
		return def
	}
	switch ae.Kind {
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindTooLarge:
		if ae.Code == "quota_exceeded" {
			return http.StatusInsufficientStorage
		}
		return http.StatusRequestEntityTooLarge
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	case apperr.KindInternal:
		return http.StatusInternalServerError
	case apperr.KindConflict:
		if def == http.StatusInternalServerError || def == http.StatusForbidden {
			return http.StatusConflict
		}
	case apperr.KindGone:
		return http.StatusGone
	}
	return def
}

// statusWriter replaces x/net/webdav's generic error statuses (405 for a
// refused write, 404 for a refused PUT) with the drive's.
type statusWriter struct {
	http.ResponseWriter
	st      *state
	swallow bool
}

func (w *statusWriter) WriteHeader(code int) {
	if code >= 400 && code != http.StatusPreconditionFailed && code != webdav.StatusLocked && w.st.err != nil {
		if c := status(w.st.err, code); c != code {
			w.swallow = true
			h := w.ResponseWriter.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("X-Content-Type-Options", "nosniff")
			w.ResponseWriter.WriteHeader(c)
			_, _ = io.WriteString(w.ResponseWriter, webdav.StatusText(c)+"\n")
			return
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// bodyReader notes a PUT body cut short, so that the upload is dropped.
type bodyReader struct {
	r  io.ReadCloser
	st *state
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.st.bodyErr = err
	}
	return n, err
}

func (b *bodyReader) Close() error { return b.r.Close() }

var _ = url.Parse
