package privacy_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestMeasureExportAndErasure measures (does not assert) how long exporting
// and erasing a person with many messages takes. It runs only with
// ATRIUM_PRIVACY_MEASURE=<messages>, e.g.
//
//	ATRIUM_PRIVACY_MEASURE=100000 go test ./internal/privacy -run TestMeasureExportAndErasure -v
func TestMeasureExportAndErasure(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ATRIUM_PRIVACY_MEASURE"))
	if n <= 0 {
		t.Skip("set ATRIUM_PRIVACY_MEASURE=<messages> to measure")
	}
	for _, kind := range []db.Kind{db.SQLite, db.Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			env := servertest.Start(t, kind)
			ctx := context.Background()
			o := setupOrg(t, env)
			o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 0, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
			x := newPerson(t, env, identity.NewAccount{})
			o.join(t, x)
			var conv struct {
				ID string `json:"id"`
			}
			x.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Load", "member_ids": []string{o.Owner.AccountID}}, &conv).Want(t, http.StatusCreated)
			d := env.App.DB
			err := d.Tx(ctx, func(ctx context.Context) error {
				for i := 0; i < n; i++ {
					if _, err := d.W(ctx).ExecContext(ctx,
						`INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, 'text', $6, $7)`,
						fmt.Sprintf("msg_load_%07d", i), conv.ID, 100+i, x.AccountID, fmt.Sprint("load-", i),
						fmt.Sprintf("message number %d with some ordinary text in it", i), time.Now().UnixMilli()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			var e privacy.Export
			x.Do(t, "POST", "/api/v1/me/exports", nil, &e).Want(t, http.StatusAccepted)
			e = waitExport(t, env, x, e.ID)
			t.Logf("%s: export of %d messages: %v (%d bytes ZIP)", kind, n, time.Since(start).Round(time.Millisecond), e.SizeBytes)
			start = time.Now()
			x.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, nil).Want(t, http.StatusAccepted)
			waitErasures(t, env, x.AccountID)
			t.Logf("%s: account deletion with %d messages anonymized: %v", kind, n, time.Since(start).Round(time.Millisecond))
		})
	}
}
