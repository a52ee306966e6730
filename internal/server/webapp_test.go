package server

import (
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func webGet(t *testing.T, h http.Handler, path string, hdr ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	rd := r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		rd = zr
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWebAppServesBuild(t *testing.T) {
	index := `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>`
	js := strings.Repeat("console.log('atrium');\n", 100)
	h := newWebApp(fstest.MapFS{
		"index.html":             {Data: []byte(index)},
		"assets/index-abc123.js": {Data: []byte(js)},
		"favicon.svg":            {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		".keep":                  {Data: nil},
	})

	cases := []struct {
		path, cache, ctype, body string
		status                   int
	}{
		{"/", "no-cache", "text/html", index, 200},
		{"/index.html", "no-cache", "text/html", index, 200},
		{"/chat/conv_123", "no-cache", "text/html", index, 200},
		{"/setup?token=abc", "no-cache", "text/html", index, 200},
		{"/assets/index-abc123.js", "public, max-age=31536000, immutable", "javascript", js, 200},
		{"/favicon.svg", "no-cache", "image/svg+xml", "<svg", 200},
		{"/assets/missing-999.js", "no-cache", "text/plain", "404", 404},
		{"/robots.txt", "no-cache", "text/plain", "404", 404},
		// Not a route of the app: the app's page (its "not found"
		// screen), but an honest 404.
		{"/healthcheck", "no-cache", "text/html", index, 404},
		{"/wp-admin/setup", "no-cache", "text/html", index, 404},
	}
	for _, c := range cases {
		r := webGet(t, h, c.path)
		if r.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, r.StatusCode, c.status)
		}
		if got := r.Header.Get("Cache-Control"); got != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		if got := r.Header.Get("Content-Type"); !strings.Contains(got, c.ctype) {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := body(t, r); !strings.Contains(got, c.body) {
			t.Errorf("%s: body %.60q, want %.60q", c.path, got, c.body)
		}
	}

	// Compressed when the client accepts it, and revalidated by ETag.
	r := webGet(t, h, "/assets/index-abc123.js", "Accept-Encoding", "br, gzip")
	if r.Header.Get("Content-Encoding") != "gzip" || body(t, r) != js {
		t.Fatalf("gzip: encoding %q", r.Header.Get("Content-Encoding"))
	}
	etag := webGet(t, h, "/").Header.Get("ETag")
	if r := webGet(t, h, "/", "If-None-Match", etag); etag == "" || r.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match %q: status %d", etag, r.StatusCode)
	}

	req := httptest.NewRequest("POST", "/chat", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", rec.Code)
	}
}

func TestWebAppNotBuilt(t *testing.T) {
	h := newWebApp(fstest.MapFS{".keep": {Data: nil}})
	for _, p := range []string{"/", "/chat"} {
		r := webGet(t, h, p)
		if b := body(t, r); r.StatusCode != 200 || !strings.Contains(b, "web app not built") || !strings.Contains(b, "make ui") {
			t.Fatalf("%s: %d %q", p, r.StatusCode, b)
		}
	}
	if r := webGet(t, h, "/healthcheck"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("/healthcheck: %d", r.StatusCode)
	}
}

func TestWebAppDevProxy(t *testing.T) {
	vite := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "vite "+r.URL.Path)
	}))
	defer vite.Close()
	s := &Server{DevUIURL: vite.URL, Log: slog.New(slog.DiscardHandler)}
	h := s.Handler()
	r := webGet(t, h, "/src/main.tsx")
	if b := body(t, r); r.StatusCode != 200 || b != "vite /src/main.tsx" {
		t.Fatalf("proxy: %d %q", r.StatusCode, b)
	}
	// The API is never proxied.
	if r := webGet(t, h, "/api/v1/nope"); r.StatusCode != 404 || !strings.Contains(body(t, r), "no_route") {
		t.Fatalf("api: %d", r.StatusCode)
	}
}

// TestAppRoutesMatchRouter keeps appRoutes equal to the first segments of
// the web app's routes, so that a new screen is not answered 404 and a
// removed one not 200.
func TestAppRoutesMatchRouter(t *testing.T) {
	src, err := os.ReadFile("../../web/src/router.tsx")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"": true, "index.html": true}
	for _, m := range regexp.MustCompile(`(?:path: |soon\()"/([^"/]*)`).FindAllStringSubmatch(string(src), -1) {
		want[m[1]] = true
	}
	for seg := range want {
		if !appRoutes[seg] {
			t.Errorf("the web app routes /%s, but appRoutes (webapp.go) lacks %q", seg, seg)
		}
	}
	for seg := range appRoutes {
		if !want[seg] {
			t.Errorf("appRoutes has %q, which web/src/router.tsx does not route", seg)
		}
	}
}

// TestWebAppServesPWA: the service worker is served as JavaScript from the
// scope root and never cached for long (a new release must replace it),
// and the web manifest carries its own content type.
func TestWebAppServesPWA(t *testing.T) {
	h := newWebApp(fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html>")},
		"sw.js":                {Data: []byte("self.addEventListener('fetch', () => {});")},
		"manifest.webmanifest": {Data: []byte(`{"name":"Atrium"}`)},
		"icons/icon-192.png":   {Data: []byte("\x89PNG\r\n\x1a\n")},
	})
	r := webGet(t, h, "/sw.js")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("sw.js: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") || strings.Contains(cc, "immutable") {
		t.Fatalf("sw.js: Cache-Control %q", cc)
	}
	if got := r.Header.Get("Service-Worker-Allowed"); got != "/" {
		t.Fatalf("sw.js: Service-Worker-Allowed %q", got)
	}
	r = webGet(t, h, "/manifest.webmanifest")
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/manifest+json" || r.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("manifest: %d %q %q", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	}
	if r := webGet(t, h, "/icons/icon-192.png"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("icon: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
}
