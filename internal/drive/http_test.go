package drive_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Spaces: a personal space appears the first time it is asked for and is
// its person's alone; organization spaces are made by manage_drive holders
// and reach their members, departments (with sub-departments) and roles.
func TestHTTPSpaces(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		sales := w.dept(t, "Sales", "")
		east := w.dept(t, "Sales East", sales)
		ann := w.member(t, "Ann", east)
		bob := w.member(t, "Bob")

		mine := mySpace(t, ann)
		if mine.Kind != drive.KindPersonal || mine.OwnerAccountID != ann.ID || mine.MyRole != drive.RoleManager || mine.RootID == "" {
			t.Fatalf("personal space: %+v", mine)
		}
		if again := mySpace(t, ann); again.ID != mine.ID {
			t.Fatalf("a second personal space: %s and %s", mine.ID, again.ID)
		}
		// Nobody else opens it, another organization least of all.
		bob.Do(t, "GET", "/api/v1/drive/spaces/"+mine.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "GET", "/api/v1/drive/spaces/"+mine.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.owner.Do(t, "GET", "/api/v1/drive/items/"+mine.RootID+"/children", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Members cannot make organization spaces.
		ann.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "X"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "department", "name": "Sales files",
			"members": []map[string]any{{"kind": "department", "id": sales, "role": "viewer"}, {"kind": "member", "id": bob.MemberID, "role": "editor"}}}, &team).Want(t, http.StatusCreated)
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Bad",
			"members": []map[string]any{{"kind": "member", "id": "mem_nope", "role": "viewer"}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "personal", "name": "Bad"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// Ann is in a sub-department of Sales: a viewer. Bob is an editor.
		var got drive.Space
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+team.ID, nil, &got).Want(t, http.StatusOK)
		if got.MyRole != drive.RoleViewer {
			t.Fatalf("ann's role: %q", got.MyRole)
		}
		var l drive.SpaceList
		ann.Do(t, "GET", "/api/v1/drive/spaces", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 2 || l.Items[0].ID != mine.ID || l.Items[1].ID != team.ID {
			t.Fatalf("ann's spaces: %+v", l.Items)
		}
		ann.Do(t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": team.RootID, "name": "Plans"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		folder(t, bob, team.RootID, "Plans")
		if n := names(children(t, ann, team.RootID)); n != "Plans" {
			t.Fatalf("ann sees %q", n)
		}
		// Only managers change the space; a personal space has no members.
		bob.Do(t, "PATCH", "/api/v1/drive/spaces/"+team.ID, map[string]any{"name": "Mine"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		ann.Do(t, "PATCH", "/api/v1/drive/spaces/"+mine.ID, map[string]any{"name": "Mine"}, nil).WantError(t, http.StatusConflict, "personal_space")
		w.owner.Do(t, "PATCH", "/api/v1/drive/spaces/"+team.ID, map[string]any{"members": []map[string]any{{"kind": "member", "id": bob.MemberID, "role": "manager"}}}, &got).Want(t, http.StatusOK)
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+team.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		bob.Do(t, "PATCH", "/api/v1/drive/spaces/"+team.ID, map[string]any{"name": "Bob's"}, &got).Want(t, http.StatusOK)
		if got.Name != "Bob's" || got.MyRole != drive.RoleManager {
			t.Fatalf("renamed: %+v", got)
		}
		// Deleting a space is manage_drive's.
		bob.Do(t, "DELETE", "/api/v1/drive/spaces/"+team.ID, nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		w.mallory.Do(t, "DELETE", "/api/v1/drive/spaces/"+team.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		w.owner.Do(t, "DELETE", "/api/v1/drive/spaces/"+team.ID, nil, nil).Want(t, http.StatusNoContent)
		bob.Do(t, "GET", "/api/v1/drive/spaces/"+team.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// Files: a streamed upload, its download whole and by ranges, a second
// upload of the same name refused, and names that are not names.
func TestHTTPUploadDownloadRanges(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		docs := folder(t, ann, sp.RootID, "Docs")
		body := bytes.Repeat([]byte("0123456789"), 20000) // 200 kB: several sealed chunks
		f := file(t, ann, docs.ID, "numbers.txt", body)
		if f.Size != int64(len(body)) || f.Version != 1 || f.ContentType != "text/plain" || f.ParentID != docs.ID {
			t.Fatalf("uploaded: %+v", f)
		}
		r := download(t, ann, f.ID, nil).Want(t, http.StatusOK)
		if !bytes.Equal(r.Body, body) || r.Header.Get("ETag") != f.ETag || r.Header.Get("Accept-Ranges") != "bytes" {
			t.Fatalf("download: %d bytes, headers %v", len(r.Body), r.Header)
		}
		// A range across a chunk boundary of the sealed body.
		r = download(t, ann, f.ID, map[string]string{"Range": "bytes=65530-65549"}).Want(t, http.StatusPartialContent)
		if string(r.Body) != string(body[65530:65550]) || r.Header.Get("Content-Range") != "bytes 65530-65549/200000" {
			t.Fatalf("range: %q %v", r.Body, r.Header.Get("Content-Range"))
		}
		r = download(t, ann, f.ID, map[string]string{"Range": "bytes=-5"}).Want(t, http.StatusPartialContent)
		if string(r.Body) != "56789" {
			t.Fatalf("suffix range: %q", r.Body)
		}
		download(t, ann, f.ID, map[string]string{"Range": "bytes=300000-"}).Want(t, http.StatusRequestedRangeNotSatisfiable)
		download(t, ann, f.ID, map[string]string{"If-None-Match": f.ETag}).Want(t, http.StatusNotModified)

		// Names are unique in a folder ignoring case.
		upload(t, ann, docs.ID, "NUMBERS.txt", []byte("x")).WantError(t, http.StatusConflict, "name_taken")
		ann.Do(t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": docs.ID, "name": "Numbers.TXT"}, nil).WantError(t, http.StatusConflict, "name_taken")
		for _, bad := range []string{"", "a/b", "..", ".", "a\\b", "a\x00b", " lead", "x\u202Efdp.exe"} {
			upload(t, ann, docs.ID, bad, []byte("x")).WantError(t, http.StatusBadRequest, "invalid_name")
		}
		// Uploading into a file, or someone else's folder.
		upload(t, ann, f.ID, "x.txt", []byte("x")).WantError(t, http.StatusConflict, "not_a_folder")
		upload(t, w.mallory, docs.ID, "x.txt", []byte("x")).WantError(t, http.StatusNotFound, "not_found")
		download(t, w.mallory, f.ID, nil).WantError(t, http.StatusNotFound, "not_found")
		// Replace makes a new version of the file of that name.
		r = raw(t, ann, "POST", "/api/v1/drive/items/"+docs.ID+"/files?name=Numbers.txt&replace=true", []byte("new"), nil).Want(t, http.StatusOK)
		if v := decode[drive.Item](t, r); v.ID != f.ID || v.Version != 2 || v.Size != 3 {
			t.Fatalf("replaced: %+v", v)
		}
	})
}
