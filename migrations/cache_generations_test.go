package migrations_test

import (
	"context"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
)

// TestCacheGenerationTriggers checks, on both databases, which writes raise
// which generation (migration 00216, platform/fresh): every change that can
// take a right away raises its kind's counter in its own transaction, and
// the writes of the hot paths — a new session, a session's sliding expiry,
// a send bumping a conversation's last_seq, a read position — raise none.
func TestCacheGenerationTriggers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := d.W(ctx).ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		last, err := fresh.Read(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		// step runs q and checks that exactly the kinds in raised moved.
		step := func(q string, raised ...fresh.Kind) {
			t.Helper()
			exec(q)
			now, err := fresh.Read(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			want := last
			for _, k := range raised {
				want[k] = now[k]
				if now[k] <= last[k] {
					t.Errorf("%s: generation %d did not rise (%d)", q, k, now[k])
				}
			}
			if now != want {
				t.Errorf("%s: generations %v → %v, only %v should rise", q, last, now, raised)
			}
			last = now
		}
		step(`INSERT INTO accounts (id, email_hash, email_sealed, name, status, created_at, updated_at) VALUES ('acc_1', 'h1', 'x', 'A', 'active', 1, 1)`)
		step(`INSERT INTO sessions (id, token_hash, account_id, org_id, kind, created_at, last_seen_at, expires_at) VALUES ('ses_1', 't1', 'acc_1', 'org_1', 'bearer', 1, 1, 100)`)
		step(`UPDATE sessions SET last_seen_at = 50, expires_at = 200 WHERE id = 'ses_1'`)
		step(`UPDATE sessions SET expires_at = 150 WHERE id = 'ses_1'`, fresh.Sessions)
		step(`UPDATE sessions SET org_id = '' WHERE id = 'ses_1'`, fresh.Sessions)
		step(`DELETE FROM sessions WHERE id = 'ses_1'`, fresh.Sessions)
		step(`UPDATE accounts SET status = 'deactivated' WHERE id = 'acc_1'`, fresh.Sessions)
		step(`UPDATE accounts SET birth_date_sealed = 'y' WHERE id = 'acc_1'`, fresh.Policies)

		step(`INSERT INTO orgs (id, name, owner_account_id, created_at, updated_at) VALUES ('org_1', 'O', 'acc_1', 1, 1)`)
		step(`INSERT INTO members (id, org_id, account_id, display_name, created_at, updated_at) VALUES ('mem_1', 'org_1', 'acc_1', 'A', 1, 1)`)
		step(`UPDATE members SET title = 'Boss' WHERE id = 'mem_1'`)
		step(`UPDATE members SET role = 'admin' WHERE id = 'mem_1'`, fresh.Members)
		step(`UPDATE members SET status = 'deactivated' WHERE id = 'mem_1'`, fresh.Members)
		step(`UPDATE orgs SET status = 'disbanded' WHERE id = 'org_1'`, fresh.Members)
		step(`DELETE FROM members WHERE id = 'mem_1'`, fresh.Members)

		step(`INSERT INTO conversations (id, kind, org_id, created_by, created_at, updated_at) VALUES ('cnv_1', 'internal', 'org_1', 'acc_1', 1, 1)`)
		step(`INSERT INTO conversation_members (conversation_id, account_id, joined_at) VALUES ('cnv_1', 'acc_1', 1), ('cnv_1', 'acc_2', 1)`)
		step(`UPDATE conversations SET last_seq = last_seq + 1, last_message_at = 5 WHERE id = 'cnv_1'`)
		step(`UPDATE conversation_members SET read_seq = 1, muted = TRUE WHERE conversation_id = 'cnv_1'`)
		step(`UPDATE conversation_members SET role = 'admin' WHERE account_id = 'acc_2'`, fresh.Conversations)
		step(`DELETE FROM conversation_members WHERE account_id = 'acc_2'`, fresh.Conversations)
		step(`UPDATE conversations SET dissolved_at = 9 WHERE id = 'cnv_1'`, fresh.Conversations)

		step(`INSERT INTO policy_documents (id, kind, seq, version, required_seq, body, published_at) VALUES ('pol_1', 'privacy', 1, '1', 1, 'b', 1)`, fresh.Policies)
		step(`INSERT INTO policy_acceptances (id, account_id, document_id, kind, seq, version, accepted_at) VALUES ('acp_1', 'acc_1', 'pol_1', 'privacy', 1, '1', 1)`)
		step(`DELETE FROM policy_acceptances WHERE id = 'acp_1'`, fresh.Policies)
		step(`INSERT INTO guardian_consents (account_id, guardian_name, method, recorded_at) VALUES ('acc_1', 'G', 'paper', 1)`)
		step(`DELETE FROM guardian_consents WHERE account_id = 'acc_1'`, fresh.Policies)
		step(`INSERT INTO age_gates (account_id, minor_until, checked_at) VALUES ('acc_1', 0, 1)`)
		step(`UPDATE age_gates SET checked_at = 2 WHERE account_id = 'acc_1'`)
		step(`UPDATE age_gates SET minor_until = 99 WHERE account_id = 'acc_1'`, fresh.Policies)

		// Erasing the account takes its remaining sessions with it.
		step(`INSERT INTO sessions (id, token_hash, account_id, kind, created_at, last_seen_at, expires_at) VALUES ('ses_2', 't2', 'acc_1', 'bearer', 1, 1, 100)`)
		step(`DELETE FROM accounts WHERE id = 'acc_1'`, fresh.Sessions, fresh.Policies)

		// A change rolled back raises nothing.
		err = d.Tx(ctx, func(ctx context.Context) error {
			if _, err := d.W(ctx).ExecContext(ctx, `UPDATE orgs SET status = 'active' WHERE id = 'org_1'`); err != nil {
				return err
			}
			return context.Canceled
		})
		if err != context.Canceled {
			t.Fatal(err)
		}
		if now, _ := fresh.Read(ctx, d); now != last {
			t.Fatalf("rolled back change raised generations %v → %v", last, now)
		}
	})
}
