package drive_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func space(t *testing.T, p *person, id string) drive.Space {
	t.Helper()
	var sp drive.Space
	p.Do(t, "GET", "/api/v1/drive/spaces/"+id, nil, &sp).Want(t, http.StatusOK)
	return sp
}

// Rename, move and copy: names stay unique, a folder never goes into
// itself, and a copy shares the bytes of its original.
func TestHTTPRenameMoveCopy(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		a := folder(t, ann, sp.RootID, "A")
		b := folder(t, ann, a.ID, "B")
		c := folder(t, ann, b.ID, "C")
		f := file(t, ann, b.ID, "notes.txt", []byte("some notes"))
		file(t, ann, a.ID, "other.txt", []byte("other"))

		var it drive.Item
		ann.Do(t, "PATCH", "/api/v1/drive/items/"+f.ID, map[string]any{"name": "Notes.md"}, &it).Want(t, http.StatusOK)
		if it.Name != "Notes.md" || it.ETag != f.ETag {
			t.Fatalf("renamed: %+v", it)
		}
		ann.Do(t, "PATCH", "/api/v1/drive/items/"+f.ID, map[string]any{"name": "../x"}, nil).WantError(t, http.StatusBadRequest, "invalid_name")
		ann.Do(t, "PATCH", "/api/v1/drive/items/"+sp.RootID, map[string]any{"name": "root"}, nil).WantError(t, http.StatusConflict, "root_folder")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+sp.RootID, nil, nil).WantError(t, http.StatusConflict, "root_folder")

		// A folder cannot move into itself or below itself.
		for _, into := range []string{a.ID, b.ID, c.ID} {
			ann.Do(t, "POST", "/api/v1/drive/items/"+a.ID+"/move", map[string]any{"parent_id": into}, nil).WantError(t, http.StatusConflict, "move_cycle")
			ann.Do(t, "POST", "/api/v1/drive/items/"+a.ID+"/copy", map[string]any{"parent_id": into}, nil).WantError(t, http.StatusConflict, "move_cycle")
		}
		// Moving to a name in use is refused; with a new name it goes.
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/move", map[string]any{"parent_id": a.ID, "name": "OTHER.txt"}, nil).WantError(t, http.StatusConflict, "name_taken")
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/move", map[string]any{"parent_id": c.ID}, &it).Want(t, http.StatusOK)
		if it.ParentID != c.ID || names(children(t, ann, b.ID)) != "C" || names(children(t, ann, c.ID)) != "Notes.md" {
			t.Fatalf("moved: %+v", it)
		}
		// Into a file, or someone else's folder: refused.
		ann.Do(t, "POST", "/api/v1/drive/items/"+b.ID+"/move", map[string]any{"parent_id": f.ID}, nil).WantError(t, http.StatusConflict, "not_a_folder")
		msp := mySpace(t, w.mallory)
		ann.Do(t, "POST", "/api/v1/drive/items/"+b.ID+"/move", map[string]any{"parent_id": msp.RootID}, nil).WantError(t, http.StatusNotFound, "not_found")
		w.mallory.Do(t, "POST", "/api/v1/drive/items/"+b.ID+"/copy", map[string]any{"parent_id": msp.RootID}, nil).WantError(t, http.StatusNotFound, "not_found")

		// Copy a folder tree: same contents, new ids, and the space counts
		// the copy's bytes although none were copied.
		before := space(t, ann, sp.ID).UsedBytes
		var cp drive.Item
		ann.Do(t, "POST", "/api/v1/drive/items/"+a.ID+"/copy", map[string]any{"parent_id": sp.RootID, "name": "A copy"}, &cp).Want(t, http.StatusCreated)
		if cp.ID == a.ID || cp.Name != "A copy" {
			t.Fatalf("copy: %+v", cp)
		}
		ann.Do(t, "POST", "/api/v1/drive/items/"+a.ID+"/copy", map[string]any{"parent_id": sp.RootID}, nil).WantError(t, http.StatusConflict, "name_taken")
		var p drive.Item
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path="+"/A%20copy/b/c/notes.MD", nil, &p).Want(t, http.StatusOK)
		if p.ID == f.ID || p.SHA256 != f.SHA256 || !bytes.Equal(download(t, ann, p.ID, nil).Want(t, http.StatusOK).Body, []byte("some notes")) {
			t.Fatalf("copied file: %+v", p)
		}
		if after := space(t, ann, sp.ID).UsedBytes; after != before+int64(len("some notes")+len("other")) {
			t.Fatalf("used bytes %d → %d", before, after)
		}
		// The copy lives on when the original is deleted for good.
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+a.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+a.ID+"/trash", nil, nil).Want(t, http.StatusNoContent)
		if !bytes.Equal(download(t, ann, p.ID, nil).Want(t, http.StatusOK).Body, []byte("some notes")) {
			t.Fatal("the copy lost its bytes with the original")
		}
		ann.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		if used := space(t, ann, sp.ID).UsedBytes; used != int64(len("some notes")+len("other")) {
			t.Fatalf("used bytes after deleting the original: %d", used)
		}
		// Paths that are not paths.
		for _, bad := range []string{"", "a", "/A copy/../x", "/./x", "/a\\b"} {
			ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path="+url.QueryEscape(bad), nil, nil).WantError(t, http.StatusBadRequest, "invalid_name")
		}
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path=/nothing", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Search finds names in the caller's spaces only.
		var l drive.ItemList
		ann.Do(t, "GET", "/api/v1/drive/search?q=NOTES", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 1 || l.Items[0].ID != p.ID {
			t.Fatalf("search: %+v", l.Items)
		}
		w.mallory.Do(t, "GET", "/api/v1/drive/search?q=notes", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 0 {
			t.Fatalf("mallory found %+v", l.Items)
		}
		ann.Do(t, "GET", "/api/v1/drive/search?q=%25", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 0 {
			t.Fatalf("%% matched %+v", l.Items)
		}
	})
}

