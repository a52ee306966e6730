package drive_test

import (
	"context"
	"errors"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// rawName reads an item's row as stored: the plaintext name column, the
// name key, the sealed name and whose key sealed it.
func rawName(t testing.TB, env *servertest.Env, id string) (name, key string, box []byte, owner string) {
	t.Helper()
	err := env.App.DB.Writer().QueryRowContext(context.Background(),
		`SELECT name, name_key, name_box, content_key FROM drive_items WHERE id = $1`, id).Scan(&name, &key, &box, &owner)
	if err != nil {
		t.Fatal(err)
	}
	return name, key, box, owner
}

func search(t testing.TB, p *person, q, spaceID string) []drive.SearchHit {
	t.Helper()
	var l drive.SearchList
	path := "/api/v1/drive/search?q=" + url.QueryEscape(q)
	if spaceID != "" {
		path += "&space_id=" + spaceID
	}
	p.Do(t, "GET", path, nil, &l).Want(t, http.StatusOK)
	return l.Items
}

func hitNames(hs []drive.SearchHit) string {
	var s []string
	for _, h := range hs {
		s = append(s, h.Name)
	}
	return strings.Join(s, ",")
}

// indexNow runs the indexing job's work (the job queue runs it off the
// request path in the server).
func indexNow(t testing.TB, env *servertest.Env) {
	t.Helper()
	if _, err := env.App.Drive().IndexPending(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSealedNames(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		dir := folder(t, ann, sp.RootID, "Payroll Secrets")
		f := file(t, ann, dir.ID, "Salary-Zebra.txt", []byte("numbers"))

		// The row holds no plaintext name and no lower-cased form of it.
		for _, id := range []string{dir.ID, f.ID} {
			name, key, box, owner := rawName(t, env, id)
			if name != "" || len(box) == 0 || owner != ann.ID {
				t.Fatalf("%s stored as name %q, %d sealed bytes, key of %q", id, name, len(box), owner)
			}
			if strings.Contains(strings.ToLower(string(box)+key), "zebra") || strings.Contains(strings.ToLower(string(box)+key), "payroll") {
				t.Fatalf("plaintext in the sealed name or its key: %q", key)
			}
		}
		// Names read back, sorted, and stay unique ignoring case.
		if got := names(children(t, ann, dir.ID)); got != "Salary-Zebra.txt" {
			t.Fatalf("children: %s", got)
		}
		upload(t, ann, dir.ID, "salary-ZEBRA.TXT", []byte("x")).WantError(t, http.StatusConflict, "name_taken")
		ann.Do(t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": sp.RootID, "name": "PAYROLL secrets"}, nil).WantError(t, http.StatusConflict, "name_taken")
		var it drive.Item
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path="+url.QueryEscape("/payroll SECRETS/salary-zebra.TXT"), nil, &it).Want(t, http.StatusOK)
		if it.ID != f.ID || it.Name != "Salary-Zebra.txt" {
			t.Fatalf("path lookup: %+v", it)
		}
		// A rename keeps the rule, and the new name is sealed too.
		ann.Do(t, "PATCH", "/api/v1/drive/items/"+f.ID, map[string]any{"name": "Okapi.txt"}, &it).Want(t, http.StatusOK)
		file(t, ann, dir.ID, "Salary-Zebra.txt", []byte("again"))
		upload(t, ann, dir.ID, "OKAPI.txt", []byte("x")).WantError(t, http.StatusConflict, "name_taken")

		// The organization's spaces seal under the organization's key.
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team"}, &team).Want(t, http.StatusCreated)
		tf := file(t, w.owner, team.RootID, "Roadmap.txt", []byte("plans"))
		if _, _, _, owner := rawName(t, env, tf.ID); owner != w.orgID {
			t.Fatalf("an organization file's name is sealed under %q", owner)
		}

		// A row written before sealing reads as it is, and is sealed at
		// start-up (SealPlaintextNames) with its name key hashed.
		legacy := "dit_legacy" + strings.ToLower(f.ID[len(f.ID)-6:])
		if _, err := env.App.DB.Writer().ExecContext(ctx, `INSERT INTO drive_items (id, org_id, space_id, parent_id, kind, name, name_key,
			created_by, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'folder', 'Legacy-Tapir', 'legacy-tapir', $5, $5, 1, 1)`,
			legacy, w.orgID, sp.ID, dir.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		if got := names(children(t, ann, dir.ID)); got != "Legacy-Tapir,Okapi.txt,Salary-Zebra.txt" {
			t.Fatalf("children with a plaintext row: %s", got)
		}
		if n, err := env.App.Drive().SealPlaintextNames(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d: %v", n, err)
		}
		if name, key, box, owner := rawName(t, env, legacy); name != "" || key == "legacy-tapir" || len(box) == 0 || owner != ann.ID {
			t.Fatalf("legacy row after sealing: %q %q %d %q", name, key, len(box), owner)
		}
		ann.Do(t, "GET", "/api/v1/drive/spaces/"+sp.ID+"/path?path="+url.QueryEscape("/payroll secrets/LEGACY-tapir"), nil, &it).Want(t, http.StatusOK)
		if it.ID != legacy || it.Name != "Legacy-Tapir" {
			t.Fatalf("legacy path lookup: %+v", it)
		}
		ann.Do(t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": dir.ID, "name": "legacy-TAPIR"}, nil).WantError(t, http.StatusConflict, "name_taken")

		// Destroying the person's key makes the names unreadable for good.
		_, _, box, owner := rawName(t, env, f.ID)
		if _, err := env.App.Keyring.Open(ctx, owner, "drive_items.name:"+f.ID, box); err != nil {
			t.Fatalf("the sealed name does not open: %v", err)
		}
		if err := env.App.Keyring.Destroy(ctx, ann.ID); err != nil {
			t.Fatal(err)
		}
		if pt, err := env.App.Keyring.Open(ctx, owner, "drive_items.name:"+f.ID, box); err == nil {
			t.Fatalf("the name opens after its key was destroyed: %q", pt)
		}
		name, _, _, _ := rawName(t, env, f.ID)
		if name != "" {
			t.Fatalf("plaintext name after key destruction: %q", name)
		}
	})
}

func TestSearchNamesAndContents(t *testing.T) {
	pdfBytes, err := os.ReadFile("testdata/report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		sp := mySpace(t, ann)
		docs := folder(t, ann, sp.RootID, "Docs")
		txt := file(t, ann, docs.ID, "notes.txt", []byte("Minutes of Monday.\nThe marmalade committee met at noon and agreed."))
		pdfItem := file(t, ann, docs.ID, "report.pdf", pdfBytes)
		zh := file(t, ann, docs.ID, "会议.txt", []byte("今天的会议讨论了预算审批的流程。"))
		file(t, ann, docs.ID, "photo.jpg", []byte("\xff\xd8\xff marmalade in a jpeg is not text"))
		file(t, bob, mySpace(t, bob).RootID, "bob-marmalade.txt", []byte("Bob's marmalade recipe"))

		// Names are indexed at once; contents by the indexing job.
		if got := hitNames(search(t, ann, "notes", "")); got != "notes.txt" {
			t.Fatalf("name search: %s", got)
		}
		indexNow(t, env)

		hs := search(t, ann, "MARMALADE", "")
		if len(hs) != 1 || hs[0].ID != txt.ID || hs[0].Match != "content" || !strings.Contains(hs[0].Snippet, "marmalade committee") {
			t.Fatalf("text contents: %+v", hs)
		}
		hs = search(t, ann, "pelican migration", sp.ID)
		if len(hs) != 1 || hs[0].ID != pdfItem.ID || !strings.Contains(hs[0].Snippet, "pelican migration") {
			t.Fatalf("PDF contents: %+v", hs)
		}
		if got := hitNames(search(t, ann, "zeppelin", "")); got != "report.pdf" {
			t.Fatalf("PDF second line: %s", got)
		}
		// Chinese: four characters through the index, two by the scan.
		for _, q := range []string{"预算审批", "预算", "会议"} {
			hs = search(t, ann, q, "")
			if len(hs) != 1 || hs[0].ID != zh.ID {
				t.Fatalf("%s: %+v", q, hs)
			}
		}
		if hs[0].Match != "name" {
			t.Fatalf("a name match: %+v", hs[0])
		}
		// Not another person's files, not another organization's.
		if got := hitNames(search(t, bob, "marmalade", "")); got != "bob-marmalade.txt" {
			t.Fatalf("bob sees: %s", got)
		}
		if got := search(t, bob, "pelican", ""); len(got) != 0 {
			t.Fatalf("bob finds ann's PDF: %s", hitNames(got))
		}
		w.mallory.Do(t, "GET", "/api/v1/drive/search?q=pelican&space_id="+sp.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		if got := search(t, w.mallory, "pelican", ""); len(got) != 0 {
			t.Fatalf("another organization finds: %s", hitNames(got))
		}

		// A new version is indexed again.
		raw(t, ann, "PUT", "/api/v1/drive/items/"+txt.ID+"/content", []byte("Now about quinces only."), nil).Want(t, http.StatusOK)
		indexNow(t, env)
		if got := search(t, ann, "marmalade", ""); len(got) != 0 {
			t.Fatalf("old content still found: %s", hitNames(got))
		}
		if got := hitNames(search(t, ann, "quinces", "")); got != "notes.txt" {
			t.Fatalf("new content: %s", got)
		}

		// Not in the trash, and gone from the index once purged.
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+pdfItem.ID, nil, nil).Want(t, http.StatusNoContent)
		if got := search(t, ann, "pelican", ""); len(got) != 0 {
			t.Fatalf("trashed file found: %s", hitNames(got))
		}
		ann.Do(t, "DELETE", "/api/v1/drive/spaces/"+sp.ID+"/trash", nil, nil).Want(t, http.StatusOK)
		var n int
		if err := env.App.DB.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM drive_search WHERE item_id = $1`, pdfItem.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d index rows left for a purged file", n)
		}
		if got := search(t, ann, "zeppelin", ""); len(got) != 0 {
			t.Fatalf("purged file found: %s", hitNames(got))
		}

		// The index is derived: rebuilt from the sealed names and files.
		if _, err := env.App.DB.Writer().ExecContext(ctx, `DELETE FROM drive_search`); err != nil {
			t.Fatal(err)
		}
		if got := search(t, ann, "quinces", ""); len(got) != 0 {
			t.Fatalf("found without an index: %s", hitNames(got))
		}
		if _, err := drive.Reindex(ctx, env.App.DB, env.App.Keyring, env.App.Drive().Blobs, nil); err != nil {
			t.Fatal(err)
		}
		if got := hitNames(search(t, ann, "quinces", "")); got != "notes.txt" {
			t.Fatalf("after reindex: %s", got)
		}
		if got := hitNames(search(t, ann, "会议", "")); got != "会议.txt" {
			t.Fatalf("names after reindex: %s", got)
		}
	})
}

// TestPDFTextBroken feeds truncated and corrupted PDFs to the extractor:
// an error or some text, never a panic.
func TestPDFTextBroken(t *testing.T) {
	good, err := os.ReadFile("testdata/report.pdf")
	if err != nil {
		t.Fatal(err)
	}
	text, err := drive.PDFText(good, 1<<20)
	if err != nil || !strings.Contains(text, "pelican migration budget") {
		t.Fatalf("fixture: %q, %v", text, err)
	}
	if text, _ := drive.PDFText(good, 10); len(text) > 10 {
		t.Fatalf("cap: %q", text)
	}
	r := rand.New(rand.NewSource(1))
	inputs := [][]byte{nil, []byte("%PDF-1.4"), []byte("not a pdf at all"), []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")}
	for i := 0; i < len(good); i += 37 {
		inputs = append(inputs, good[:i])
	}
	for i := 0; i < 300; i++ {
		b := append([]byte(nil), good...)
		for k := 0; k < 1+r.Intn(8); k++ {
			b[r.Intn(len(b))] = byte(r.Intn(256))
		}
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		_, _ = drive.PDFText(in, 1<<20)
	}
}

// TestSearchShared: a search also finds what is shared with the caller one
// by one — with them, a department above theirs or a role — and what is
// inside a shared folder, with the rights the share gives; nothing after
// the share ends, nothing of what was not shared.
func TestSearchShared(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		sales := w.dept(t, "Sales", "")
		east := w.dept(t, "Sales East", sales)
		ann := w.member(t, "Ann")
		sam := w.member(t, "Sam", east)
		otto := w.member(t, "Otto")
		sp := mySpace(t, ann)
		plans := folder(t, ann, sp.RootID, "Plans-Narwhal")
		inner := folder(t, ann, plans.ID, "Inner")
		deep := file(t, ann, inner.ID, "narwhal-deep.txt", []byte("the axolotl budget"))
		memo := file(t, ann, sp.RootID, "memo-narwhal.txt", []byte("memo"))
		file(t, ann, sp.RootID, "secret-narwhal.txt", []byte("the axolotl secret"))
		file(t, otto, mySpace(t, otto).RootID, "otto-narwhal.txt", []byte("otto's own"))
		indexNow(t, env)

		// Before any share, Sam and Otto find nothing of Ann's.
		if got := sortedHits(search(t, sam, "narwhal", "")); got != "" {
			t.Fatalf("sam finds before a share: %s", got)
		}
		if got := sortedHits(search(t, otto, "narwhal", "")); got != "otto-narwhal.txt" {
			t.Fatalf("otto finds before a share: %s", got)
		}

		// A folder shared with Sales (Sam is in a department below it):
		// the folder and everything inside, by name and by content, as a
		// viewer; not what was not shared.
		var dsh drive.Share
		ann.Do(t, "POST", "/api/v1/drive/items/"+plans.ID+"/shares", map[string]any{"kind": "department", "subject_id": sales, "role": "viewer"}, &dsh).Want(t, http.StatusCreated)
		hs := search(t, sam, "narwhal", "")
		if got := sortedHits(hs); got != "Plans-Narwhal,narwhal-deep.txt" {
			t.Fatalf("sam finds: %s", got)
		}
		for _, h := range hs {
			if h.MyRole != drive.RoleViewer {
				t.Fatalf("%s found with role %q, want viewer", h.Name, h.MyRole)
			}
		}
		if hs = search(t, sam, "axolotl", ""); len(hs) != 1 || hs[0].ID != deep.ID || hs[0].Match != "content" {
			t.Fatalf("sam's content search: %+v", hs)
		}
		if hs = search(t, sam, "深", ""); len(hs) != 0 {
			t.Fatalf("short search: %+v", hs)
		}
		if got := sortedHits(search(t, sam, "na", "")); got != "Plans-Narwhal,narwhal-deep.txt" {
			t.Fatalf("sam's short search: %s", got)
		}
		// Searching Ann's space by its id stays closed to Sam.
		sam.Do(t, "GET", "/api/v1/drive/search?q=narwhal&space_id="+sp.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// The rights are the share's: Sam cannot change what he found.
		sam.Do(t, "PATCH", "/api/v1/drive/items/"+deep.ID, map[string]any{"name": "x.txt"}, nil).WantError(t, http.StatusForbidden, "forbidden")

		// A file shared with Otto as an editor, and one shared through a
		// role, are found with the role each gives.
		ann.Do(t, "POST", "/api/v1/drive/items/"+memo.ID+"/shares", map[string]any{"kind": "member", "subject_id": otto.MemberID, "role": "editor"}, nil).Want(t, http.StatusCreated)
		var rsh drive.Share
		ann.Do(t, "POST", "/api/v1/drive/items/"+inner.ID+"/shares", map[string]any{"kind": "role", "subject_id": "member", "role": "viewer"}, &rsh).Want(t, http.StatusCreated)
		hs = search(t, otto, "narwhal", "")
		if got := sortedHits(hs); got != "memo-narwhal.txt,narwhal-deep.txt,otto-narwhal.txt" {
			t.Fatalf("otto finds: %s", got)
		}
		want := map[string]string{"otto-narwhal.txt": drive.RoleManager, "memo-narwhal.txt": drive.RoleEditor, "narwhal-deep.txt": drive.RoleViewer}
		for _, h := range hs {
			if h.MyRole != want[h.Name] {
				t.Fatalf("%s found with role %q, want %q", h.Name, h.MyRole, want[h.Name])
			}
		}
		// An item in the trash is not found through its share.
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+deep.ID, nil, nil).Want(t, http.StatusNoContent)
		if got := sortedHits(search(t, sam, "narwhal", "")); got != "Plans-Narwhal" {
			t.Fatalf("sam finds after the trash: %s", got)
		}
		ann.Do(t, "POST", "/api/v1/drive/items/"+deep.ID+"/restore", nil, nil).Want(t, http.StatusOK)

		// Once a share is revoked, nothing of it is found: Sam keeps what
		// the role's share reaches, then nothing.
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+plans.ID+"/shares/"+dsh.ID, nil, nil).Want(t, http.StatusNoContent)
		if got := sortedHits(search(t, sam, "narwhal", "")); got != "narwhal-deep.txt" {
			t.Fatalf("sam finds after the department's share ended: %s", got)
		}
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+inner.ID+"/shares/"+rsh.ID, nil, nil).Want(t, http.StatusNoContent)
		if got := sortedHits(search(t, otto, "narwhal", "")); got != "memo-narwhal.txt,otto-narwhal.txt" {
			t.Fatalf("otto finds after the role's share ended: %s", got)
		}
		for _, q := range []string{"narwhal", "axolotl", "na"} {
			if got := search(t, sam, q, ""); len(got) != 0 {
				t.Fatalf("sam finds %q after the share ended: %s", q, hitNames(got))
			}
		}
		// Another organization finds nothing, and cannot name the space.
		for _, q := range []string{"narwhal", "axolotl", "na"} {
			if got := search(t, w.mallory, q, ""); len(got) != 0 {
				t.Fatalf("another organization finds %q: %s", q, hitNames(got))
			}
		}
		w.mallory.Do(t, "GET", "/api/v1/drive/search?q=narwhal&space_id="+sp.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}

// sortedHits is the names of hits in byte order.
func sortedHits(hs []drive.SearchHit) string {
	var s []string
	for _, h := range hs {
		s = append(s, h.Name)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// failingOpen is a file store that cannot be read for a while (an S3
// outage), while writes still work.
type failingOpen struct{ blob.Store }

func (failingOpen) Open(context.Context, string) (blob.Object, int64, error) {
	return nil, 0, errors.New("the file store is unreachable")
}

// A file whose text cannot be read for a moment is indexed once the file
// store answers again, not recorded as having no text.
func TestIndexRetriesWhenTheFileStoreFails(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		sp := mySpace(t, ann)
		svc := env.App.Drive()
		store := svc.Blobs
		svc.Blobs = failingOpen{store}
		file(t, ann, sp.RootID, "minutes.txt", []byte("the quarterly aardvark review"))
		if _, err := svc.IndexPending(context.Background()); err == nil {
			t.Fatal("indexing while the file store fails reported no error")
		}
		svc.Blobs = store
		indexNow(t, env)
		if got := hitNames(search(t, ann, "aardvark", "")); got != "minutes.txt" {
			t.Fatalf("search after the file store came back: %q", got)
		}
	})
}
