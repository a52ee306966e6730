package privacy_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// rawHas reports whether any column of any row of table holds canary as
// bytes, reading the database directly (what a backup holds).
func rawHas(t *testing.T, d *db.DB, table, canary string) bool {
	t.Helper()
	ctx := context.Background()
	rows, err := d.R(ctx).QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	found := false
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			found = found || bytes.Contains(v, []byte(canary))
		}
	}
	return found
}

// TestRequestNotesSealed: the note a person writes on a data request and
// the note an admin answers with are stored sealed under the person's key:
// the rows hold neither, the API shows both, and once the person's key is
// destroyed they read as empty.
func TestRequestNotesSealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		p := newPerson(t, env, identity.NewAccount{})
		o.join(t, p)
		const mine, theirs = "CANARYnoteMine41", "CANARYnoteAdmin41"
		var r privacy.Request
		p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "objection", "org_id": o.ID, "note": mine}, &r).Want(t, http.StatusCreated)
		o.Owner.Do(t, "POST", "/api/v1/admin/privacy-requests/"+r.ID+"/decision", map[string]any{"status": "rejected", "note": theirs}, nil).Want(t, http.StatusOK)
		for _, c := range []string{mine, theirs} {
			for _, table := range []string{"privacy_requests", "privacy_request_events"} {
				if rawHas(t, env.App.DB, table, c) {
					t.Errorf("%s holds %q in plaintext", table, c)
				}
			}
		}
		var got privacy.Request
		p.Do(t, "GET", "/api/v1/me/requests/"+r.ID, nil, &got).Want(t, http.StatusOK)
		if got.Note != mine || len(got.History) != 2 || got.History[1].Note != theirs {
			t.Fatalf("request as read: %+v", got)
		}
		if err := env.App.Keyring.Destroy(context.Background(), p.AccountID); err != nil {
			t.Fatal(err)
		}
		var list privacy.RequestList
		o.Owner.Do(t, "GET", "/api/v1/admin/privacy-requests", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) == 0 {
			t.Fatal("empty queue")
		}
		for _, x := range list.Items {
			if x.ID == r.ID && x.Note != "" {
				t.Fatalf("note readable after the key was destroyed: %+v", x)
			}
		}
	})
}
