package dav

import (
	"bufio"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/atrium-hq/atrium/internal/drive"
)

// PROPFIND of an item in a space at depth 0 or 1 — what file managers and
// sync tools send for every folder they show — is answered here rather
// than by x/net/webdav, which opens and stats each child, asks each for
// its properties and marshals every property through reflection: for a
// folder of 10,000 files that took most of the request. Here the folder
// is read as Readdir reads it (listing: one query for the items, one for
// their dead properties) and the multistatus is written as it goes, with
// the same properties, statuses and XML shape as x/net/webdav's (prop.go
// and xml.go in golang.org/x/net/webdav). Anything else — the two top
// levels, depth infinity, propname, a body x/net/webdav would refuse, an
// error — is left to x/net/webdav, before a byte is written.

// propQuery is what a PROPFIND asks for: all properties, or the
// properties named.
type propQuery struct {
	all   bool
	names []xml.Name
}

// propNames is a DAV:prop or DAV:include of a PROPFIND: empty elements,
// one per property (as x/net/webdav's propfindProps reads them).
type propNames []xml.Name

var errPropName = errors.New("dav: a property name has content")

func (pn *propNames) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		t, err := nextToken(d)
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.EndElement:
			if len(*pn) == 0 {
				return errPropName
			}
			return nil
		case xml.StartElement:
			end, err := nextToken(d)
			if err != nil {
				return err
			}
			if _, ok := end.(xml.EndElement); !ok {
				return errPropName
			}
			*pn = append(*pn, t.Name)
		}
	}
}

// nextToken skips comments, processing instructions and directives, which
// RFC 4918 says to ignore.
func nextToken(d *xml.Decoder) (xml.Token, error) {
	for {
		t, err := d.Token()
		if err != nil {
			return t, err
		}
		switch t.(type) {
		case xml.Comment, xml.Directive, xml.ProcInst:
			continue
		}
		return t, nil
	}
}

// parsePropfind reads a PROPFIND body; ok is false for propname and for
// anything x/net/webdav would answer otherwise than with properties.
func parsePropfind(body []byte) (q propQuery, ok bool) {
	if len(body) == 0 {
		return propQuery{all: true}, true
	}
	var pf struct {
		XMLName  xml.Name   `xml:"DAV: propfind"`
		Allprop  *struct{}  `xml:"DAV: allprop"`
		Propname *struct{}  `xml:"DAV: propname"`
		Prop     *propNames `xml:"DAV: prop"`
		Include  *propNames `xml:"DAV: include"`
	}
	if err := xml.Unmarshal(body, &pf); err != nil || pf.Propname != nil {
		return q, false
	}
	switch {
	case pf.Allprop != nil && pf.Prop == nil:
		// x/net/webdav answers allprop without the properties of an
		// include (it hands its handler the prop list instead); so do we,
		// so that the answer does not depend on the way taken.
		q.all = true
		return q, true
	case pf.Allprop == nil && pf.Prop != nil && pf.Include == nil:
		q.names = *pf.Prop
		return q, true
	}
	return q, false
}

// liveProp is a live property (those of x/net/webdav's liveProps that it
// reports), in the order allprop lists them.
type liveProp struct {
	local string
	dir   bool // a folder has it too
}

var liveProps = []liveProp{
	{"resourcetype", true}, {"displayname", true}, {"getcontentlength", false}, {"getlastmodified", true},
	{"getcontenttype", false}, {"getetag", false}, {"supportedlock", true},
}

func liveOf(n xml.Name) (liveProp, bool) {
	if n.Space != "DAV:" {
		return liveProp{}, false
	}
	for _, p := range liveProps {
		if p.local == n.Local {
			return p, true
		}
	}
	return liveProp{}, false
}

// resource is one response of the multistatus.
type resource struct {
	href    string // escaped
	it      drive.Item
	display string
	props   []drive.DeadProp
}

// servePropfind answers a PROPFIND when it can (see above) and reports
// whether it did.
func (s *Server) servePropfind(w http.ResponseWriter, r *http.Request, body []byte) bool {
	depth := r.Header.Get("Depth")
	if depth != "0" && depth != "1" {
		return false
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		return false
	}
	q, ok := parsePropfind(body)
	if !ok {
		return false
	}
	ctx := r.Context()
	l, err := s.locate(ctx, name)
	if err != nil || !l.inSpace() {
		return false
	}
	it, err := s.item(ctx, l)
	if err != nil {
		return false
	}
	own, err := s.Drive.DeadProps(l.org.ctx, it.ID)
	if err != nil {
		return false
	}
	var kids []drive.Item
	var props map[string][]drive.DeadProp
	if depth == "1" && it.Kind == drive.ItemFolder {
		if kids, props, err = s.listing(ctx, l, it); err != nil {
			return false
		}
	}

	mw := newMultistatus(w)
	display := it.Name
	if l.rel == "/" {
		display = l.space.seg
	}
	href := path.Join(Prefix, name)
	mw.response(q, resource{href: escapeHref(href, it.Kind == drive.ItemFolder), it: it, display: display, props: own})
	for _, k := range kids {
		mw.response(q, resource{href: escapeHref(path.Join(href, k.Name), k.Kind == drive.ItemFolder), it: k, display: k.Name, props: props[k.ID]})
	}
	mw.close()
	return true
}

