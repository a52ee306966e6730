package drive_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// as is a context acting as p in the organization.
func (w *world) as(p *person) context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: p.ID, OrgID: w.orgID, MemberID: p.MemberID, Via: actor.ViaCookie})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// The path helpers a WebDAV file system is built on: the same rights as
// the API, names matched ignoring case, a stream in and a seekable body out.
func TestPathHelpers(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		sp := mySpace(t, ann)
		d := env.App.Drive()
		ctx := w.as(ann)

		root, err := d.ResolvePath(ctx, sp.ID, "/")
		if err != nil || root.ID != sp.RootID || !root.IsRoot() {
			t.Fatalf("root: %+v %v", root, err)
		}
		if _, err := d.MkdirPath(ctx, sp.ID, "/Docs/"); err != nil {
			t.Fatal(err)
		}
		_, err = d.MkdirPath(ctx, sp.ID, "/docs")
		wantCode(t, err, "name_taken")
		_, err = d.MkdirPath(ctx, sp.ID, "/missing/x")
		wantCode(t, err, "not_found")
		it, created, err := d.PutPath(ctx, sp.ID, "/docs/a.txt", "", strings.NewReader("hello world"), -1, "")
		if err != nil || !created || it.Size != 11 || it.ContentType != "text/plain" {
			t.Fatalf("put: %+v %v %v", it, created, err)
		}
		_, _, err = d.PutPath(ctx, sp.ID, "/docs/a.txt", "", strings.NewReader("x"), 1, `"stale"`)
		wantCode(t, err, "etag_mismatch")
		v2, created, err := d.PutPath(ctx, sp.ID, "/DOCS/A.TXT", "", strings.NewReader("hello again"), 11, it.ETag)
		if err != nil || created || v2.ID != it.ID || v2.Version != 2 || v2.ETag == it.ETag {
			t.Fatalf("overwrite: %+v %v %v", v2, created, err)
		}
		_, _, err = d.PutPath(ctx, sp.ID, "/docs", "", strings.NewReader("x"), 1, "")
		wantCode(t, err, "not_a_file")
		f, o, err := d.OpenPath(ctx, sp.ID, "/docs/a.txt")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.Seek(6, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(o)
		o.Close()
		if string(b) != "again" || f.ETag != v2.ETag {
			t.Fatalf("read after seek: %q", b)
		}
		l, err := d.ListPath(ctx, sp.ID, "/docs")
		if err != nil || names(l.Items) != "a.txt" {
			t.Fatalf("list: %+v %v", l, err)
		}
		// Move and copy, with and without overwrite.
		if _, _, err := d.PutPath(ctx, sp.ID, "/docs/b.txt", "", strings.NewReader("bee"), 3, ""); err != nil {
			t.Fatal(err)
		}
		_, _, err = d.MovePath(ctx, sp.ID, "/docs/a.txt", "/docs/b.txt", false)
		wantCode(t, err, "name_taken")
		moved, created, err := d.MovePath(ctx, sp.ID, "/docs/a.txt", "/docs/B.txt", true)
		if err != nil || created || moved.ID != it.ID || moved.Name != "B.txt" {
			t.Fatalf("move over: %+v %v %v", moved, created, err)
		}
		cp, created, err := d.CopyPath(ctx, sp.ID, "/docs", "/Docs 2", false)
		if err != nil || !created || cp.Kind != drive.ItemFolder {
			t.Fatalf("copy: %+v %v %v", cp, created, err)
		}
		if _, err := d.ResolvePath(ctx, sp.ID, "/docs 2/b.TXT"); err != nil {
			t.Fatal(err)
		}
		_, _, err = d.MovePath(ctx, sp.ID, "/docs", "/docs/inner", false)
		wantCode(t, err, "move_cycle")
		_, _, err = d.MovePath(ctx, sp.ID, "/", "/x", false)
		wantCode(t, err, "root_folder")
		renamed, _, err := d.MovePath(ctx, sp.ID, "/docs", "/DOCS", false)
		if err != nil || renamed.Name != "DOCS" {
			t.Fatalf("rename by case: %+v %v", renamed, err)
		}
		if err := d.RemovePath(ctx, sp.ID, "/docs 2"); err != nil {
			t.Fatal(err)
		}
		_, err = d.ResolvePath(ctx, sp.ID, "/docs 2/b.txt")
		wantCode(t, err, "not_found")
		for _, bad := range []string{"docs", "/docs/../x", "/docs/./x", "/a\\b", "/a\x00"} {
			_, err = d.ResolvePath(ctx, sp.ID, bad)
			wantCode(t, err, "invalid_name")
		}
		// Someone else's space is not there for Bob, whatever the path.
		bctx := w.as(bob)
		for _, p := range []string{"/", "/DOCS", "/DOCS/B.txt"} {
			_, err = d.ResolvePath(bctx, sp.ID, p)
			wantCode(t, err, "not_found")
		}
		_, _, err = d.PutPath(bctx, sp.ID, "/DOCS/evil.txt", "", strings.NewReader("x"), 1, "")
		wantCode(t, err, "not_found")
		err = d.RemovePath(bctx, sp.ID, "/DOCS")
		wantCode(t, err, "not_found")
		// A viewer share lets Bob read by path, not write.
		ann.Do(t, "POST", "/api/v1/drive/items/"+renamed.ID+"/shares", map[string]any{"kind": "member", "subject_id": bob.MemberID, "role": "viewer"}, nil).Want(t, http.StatusCreated)
		if _, err := d.ResolvePath(bctx, sp.ID, "/DOCS/B.txt"); err != nil {
			t.Fatal(err)
		}
		_, _, err = d.PutPath(bctx, sp.ID, "/DOCS/evil.txt", "", strings.NewReader("x"), 1, "")
		wantCode(t, err, "forbidden")
		_, err = d.ResolvePath(bctx, sp.ID, "/")
		wantCode(t, err, "not_found")
	})
}
