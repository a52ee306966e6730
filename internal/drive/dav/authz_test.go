package dav_test

import (
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestWebDAVPermissions: the drive's rights hold through WebDAV. A viewer
// reads but may not PUT, MKCOL, DELETE, MOVE, PROPPATCH or LOCK (403); a
// member of the organization outside a space does not see it (404);
// another organization, by name or id, and its spaces named under one's
// own organization are 404.
func TestWebDAVPermissions(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Vic", "Bob")
		o, ann, vic, bob := ps[0], ps[1], ps[2], ps[3]
		teamSpace(t, env, o, "Team", drive.Member{Kind: drive.SubjectMember, ID: ann.MemberID, Role: drive.RoleEditor},
			drive.Member{Kind: drive.SubjectMember, ID: vic.MemberID, Role: drive.RoleViewer})
		a, v, b := davOf(t, env, ann), davOf(t, env, vic), davOf(t, env, bob)
		a.want(http.StatusCreated, "MKCOL", "/dav/Acme/Team/docs", "")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/docs/a.txt", "ann's")

		_, body := v.want(http.StatusOK, "GET", "/dav/Acme/Team/docs/a.txt", "")
		if body != "ann's" {
			t.Fatalf("viewer GET: %q", body)
		}
		v.want(http.StatusForbidden, "PUT", "/dav/Acme/Team/docs/a.txt", "vic's")
		v.want(http.StatusForbidden, "PUT", "/dav/Acme/Team/docs/new.txt", "vic's")
		v.want(http.StatusForbidden, "MKCOL", "/dav/Acme/Team/vic", "")
		v.want(http.StatusForbidden, "DELETE", "/dav/Acme/Team/docs/a.txt", "")
		v.want(http.StatusForbidden, "MOVE", "/dav/Acme/Team/docs/a.txt", "", "Destination", "/dav/Acme/Team/docs/b.txt")
		v.want(http.StatusForbidden, "MOVE", "/dav/Acme/Team/docs/a.txt", "", "Destination", "/dav/Acme/personal/a.txt")
		v.want(http.StatusForbidden, "COPY", "/dav/Acme/personal", "", "Destination", "/dav/Acme/Team/docs/mine")
		v.want(http.StatusForbidden, "LOCK", "/dav/Acme/Team/docs/a.txt", lockBody, "Timeout", "Second-60")
		v.want(http.StatusForbidden, "PROPPATCH", "/dav/Acme/Team/docs/a.txt", proppatchSet)
		// A refused MOVE over an existing file leaves that file alone (the
		// destination is overwritten only once the move is allowed).
		v.want(http.StatusCreated, "PUT", "/dav/Acme/personal/x.txt", "vic's x")
		v.want(http.StatusForbidden, "MOVE", "/dav/Acme/Team/docs/a.txt", "", "Destination", "/dav/Acme/personal/x.txt", "Overwrite", "T")
		if _, body := v.want(http.StatusOK, "GET", "/dav/Acme/personal/x.txt", ""); body != "vic's x" {
			t.Fatalf("the destination of a refused MOVE: %q", body)
		}
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/docs/b.txt", "ann's b")
		v.want(http.StatusForbidden, "COPY", "/dav/Acme/personal/x.txt", "", "Destination", "/dav/Acme/Team/docs/b.txt", "Overwrite", "T")
		if _, body := a.want(http.StatusOK, "GET", "/dav/Acme/Team/docs/b.txt", ""); body != "ann's b" {
			t.Fatalf("the destination of a refused COPY: %q", body)
		}
		a.want(http.StatusNoContent, "DELETE", "/dav/Acme/Team/docs/b.txt", "")
		// A viewer may copy out into their own space.
		v.want(http.StatusCreated, "COPY", "/dav/Acme/Team/docs/a.txt", "", "Destination", "/dav/Acme/personal/a.txt")
		_, body = a.want(http.StatusOK, "GET", "/dav/Acme/Team/docs/a.txt", "")
		if body != "ann's" {
			t.Fatalf("after the viewer: %q", body)
		}

		// Bob is in Acme but not in Team: no such space.
		_, body = b.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/", "", "Depth", "1")
		if strings.Contains(body, "Team") {
			t.Fatalf("Bob sees Team: %s", body)
		}
		b.want(http.StatusNotFound, "GET", "/dav/Acme/Team/docs/a.txt", "")
		b.want(http.StatusNotFound, "PROPFIND", "/dav/Acme/Team/", "")
		// Writing there is writing under a folder that does not exist.
		b.want(http.StatusConflict, "PUT", "/dav/Acme/Team/docs/b.txt", "bob's")

		// Another organization: Olivia's second one, and its space.
		var other struct {
			ID string `json:"id"`
		}
		o.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other"}, &other).Want(t, http.StatusCreated)
		oo := o
		oo.OrgID = other.ID
		var me struct {
			ID string `json:"id"`
		}
		o.Do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
		oo.MemberID = me.ID
		osp := teamSpace(t, env, oo, "Secret")
		od := davOf(t, env, o)
		od.want(http.StatusCreated, "PUT", "/dav/Other/Secret/s.txt", "secret")
		_, body = od.want(http.StatusMultiStatus, "PROPFIND", "/dav/", "", "Depth", "1")
		if !strings.Contains(body, "/dav/Acme/") || !strings.Contains(body, "/dav/Other/") {
			t.Fatalf("two organizations: %s", body)
		}
		for _, p := range []string{"/dav/Other/", "/dav/Other/Secret/s.txt", "/dav/" + other.ID + "/", "/dav/Acme/" + osp.ID + "/s.txt",
			"/dav/Acme/Secret/s.txt"} {
			a.want(http.StatusNotFound, "GET", p, "")
			a.want(http.StatusNotFound, "PROPFIND", p, "")
		}
		a.want(http.StatusConflict, "PUT", "/dav/Other/Secret/a.txt", "x")
		a.want(http.StatusForbidden, "MOVE", "/dav/Acme/Team/docs/a.txt", "", "Destination", "/dav/Other/Secret/a.txt")
		_, body = od.want(http.StatusOK, "GET", "/dav/Other/Secret/s.txt", "")
		if body != "secret" {
			t.Fatalf("other org file: %q", body)
		}
		// A move across organizations is refused even for a member of both.
		od.want(http.StatusForbidden, "MOVE", "/dav/Other/Secret/s.txt", "", "Destination", "/dav/Acme/personal/s.txt")
	})
}

