package dav_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	davsrv "github.com/atrium-hq/atrium/internal/drive/dav"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestPropfindSameAsWebDAV: the short way of PROPFIND (a space's items at
// depth 0 and 1) answers what x/net/webdav alone answers — the same
// responses, in the same order, with the same properties, values and
// statuses — for allprop, allprop with include, named properties (live,
// dead, unknown, hidden, of files only) and the root of a space, names
// that need escaping included; and what it leaves to x/net/webdav
// (propname, depth infinity, bad bodies, the top levels, missing paths)
// is answered alike.
func TestPropfindSameAsWebDAV(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		ann := ps[1]
		d := davOf(t, env, ann)
		d.want(http.StatusCreated, "MKCOL", "/dav/Acme/personal/f", "")
		names := []string{"a & b <c>.txt", "中文 é.txt", "semi;colon,x?.md", "it's \"quoted\".txt", "plain.bin"}
		for i, n := range names {
			d.want(http.StatusCreated, "PUT", "/dav/Acme/personal/f/"+pathEscape(n), strings.Repeat("x", i), "Content-Type", []string{"text/plain; charset=utf-8", "", "text/markdown", `text/plain; charset="utf-8"`, "application/octet-stream"}[i])
		}
		d.want(http.StatusCreated, "MKCOL", "/dav/Acme/personal/f/sub", "")
		for _, p := range []string{"/dav/Acme/personal/f/" + pathEscape(names[0]), "/dav/Acme/personal/f/sub", "/dav/Acme/personal/f"} {
			d.want(http.StatusMultiStatus, "PROPPATCH", p, proppatchSet)
			d.want(http.StatusMultiStatus, "PROPPATCH", p, `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:foo>dav &amp; dead</D:foo><bare xmlns="">x</bare></D:prop></D:set></D:propertyupdate>`)
		}

		// The same server twice: the short way, and x/net/webdav alone.
		srv := davsrv.New(env.App.Drive(), func(context.Context) ([]davsrv.Org, error) {
			return []davsrv.Org{{ID: ann.OrgID, Name: "Acme", MemberID: ann.MemberID}}, nil
		})
		as := func(h http.Handler) *httptest.Server {
			s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r.WithContext(actor.With(r.Context(), &actor.Actor{AccountID: ann.AccountID})))
			}))
			t.Cleanup(s.Close)
			return s
		}
		fast, generic := as(srv), as(davsrv.Generic(srv))

		const ns = `xmlns:D="DAV:" xmlns:Z="urn:example:z" xmlns:Q="urn:example:q"`
		bodies := map[string]string{
			"empty":   "",
			"allprop": propfindAll,
			"include": `<?xml version="1.0"?><D:propfind ` + ns + `><D:allprop/><D:include><D:lockdiscovery/><Z:color/><D:getetag/><Q:none/></D:include></D:propfind>`,
			"prop": `<?xml version="1.0"?><D:propfind ` + ns + `><D:prop><D:getetag/><D:getcontentlength/> <D:resourcetype/><D:displayname/><D:getlastmodified/>` +
				`<D:getcontenttype/><D:supportedlock/><D:lockdiscovery/><D:creationdate/><Z:color/><Z:size/><Q:none/><D:foo/><bare xmlns=""/><!-- a comment --></D:prop></D:propfind>`,
			"missing":  `<?xml version="1.0"?><D:propfind ` + ns + `><D:prop><Q:none/></D:prop></D:propfind>`,
			"propname": `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>`,
			"bad":      `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag>x</D:getetag></D:prop></D:propfind>`,
			"both":     `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/><D:prop><D:getetag/></D:prop></D:propfind>`,
			"spaces":   " ",
		}
		paths := []string{"/dav/Acme/personal/", "/dav/Acme/personal", "/dav/Acme/personal/f/", "/dav/Acme/personal/f/sub",
			"/dav/Acme/personal/f/" + pathEscape(names[0]), "/dav/Acme/personal/f/" + pathEscape(names[1]), "/dav/Acme/personal/f/none",
			"/dav/", "/dav/Acme/", "/dav/Nobody/x"}
		compared := 0
		for _, p := range paths {
			for _, depth := range []string{"0", "1", "infinity"} {
				for bn, body := range bodies {
					what := fmt.Sprintf("PROPFIND %s Depth %q %s", p, depth, bn)
					fs, fct, fb := propfindAt(t, fast.URL+p, depth, body)
					gs, gct, gb := propfindAt(t, generic.URL+p, depth, body)
					if fs != gs || fct != gct {
						t.Fatalf("%s: %d %q, x/net/webdav %d %q\n%s\n%s", what, fs, fct, gs, gct, fb, gb)
					}
					if fs != http.StatusMultiStatus {
						if fb != gb {
							t.Fatalf("%s: %q, x/net/webdav %q", what, fb, gb)
						}
						continue
					}
					if f, g := canonical(t, fb), canonical(t, gb); f != g {
						t.Fatalf("%s:\n%s\nx/net/webdav:\n%s", what, f, g)
					}
					compared++
				}
			}
		}
		if compared < 50 {
			t.Fatalf("only %d multistatus answers compared", compared)
		}
	})
}