func escapeHref(p string, dir bool) string {
	if dir && p != "/" {
		p += "/"
	}
	return (&url.URL{Path: p}).EscapedPath()
}

// multistatus writes a 207 Multi-Status body as it goes, in the shape
// x/net/webdav gives it (every DAV: element with the D: prefix).
type multistatus struct {
	w   *bufio.Writer
	buf []byte
}

func newMultistatus(w http.ResponseWriter) *multistatus {
	w.Header().Add("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(webdav.StatusMulti)
	m := &multistatus{w: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 4<<10)}
	m.w.WriteString(`<?xml version="1.0" encoding="UTF-8"?><D:multistatus xmlns:D="DAV:">`)
	return m
}

func (m *multistatus) close() {
	m.w.WriteString(`</D:multistatus>`)
	_ = m.w.Flush()
}

// response writes one resource's properties: those asked for that it has
// with 200, the others with 404.
func (m *multistatus) response(q propQuery, res resource) {
	dir := res.it.Kind == drive.ItemFolder
	b := append(m.buf[:0], `<D:response><D:href>`...)
	b = appendText(b, res.href, true)
	b = append(b, `</D:href>`...)
	var missing []xml.Name
	found := false
	open := func() {
		if !found {
			b = append(b, `<D:propstat><D:prop>`...)
			found = true
		}
	}
	dead := func(n xml.Name) (drive.DeadProp, bool) {
		for _, p := range res.props {
			if p.Space == n.Space && p.Name == n.Local {
				return p, true
			}
		}
		return drive.DeadProp{}, false
	}
	if q.all {
		for _, p := range liveProps {
			if p.dir || !dir {
				open()
				b = appendLive(b, p.local, res)
			}
		}
		for _, p := range res.props {
			open()
			b = appendDead(b, p)
		}
	}
	for _, n := range q.names {
		if p, ok := dead(n); ok {
			open()
			b = appendDead(b, p)
		} else if p, ok := liveOf(n); ok && (p.dir || !dir) {
			open()
			b = appendLive(b, p.local, res)
		} else {
			missing = append(missing, n)
		}
	}
	if found {
		b = append(b, `</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`...)
	}
	if len(missing) > 0 {
		b = append(b, `<D:propstat><D:prop>`...)
		for _, n := range missing {
			b = appendStart(b, n, "")
			b = appendEnd(b, n)
		}
		b = append(b, `</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>`...)
	} else if !found {
		b = append(b, `<D:propstat><D:prop></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`...)
	}
	b = append(b, `</D:response>`...)
	m.buf = b
	_, _ = m.w.Write(b)
}

// appendLive appends a live property with its value.
func appendLive(b []byte, local string, res resource) []byte {
	b = append(b, "<D:"...)
	b = append(b, local...)
	b = append(b, '>')
	switch local {
	case "resourcetype":
		if res.it.Kind == drive.ItemFolder {
			b = append(b, `<D:collection xmlns:D="DAV:"/>`...)
		}
	case "displayname":
		b = appendText(b, res.display, true)
	case "getcontentlength":
		b = strconv.AppendInt(b, res.it.Size, 10)
	case "getlastmodified":
		b = time.UnixMilli(res.it.UpdatedAt).UTC().AppendFormat(b, http.TimeFormat)
	case "getcontenttype":
		ct := res.it.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		b = appendText(b, ct, true)
	case "getetag":
		b = appendText(b, res.it.ETag, false)
	case "supportedlock":
		b = append(b, `<D:lockentry xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>`...)
	}
	b = append(b, "</D:"...)
	b = append(b, local...)
	return append(b, '>')
}

// appendDead appends a dead property: its XML as it was set.
func appendDead(b []byte, p drive.DeadProp) []byte {
	n := xml.Name{Space: p.Space, Local: p.Name}
	b = appendStart(b, n, p.Lang)
	b = append(b, p.Value...)
	return appendEnd(b, n)
}

// appendStart appends a property's start tag: D:name in the DAV:
// namespace, otherwise the name with its namespace as the default one.
func appendStart(b []byte, n xml.Name, lang string) []byte {
	b = append(b, '<')
	if n.Space == "DAV:" {
		b = append(b, "D:"...)
		b = append(b, n.Local...)
	} else {
		b = append(b, n.Local...)
		if n.Space != "" {
			b = append(b, ` xmlns="`...)
			b = appendText(b, n.Space, true)
			b = append(b, '"')
		}
	}
	if lang != "" {
		b = append(b, ` xml:lang="`...)
		b = appendText(b, lang, true)
		b = append(b, '"')
	}
	return append(b, '>')
}

func appendEnd(b []byte, n xml.Name) []byte {
	b = append(b, "</"...)
	if n.Space == "DAV:" {
		b = append(b, "D:"...)
	}
	b = append(b, n.Local...)
	return append(b, '>')
}

// appendText appends s escaped for XML text or an attribute value, as
// x/net/webdav escapes it; quotes are left as they are in text when
// quotes is false (an ETag, as x/net/webdav writes it).
func appendText(b []byte, s string, quotes bool) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '&' || c == '<' || c == '>' || (quotes && (c == '"' || c == '\'')) || c >= 0x80 {
			plain = false
			break
		}
	}
	if plain {
		return append(b, s...)
	}
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return append(b, sb.String()...)
}
