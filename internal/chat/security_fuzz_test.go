package chat_test

import (
	"bytes"
	"encoding/json"
	"github.com/atrium-hq/atrium/internal/platform/markdown"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var mentionIDRe = regexp.MustCompile(`data-account-id="([^"]*)"`)

// unsafeHTML reports the first thing in fragment that could run script or
// load active content in a browser.
func unsafeHTML(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "script", "style", "iframe", "frame", "object", "embed", "form", "input", "button", "textarea", "select", "link", "meta", "base", "svg", "math", "template":
				return "<" + string(name) + ">"
			}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				key := strings.ToLower(string(k))
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					return key + " attribute"
				}
				if key == "href" || key == "src" || key == "action" || key == "xlink:href" {
					u := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, html.UnescapeString(string(v))))
					for _, scheme := range []string{"javascript:", "vbscript:", "data:", "file:"} {
						if strings.HasPrefix(u, scheme) {
							return key + "=" + string(v)
						}
					}
				}
			}
		}
	}
}

// FuzzMentions renders arbitrary message text: the HTML has nothing
// active in it, every mention names an account id written in the source,
// and @all is only reported when the source says @all.
func FuzzMentions(f *testing.F) {
	for _, s := range []string{
		"@[Ann](acc_0123456789abcdef0123456789abcdef) hi",
		"@all please read",
		`@[<img src=x onerror=alert(1)>](acc_0123456789abcdef0123456789abcdef)`,
		`@[Ann](acc_x" onmouseover="alert(1))`,
		"@[Ann](javascript:alert(1))",
		"[@[Ann](acc_1)](javascript:alert(1))",
		"<a href=\"java\tscript:alert(1)\">x</a>",
		"![x](data:text/html;base64,PHNjcmlwdD4=)",
		"@[张三](acc_0123456789abcdef0123456789abcdef) 会议纪要",
		"`@[code](acc_1)` and ```\n@all\n```",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := markdown.Render(src)
		if bad := unsafeHTML(r.HTML); bad != "" {
			t.Fatalf("rendering %q let %s through: %s", src, bad, r.HTML)
		}
		for _, m := range r.Mentions {
			if m.AccountID == "" || !strings.Contains(src, m.AccountID) {
				t.Fatalf("mention of %q not written in %q", m.AccountID, src)
			}
		}
		for _, m := range mentionIDRe.FindAllStringSubmatch(r.HTML, -1) {
			if !strings.Contains(src, html.UnescapeString(m[1])) {
				t.Fatalf("HTML mentions %q, not in the source %q", m[1], src)
			}
		}
		if r.MentionAll && !strings.Contains(src, "@all") {
			t.Fatalf("@all reported for %q", src)
		}
	})
}

func tinyPNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func tinyGIF() []byte {
	var b bytes.Buffer
	gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 2, 2), []color.Color{color.Black, color.White}), nil)
	return b.Bytes()
}

// FuzzUpload uploads arbitrary bytes under arbitrary names and declared
// types to a real server, then reads the file back: no 5xx, no hang (image
// headers claiming huge sizes included), a stored name that cannot name a
// path, and nothing served inline that a browser could run.
func FuzzUpload(f *testing.F) {
	bomb := tinyPNG(1, 1)
	// Claim 100000×100000 pixels in the IHDR (the CRC is then wrong; a
	// decoder must still not allocate for the claim).
	copy(bomb[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	for _, s := range []struct {
		name, ctype string
		data        []byte
	}{
		{"photo.png", "image/png", tinyPNG(64, 48)},
		{"anim.gif", "image/gif", tinyGIF()},
		{"bomb.png", "image/png", bomb},
		{"../../etc/passwd", "text/plain", []byte("root:x:0:0")},
		{`..\..\boot.ini`, "", []byte("x")},
		{"page.html", "text/html", []byte("<script>alert(1)</script>")},
		{"x.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"a\x00b.txt", "text/plain", []byte("nul")},
		{"", "application/octet-stream", nil},
		{strings.Repeat("n", 500) + ".txt", "text/plain", []byte("long")},
		{"résumé 会议.pdf", "application/pdf", []byte("%PDF-1.4")},
	} {
		f.Add(s.name, s.ctype, s.data)
	}
	env := servertest.Start(f, db.SQLite)
	var tok string
	for i := 0; i < 400 && tok == ""; i++ {
		if m := regexp.MustCompile(`/setup\?token=([0-9a-f]+)`).FindStringSubmatch(env.Out.String()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	owner := env.Client()
	owner.Do(f, "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Fuzz Inc"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@fuzz.test", "password": pw},
	}, nil).Want(f, http.StatusCreated)

	f.Fuzz(func(t *testing.T, name, ctype string, data []byte) {
		req, err := http.NewRequest("POST", env.URL+"/api/v1/files?name="+url.QueryEscape(name), bytes.NewReader(data))
		if err != nil {
			return
		}
		if strings.ContainsFunc(ctype, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }) {
			return // no HTTP client can send it: not a header value
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		r := owner.Request(t, req)
		if r.Status >= 500 {
			t.Fatalf("upload %q (%q): %d %s", name, ctype, r.Status, r.Body)
		}
		if r.Status/100 != 2 {
			return
		}
		var file chat.File
		if err := json.Unmarshal(r.Body, &file); err != nil || file.ID == "" {
			t.Fatalf("upload answer %s: %v", r.Body, err)
		}
		if strings.ContainsAny(file.Name, "/\\\x00") || file.Name == ".." || file.Name == "." {
			t.Fatalf("stored name %q can name a path (uploaded as %q)", file.Name, name)
		}
		for _, path := range []string{"/content", "/thumbnail"} {
			c := owner.Do(t, "GET", "/api/v1/files/"+file.ID+path, nil, nil)
			if c.Status >= 500 {
				t.Fatalf("GET %s of %q: %d %s", path, name, c.Status, c.Body)
			}
			if c.Status != http.StatusOK {
				continue
			}
			if c.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("file served without nosniff")
			}
			mt, _, _ := mime.ParseMediaType(c.Header.Get("Content-Type"))
			disp := c.Header.Get("Content-Disposition")
			active := strings.Contains(mt, "html") || strings.Contains(mt, "xml") || strings.Contains(mt, "javascript") || strings.Contains(mt, "svg")
			if active && !strings.HasPrefix(disp, "attachment") && !strings.Contains(c.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Fatalf("%q served inline as %s without a sandbox", name, mt)
			}
			if path == "/content" && !bytes.Equal(c.Body, data) {
				t.Fatalf("content of %q changed: %d bytes in, %d out", name, len(data), len(c.Body))
			}
		}
	})
}