// TestWebDAVPathsStayInTheSpace requests a few hundred generated paths
// — "..", "%2e%2e", encoded slashes and backslashes, doubled slashes —
// as a member of one space and checks that nothing outside what they may
// open answers: the files of a space they are not in, of another
// organization and of another person's personal space are never read.
func TestWebDAVPathsStayInTheSpace(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob")
		o, ann, bob := ps[0], ps[1], ps[2]
		teamSpace(t, env, o, "Team", drive.Member{Kind: drive.SubjectMember, ID: ann.MemberID, Role: drive.RoleEditor})
		teamSpace(t, env, o, "Hidden")
		a, od, bd := davOf(t, env, ann), davOf(t, env, o), davOf(t, env, bob)
		a.want(http.StatusCreated, "MKCOL", "/dav/Acme/Team/sub", "")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/sub/ok.txt", "fine")
		od.want(http.StatusCreated, "PUT", "/dav/Acme/Hidden/h.txt", "SENTINEL-hidden")
		bd.want(http.StatusCreated, "PUT", "/dav/Acme/personal/p.txt", "SENTINEL-personal")
		var other struct {
			ID string `json:"id"`
		}
		o.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other"}, &other).Want(t, http.StatusCreated)
		oo := o
		oo.OrgID = other.ID
		var me struct {
			ID string `json:"id"`
		}
		o.Do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
		oo.MemberID = me.ID
		teamSpace(t, env, oo, "Team")
		od.want(http.StatusCreated, "PUT", "/dav/Other/Team/o.txt", "SENTINEL-other")

		parts := []string{"..", "%2e%2e", "%2E%2E", ".", "%2f", "%2F", "%5c", `\`, "", "sub", "ok.txt", "h.txt", "p.txt", "o.txt",
			"Hidden", "personal", "Other", "Team", "Acme", other.ID, "..%2f..", "%2e%2e%2f", "..;", "%00", "%252e%252e"}
		rng := rand.New(rand.NewSource(20))
		for i := 0; i < 300; i++ {
			var sb strings.Builder
			sb.WriteString("/dav/Acme/Team/")
			for n := rng.Intn(6) + 1; n > 0; n-- {
				sb.WriteString(parts[rng.Intn(len(parts))])
				if rng.Intn(3) > 0 {
					sb.WriteString("/")
				}
			}
			p := sb.String()
			if _, err := url.Parse(env.URL + p); err != nil {
				continue
			}
			for _, m := range []string{"GET", "PROPFIND"} {
				code, _, body := a.do(m, p, "", "Depth", "1")
				listed := code < 300 && (strings.Contains(body, "h.txt") || strings.Contains(body, "p.txt") || strings.Contains(body, "o.txt"))
				if strings.Contains(body, "SENTINEL") || listed {
					t.Fatalf("%s %s escaped (%d): %s", m, p, code, body)
				}
			}
		}
	})
}

const lockBody = `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>` +
	`<D:locktype><D:write/></D:locktype><D:owner>test</D:owner></D:lockinfo>`

const proppatchSet = `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example:z">` +
	`<D:set><D:prop><Z:color xml:lang="en">blue <Z:b>deep</Z:b></Z:color><Z:size>3</Z:size></D:prop></D:set></D:propertyupdate>`
