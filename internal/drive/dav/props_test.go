package dav_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestWebDAVDeadProps: properties set with PROPPATCH come back in
// PROPFIND (by name, in allprop and in a folder's listing), survive a
// MOVE, follow a COPY, and go when removed; live properties cannot be
// set.
func TestWebDAVDeadProps(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		d := davOf(t, env, ps[1])
		d.want(http.StatusCreated, "PUT", "/dav/Acme/personal/a.txt", "content")
		_, b := d.want(http.StatusMultiStatus, "PROPPATCH", "/dav/Acme/personal/a.txt", proppatchSet)
		if !strings.Contains(b, "200 OK") {
			t.Fatalf("PROPPATCH: %s", b)
		}
		has := func(path, depth string) {
			t.Helper()
			_, b := d.want(http.StatusMultiStatus, "PROPFIND", path, `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:example:z"><D:prop><Z:color/><Z:size/></D:prop></D:propfind>`, "Depth", depth)
			if !regexp.MustCompile(`<color xmlns="urn:example:z" xml:lang="en">blue <Z:b xmlns:Z="urn:example:z">deep</Z:b></color>|color.*blue.*deep`).MatchString(b) ||
				!strings.Contains(b, ">3</") {
				t.Fatalf("PROPFIND %s: %s", path, b)
			}
		}
		has("/dav/Acme/personal/a.txt", "0")
		has("/dav/Acme/personal/", "1")
		_, b = d.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/personal/a.txt", propfindAll, "Depth", "0")
		if !strings.Contains(b, "urn:example:z") {
			t.Fatalf("allprop: %s", b)
		}
		d.want(http.StatusCreated, "MOVE", "/dav/Acme/personal/a.txt", "", "Destination", "/dav/Acme/personal/b.txt")
		has("/dav/Acme/personal/b.txt", "0")
		d.want(http.StatusCreated, "COPY", "/dav/Acme/personal/b.txt", "", "Destination", "/dav/Acme/personal/c.txt")
		has("/dav/Acme/personal/c.txt", "0")
		d.want(http.StatusMultiStatus, "PROPPATCH", "/dav/Acme/personal/b.txt", `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example:z"><D:remove><D:prop><Z:color/></D:prop></D:remove></D:propertyupdate>`)
		_, b = d.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/personal/b.txt", `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:example:z"><D:prop><Z:color/></D:prop></D:propfind>`, "Depth", "0")
		if !strings.Contains(b, "404 Not Found") {
			t.Fatalf("removed: %s", b)
		}
		// The copy kept its own.
		has("/dav/Acme/personal/c.txt", "0")
		// A live property is not a dead one.
		_, b = d.want(http.StatusMultiStatus, "PROPPATCH", "/dav/Acme/personal/b.txt", `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag></D:prop></D:set></D:propertyupdate>`)
		if !strings.Contains(b, "403 Forbidden") {
			t.Fatalf("live property: %s", b)
		}
		// The content was never touched by any of it.
		_, b = d.want(http.StatusOK, "GET", "/dav/Acme/personal/b.txt", "")
		if b != "content" {
			t.Fatalf("content: %q", b)
		}
		if v, err := env.App.Drive().Versions(ps[1].ctx(), mustItem(t, env, ps[1], "/b.txt").ID); err != nil || len(v.Items) != 1 {
			t.Fatalf("versions: %+v %v", v, err)
		}
	})
}

func mustItem(t testing.TB, env *servertest.Env, p person, path string) drive.Item {
	t.Helper()
	sp, err := env.App.Drive().MySpace(p.ctx())
	if err != nil {
		t.Fatal(err)
	}
	it, err := env.App.Drive().ResolvePath(p.ctx(), sp.ID, path)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestWebDAVLocks: a locked file refuses a PUT without the lock's token
// (423) and takes one with it; a depth-infinity lock on a folder covers
// what is in it; another account may neither use nor release the lock;
// UNLOCK frees it.
func TestWebDAVLocks(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		teamSpace(t, env, o, "Team", drive.Member{Kind: drive.SubjectMember, ID: ann.MemberID, Role: drive.RoleEditor})
		a, od := davOf(t, env, ann), davOf(t, env, o)
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/a.txt", "one")
		h, b := a.want(http.StatusOK, "LOCK", "/dav/Acme/Team/a.txt", lockBody, "Timeout", "Second-600", "Depth", "0")
		tok := strings.Trim(h.Get("Lock-Token"), "<>")
		if !strings.HasPrefix(tok, "urn:uuid:") || !strings.Contains(b, "lockdiscovery") {
			t.Fatalf("LOCK: %v %s", h, b)
		}
		a.want(http.StatusLocked, "PUT", "/dav/Acme/Team/a.txt", "two")
		od.want(http.StatusLocked, "PUT", "/dav/Acme/Team/a.txt", "two")
		od.want(http.StatusLocked, "DELETE", "/dav/Acme/Team/a.txt", "")
		// Another spelling of the same file is the same lock.
		od.want(http.StatusLocked, "PUT", "/dav/Acme/team/A.TXT", "two")
		// The token is the holder's only.
		od.want(http.StatusPreconditionFailed, "PUT", "/dav/Acme/Team/a.txt", "two", "If", "(<"+tok+">)")
		od.want(http.StatusForbidden, "UNLOCK", "/dav/Acme/Team/a.txt", "", "Lock-Token", "<"+tok+">")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/a.txt", "two", "If", "(<"+tok+">)")
		a.want(http.StatusNoContent, "UNLOCK", "/dav/Acme/Team/a.txt", "", "Lock-Token", "<"+tok+">")
		od.want(http.StatusCreated, "PUT", "/dav/Acme/Team/a.txt", "three")

		// A folder locked to depth infinity covers a new file in it.
		a.want(http.StatusCreated, "MKCOL", "/dav/Acme/Team/f", "")
		h, _ = a.want(http.StatusOK, "LOCK", "/dav/Acme/Team/f", lockBody)
		ftok := strings.Trim(h.Get("Lock-Token"), "<>")
		od.want(http.StatusLocked, "PUT", "/dav/Acme/Team/f/new.txt", "x")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/f/new.txt", "x", "If", "(<"+ftok+">)")
		// Refreshing is the holder's too.
		od.want(http.StatusPreconditionFailed, "LOCK", "/dav/Acme/Team/f", "", "If", "(<"+ftok+">)", "Timeout", "Second-60")
		a.want(http.StatusOK, "LOCK", "/dav/Acme/Team/f", "", "If", "(<"+ftok+">)", "Timeout", "Second-60")
		a.want(http.StatusNoContent, "UNLOCK", "/dav/Acme/Team/f", "", "Lock-Token", "<"+ftok+">")
		a.want(http.StatusConflict, "UNLOCK", "/dav/Acme/Team/f", "", "Lock-Token", "<"+ftok+">")
	})
}
