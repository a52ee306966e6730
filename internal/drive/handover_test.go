package drive_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// A leaver's files in an organization space pass to their supervisor (or,
// without one, an owner/admin), who is told; their personal space stays.
func TestHandoverOnQuit(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		boss := w.member(t, "Boss")
		ann := w.member(t, "Ann")
		carol := w.member(t, "Carol")
		w.owner.Do(t, "PATCH", "/api/v1/members/"+ann.MemberID, map[string]any{"supervisor_id": boss.MemberID}, nil).Want(t, http.StatusOK)
		var team drive.Space
		w.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team",
			"members": []map[string]any{{"kind": "member", "id": ann.MemberID, "role": "manager"},
				{"kind": "member", "id": carol.MemberID, "role": "editor"}}}, &team).Want(t, http.StatusCreated)
		work := file(t, ann, team.RootID, "work.txt", []byte("work"))
		notes := file(t, carol, team.RootID, "notes.txt", []byte("notes"))
		own := file(t, ann, mySpace(t, ann).RootID, "own.txt", []byte("own"))
		boss.Do(t, "GET", "/api/v1/drive/items/"+work.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")

		ann.Do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)

		// The supervisor owns the file now and manages the space as Ann did.
		var it drive.Item
		boss.Do(t, "GET", "/api/v1/drive/items/"+work.ID, nil, &it).Want(t, http.StatusOK)
		if it.CreatedBy != boss.ID {
			t.Fatalf("work.txt after Ann left: created_by %q, want the supervisor %q", it.CreatedBy, boss.ID)
		}
		var sp drive.Space
		boss.Do(t, "GET", "/api/v1/drive/spaces/"+team.ID, nil, &sp).Want(t, http.StatusOK)
		if sp.MyRole != drive.RoleManager {
			t.Fatalf("the supervisor's role in the team space: %q", sp.MyRole)
		}
		// Carol's file is untouched.
		w.owner.Do(t, "GET", "/api/v1/drive/items/"+notes.ID, nil, &it).Want(t, http.StatusOK)
		if it.CreatedBy != carol.ID {
			t.Fatalf("notes.txt changed hands: %q", it.CreatedBy)
		}
		if n := handoverEvents(t, env, boss.ID); n != 1 {
			t.Fatalf("%d handover notices for the supervisor, want 1", n)
		}
		// The personal space stays Ann's until her membership is erased.
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM drive_items WHERE id = $1 AND created_by = $2`, own.ID, ann.ID).Scan(&n)
		if n != 1 {
			t.Fatal("Ann's personal file changed on quitting")
		}

		// Without a supervisor the owner takes over.
		carol.Do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)
		w.owner.Do(t, "GET", "/api/v1/drive/items/"+notes.ID, nil, &it).Want(t, http.StatusOK)
		if it.CreatedBy != w.owner.ID {
			t.Fatalf("notes.txt after Carol left: %q, want the owner", it.CreatedBy)
		}
		if n := handoverEvents(t, env, w.owner.ID); n != 1 {
			t.Fatalf("%d handover notices for the owner, want 1", n)
		}
	})
}

func handoverEvents(t *testing.T, env *servertest.Env, accountID string) int {
	t.Helper()
	var n int
	if err := env.App.DB.R(context.Background()).QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM event_log WHERE type = $1 AND scope_id = $2`, drive.EventHandover, accountID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
