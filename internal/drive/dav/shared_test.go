package dav_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestWebDAVShared: /dav/<org>/shared/ lists what is shared one by one
// with the person (with them, a department above theirs, a role), two
// items of one name apart as "name" and "name (2)", with the shares'
// rights: a viewer share reads only (403 for PUT, DELETE, MKCOL, MOVE),
// an editor share writes inside; nothing is created at the top (403); a
// revoked share is gone at the next request (404); a space named
// "shared" is listed under another name; others' and another
// organization's items are 404.
func TestWebDAVShared(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Vic", "Bob")
		o, ann, vic, bob := ps[0], ps[1], ps[2], ps[3]
		d := env.App.Drive()
		var sales, east directory.Department
		o.Do(t, "POST", "/api/v1/departments", map[string]any{"name": "Sales"}, &sales).Want(t, http.StatusCreated)
		o.Do(t, "POST", "/api/v1/departments", map[string]any{"name": "East", "parent_id": sales.ID}, &east).Want(t, http.StatusCreated)
		o.Do(t, "PATCH", "/api/v1/members/"+vic.MemberID, map[string]any{"department_ids": []string{east.ID}}, nil).Want(t, http.StatusOK)
		team := teamSpace(t, env, o, "Team", drive.Member{Kind: drive.SubjectMember, ID: ann.MemberID, Role: drive.RoleEditor})
		odd := teamSpace(t, env, o, "shared", drive.Member{Kind: drive.SubjectMember, ID: vic.MemberID, Role: drive.RoleViewer})

		a, v, b := davOf(t, env, ann), davOf(t, env, vic), davOf(t, env, bob)
		a.want(http.StatusCreated, "MKCOL", "/dav/Acme/personal/Plans", "")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/personal/Plans/a.txt", "ann's")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/personal/notes.txt", "notes")
		a.want(http.StatusCreated, "MKCOL", "/dav/Acme/Team/Deep", "")
		a.want(http.StatusCreated, "MKCOL", "/dav/Acme/Team/Deep/Plans", "")
		a.want(http.StatusCreated, "PUT", "/dav/Acme/Team/Deep/Plans/b.txt", "team's")
		mine, err := d.MySpace(ann.ctx())
		if err != nil {
			t.Fatal(err)
		}
		resolve := func(spaceID, p string) drive.Item {
			t.Helper()
			it, err := d.ResolvePath(ann.ctx(), spaceID, p)
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		plans, teamPlans, notes := resolve(mine.ID, "/Plans"), resolve(team.ID, "/Deep/Plans"), resolve(mine.ID, "/notes.txt")
		share := func(it drive.Item, kind, subject, role string) drive.Share {
			t.Helper()
			sh, err := d.AddShare(ann.ctx(), it.ID, drive.ShareInput{Kind: kind, SubjectID: subject, Role: role})
			if err != nil {
				t.Fatal(err)
			}
			return sh
		}
		share(plans, drive.SubjectDepartment, sales.ID, drive.RoleViewer)
		teamShare := share(teamPlans, drive.SubjectMember, vic.MemberID, drive.RoleEditor)
		share(notes, drive.SubjectRole, "member", drive.RoleViewer)
		// The first of the two "Plans" by id keeps the name.
		viewed, edited := "Plans", "Plans (2)"
		if teamPlans.ID < plans.ID {
			viewed, edited = edited, viewed
		}
		vp, ep := "/dav/Acme/shared/"+url.PathEscape(viewed), "/dav/Acme/shared/"+url.PathEscape(edited)

		_, body := v.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/", "", "Depth", "1")
		for _, want := range []string{"/dav/Acme/shared/", "/dav/Acme/shared~" + odd.ID + "/", "/dav/Acme/personal/"} {
			if !strings.Contains(body, want) {
				t.Fatalf("organization lists no %s: %s", want, body)
			}
		}
		v.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/shared~"+odd.ID+"/", "", "Depth", "0")
		_, body = v.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/shared/", "", "Depth", "1")
		for _, want := range []string{"/dav/Acme/shared/Plans/", "/dav/Acme/shared/Plans%20%282%29/", "/dav/Acme/shared/notes.txt"} {
			if !strings.Contains(body, want) {
				t.Fatalf("shared lists no %s: %s", want, body)
			}
		}
		_, body = v.want(http.StatusMultiStatus, "PROPFIND", vp+"/", "", "Depth", "1")
		if !strings.Contains(body, "/a.txt") || strings.Contains(body, "b.txt") {
			t.Fatalf("viewer's folder: %s", body)
		}
		if _, body = v.want(http.StatusOK, "GET", vp+"/a.txt", ""); body != "ann's" {
			t.Fatalf("GET through shared: %q", body)
		}
		if _, body = v.want(http.StatusPartialContent, "GET", vp+"/a.txt", "", "Range", "bytes=1-2"); body != "nn" {
			t.Fatalf("range: %q", body)
		}
		if _, body = v.want(http.StatusOK, "GET", "/dav/Acme/shared/notes.txt", ""); body != "notes" {
			t.Fatalf("GET a shared file: %q", body)
		}
		// By id as well.
		v.want(http.StatusOK, "GET", "/dav/Acme/shared/"+plans.ID+"/a.txt", "")

		// A viewer share reads only.
		v.want(http.StatusForbidden, "PUT", vp+"/a.txt", "vic's")
		v.want(http.StatusForbidden, "PUT", vp+"/new.txt", "vic's")
		v.want(http.StatusForbidden, "DELETE", vp+"/a.txt", "")
		v.want(http.StatusForbidden, "DELETE", vp, "")
		v.want(http.StatusForbidden, "MKCOL", vp+"/sub", "")
		v.want(http.StatusForbidden, "MOVE", vp+"/a.txt", "", "Destination", vp+"/b.txt")
		v.want(http.StatusForbidden, "PUT", "/dav/Acme/shared/notes.txt", "vic's")
		// Nothing is made at the top of shared/, nor renamed there.
		v.want(http.StatusForbidden, "PUT", "/dav/Acme/shared/new.txt", "vic's")
		v.want(http.StatusForbidden, "MKCOL", "/dav/Acme/shared/new", "")
		v.want(http.StatusForbidden, "MKCOL", "/dav/Acme/shared", "")
		v.want(http.StatusForbidden, "MOVE", ep+"/b.txt", "", "Destination", "/dav/Acme/shared/b.txt")

		// An editor share writes inside.
		v.want(http.StatusCreated, "PUT", ep+"/c.txt", "vic's")
		v.want(http.StatusCreated, "PUT", ep+"/b.txt", "vic's b")
		v.want(http.StatusCreated, "MKCOL", ep+"/sub", "")
		v.want(http.StatusCreated, "MOVE", ep+"/c.txt", "", "Destination", ep+"/sub/c.txt")
		if _, body = a.want(http.StatusOK, "GET", "/dav/Acme/Team/Deep/Plans/sub/c.txt", ""); body != "vic's" {
			t.Fatalf("the editor's file in its space: %q", body)
		}
		if _, body = a.want(http.StatusOK, "GET", "/dav/Acme/Team/Deep/Plans/b.txt", ""); body != "vic's b" {
			t.Fatalf("the editor's version in its space: %q", body)
		}
		// The folder above the shared one stays out of reach.
		v.want(http.StatusNotFound, "GET", "/dav/Acme/Team/Deep/Plans/b.txt", "")

		// Bob is in no department: only what is shared with his role.
		_, body = b.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/shared/", "", "Depth", "1")
		if !strings.Contains(body, "notes.txt") || strings.Contains(body, "Plans") {
			t.Fatalf("Bob's shared: %s", body)
		}
		b.want(http.StatusNotFound, "GET", "/dav/Acme/shared/"+plans.ID+"/a.txt", "")
		b.want(http.StatusNotFound, "GET", "/dav/Acme/shared/Plans/a.txt", "")

		// Revoked: gone at the next request.
		if err := d.RemoveShare(ann.ctx(), teamPlans.ID, teamShare.ID); err != nil {
			t.Fatal(err)
		}
		v.want(http.StatusNotFound, "GET", "/dav/Acme/shared/"+teamPlans.ID+"/b.txt", "")
		v.want(http.StatusNotFound, "PROPFIND", "/dav/Acme/shared/"+teamPlans.ID+"/", "", "Depth", "0")
		if code, _, _ := v.do("PUT", "/dav/Acme/shared/"+teamPlans.ID+"/d.txt", "vic's"); code < 400 {
			t.Fatalf("PUT after revoke: %d", code)
		}
		_, body = v.want(http.StatusMultiStatus, "PROPFIND", "/dav/Acme/shared/", "", "Depth", "1")
		if strings.Contains(body, "Plans%20%282%29") || !strings.Contains(body, "/dav/Acme/shared/Plans/") {
			t.Fatalf("after revoke: %s", body)
		}

		// Another organization: none of it, by name or id.
		var other struct {
			ID string `json:"id"`
		}
		o.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Other"}, &other).Want(t, http.StatusCreated)
		for _, p := range []string{"/dav/Other/shared/", "/dav/" + other.ID + "/shared/", "/dav/Other/shared/" + plans.ID + "/a.txt"} {
			v.want(http.StatusNotFound, "PROPFIND", p, "", "Depth", "0")
		}
		od := davOf(t, env, o)
		od.want(http.StatusNotFound, "GET", "/dav/Other/shared/"+plans.ID+"/a.txt", "")
		od.want(http.StatusNotFound, "GET", "/dav/Other/shared/notes.txt", "")
	})
}
