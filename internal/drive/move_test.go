package drive_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestMoveBetweenKeysKeepsVersions: a folder moved from a personal space
// to an organization's and back keeps its items' ids and every version of
// its files; each move writes one link per body and no body bytes; after
// the move the person's key can go and the organization still reads every
// version; deleting the folder for good empties the file store — on the
// local store and on S3, on both databases.
func TestMoveBetweenKeysKeepsVersions(t *testing.T) {
	eachStore(t, func(t *testing.T, env *servertest.Env, store fileStore) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team",
			"members": []map[string]any{{"kind": "member", "id": ann.MemberID, "role": "editor"}}}, &team).Want(t, http.StatusCreated)
		mine := mySpace(t, ann)
		baseline := store.keys(t)

		proj := folder(t, ann, mine.RootID, "Proj")
		sub := folder(t, ann, proj.ID, "Sub")
		versions := [][]byte{randomBody(90_000), randomBody(1000), randomBody(70_000)}
		f := file(t, ann, proj.ID, "plan.bin", versions[0])
		for _, b := range versions[1:] {
			raw(t, ann, "PUT", "/api/v1/drive/items/"+f.ID+"/content", b, nil).Want(t, http.StatusOK)
		}
		g := file(t, ann, sub.ID, "notes.txt", []byte("notes"))
		// A copy within the space shares its body with g.
		gc := decode[drive.Item](t, ann.Do(t, "POST", "/api/v1/drive/items/"+g.ID+"/copy", map[string]any{"parent_id": proj.ID, "name": "notes copy.txt"}, nil).Want(t, http.StatusCreated))
		bodies := 4 // three versions of plan.bin, one body for notes.txt and its copy

		check := func(who *person) {
			t.Helper()
			var vl drive.VersionList
			who.Do(t, "GET", "/api/v1/drive/items/"+f.ID+"/versions", nil, &vl).Want(t, http.StatusOK)
			if len(vl.Items) != 3 {
				t.Fatalf("versions after the move: %+v", vl.Items)
			}
			for i, b := range versions {
				r := raw(t, who, "GET", "/api/v1/drive/items/"+f.ID+"/content?version="+fmt.Sprint(i+1), nil, nil).Want(t, http.StatusOK)
				if !bytes.Equal(r.Body, b) {
					t.Fatalf("version %d reads %d bytes, not its body", i+1, len(r.Body))
				}
			}
			for _, it := range []drive.Item{g, gc} {
				if got := download(t, who, it.ID, nil).Want(t, http.StatusOK).Body; string(got) != "notes" {
					t.Fatalf("%s reads %q", it.Name, got)
				}
			}
			// The names below the moved folder are sealed for the new
			// owner too: they read after the old owner's key is gone.
			names := func(id string) []string {
				var out []string
				for _, it := range children(t, who, id) {
					out = append(out, it.Name)
				}
				slices.Sort(out)
				return out
			}
			if got := names(proj.ID); !slices.Equal(got, []string{"Sub", "notes copy.txt", "plan.bin"}) {
				t.Fatalf("names in Proj: %q", got)
			}
			if got := names(sub.ID); !slices.Equal(got, []string{"notes.txt"}) {
				t.Fatalf("names in Sub: %q", got)
			}
		}
		used := func(spaceID string) int64 {
			var n int64
			if err := env.App.DB.Reader().QueryRow(`SELECT used_bytes FROM drive_spaces WHERE id = $1`, spaceID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		total := int64(len(versions[0]) + len(versions[1]) + len(versions[2]) + 2*len("notes"))
		if used(mine.ID) != total {
			t.Fatalf("used before the move: %d, want %d", used(mine.ID), total)
		}

		move := func(parent string) {
			t.Helper()
			objects, size := len(store.keys(t)), store.total(t)
			var it drive.Item
			ann.Do(t, "POST", "/api/v1/drive/items/"+proj.ID+"/move", map[string]any{"parent_id": parent}, &it).Want(t, http.StatusOK)
			if it.ID != proj.ID {
				t.Fatalf("moved: %+v", it)
			}
			// Each body got a link for the new key; the old key's links
			// (if any) went.
			if n, s := len(store.keys(t)), store.total(t); n > objects+bodies || s-size > bodies*256 {
				t.Fatalf("a move stored %d objects and %d bytes", n-objects, s-size)
			}
		}
		move(team.RootID)
		check(ann)
		if used(mine.ID) != 0 || used(team.ID) != total {
			t.Fatalf("used after the move: personal %d, team %d", used(mine.ID), used(team.ID))
		}
		move(mine.RootID)
		check(ann)
		if n := len(store.keys(t)); n != len(baseline)+bodies*2 {
			t.Fatalf("after moving back the store holds %d objects, want %d", n, len(baseline)+bodies*2)
		}
		move(team.RootID)

		// The organization's copy does not depend on Ann's key.
		if err := env.App.Keyring.Destroy(context.Background(), ann.ID); err != nil {
			t.Fatal(err)
		}
		check(w.owner)

		w.owner.Do(t, "DELETE", "/api/v1/drive/items/"+proj.ID, nil, nil).Want(t, http.StatusNoContent)
		w.owner.Do(t, "DELETE", "/api/v1/drive/items/"+proj.ID+"/trash", nil, nil).Want(t, http.StatusNoContent)
		if got := store.keys(t); !slices.Equal(got, baseline) {
			t.Fatalf("the store holds %v, baseline %v", got, baseline)
		}
	})
}
