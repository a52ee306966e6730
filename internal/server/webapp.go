package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/atrium-hq/atrium/web"
)

// The web app is a single-page app built by Vite into web/dist and embedded
// with go:embed. Files under /assets/ carry a content hash in their names and
// are cached forever; index.html, the service worker (/sw.js) and the web
// manifest are revalidated on every load so a new release is picked up at
// once; every other non-API path gets index.html
// (the app's router decides what to show). When dist holds no index.html the
// binary was built without `make ui`: the API still works and the browser is
// told how to build the app.

// appRoutes are the first path segments of the web app's routes
// (web/src/router.tsx; TestAppRoutesMatchRouter keeps the two equal). Any
// other path is not the app's: it answers 404 — with the app's page, which
// shows its own "not found" — so that a probe or a script pointed at a
// wrong path (/healthz-like, /metrics, /wp-admin) is not told 200.
var appRoutes = map[string]bool{
	"": true, "index.html": true,
	"login": true, "register": true, "reset-password": true, "setup": true, "join": true, "welcome": true,
	"settings": true, "admin": true, "directory": true, "chat": true, "notifications": true, "privacy": true,
	"calendar": true, "approvals": true, "attendance": true, "announcements": true, "reports": true,
	"drive": true, "s": true, "docs": true, "tasks": true, "guardian-consent": true, "workspace": true, "me": true,
}

// isAppPath reports whether p (cleaned, without its leading slash) is a
// route of the web app.
func isAppPath(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return appRoutes[first]
}

// webApp returns the handler for every non-API path: a reverse proxy to the
// Vite dev server when devURL is set, else the embedded build.
func (s *Server) webApp() http.Handler {
	if s.DevUIURL != "" {
		h, err := devUIProxy(s.DevUIURL, s.Log)
		if err == nil {
			return h
		}
		s.Log.Error("dev UI proxy disabled", "url", s.DevUIURL, "err", err)
	}
	sub, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		return notBuilt()
	}
	return newWebApp(sub)
}

// newWebApp serves the built app in fsys (the contents of web/dist).
func newWebApp(fsys fs.FS) http.Handler {
	if _, err := fs.Stat(fsys, "index.html"); err != nil {
		return notBuilt()
	}
	return &webAppHandler{fsys: fsys}
}

type webAppHandler struct {
	fsys  fs.FS
	files sync.Map // clean path → *webFile (or nil for missing)
}

// webFile is one file of the build, read once, with its gzip variant when
// compression pays off.
type webFile struct {
	body  []byte
	gz    []byte
	ctype string
	etag  string
}

func (h *webAppHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p == "" {
		p = "index.html"
	}
	f := h.file(p)
	status := http.StatusOK
	switch {
	case f != nil && strings.HasPrefix(p, "assets/"):
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	case f != nil && p == "sw.js":
		// The service worker is checked for a new release on every
		// visit; its scope is the whole app.
		w.Header().Set("Cache-Control", "no-cache, max-age=0")
		w.Header().Set("Service-Worker-Allowed", "/")
	case f != nil && p != "index.html":
		w.Header().Set("Cache-Control", "no-cache")
	case strings.HasPrefix(p, "assets/") || path.Ext(p) != "" && p != "index.html":
		// A missing asset must not turn into index.html: the browser
		// would try to run HTML as a script.
		w.Header().Set("Cache-Control", "no-cache")
		http.NotFound(w, r)
		return
	default:
		// index.html itself, or a route of the app (/chat, /setup, …);
		// any other path gets the app's "not found" screen with a 404.
		if !isAppPath(p) {
			status = http.StatusNotFound
		}
		f = h.file("index.html")
		w.Header().Set("Cache-Control", "no-cache")
	}
	if f == nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.ctype)
	hd.Set("ETag", f.etag)
	hd.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); status == http.StatusOK && match != "" && match == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if f.gz != nil && acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// file returns the file at p (cached), or nil when there is none.
func (h *webAppHandler) file(p string) *webFile {
	if v, ok := h.files.Load(p); ok {
		f, _ := v.(*webFile)
		return f
	}
	var f *webFile
	if b, err := fs.ReadFile(h.fsys, p); err == nil {
		sum := sha256.Sum256(b)
		f = &webFile{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		f.ctype = webTypes[path.Ext(p)]
		if f.ctype == "" {
			f.ctype = mime.TypeByExtension(path.Ext(p))
		}
		if f.ctype == "" {
			f.ctype = http.DetectContentType(b)
		}
		if compressible(f.ctype) && len(b) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			if buf.Len() < len(b) {
				f.gz = buf.Bytes()
			}
		}
	}
	v, _ := h.files.LoadOrStore(p, f)
	f, _ = v.(*webFile)
	return f
}

// webTypes are the content types of the build's files that the system's
// MIME table may lack or get wrong: browsers refuse a service worker that
// is not served as JavaScript, and read the manifest by its type.
var webTypes = map[string]string{
	".js":          "text/javascript; charset=utf-8",
	".webmanifest": "application/manifest+json",
	".json":        "application/json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
}

func compressible(ctype string) bool {
	for _, t := range []string{"text/", "javascript", "json", "svg", "wasm"} {
		if strings.Contains(ctype, t) {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// notBuiltPage is shown instead of the app when the binary was built
// without the web app.
const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atrium</title></head>
<body><h1>Atrium</h1>
<p>web app not built — run <code>make ui</code> (or <code>make run</code>), then rebuild the binary.</p>
<p>The API works: <a href="/api/v1/health">/api/v1/health</a>.</p>
</body></html>
`

func notBuilt() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isAppPath(strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write([]byte(notBuiltPage))
		}
	})
}

// devUIProxy forwards non-API requests (including Vite's hot-reload
// WebSocket) to the Vite dev server at raw.
func devUIProxy(raw string, log *slog.Logger) (http.Handler, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Warn("dev UI proxy", "url", raw, "err", err)
			http.Error(w, "the Vite dev server at "+raw+" is not answering: run `npm run dev` in web/", http.StatusBadGateway)
		},
	}
	// Vite's dev client needs inline scripts and a WebSocket of its own;
	// the strict policy applies to the embedded build only.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'; object-src 'none'")
		rp.ServeHTTP(w, r)
	}), nil
}
