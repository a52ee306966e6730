package httpx_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

func TestSniffUploadAndServeFile(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100)
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/files?name=a.png", strings.NewReader(png))
	r.Header.Set("Content-Type", "text/html") // the client's word is ignored
	body, ct, err := httpx.SniffUpload(w, r, 1000)
	if err != nil || ct != "image/png" {
		t.Fatalf("sniffed %q, %v", ct, err)
	}
	if b, _ := io.ReadAll(body); string(b) != png {
		t.Fatalf("body changed: %d bytes", len(b))
	}

	// Past the limit (the caller sees max+1 bytes to tell "over") is 413
	// file_too_large.
	r = httptest.NewRequest("POST", "/files", strings.NewReader(strings.Repeat("y", 1002)))
	body, _, err = httpx.SniffUpload(w, r, 1000)
	if err == nil {
		_, err = io.ReadAll(body)
	}
	if err = httpx.UploadError(err, 1000); apperr.KindOf(err) != apperr.KindTooLarge || apperr.CodeOf(err) != "file_too_large" {
		t.Fatalf("over the limit: %v", err)
	}

	for ct, disp := range map[string]string{"image/png": "inline", "image/svg+xml": "attachment", "text/html; charset=utf-8": "attachment"} {
		w := httptest.NewRecorder()
		if err := httpx.ServeFile(w, "报告 1.bin", ct, strings.NewReader("data")); err != nil {
			t.Fatal(err)
		}
		h := w.Result().Header
		if !strings.HasPrefix(h.Get("Content-Disposition"), disp+"; filename*=UTF-8''") || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "sandbox") || w.Code != http.StatusOK || w.Body.String() != "data" {
			t.Errorf("%s: %d %v", ct, w.Code, h)
		}
	}
}
