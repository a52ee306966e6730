package drive_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// pathSeeds are paths and names that try to leave a space.
var pathSeeds = []string{
	"/", "/a", "/a/b.txt", "/A/B.TXT", "/a/", "//a", "/a//b.txt", "/..", "/../", "/a/..", "/a/../..", "/a/../../secret",
	"/./a", "/a/./b.txt", "/a\\..\\..\\secret", "\\a", "a/b", "", "/a\x00/b.txt", "/a/b.txt\x00", "/%2e%2e/secret",
	"/a/%2e%2e/secret", "/\u202eexe.pdf", "/ a", "/a /b", "/\xff\xfe", "/a/b.txt/..", "/secret", "/" + strings.Repeat("x/", 70),
	"/" + strings.Repeat("n", 300), "/a\r\nb", "/…/‥", "/．．/secret", "/a/\u2024\u2024",
}

// FuzzPathStaysInSpace resolves arbitrary paths in a person's space and
// uploads files of arbitrary names into it, on a real server: a path
// resolves to an item of that space or to nothing (404), or is refused as
// 400 invalid_name — never an item of another space (a colleague's, one
// of another organization), never 5xx; a name is stored as it was given
// or refused as invalid_name, and a stored name is one path segment that
// resolves back to the file.
func FuzzPathStaysInSpace(f *testing.F) {
	for _, s := range pathSeeds {
		f.Add(s)
	}
	env := servertest.Start(f, db.SQLite)
	w := newWorld(f, env)
	ann := w.member(f, "Ann")
	bob := w.member(f, "Bob")
	sp := mySpace(f, ann)
	a := folder(f, ann, sp.RootID, "a")
	file(f, ann, a.ID, "b.txt", []byte("b"))
	up := folder(f, ann, sp.RootID, "uploads")
	for _, p := range []*person{bob, w.mallory} {
		other := mySpace(f, p)
		file(f, p, other.RootID, "secret", []byte("secret"))
		upload(f, p, other.RootID, "..", []byte("x")).WantError(f, http.StatusBadRequest, "invalid_name")
	}
	f.Fuzz(func(t *testing.T, p string) {
		// The service's own rule first.
		names, err := drive.SplitPath(p)
		if err != nil {
			if apperr.CodeOf(err) != "invalid_name" {
				t.Fatalf("SplitPath(%q): %v", p, err)
			}
		} else {
			for _, n := range names {
				if n == "" || n == "." || n == ".." || strings.ContainsAny(n, "/\\\x00") || !utf8.ValidString(n) || len(n) > 255 {
					t.Fatalf("SplitPath(%q) accepted the name %q", p, n)
				}
			}
		}
		r := ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path="+url.QueryEscape(p), nil, nil)
		switch r.Status {
		case http.StatusOK:
			var it drive.Item
			if json.Unmarshal(r.Body, &it) != nil || it.SpaceID != sp.ID {
				t.Fatalf("path %q resolved outside the space: %s", p, r.Body)
			}
			if err != nil {
				t.Fatalf("path %q resolved although SplitPath refuses it", p)
			}
		case http.StatusNotFound:
		case http.StatusBadRequest:
			if r.ErrorCode() != "invalid_name" {
				t.Fatalf("path %q: %d %s", p, r.Status, r.Body)
			}
		default:
			t.Fatalf("path %q: %d %s", p, r.Status, r.Body)
		}
		// The same string as a file's name.
		r = upload(t, ann, up.ID, p, []byte("x"))
		switch r.Status {
		case http.StatusCreated:
			var it drive.Item
			if json.Unmarshal(r.Body, &it) != nil || it.Name != p || it.ParentID != up.ID || it.SpaceID != sp.ID {
				t.Fatalf("name %q stored as %s", p, r.Body)
			}
			var back drive.Item
			ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path="+url.QueryEscape("/uploads/"+p), nil, &back).Want(t, http.StatusOK)
			if back.ID != it.ID {
				t.Fatalf("name %q does not resolve back to its file", p)
			}
			ann.Do(t, "DELETE", "/api/v1/drive/items/"+it.ID, nil, nil).Want(t, http.StatusNoContent)
		case http.StatusBadRequest:
			if r.ErrorCode() != "invalid_name" {
				t.Fatalf("name %q: %d %s", p, r.Status, r.Body)
			}
		case http.StatusConflict:
			if r.ErrorCode() != "name_taken" {
				t.Fatalf("name %q: %d %s", p, r.Status, r.Body)
			}
		default:
			t.Fatalf("name %q: %d %s", p, r.Status, r.Body)
		}
	})
}
