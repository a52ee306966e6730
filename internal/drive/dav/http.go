package dav

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// ServeHTTP serves WebDAV under Prefix to an authenticated caller.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r, true) }

// serve serves a request; fast lets PROPFIND of a folder take the short
// way (http_propfind.go) rather than x/net/webdav's.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, fast bool) {
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
	case "PROPFIND", "PROPPATCH", "LOCK":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxXMLBody))
		if err != nil {
			writeStatus(w, http.StatusRequestEntityTooLarge)
			return
		}
		if !wellFormedNamespaces(body) {
			writeStatus(w, http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		if r.Method == "LOCK" {
			s.serveLock(w, r, body, a.AccountID)
			return
		}
		if r.Method == "PROPFIND" && fast && s.servePropfind(w, r, body) {
			return
		}
	case "COPY", "MOVE":
		st.src = strings.TrimPrefix(r.URL.Path, Prefix)
		st.move = r.Method == "MOVE"
	}
	h := &webdav.Handler{Prefix: Prefix, FileSystem: fsys{s}, LockSystem: lockView{s: s, ctx: ctx, account: a.AccountID},
		Logger: func(r *http.Request, _ error) {
			// Unexpected drive errors only (never the request's content).
			if e := st.err; e != nil && s.Log != nil && apperr.KindOf(e) == apperr.KindInternal {
				s.Log("dav: request failed", "method", r.Method, "err", e)
			}
		}}
	h.ServeHTTP(&statusWriter{ResponseWriter: w, st: st}, r)
}

// maxXMLBody bounds the XML body of PROPFIND, PROPPATCH and LOCK.
const maxXMLBody = 1 << 20

// wellFormedNamespaces reports whether an XML body declares no prefix
// bound to the empty namespace (xmlns:p=""), which XML Namespaces 1.0
// forbids and encoding/xml lets through; an empty body is fine.
func wellFormedNamespaces(body []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return true // the handler reports other XML errors
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" && a.Value == "" {
					return false
				}
			}
		}
	}
}

// WellKnown redirects /.well-known/webdav to the WebDAV root.
func WellKnown(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
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

// lockInfo is the body of a LOCK request.
type lockInfo struct {
	XMLName   xml.Name  `xml:"DAV: lockinfo"`
	Exclusive *struct{} `xml:"DAV: lockscope>exclusive"`
	Shared    *struct{} `xml:"DAV: lockscope>shared"`
	Write     *struct{} `xml:"DAV: locktype>write"`
	Owner     struct {
		InnerXML string `xml:",innerxml"`
	} `xml:"DAV: owner"`
}

var ifToken = regexp.MustCompile(`\(\s*<([^>]+)>`)

// lockTimeout reads the Timeout header: the first "Second-n", capped;
// "Infinite" or none is the default.
func lockTimeout(h string) time.Duration {
	for _, v := range strings.Split(h, ",") {
		v = strings.TrimSpace(v)
		if n, ok := strings.CutPrefix(v, "Second-"); ok {
			if sec, err := strconv.ParseInt(n, 10, 64); err == nil && sec > 0 {
				// Capped before multiplying: a huge count would overflow
				// into a lock that has already expired.
				return time.Duration(min(sec, int64(maxLockTimeout/time.Second))) * time.Second
			}
		}
	}
	return defaultLockTimeout
}

// serveLock takes a lock (with a body) or refreshes one (without, the
// token in the If header). A new lock of a name where nothing is creates
// an empty file there.
func (s *Server) serveLock(w http.ResponseWriter, r *http.Request, body []byte, account string) {
	ctx := r.Context()
	v := lockView{s: s, ctx: ctx, account: account}
	d := lockTimeout(r.Header.Get("Timeout"))
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	if len(bytes.TrimSpace(body)) == 0 {
		m := ifToken.FindStringSubmatch(r.Header.Get("If"))
		if m == nil {
			writeStatus(w, http.StatusBadRequest)
			return
		}
		x, err := s.Drive.DAVLockByToken(ctx, m[1])
		if err != nil || x.AccountID != account {
			writeStatus(w, http.StatusPreconditionFailed)
			return
		}
		if err := s.Drive.RefreshDAVLock(ctx, x.Token, time.Now().Add(d).UnixMilli()); err != nil {
			writeStatus(w, http.StatusInternalServerError)
			return
		}
		writeLock(w, http.StatusOK, x, d, r.URL.EscapedPath())
		return
	}
	var li lockInfo
	if err := xml.Unmarshal(body, &li); err != nil || li.Write == nil || (li.Exclusive == nil) == (li.Shared == nil) {
		writeStatus(w, http.StatusBadRequest)
		return
	}
	zero := false
	switch r.Header.Get("Depth") {
	case "", "infinity", "Infinity":
	case "0":
		zero = true
	default:
		writeStatus(w, http.StatusBadRequest)
		return
	}
	l, _, exists, err := s.writable(ctx, name)
	if err != nil {
		if os.IsNotExist(err) {
			writeStatus(w, http.StatusConflict)
			return
		}
		writeStatus(w, status(err, http.StatusForbidden))
		return
	}
	x, err := v.lock(l, zero, li.Shared != nil, li.Owner.InnerXML, d)
	if drive.IsLocked(err) {
		writeStatus(w, webdav.StatusLocked)
		return
	}
	if err != nil {
		writeStatus(w, status(err, http.StatusInternalServerError))
		return
	}
	code := http.StatusOK
	if !exists {
		f, err := (fsys{s}).OpenFile(ctx, name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			_ = s.Drive.DeleteDAVLock(ctx, x.Token)
			writeStatus(w, status(err, http.StatusConflict))
			return
		}
		code = http.StatusCreated
	}
	w.Header().Set("Lock-Token", "<"+x.Token+">")
	writeLock(w, code, x, d, r.URL.EscapedPath())
}

// writeLock answers a LOCK with the lock's lockdiscovery.
func writeLock(w http.ResponseWriter, code int, x drive.DAVLock, d time.Duration, root string) {
	scope, depth := "exclusive", "infinity"
	if x.Shared {
		scope = "shared"
	}
	if x.ZeroDepth {
		depth = "0"
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<D:prop xmlns:D="DAV:"><D:lockdiscovery><D:activelock>`)
	b.WriteString(`<D:locktype><D:write/></D:locktype><D:lockscope><D:` + scope + `/></D:lockscope><D:depth>` + depth + `</D:depth>`)
	if x.OwnerXML != "" {
		b.WriteString(`<D:owner>` + x.OwnerXML + `</D:owner>`)
	}
	b.WriteString(`<D:timeout>Second-` + strconv.FormatInt(int64(d/time.Second), 10) + `</D:timeout>`)
	b.WriteString(`<D:locktoken><D:href>`)
	_ = xml.EscapeText(&b, []byte(x.Token))
	b.WriteString(`</D:href></D:locktoken><D:lockroot><D:href>`)
	_ = xml.EscapeText(&b, []byte(root))
	b.WriteString(`</D:href></D:lockroot></D:activelock></D:lockdiscovery></D:prop>`)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes())
}
