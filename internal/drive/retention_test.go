package drive_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// The organization's retention policies for drive.files, drive.trash and
// drive.versions delete what is older, through the retention job; personal
// spaces and a held person's files stay, and the quota counts what is left.
func TestRetentionClasses(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team",
			"members": []map[string]any{{"kind": "member", "id": ann.MemberID, "role": "editor"},
				{"kind": "member", "id": bob.MemberID, "role": "editor"}}}, &team).Want(t, http.StatusCreated)

		// The trash's own period (the purge job, which may run at any time
		// here) is long, so only the retention class removes the old trash.
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"trash_days": 3650}, nil).Want(t, http.StatusOK)
		w.clock.add(-40 * 24 * time.Hour)
		old := file(t, ann, team.RootID, "old.txt", []byte("old"))
		ver := file(t, ann, team.RootID, "ver.txt", []byte("first"))
		gone := file(t, ann, team.RootID, "gone.txt", []byte("gone"))
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+gone.ID, nil, nil).Want(t, http.StatusNoContent)
		own := file(t, ann, mySpace(t, ann).RootID, "own.txt", []byte("own"))
		held := file(t, bob, team.RootID, "held.txt", []byte("held"))
		// Ann trashes a folder holding a file of Bob's, who is held below:
		// the whole tree stays.
		dir := folder(t, ann, team.RootID, "Dir")
		inDir := file(t, bob, dir.ID, "bobs.txt", []byte("bobs"))
		ann.Do(t, "DELETE", "/api/v1/drive/items/"+dir.ID, nil, nil).Want(t, http.StatusNoContent)
		w.clock.add(40 * 24 * time.Hour)
		raw(t, ann, "PUT", "/api/v1/drive/items/"+ver.ID+"/content", []byte("second!"), nil).Want(t, http.StatusOK)
		fresh := file(t, ann, team.RootID, "fresh.txt", []byte("fresh"))
		var oldKey string
		if err := env.App.DB.Reader().QueryRow(`SELECT blob_key FROM drive_items WHERE id = $1`, old.ID).Scan(&oldKey); err != nil {
			t.Fatal(err)
		}

		w.owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "member", "target_id": bob.MemberID, "reason": "audit"}, nil).Want(t, http.StatusCreated)
		w.owner.Do(t, "PUT", "/api/v1/admin/retention/policies", map[string]any{"policies": []map[string]any{
			{"class": drive.ClassFiles, "days": 30}, {"class": drive.ClassTrash, "days": 30}, {"class": drive.ClassVersions, "days": 30}}}, nil).Want(t, http.StatusOK)
		var pv privacy.Preview
		w.owner.Do(t, "POST", "/api/v1/admin/retention/preview", map[string]any{}, &pv).Want(t, http.StatusOK)
		counts := map[string]int64{}
		for _, c := range pv.Counts {
			counts[c.Class] += c.Count
		}
		if counts[drive.ClassFiles] != 1 || counts[drive.ClassTrash] != 1 || counts[drive.ClassVersions] != 1 {
			t.Fatalf("preview: %+v", pv.Counts)
		}
		var run privacy.RetentionRun
		w.owner.Do(t, "POST", "/api/v1/admin/retention/runs", nil, &run).Want(t, http.StatusAccepted)
		for i := 0; run.State != "done" && run.State != "succeeded" && run.FinishedAt == 0; i++ {
			if i > 200 {
				t.Fatalf("the retention run did not finish: %+v", run)
			}
			time.Sleep(100 * time.Millisecond)
			w.owner.Do(t, "GET", "/api/v1/admin/retention/runs/"+run.ID, nil, &run).Want(t, http.StatusOK)
		}
		if run.Deleted[drive.ClassFiles] != 1 || run.Deleted[drive.ClassTrash] != 1 || run.Deleted[drive.ClassVersions] != 1 {
			t.Fatalf("run: %+v", run)
		}

		w.owner.Do(t, "GET", "/api/v1/drive/items/"+old.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM drive_items WHERE id = $1`, gone.ID).Scan(&n)
		if n != 0 {
			t.Fatal("the old trash is still there")
		}
		for _, id := range []string{dir.ID, inDir.ID} {
			env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM drive_items WHERE id = $1`, id).Scan(&n)
			if n != 1 {
				t.Fatal("retention deleted a trashed folder holding a held person's file")
			}
		}
		var vl drive.VersionList
		ann.Do(t, "GET", "/api/v1/drive/items/"+ver.ID+"/versions", nil, &vl).Want(t, http.StatusOK)
		if len(vl.Items) != 1 {
			t.Fatalf("versions of ver.txt after retention: %+v", vl.Items)
		}
		for _, id := range []string{ver.ID, fresh.ID, held.ID} {
			w.owner.Do(t, "GET", "/api/v1/drive/items/"+id, nil, nil).Want(t, http.StatusOK)
		}
		ann.Do(t, "GET", "/api/v1/drive/items/"+own.ID, nil, nil).Want(t, http.StatusOK)
		var sp drive.Space
		w.owner.Do(t, "GET", "/api/v1/drive/spaces/"+team.ID, nil, &sp).Want(t, http.StatusOK)
		if want := int64(len("second!") + len("fresh") + len("held") + len("bobs")); sp.UsedBytes != want {
			t.Fatalf("team used_bytes %d, want %d", sp.UsedBytes, want)
		}
		if o, _, err := env.App.Drive().Blobs.Open(ctx, oldKey); err == nil {
			o.Close()
			t.Fatal("the bytes of old.txt are still in the file store")
		}
	})
}
