package directory_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestContactRequestNoteSealed: the note sent with a contact request is
// stored sealed under the sender's key — the row holds no plaintext, the
// person asked reads it — and once the sender's key is destroyed it reads
// as empty.
func TestContactRequestNoteSealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		tp := newPerson(t, env, "Tia Target")
		x := newPerson(t, env, "Xavier Asker")
		const note = "CANARYcontactNote77"
		x.do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": tp.AccountID, "message": note}, nil).Want(t, http.StatusAccepted)

		ctx := context.Background()
		rows, err := env.App.DB.R(ctx).QueryContext(ctx, `SELECT * FROM contact_requests`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if bytes.Contains(v, []byte(note)) {
					t.Errorf("contact_requests.%s holds the note in plaintext", cols[i])
				}
			}
		}
		rows.Close()

		var l directory.ContactRequestList
		tp.do(t, "GET", "/api/v1/contact-requests", nil, &l).Want(t, http.StatusOK)
		if len(l.Incoming) != 1 || l.Incoming[0].Message != note {
			t.Fatalf("incoming %+v", l.Incoming)
		}
		if err := env.App.Keyring.Destroy(ctx, x.AccountID); err != nil {
			t.Fatal(err)
		}
		tp.do(t, "GET", "/api/v1/contact-requests", nil, &l).Want(t, http.StatusOK)
		if len(l.Incoming) != 1 || l.Incoming[0].Message != "" {
			t.Fatalf("after the sender's key was destroyed: %+v", l.Incoming)
		}
	})
}
