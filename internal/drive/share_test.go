package drive_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Sharing with people, departments and roles: what a share reaches, what
// its role allows, and that it ends when removed.
func TestHTTPShares(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		sales := w.dept(t, "Sales", "")
		east := w.dept(t, "Sales East", sales)
		ann := w.member(t, "Ann")
		sam := w.member(t, "Sam", east)
		otto := w.member(t, "Otto")
		sp := mySpace(t, ann)
		plans := folder(t, ann, sp.RootID, "Plans")
		inner := folder(t, ann, plans.ID, "Inner")
		f := file(t, ann, inner.ID, "q1.txt", []byte("q1 plan"))
		secret := file(t, ann, sp.RootID, "secret.txt", []byte("secret"))

		// Nobody sees Ann's files before she shares them.
		for _, p := range []*person{sam, otto, w.owner, w.mallory} {
			p.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		}
		// Shares name something of the organization.
		ann.Do(t, "POST", "/api/v1/drive/items/"+plans.ID+"/shares", map[string]any{"kind": "department", "subject_id": "dep_nope", "role": "viewer"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ann.Do(t, "POST", "/api/v1/drive/items/"+plans.ID+"/shares", map[string]any{"kind": "department", "subject_id": sales, "role": "manager"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var sh drive.Share
		ann.Do(t, "POST", "/api/v1/drive/items/"+plans.ID+"/shares", map[string]any{"kind": "department", "subject_id": sales, "role": "viewer"}, &sh).Want(t, http.StatusCreated)

		// Sam (in a sub-department) sees the folder and what is inside,
		// downloads, but changes nothing and shares nothing.
		var l drive.ItemList
		sam.Do(t, "GET", "/api/v1/drive/shared", nil, &l).Want(t, http.StatusOK)
		if names(l.Items) != "Plans" || l.Items[0].MyRole != drive.RoleViewer {
			t.Fatalf("shared with sam: %+v", l.Items)
		}
		if names(children(t, sam, plans.ID)) != "Inner" || !bytes.Equal(download(t, sam, f.ID, nil).Want(t, http.StatusOK).Body, []byte("q1 plan")) {
			t.Fatal("sam cannot read the shared folder")
		}
		upload(t, sam, inner.ID, "mine.txt", []byte("x")).WantError(t, http.StatusForbidden, "forbidden")
		sam.Do(t, "PATCH", "/api/v1/drive/items/"+f.ID, map[string]any{"name": "x.txt"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		sam.Do(t, "DELETE", "/api/v1/drive/items/"+f.ID, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		sam.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/shares", map[string]any{"kind": "member", "subject_id": otto.MemberID, "role": "viewer"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		sam.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		sam.Do(t, "GET", "/api/v1/drive/items/"+plans.ID+"/shares", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		// What was not shared stays hidden, the space too.
		sam.Do(t, "GET", "/api/v1/drive/items/"+secret.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		sam.Do(t, "GET", "/api/v1/drive/items/"+sp.RootID+"/children", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		sam.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// Breadcrumbs stop where Sam's view begins.
		var anc drive.ItemList
		sam.Do(t, "GET", "/api/v1/drive/items/"+f.ID+"/ancestors", nil, &anc).Want(t, http.StatusOK)
		if names(anc.Items) != "Plans,Inner" {
			t.Fatalf("sam's breadcrumbs: %q", names(anc.Items))
		}
		// Otto is not in Sales.
		otto.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		otto.Do(t, "GET", "/api/v1/drive/shared", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 0 {
			t.Fatalf("shared with otto: %+v", l.Items)
		}

		// An editor share lets Otto write into the folder, not above it.
		var osh drive.Share
		ann.Do(t, "POST", "/api/v1/drive/items/"+inner.ID+"/shares", map[string]any{"kind": "member", "subject_id": otto.MemberID, "role": "editor"}, &osh).Want(t, http.StatusCreated)
		file(t, otto, inner.ID, "otto.txt", []byte("from otto"))
		otto.Do(t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": plans.ID, "name": "X"}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Moving a shared item out to where Otto cannot write is refused.
		otto.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/move", map[string]any{"parent_id": plans.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Editors share further, never above their own role.
		ann.Do(t, "GET", "/api/v1/drive/items/"+inner.ID+"/shares", nil, nil).Want(t, http.StatusOK)
		var sl drive.ShareList
		otto.Do(t, "GET", "/api/v1/drive/items/"+inner.ID+"/shares", nil, &sl).Want(t, http.StatusOK)
		if len(sl.Items) != 1 || sl.Items[0].SubjectID != otto.MemberID {
			t.Fatalf("inner's shares: %+v", sl.Items)
		}

		// Removing shares ends access at once; another organization cannot.
		w.mallory.Do(t, "DELETE", "/api/v1/drive/items/"+plans.ID+"/shares/"+sh.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+inner.ID+"/shares/"+sh.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+plans.ID+"/shares/"+sh.ID, nil, nil).Want(t, http.StatusNoContent)
		sam.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+inner.ID+"/shares/"+osh.ID, nil, nil).Want(t, http.StatusNoContent)
		upload(t, otto, inner.ID, "again.txt", []byte("x")).WantError(t, http.StatusNotFound, "not_found")

		// Roles reach their holders; a member who leaves loses everything.
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/shares", map[string]any{"kind": "role", "subject_id": "member", "role": "viewer"}, nil).Want(t, http.StatusCreated)
		otto.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil).Want(t, http.StatusOK)
		w.owner.Do(t, "DELETE", "/api/v1/members/"+otto.MemberID, nil, nil).Want(t, http.StatusNoContent)
		r := otto.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil)
		if r.Status == http.StatusOK {
			t.Fatal("a removed member still reads a shared file")
		}
	})
}

func linkGet(t *testing.T, p *person, path, password string) *servertest.Response {
	t.Helper()
	hdr := map[string]string{}
	if password != "" {
		hdr[drive.PasswordHeader] = password
	}
	return raw(t, p, "GET", path, nil, hdr)
}

// Links: password, expiry, permission, revocation, the organization's
// setting, and the access log the owner reads.
func TestHTTPLinks(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		anon := &person{Client: env.Client()}
		sp := mySpace(t, ann)
		docs := folder(t, ann, sp.RootID, "Docs")
		f := file(t, ann, docs.ID, "report.txt", []byte("the report"))
		outside := file(t, ann, sp.RootID, "outside.txt", []byte("outside"))

		// Links are made by editors, as the organization allows.
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)
		bob.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view"}, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "edit"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view", "password": "short"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view", "expires_at": w.clock.now().Add(-time.Hour).UnixMilli()}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var l drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+docs.ID+"/links", map[string]any{"permission": "download", "password": "open sesame",
			"expires_at": w.clock.now().Add(48 * time.Hour).UnixMilli()}, &l).Want(t, http.StatusCreated)
		if l.Token == "" || !l.HasPassword {
			t.Fatalf("link: %+v", l)
		}
		base := "/api/v1/drive/public/" + l.Token
		// No session needed; the password is.
		linkGet(t, anon, base, "").WantError(t, http.StatusUnauthorized, "link_password_required")
		linkGet(t, anon, base, "wrong password").WantError(t, http.StatusForbidden, "link_password_invalid")
		var info drive.LinkInfo
		r := linkGet(t, anon, base, "open sesame").Want(t, http.StatusOK)
		if info = decode[drive.LinkInfo](t, r); info.Item.ID != docs.ID || info.Permission != "download" || info.Item.CreatedBy != "" {
			t.Fatalf("link info: %+v", info)
		}
		r = linkGet(t, anon, base+"/children", "open sesame").Want(t, http.StatusOK)
		if names(decode[drive.ItemList](t, r).Items) != "report.txt" {
			t.Fatalf("link children: %s", r.Body)
		}
		if got := linkGet(t, anon, base+"/content?item_id="+f.ID, "open sesame").Want(t, http.StatusOK).Body; string(got) != "the report" {
			t.Fatalf("link download: %q", got)
		}
		r = raw(t, anon, "GET", base+"/content?item_id="+f.ID, nil, map[string]string{drive.PasswordHeader: "open sesame", "Range": "bytes=4-9"}).Want(t, http.StatusPartialContent)
		if string(r.Body) != "report" {
			t.Fatalf("link range: %q", r.Body)
		}
		// Nothing outside the linked folder, and no uploads with a download link.
		linkGet(t, anon, base+"/content?item_id="+outside.ID, "open sesame").WantError(t, http.StatusNotFound, "not_found")
		linkGet(t, anon, base+"/children?folder_id="+sp.RootID, "open sesame").WantError(t, http.StatusNotFound, "not_found")
		raw(t, anon, "POST", base+"/files?name=x.txt", []byte("x"), map[string]string{drive.PasswordHeader: "open sesame"}).WantError(t, http.StatusForbidden, "link_permission")
		linkGet(t, anon, "/api/v1/drive/public/not-a-token", "").WantError(t, http.StatusNotFound, "not_found")

		// A view link shows, never serves the bytes.
		var view drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view"}, &view).Want(t, http.StatusCreated)
		linkGet(t, anon, "/api/v1/drive/public/"+view.Token, "").Want(t, http.StatusOK)
		linkGet(t, anon, "/api/v1/drive/public/"+view.Token+"/content", "").WantError(t, http.StatusForbidden, "link_permission")

		// An edit link takes uploads into its folder.
		var edit drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+docs.ID+"/links", map[string]any{"permission": "edit"}, &edit).Want(t, http.StatusCreated)
		raw(t, anon, "POST", "/api/v1/drive/public/"+edit.Token+"/files?name="+url.QueryEscape("from outside.txt"), []byte("hi"), nil).Want(t, http.StatusCreated)
		raw(t, anon, "POST", "/api/v1/drive/public/"+edit.Token+"/files?name=..", []byte("hi"), nil).WantError(t, http.StatusBadRequest, "invalid_name")
		if names(children(t, ann, docs.ID)) != "from outside.txt,report.txt" {
			t.Fatalf("after the link upload: %q", names(children(t, ann, docs.ID)))
		}

		// Expiry.
		w.clock.add(49 * time.Hour)
		linkGet(t, anon, base, "open sesame").WantError(t, http.StatusGone, "link_expired")

		// The organization decides: inside only, then no links at all.
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "inside"}, nil).Want(t, http.StatusOK)
		linkGet(t, anon, "/api/v1/drive/public/"+view.Token, "").WantError(t, http.StatusUnauthorized, "link_sign_in_required")
		linkGet(t, w.mallory, "/api/v1/drive/public/"+view.Token, "").WantError(t, http.StatusUnauthorized, "link_sign_in_required")
		linkGet(t, bob, "/api/v1/drive/public/"+view.Token, "").Want(t, http.StatusOK)
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "none"}, nil).Want(t, http.StatusOK)
		linkGet(t, bob, "/api/v1/drive/public/"+view.Token, "").WantError(t, http.StatusForbidden, "link_sharing_disabled")
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view"}, nil).WantError(t, http.StatusForbidden, "link_sharing_disabled")
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)

		// Revoked: gone for everyone.
		bob.Do(t, "DELETE", "/api/v1/drive/links/"+view.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "DELETE", "/api/v1/drive/links/"+view.ID, nil, nil).Want(t, http.StatusNoContent)
		linkGet(t, anon, "/api/v1/drive/public/"+view.Token, "").WantError(t, http.StatusNotFound, "not_found")
		var ll drive.LinkList
		ann.Do(t, "GET", "/api/v1/drive/items/"+f.ID+"/links", nil, &ll).Want(t, http.StatusOK)
		if len(ll.Items) != 1 || ll.Items[0].RevokedAt == 0 || ll.Items[0].Token != "" {
			t.Fatalf("links: %+v", ll.Items)
		}

		// The owner reads every use, allowed or refused.
		var al drive.AccessList
		ann.Do(t, "GET", "/api/v1/drive/links/"+l.ID+"/access", nil, &al).Want(t, http.StatusOK)
		outcomes := map[string]int{}
		for _, a := range al.Items {
			outcomes[a.Action+":"+a.Outcome]++
			if a.Network != "127.0.0.0/24" || a.AccountID != "" {
				t.Fatalf("access entry: %+v", a)
			}
		}
		want := map[string]int{"info:password": 1, "info:wrong_password": 1, "info:ok": 1, "list:ok": 1, "download:ok": 2, "download:not_found": 1, "list:not_found": 1, "upload:permission": 1, "info:expired": 1}
		for k, n := range want {
			if outcomes[k] != n {
				t.Fatalf("access log %s: %d, want %d (all: %v)", k, outcomes[k], n, outcomes)
			}
		}
		var vl drive.AccessList
		ann.Do(t, "GET", "/api/v1/drive/links/"+view.ID+"/access", nil, &vl).Want(t, http.StatusOK)
		signedIn := false
		for _, a := range vl.Items {
			signedIn = signedIn || a.AccountID == bob.ID
		}
		if !signedIn {
			t.Fatalf("bob's use not recorded with his account: %+v", vl.Items)
		}
		bob.Do(t, "GET", "/api/v1/drive/links/"+l.ID+"/access", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "GET", "/api/v1/drive/links/"+l.ID+"/access", nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}
