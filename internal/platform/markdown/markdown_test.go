package markdown

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// allowedTags are the only elements rendered message text may contain.
var allowedTags = map[string]bool{
	"p": true, "br": true, "strong": true, "em": true, "del": true, "code": true, "pre": true,
	"blockquote": true, "ul": true, "ol": true, "li": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "hr": true, "a": true, "span": true,
}

// checkSafe parses out as HTML and fails on any element outside the
// allowlist, any event handler or style attribute, and any link whose
// scheme is not http, https or mailto.
func checkSafe(t *testing.T, src, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		tok := z.Token()
		if !allowedTags[tok.Data] {
			t.Fatalf("element <%s> survived\nsource: %q\nhtml: %s", tok.Data, src, out)
		}
		for _, a := range tok.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"), k == "style", k == "src", k == "srcset", k == "formaction":
				t.Fatalf("attribute %s survived\nsource: %q\nhtml: %s", k, src, out)
			case k == "href":
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "mailto:") {
					t.Fatalf("link %q survived\nsource: %q\nhtml: %s", a.Val, src, out)
				}
			case k == "class" && tok.Data == "span" && a.Val == "mention":
			case k == "data-account-id" && tok.Data == "span":
			case k == "rel" || k == "target" || k == "start":
			default:
				t.Fatalf("unexpected attribute %s=%q on <%s>\nsource: %q\nhtml: %s", k, a.Val, tok.Data, src, out)
			}
		}
	}
}

func TestRenderSafety(t *testing.T) {
	for _, src := range []string{
		"<script>alert(1)</script>",
		"<img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"[x](vbscript:msgbox(1))",
		"![img](http://example.com/a.png)",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<svg onload=alert(1)>",
		"`<script>` is fine in code",
		"```\n<script>alert(1)</script>\n```",
		"<iframe src=//evil></iframe>",
		"[x](java\tscript:alert(1))",
		"<<script>script>alert(1)<</script>/script>",
		"@[<b onmouseover=alert(1)>](acc_0123456789abcdef0123456789abcdef)",
		"\uE0000\uE001 [a](http://x/\uE0000\uE001)",
	} {
		out := Render(src).HTML
		checkSafe(t, src, out)
		if strings.Contains(strings.ToLower(out), "<script") || strings.Contains(strings.ToLower(out), "javascript:") && strings.Contains(out, "href") {
			t.Fatalf("%q rendered %s", src, out)
		}
	}
	r := Render("**bold** _it_ ~~del~~ [a](https://example.com) @[Ann](acc_0123456789abcdef0123456789abcdef) @all")
	for _, want := range []string{"<strong>bold</strong>", "<em>it</em>", "<del>del</del>", `href="https://example.com"`, `rel="nofollow noreferrer noopener"`,
		`<span class="mention" data-account-id="acc_0123456789abcdef0123456789abcdef">@Ann</span>`} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("missing %s in %s", want, r.HTML)
		}
	}
	if !r.MentionAll || len(r.Mentions) != 1 {
		t.Errorf("mentions %+v all=%v", r.Mentions, r.MentionAll)
	}
}

// FuzzRender: no input panics the renderer or gets unsafe HTML through,
// and the plain-text fast path renders exactly what the full pipeline does.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"hello", "**b**", "<script>alert(1)</script>", "[x](javascript:alert(1))", "会议纪要", "1. one", "www.example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r := Render(src)
		checkSafe(t, src, r.HTML)
		if plainText(src) {
			if full := render(src, sanitizer()); full.HTML != r.HTML {
				t.Fatalf("fast path differs for %q:\nfast: %s\nfull: %s", src, r.HTML, full.HTML)
			}
		}
	})
}

// TestRenderWithImages: images of the given same-origin path survive; any
// other image, and relative links, do not; Render keeps no image at all.
func TestRenderWithImages(t *testing.T) {
	const prefix = "/api/v1/announcement-files/"
	for _, c := range []struct{ src, want string }{
		{"![plan](/api/v1/announcement-files/anf_0a1b)", `<p><img src="/api/v1/announcement-files/anf_0a1b" alt="plan"></p>`},
		{"![x](https://evil.example/a.png)", `<p></p>`},
		{"![x](/api/v1/approval-files/apf_1)", `<p></p>`},
		{"![x](/api/v1/announcement-files/../admin)", `<p></p>`},
		{"![x](data:image/png;base64,AAAA)", `<p></p>`},
		{"[rel](/admin) and [abs](https://example.com)", `<p>rel and <a href="https://example.com" rel="nofollow noreferrer noopener" target="_blank">abs</a></p>`},
	} {
		if got := RenderWithImages(c.src, prefix).HTML; got != c.want {
			t.Errorf("RenderWithImages(%q) = %q, want %q", c.src, got, c.want)
		}
	}
	if got := Render("![plan](/api/v1/announcement-files/anf_0a1b)").HTML; strings.Contains(got, "<img") {
		t.Errorf("Render kept an image: %q", got)
	}
}
