// Package markdown renders the Markdown subset people write in Atrium —
// messages, announcements — into safe HTML, the same way everywhere.
package markdown

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Text is a Markdown subset: emphasis, strong, strikethrough,
// inline code and code blocks, block quotes, lists, headings and links
// (http, https and mailto only). Raw HTML in the source is dropped by
// goldmark (it runs without the unsafe option) and the output then goes
// through an allowlist sanitizer, so nothing else — no script, no event
// handler attribute, no javascript: or data: URL, no images (but
// RenderWithImages' same-origin ones) — survives.
//
// Mentions are written @[Name](acc_…) and render as
// <span class="mention" data-account-id="acc_…">@Name</span>; "@all" as a
// word, or "@所有人", mentions everyone in a group (who may write it is the
// organization's setting, checked by chat).

var (
	mentionRE    = regexp.MustCompile(`@\[([^\[\]\n]{1,64})\]\((acc_[0-9a-f]{32})\)`)
	mentionAllRE = regexp.MustCompile(`(^|[\s\p{P}])@(all\b|所有人)`)
	// placeholderRE finds the private-use markers that stand in for
	// mentions while goldmark and the sanitizer run.
	placeholderRE = regexp.MustCompile("\uE000([0-9]+)\uE001")

	md = goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify))

	policyOnce sync.Once
	policy     *bluemonday.Policy

	// imagePolicies are the sanitizers that also keep images, by the
	// path prefix their src must have.
	imagePolicies sync.Map
)

// basePolicy is the allowlist of Text.
func basePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "del", "code", "pre", "blockquote",
		"ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,6}$`)).OnElements("ol")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

func sanitizer() *bluemonday.Policy {
	policyOnce.Do(func() {
		p := basePolicy()
		p.AllowAttrs("href").OnElements("a")
		p.AllowRelativeURLs(false)
		policy = p
	})
	return policy
}

// imageSanitizer is sanitizer that also keeps <img> whose src is prefix
// followed by an id (letters, digits and "_"): same-origin files the
// caller serves, never another site's or a data: URL. Links stay
// absolute (http, https, mailto).
func imageSanitizer(prefix string) *bluemonday.Policy {
	if p, ok := imagePolicies.Load(prefix); ok {
		return p.(*bluemonday.Policy)
	}
	p := basePolicy()
	p.AllowRelativeURLs(true)
	p.AllowAttrs("href").Matching(regexp.MustCompile(`^(?i)(https?:|mailto:)`)).OnElements("a")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `[A-Za-z0-9_]{1,64}$`)).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	got, _ := imagePolicies.LoadOrStore(prefix, p)
	return got.(*bluemonday.Policy)
}

// Mention is one @person found in a text.
type Mention struct {
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
}

// Rendered is the result of rendering source text.
type Rendered struct {
	HTML       string
	Mentions   []Mention
	MentionAll bool
}

// Render turns source text into safe HTML and extracts mentions.
func Render(src string) Rendered {
	if plainText(src) {
		return Rendered{HTML: "<p>" + html.EscapeString(strings.TrimSpace(src)) + "</p>"}
	}
	return render(src, sanitizer())
}

// RenderWithImages is Render that also keeps images whose source is a
// same-origin path starting with prefix (such as
// "/api/v1/announcement-files/") followed by an id; every other image is
// dropped as Render drops them.
func RenderWithImages(src, prefix string) Rendered {
	if plainText(src) {
		return Render(src)
	}
	r := render(src, imageSanitizer(prefix))
	// The sanitizer drops a src it refuses but keeps the element.
	r.HTML = bareImageRE.ReplaceAllString(r.HTML, "")
	return r
}

// bareImageRE matches an image the sanitizer left without a source.
var bareImageRE = regexp.MustCompile(`<img(?: alt="[^"]*")?/?>`)

// plainText reports whether src is one line of text in which Markdown has
// nothing to do: no markup characters, no link or list starts, no mention.
// Such text (most chat messages) renders as one escaped paragraph, which is
// what goldmark and the sanitizer would produce, at a fraction of the cost;
// FuzzRender checks that the two agree.
func plainText(src string) bool {
	if strings.TrimSpace(src) == "" || len(src) > 2000 {
		return false
	}
	digitsFirst := true
	for i, r := range src {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			digitsFirst = false
		case r >= '0' && r <= '9':
		case r == ' ':
			if i > 0 {
				digitsFirst = false
			}
		case r == ',' || r == '?' || r == ';' || r == '\'':
			digitsFirst = false
		case r == '.':
			if digitsFirst {
				return false // "1. item" is a list
			}
		case r >= 0x4E00 && r <= 0x9FFF, r == '，' || r == '。' || r == '？' || r == '、' || r == '；':
			digitsFirst = false
		default:
			return false
		}
	}
	// Linkify turns www.… and scheme-less domains into links.
	if strings.Contains(strings.ToLower(src), "www.") {
		return false
	}
	return !strings.HasPrefix(src, " ") && !strings.HasSuffix(src, " ")
}

func render(src string, policy *bluemonday.Policy) Rendered {
	// The markers must not come from the input.
	src = strings.Map(func(r rune) rune {
		if r == '\uE000' || r == '\uE001' {
			return -1
		}
		return r
	}, src)
	var out Rendered
	seen := map[string]bool{}
	var names []Mention
	src = mentionRE.ReplaceAllStringFunc(src, func(m string) string {
		sub := mentionRE.FindStringSubmatch(m)
		names = append(names, Mention{AccountID: sub[2], Name: sub[1]})
		if !seen[sub[2]] {
			seen[sub[2]] = true
			out.Mentions = append(out.Mentions, Mention{AccountID: sub[2], Name: sub[1]})
		}
		return "\uE000" + strconv.Itoa(len(names)-1) + "\uE001"
	})
	out.MentionAll = mentionAllRE.MatchString(src)
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		// goldmark does not fail on any input; if it ever does, show the
		// source as escaped text.
		buf.Reset()
		buf.WriteString("<p>" + html.EscapeString(src) + "</p>")
	}
	safe := policy.Sanitize(buf.String())
	out.HTML = placeholderRE.ReplaceAllStringFunc(safe, func(m string) string {
		i, err := strconv.Atoi(placeholderRE.FindStringSubmatch(m)[1])
		if err != nil || i >= len(names) {
			return ""
		}
		n := names[i]
		return `<span class="mention" data-account-id="` + n.AccountID + `">@` + html.EscapeString(n.Name) + `</span>`
	})
	out.HTML = strings.TrimSpace(out.HTML)
	return out
}
