package drive_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// exportWriter collects what a contract exports.
type exportWriter struct {
	sections []datamap.Section
	files    []datamap.File
}

func (x *exportWriter) AddSection(s datamap.Section) { x.sections = append(x.sections, s) }
func (x *exportWriter) AddFile(f datamap.File)       { x.files = append(x.files, f) }

// TestPrivacyPersonalSpace: a person's export holds their personal space's
// files, bytes included, and the rows naming them; erasing their
// membership deletes their personal space with its bytes (in the file
// store too), while the organization's space keeps what they put there
// with them replaced.
func TestPrivacyPersonalSpace(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		sp := mySpace(t, ann)
		mine := file(t, ann, sp.RootID, "mine.txt", []byte("my own words"))
		cp := decode[drive.Item](t, ann.Do(t, "POST", "/api/v1/drive/items/"+mine.ID+"/copy", map[string]any{"parent_id": sp.RootID, "name": "copy.txt"}, nil).Want(t, http.StatusCreated))
		ann.Do(t, "POST", "/api/v1/drive/items/"+mine.ID+"/shares", map[string]any{"kind": "member", "subject_id": bob.MemberID, "role": "viewer"}, nil).Want(t, http.StatusCreated)
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team",
			"members": []map[string]any{{"kind": "member", "id": ann.MemberID, "role": "editor"}}}, &team).Want(t, http.StatusCreated)
		work := file(t, ann, team.RootID, "work.txt", []byte("work"))
		bob.Do(t, "GET", "/api/v1/drive/items/"+mine.ID, nil, nil).Want(t, http.StatusOK)

		p := env.App.Drive().Privacy()
		var x exportWriter
		if err := p.Export(ctx, datamap.ExportRequest{Subject: datamap.Subject{AccountID: ann.ID, Members: map[string]string{w.orgID: ann.MemberID}}}, &x); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range x.files {
			rc, err := f.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			got[f.RowID] = f.Name + ":" + string(b)
		}
		if len(got) != 2 || got[mine.ID] != "mine.txt:my own words" || got[cp.ID] != "copy.txt:my own words" {
			t.Fatalf("exported files: %v", got)
		}
		rows := 0
		names := map[string]any{}
		for _, s := range x.sections {
			if s.Table == "drive_items" {
				rows += len(s.Rows)
				for _, r := range s.Rows {
					names[fmt.Sprint(r["id"])] = r["name_box"]
				}
			}
		}
		if rows < 3 { // mine, copy and work (and her personal root folder)
			t.Fatalf("drive_items rows about ann: %d", rows)
		}
		// Names are sealed in the rows; the export opens them, in her
		// personal space (her key) and in the team's (the organization's).
		if names[mine.ID] != "mine.txt" || names[work.ID] != "work.txt" {
			t.Fatalf("exported names: mine %v, work %v", names[mine.ID], names[work.ID])
		}

		var key string
		if err := env.App.DB.Reader().QueryRow(`SELECT blob_key FROM drive_items WHERE id = $1`, mine.ID).Scan(&key); err != nil {
			t.Fatal(err)
		}
		var out datamap.Erased
		err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
			var err error
			out, err = p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: datamap.Subject{AccountID: ann.ID},
				OrgID: w.orgID, MemberID: ann.MemberID, Mode: datamap.ModeAnonymize, Tombstone: "tmb_former"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range out.After {
			if err := fn(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// The personal space is gone, rows and bytes.
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM drive_spaces WHERE owner_account_id = $1`, ann.ID).Scan(&n)
		if n != 0 {
			t.Fatalf("%d personal spaces of ann left", n)
		}
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM drive_items WHERE space_id = $1`, sp.ID).Scan(&n)
		if n != 0 {
			t.Fatalf("%d items of ann's space left", n)
		}
		if o, _, err := env.App.Drive().Blobs.Open(ctx, key); err == nil {
			o.Close()
			t.Fatal("the bytes of ann's file are still in the file store")
		}
		bob.Do(t, "GET", "/api/v1/drive/items/"+mine.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		// The organization's file stays, its author replaced.
		var it drive.Item
		w.owner.Do(t, "GET", "/api/v1/drive/items/"+work.ID, nil, &it).Want(t, http.StatusOK)
		if it.CreatedBy == ann.ID || string(download(t, w.owner, work.ID, nil).Want(t, http.StatusOK).Body) != "work" {
			t.Fatalf("the organization's file after erasure: %+v", it)
		}
	})
}