// The trash: a trashed folder takes its contents along and frees its
// name; restoring brings everything back; the trash period empties it,
// except for people under a legal hold.
func TestHTTPTrashRestore(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		sp := mySpace(t, ann)
		docs := folder(t, ann, sp.RootID, "Docs")
		f := file(t, ann, docs.ID, "a.txt", []byte("aaa"))

		bob.Do(t, "DELETE", "/api/v1/drive/items/"+docs.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+docs.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "GET", "/api/v1/drive/items/"+f.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var tr drive.ItemList
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/trash", nil, &tr).Want(t, http.StatusOK)
		if names(tr.Items) != "Docs" || tr.Items[0].TrashedAt == 0 {
			t.Fatalf("trash: %+v", tr.Items)
		}
		bob.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/trash", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// The name is free; restoring into it is then refused.
		again := folder(t, ann, sp.RootID, "docs")
		ann.Do(t, "POST", "/api/v1/drive/items/"+docs.ID+"/restore", nil, nil).WantError(t, http.StatusConflict, "name_taken")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+again.ID, nil, nil).Want(t, http.StatusNoContent)
		var it drive.Item
		ann.Do(t, "POST", "/api/v1/drive/items/"+docs.ID+"/restore", nil, &it).Want(t, http.StatusOK)
		if it.TrashedAt != 0 || it.ParentID != sp.RootID {
			t.Fatalf("restored: %+v", it)
		}
		if !bytes.Equal(download(t, ann, f.ID, nil).Want(t, http.StatusOK).Body, []byte("aaa")) {
			t.Fatal("the restored file lost its bytes")
		}
		// Only items in the trash are restored or deleted for good.
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/restore", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+f.ID+"/trash", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// The trash period: 30 days by default, the organization's setting.
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+docs.ID, nil, nil).Want(t, http.StatusNoContent)
		var st drive.Settings
		ann.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"trash_days": 7}, nil).WantError(t, http.StatusForbidden, "forbidden")
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"trash_days": 7}, &st).Want(t, http.StatusOK)
		if st.TrashDays != 7 {
			t.Fatalf("settings: %+v", st)
		}
		w.clock.add(6 * 24 * time.Hour)
		if n, err := env.App.Drive().PurgeTrash(t.Context()); err != nil || n != 0 {
			t.Fatalf("purge after 6 days: %d %v", n, err)
		}
		// A legal hold on the person who trashed it keeps it.
		env.App.Drive().Held = func(_ context.Context, orgID, accountID string) (bool, error) { return accountID == ann.ID, nil }
		w.clock.add(2 * 24 * time.Hour)
		if n, err := env.App.Drive().PurgeTrash(t.Context()); err != nil || n != 0 {
			t.Fatalf("purge under a hold: %d %v", n, err)
		}
		// So does a hold on someone else whose file is in the trashed tree
		// (Ann's a.txt, saved again by Bob), while the other folder goes.
		env.App.Drive().Held = func(_ context.Context, orgID, accountID string) (bool, error) { return accountID == bob.ID, nil }
		if _, err := env.App.DB.Writer().Exec(`UPDATE drive_items SET updated_by = $2 WHERE id = $1`, f.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := env.App.Drive().PurgeTrash(t.Context()); err != nil || n != 1 {
			t.Fatalf("purge with Bob held: %d %v, want only the other folder", n, err)
		}
		ann.Do(t, "POST", "/api/v1/drive/items/"+docs.ID+"/restore", nil, nil).Want(t, http.StatusOK)
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+docs.ID, nil, nil).Want(t, http.StatusNoContent)
		w.clock.add(8 * 24 * time.Hour)
		env.App.Drive().Held = nil
		if n, err := env.App.Drive().PurgeTrash(t.Context()); err != nil || n != 1 {
			t.Fatalf("purge after the hold: %d %v", n, err)
		}
		ann.Do(t, "POST", "/api/v1/drive/items/"+docs.ID+"/restore", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		if used := space(t, ann, sp.ID).UsedBytes; used != 0 {
			t.Fatalf("used bytes after the purge: %d", used)
		}
	})
}