func pathEscape(n string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "?", "%3F", "#", "%23", "&", "%26", "<", "%3C", ">", "%3E", `"`, "%22").Replace(n)
}

func propfindAt(t *testing.T, url, depth, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest("PROPFIND", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if depth != "" {
		req.Header.Set("Depth", depth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// canonical writes a multistatus as its responses in order, each with its
// href and its propstats (by status), each with its properties sorted,
// every element by namespace and name and every value as text: two
// answers are the same when their canonical forms are.
func canonical(t *testing.T, body string) string {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(body))
	var out strings.Builder
	type propstat struct {
		status string
		props  []string
	}
	var pss []propstat
	var cur *propstat
	var href string
	var text bytes.Buffer
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%v in %s", err, body)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch {
			case e.Name.Space == "DAV:" && e.Name.Local == "response":
				pss, href = nil, ""
			case e.Name.Space == "DAV:" && e.Name.Local == "propstat":
				pss = append(pss, propstat{})
				cur = &pss[len(pss)-1]
			case e.Name.Space == "DAV:" && e.Name.Local == "prop" && cur != nil:
				for {
					tok, err := dec.Token()
					if err != nil {
						t.Fatal(err)
					}
					if _, ok := tok.(xml.EndElement); ok {
						break
					}
					if s, ok := tok.(xml.StartElement); ok {
						cur.props = append(cur.props, element(t, dec, s))
					}
				}
			}
			text.Reset()
		case xml.CharData:
			text.Write(e)
		case xml.EndElement:
			switch {
			case e.Name.Space == "DAV:" && e.Name.Local == "href":
				href = text.String()
			case e.Name.Space == "DAV:" && e.Name.Local == "status" && cur != nil:
				cur.status = text.String()
			case e.Name.Space == "DAV:" && e.Name.Local == "propstat":
				cur = nil
			case e.Name.Space == "DAV:" && e.Name.Local == "response":
				sort.Slice(pss, func(i, j int) bool { return pss[i].status < pss[j].status })
				fmt.Fprintf(&out, "%s\n", href)
				for _, ps := range pss {
					sort.Strings(ps.props)
					fmt.Fprintf(&out, "  %s\n", ps.status)
					for _, p := range ps.props {
						fmt.Fprintf(&out, "    %s\n", p)
					}
				}
			}
		}
	}
	return out.String()
}

// element writes an element and what is in it, names by namespace,
// attributes other than namespace declarations sorted.
func element(t *testing.T, dec *xml.Decoder, s xml.StartElement) string {
	var b strings.Builder
	var attrs []string
	for _, a := range s.Attr {
		if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
			attrs = append(attrs, fmt.Sprintf("{%s}%s=%q", a.Name.Space, a.Name.Local, a.Value))
		}
	}
	sort.Strings(attrs)
	fmt.Fprintf(&b, "<{%s}%s %s>", s.Name.Space, s.Name.Local, strings.Join(attrs, " "))
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			b.WriteString(element(t, dec, e))
		case xml.CharData:
			fmt.Fprintf(&b, "%q", string(e))
		case xml.EndElement:
			b.WriteString("</>")
			return b.String()
		}
	}
}
