package dav_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestWebDAVMethods drives each method through /dav/ on both databases:
// the layout (organizations, then spaces, the personal one under
// "personal"), MKCOL, PUT (new and again), GET with a range, HEAD with
// ETag and Last-Modified from the drive, PROPFIND, COPY, MOVE into
// another space, DELETE, OPTIONS and /.well-known/webdav.
func TestWebDAVMethods(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		teamSpace(t, env, o, "Team", drive.Member{Kind: drive.SubjectMember, ID: ann.MemberID, Role: drive.RoleEditor})
		d := davOf(t, env, ann)

		h, _ := d.want(http.StatusMovedPermanently, "GET", "/.well-known/webdav", "")
		if h.Get("Location") != "/dav/" {
			t.Fatalf("well-known: %q", h.Get("Location"))
		}
		_, b := d.want(http.StatusMultiStatus, "PROPFIND", "/dav/", "", "Depth", "1")
		if !strings.Contains(b, "<D:href>/dav/Acme/</D:href>") {
			t.Fatalf("root: %s", b)
		}
		_, b = d.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/", "", "Depth", "1")
		if !strings.Contains(b, "/dav/Acme/personal/") || !strings.Contains(b, "/dav/Acme/Team/") {
			t.Fatalf("spaces: %s", b)
		}
		d.want(http.StatusCreated, "MKCOL", "/dav/Acme/Team/docs", "")
		d.want(http.StatusMethodNotAllowed, "MKCOL", "/dav/Acme/Team/docs", "")
		d.want(http.StatusConflict, "MKCOL", "/dav/Acme/Team/none/deeper", "")
		d.want(http.StatusConflict, "PUT", "/dav/Acme/Team/none/a.txt", "x")
		h, _ = d.want(http.StatusCreated, "PUT", "/dav/Acme/Team/docs/a.txt", "hello world", "Content-Type", "text/plain")
		etag := h.Get("ETag")
		if etag == "" {
			t.Fatal("PUT: no ETag")
		}
		h, b = d.want(http.StatusOK, "GET", "/dav/Acme/Team/docs/a.txt", "")
		if b != "hello world" || h.Get("ETag") != etag || h.Get("Last-Modified") == "" {
			t.Fatalf("GET: %q %v", b, h)
		}
		_, b = d.want(http.StatusPartialContent, "GET", "/dav/Acme/Team/docs/a.txt", "", "Range", "bytes=6-")
		if b != "world" {
			t.Fatalf("range: %q", b)
		}
		h, _ = d.want(http.StatusOK, "HEAD", "/dav/Acme/Team/docs/a.txt", "")
		if h.Get("Content-Length") != "11" {
			t.Fatalf("HEAD: %v", h)
		}
		d.want(http.StatusNotModified, "GET", "/dav/Acme/Team/docs/a.txt", "", "If-None-Match", etag)
		// Again: a new version, a new ETag.
		h, _ = d.want(http.StatusCreated, "PUT", "/dav/Acme/Team/docs/a.txt", "hello again")
		if h.Get("ETag") == etag || h.Get("ETag") == "" {
			t.Fatalf("second PUT ETag %q", h.Get("ETag"))
		}
		_, b = d.want(http.StatusOK, "GET", "/dav/Acme/Team/docs/a.txt", "")
		if b != "hello again" {
			t.Fatalf("after PUT: %q", b)
		}
		_, b = d.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/Team/docs/", propfindAll, "Depth", "1")
		for _, want := range []string{"/dav/Acme/Team/docs/a.txt", "<D:getcontentlength>11</D:getcontentlength>", "<D:getcontenttype>text/plain</D:getcontenttype>",
			"<D:getetag>" + h.Get("ETag") + "</D:getetag>", "<D:collection"} {
			if !strings.Contains(b, want) {
				t.Fatalf("PROPFIND lacks %s: %s", want, b)
			}
		}
		d.want(http.StatusCreated, "COPY", "/dav/Acme/Team/docs/a.txt", "", "Destination", env.URL+"/dav/Acme/Team/docs/b.txt")
		d.want(http.StatusPreconditionFailed, "COPY", "/dav/Acme/Team/docs/a.txt", "", "Destination", "/dav/Acme/Team/docs/b.txt", "Overwrite", "F")
		_, b = d.want(http.StatusOK, "GET", "/dav/Acme/Team/docs/b.txt", "")
		if b != "hello again" {
			t.Fatalf("copy: %q", b)
		}
		d.want(http.StatusCreated, "COPY", "/dav/Acme/Team/docs", "", "Destination", "/dav/Acme/Team/docs2")
		_, b = d.want(http.StatusOK, "GET", "/dav/Acme/Team/docs2/b.txt", "")
		if b != "hello again" {
			t.Fatalf("folder copy: %q", b)
		}
		// MOVE into the personal space, and a rename in place.
		d.want(http.StatusCreated, "MOVE", "/dav/Acme/Team/docs/b.txt", "", "Destination", "/dav/Acme/personal/b.txt")
		d.want(http.StatusNotFound, "GET", "/dav/Acme/Team/docs/b.txt", "")
		d.want(http.StatusCreated, "MOVE", "/dav/Acme/personal/b.txt", "", "Destination", "/dav/Acme/personal/B%20moved.txt")
		_, b = d.want(http.StatusOK, "GET", "/dav/Acme/personal/B%20moved.txt", "")
		if b != "hello again" {
			t.Fatalf("move: %q", b)
		}
		mine, err := env.App.Drive().MySpace(ann.ctx())
		if err != nil {
			t.Fatal(err)
		}
		if it, err := env.App.Drive().ResolvePath(ann.ctx(), mine.ID, "/b moved.txt"); err != nil || it.Size != 11 {
			t.Fatalf("in the drive: %+v %v", it, err)
		}
		d.want(http.StatusNoContent, "DELETE", "/dav/Acme/Team/docs/a.txt", "")
		d.want(http.StatusNotFound, "GET", "/dav/Acme/Team/docs/a.txt", "")
		d.want(http.StatusNotFound, "DELETE", "/dav/Acme/Team/docs/a.txt", "")
		d.want(http.StatusNoContent, "DELETE", "/dav/Acme/Team/docs2", "")
		d.want(http.StatusNotFound, "PROPFIND", "/dav/Acme/Team/docs2/", "")
		// The two top levels are read only.
		d.want(http.StatusForbidden, "MKCOL", "/dav/Acme/New", "")
		d.want(http.StatusForbidden, "DELETE", "/dav/Acme/Team", "")
		d.want(http.StatusForbidden, "PUT", "/dav/Acme/x.txt", "x")
		h, _ = d.want(http.StatusOK, "OPTIONS", "/dav/Acme/Team/", "")
		if !strings.Contains(h.Get("DAV"), "2") {
			t.Fatalf("OPTIONS: %v", h)
		}
		// Without an app password: 401 with the Basic challenge.
		d.secret = ""
		h, _ = d.want(http.StatusUnauthorized, "PROPFIND", "/dav/", "")
		if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("challenge: %v", h)
		}
	})
}

// TestWebDAVQuota: a PUT that does not fit in the space's quota is 507
// Insufficient Storage, and nothing is kept.
func TestWebDAVQuota(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		sp := teamSpace(t, env, o, "Team", drive.Member{Kind: drive.SubjectMember, ID: ann.MemberID, Role: drive.RoleEditor})
		q := int64(64)
		if _, err := env.App.Drive().UpdateSpace(o.ctx(), sp.ID, drive.SpacePatch{QuotaBytes: &q}); err != nil {
			t.Fatal(err)
		}
		d := davOf(t, env, ann)
		d.want(http.StatusCreated, "PUT", "/dav/Acme/Team/small.txt", "fits")
		d.want(http.StatusInsufficientStorage, "PUT", "/dav/Acme/Team/big.txt", strings.Repeat("x", 100))
		d.want(http.StatusNotFound, "GET", "/dav/Acme/Team/big.txt", "")
	})
}