// Versions: each overwrite keeps the previous content, the organization's
// keep_versions newest of them; a version can be read and restored.
func TestHTTPVersions(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"keep_versions": 2}, nil).Want(t, http.StatusOK)
		f := file(t, ann, sp.RootID, "v.txt", []byte("one"))
		for i, body := range []string{"two", "three", "four"} {
			r := raw(t, ann, "PUT", "/api/v1/drive/items/"+f.ID+"/content", []byte(body), nil).Want(t, http.StatusOK)
			if v := decode[drive.Item](t, r); v.Version != i+2 || v.Size != int64(len(body)) {
				t.Fatalf("overwrite %d: %+v", i, v)
			}
		}
		var vl drive.VersionList
		ann.Do(t, "GET", "/api/v1/drive/items/"+f.ID+"/versions", nil, &vl).Want(t, http.StatusOK)
		if len(vl.Items) != 3 || vl.Items[0].Version != 4 || !vl.Items[0].Current || vl.Items[1].Version != 3 || vl.Items[2].Version != 2 {
			t.Fatalf("versions: %+v", vl.Items)
		}
		if got := raw(t, ann, "GET", "/api/v1/drive/items/"+f.ID+"/content?version=2", nil, nil).Want(t, http.StatusOK).Body; string(got) != "two" {
			t.Fatalf("version 2: %q", got)
		}
		raw(t, ann, "GET", "/api/v1/drive/items/"+f.ID+"/content?version=1", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		if used := space(t, ann, sp.ID).UsedBytes; used != int64(len("two")+len("three")+len("four")) {
			t.Fatalf("used bytes with versions: %d", used)
		}
		var it drive.Item
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/versions/2/restore", nil, &it).Want(t, http.StatusOK)
		if it.Version != 5 || string(download(t, ann, f.ID, nil).Want(t, http.StatusOK).Body) != "two" {
			t.Fatalf("restored: %+v", it)
		}
		// If-Match protects against lost updates.
		raw(t, ann, "PUT", "/api/v1/drive/items/"+f.ID+"/content", []byte("late"), map[string]string{"If-Match": f.ETag}).WantError(t, http.StatusConflict, "etag_mismatch")
		raw(t, ann, "PUT", "/api/v1/drive/items/"+f.ID+"/content", []byte("now"), map[string]string{"If-Match": it.ETag}).Want(t, http.StatusOK)
		w.mallory.Do(t, "GET", "/api/v1/drive/items/"+f.ID+"/versions", nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// Quotas: a personal space's, an organization space's and the
// organization's, refused before a byte is stored with the numbers.
func TestHTTPQuotas(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"personal_quota_bytes": 1000}, nil).Want(t, http.StatusOK)
		if q := space(t, ann, sp.ID).QuotaBytes; q != 1000 {
			t.Fatalf("quota shown: %d", q)
		}
		f := file(t, ann, sp.RootID, "a.bin", bytes.Repeat([]byte("a"), 600))
		r := upload(t, ann, sp.RootID, "b.bin", bytes.Repeat([]byte("b"), 600)).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
		var e struct {
			Error struct {
				Details map[string]any `json:"details"`
			} `json:"error"`
		}
		if jsonUnmarshal(r.Body, &e); e.Error.Details["used_bytes"] != float64(600) || e.Error.Details["quota_bytes"] != float64(1000) || e.Error.Details["size"] != float64(600) || e.Error.Details["scope"] != "space" {
			t.Fatalf("details: %s", r.Body)
		}
		// Nothing was kept of it.
		if names(children(t, ann, sp.RootID)) != "a.bin" || space(t, ann, sp.ID).UsedBytes != 600 {
			t.Fatal("the refused upload left something")
		}
		// A new version counts too; so do copies and resumable uploads.
		raw(t, ann, "PUT", "/api/v1/drive/items/"+f.ID+"/content", bytes.Repeat([]byte("c"), 500), nil).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/copy", map[string]any{"parent_id": sp.RootID, "name": "copy.bin"}, nil).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
		ann.Do(t, "POST", "/api/v1/drive/uploads", map[string]any{"parent_id": sp.RootID, "name": "c.bin", "size": 401}, nil).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
		file(t, ann, sp.RootID, "c.bin", bytes.Repeat([]byte("c"), 400))

		// The organization's quota covers every space.
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "project", "name": "P", "quota_bytes": 100}, &team).Want(t, http.StatusCreated)
		upload(t, w.owner, team.RootID, "big.bin", bytes.Repeat([]byte("x"), 101)).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
		file(t, w.owner, team.RootID, "ok.bin", bytes.Repeat([]byte("x"), 100))
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"org_quota_bytes": 1150}, nil).Want(t, http.StatusOK)
		w.owner.Do(t, "PATCH", "/api/v1/drive/spaces/"+team.ID, map[string]any{"quota_bytes": 0}, nil).Want(t, http.StatusOK)
		r = upload(t, w.owner, team.RootID, "more.bin", bytes.Repeat([]byte("x"), 51)).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
		if jsonUnmarshal(r.Body, &e); e.Error.Details["scope"] != "organization" || e.Error.Details["used_bytes"] != float64(1100) {
			t.Fatalf("organization quota details: %s", r.Body)
		}
		var st drive.Settings
		w.owner.Do(t, "GET", "/api/v1/drive/settings", nil, &st).Want(t, http.StatusOK)
		if st.UsedBytes != 1100 || st.OrgQuotaBytes != 1150 {
			t.Fatalf("settings: %+v", st)
		}
		// Deleting frees room.
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+f.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+f.ID+"/trash", nil, nil).Want(t, http.StatusNoContent)
		file(t, w.owner, team.RootID, "more.bin", bytes.Repeat([]byte("x"), 51))
	})
}
