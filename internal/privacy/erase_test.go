package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

type history struct {
	Items []struct {
		ID       string `json:"id"`
		SenderID string `json:"sender_id"`
		Body     string `json:"body"`
	} `json:"items"`
}

// Quitting an org whose policy is "anonymize" leaves the person's messages
// readable for the others, under a tombstone author with no trace of them;
// the erasure waits for the org's period, and a legal hold makes it wait
// until released (told to the person only when the org allows).
func TestQuitAnonymizesAndHoldsWait(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{Name: "Xena Quitter", Email: "xena.quitter@example.test", Phone: "+8613900077788"})
		y := newPerson(t, env, identity.NewAccount{Name: "Yuri Stayer"})
		z := newPerson(t, env, identity.NewAccount{Name: "Zoe Held"})
		for _, p := range []*person{x, y, z} {
			o.join(t, p)
		}
		var conv struct {
			ID string `json:"id"`
		}
		y.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{x.AccountID, z.AccountID}}, &conv).Want(t, http.StatusCreated)
		x.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "c1", "body": "the quarterly numbers are in"}, nil).Want(t, http.StatusCreated)
		z.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "c1", "body": "zoe was here"}, nil).Want(t, http.StatusCreated)

		// The default policy: anonymize, 30 days after leaving.
		var set privacy.OrgSettings
		o.Owner.Do(t, "GET", "/api/v1/admin/privacy/settings", nil, &set).Want(t, http.StatusOK)
		if set.LeaveAction != "anonymize" || set.LeavePeriodDays != 30 {
			t.Fatalf("defaults = %+v", set)
		}
		x.Do(t, "PUT", "/api/v1/admin/privacy/settings", set, nil).WantError(t, http.StatusForbidden, "forbidden")
		set.LeavePeriodDays = 31
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", set, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		var e privacy.LedgerEntry
		x.Do(t, "POST", "/api/v1/me/erasures/quit-org", nil, &e).Want(t, http.StatusOK)
		if e.Mode != "anonymize" || e.Status != privacy.LedgerScheduled || e.DueAt-e.RequestedAt != (30*24*time.Hour).Milliseconds() {
			t.Fatalf("quit erasure = %+v", e)
		}
		runJobs(t, env) // not due yet: nothing happens
		var h history
		y.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		if len(h.Items) != 2 {
			t.Fatalf("history = %+v", h)
		}
		// The org shortens its period: from now on leavers are anonymized at once.
		set.LeavePeriodDays = 0
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", set, nil).Want(t, http.StatusOK)
		var jobID string
		if err := env.App.DB.Reader().QueryRow(`SELECT job_id FROM erasure_ledger WHERE id = $1`, e.ID).Scan(&jobID); err != nil {
			t.Fatal(err)
		}
		if err := env.App.Privacy().Jobs.Reschedule(t.Context(), jobID, time.Now()); err != nil {
			t.Fatal(err)
		}
		waitErasures(t, env, x.AccountID)

		y.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		found := false
		for _, m := range h.Items {
			if m.Body == "the quarterly numbers are in" {
				found = true
				if m.SenderID == x.AccountID || !strings.HasPrefix(m.SenderID, "tmb_") {
					t.Fatalf("anonymized message sender = %q", m.SenderID)
				}
			}
		}
		if !found {
			t.Fatalf("the anonymized message is gone: %+v", h)
		}
		// No trace of X's name, phone or email in the org's directory.
		r := o.Owner.Do(t, "GET", "/api/v1/members?limit=100", nil, nil).Want(t, http.StatusOK)
		for _, s := range []string{"Xena", "xena.quitter", "13900077788", x.AccountID} {
			if strings.Contains(string(r.Body), s) {
				t.Fatalf("member list still shows %q after anonymization: %s", s, r.Body)
			}
		}

		// Z is under a legal hold: their erasure waits.
		var hold privacy.Hold
		y.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "member", "target_id": z.MemberID, "reason": "litigation"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "member", "target_id": "mem_nope", "reason": "x"}, nil).WantError(t, http.StatusNotFound, "not_found")
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "member", "target_id": z.MemberID, "reason": "litigation"}, &hold).Want(t, http.StatusCreated)
		z.Do(t, "POST", "/api/v1/me/erasures/quit-org", nil, &e).Want(t, http.StatusOK)
		waitErasures(t, env, z.AccountID)
		var list privacy.LedgerList
		z.Do(t, "GET", "/api/v1/me/erasures", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 1 || list.Items[0].Status != privacy.LedgerScheduled {
			t.Fatalf("held erasure shown as %+v (the org does not tell about holds)", list.Items)
		}
		set.TellAboutHolds = true
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", set, nil).Want(t, http.StatusOK)
		z.Do(t, "GET", "/api/v1/me/erasures", nil, &list).Want(t, http.StatusOK)
		if list.Items[0].Status != privacy.LedgerWaitingHold {
			t.Fatalf("held erasure = %+v", list.Items)
		}
		// The conflict is in the org's request queue.
		var q privacy.RequestList
		o.Owner.Do(t, "GET", "/api/v1/admin/privacy-requests?status=waiting_hold", nil, &q).Want(t, http.StatusOK)
		if len(q.Items) != 1 || q.Items[0].AccountID != z.AccountID || q.Items[0].Kind != "erasure" {
			t.Fatalf("admin queue = %+v", q.Items)
		}
		// Key destruction is blocked too.
		if err := env.App.Keyring.Destroy(t.Context(), z.AccountID); err == nil {
			t.Fatal("a held person's key was destroyed")
		}
		y.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		if !strings.Contains(mustJSON(h), "zoe was here") {
			t.Fatal("held data was erased")
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds/"+hold.ID+"/release", nil, nil).Want(t, http.StatusOK)
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds/"+hold.ID+"/release", nil, nil).WantError(t, http.StatusConflict, "hold_released")
		waitErasures(t, env, z.AccountID)
		z.Do(t, "GET", "/api/v1/me/erasures", nil, &list).Want(t, http.StatusOK)
		if list.Items[0].Status != privacy.LedgerDone {
			t.Fatalf("after release: %+v", list.Items)
		}
		o.Owner.Do(t, "GET", "/api/v1/admin/privacy-requests?status=completed", nil, &q).Want(t, http.StatusOK)
		if len(q.Items) != 1 {
			t.Fatalf("the held request was not completed: %+v", q.Items)
		}
	})
}

// Deleting one message for everyone goes through chat's rules, is audited
// and recorded in the ledger; a conversation under hold refuses it.
func TestEraseMessageAndConversation(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		y := newPerson(t, env, identity.NewAccount{})
		o.join(t, y)
		var conv struct {
			ID string `json:"id"`
		}
		y.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Ops", "member_ids": []string{o.Owner.AccountID}}, &conv).Want(t, http.StatusCreated)
		var m struct {
			ID string `json:"id"`
		}
		y.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "a", "body": "secret plan"}, &m).Want(t, http.StatusCreated)
		y.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"message_id": m.ID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var hold privacy.Hold
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "conversation", "target_id": conv.ID}, &hold).Want(t, http.StatusCreated)
		y.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": m.ID, "for_everyone": true}, nil).WantError(t, http.StatusConflict, "legal_hold")
		// Someone who cannot see the conversation learns nothing of the
		// hold: whether they may see it is checked first.
		outsider := newPerson(t, env, identity.NewAccount{})
		outsider.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": m.ID, "for_everyone": true}, nil).WantError(t, http.StatusNotFound, "not_found")
		// One route per right: chat has no delete of its own to go around it.
		y.Do(t, "DELETE", "/api/v1/conversations/"+conv.ID+"/messages/"+m.ID, nil, nil).WantError(t, http.StatusNotFound, "no_route")
		var held history
		o.Owner.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &held).Want(t, http.StatusOK)
		if !strings.Contains(mustJSON(held), "secret plan") {
			t.Fatal("a refused delete changed the message")
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds/"+hold.ID+"/release", nil, nil).Want(t, http.StatusOK)
		var e privacy.LedgerEntry
		y.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": conv.ID, "message_id": m.ID, "for_everyone": true}, &e).Want(t, http.StatusOK)
		if e.Kind != privacy.EraseMessage || e.Status != privacy.LedgerDone || e.TargetID != m.ID {
			t.Fatalf("ledger = %+v", e)
		}
		var h history
		o.Owner.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		if strings.Contains(mustJSON(h), "secret plan") {
			t.Fatal("deleted message still readable")
		}
		y.Do(t, "POST", "/api/v1/me/erasures/conversation", map[string]any{"conversation_id": conv.ID}, &e).Want(t, http.StatusOK)
		y.Do(t, "POST", "/api/v1/me/erasures/conversation", map[string]any{"conversation_id": conv.ID, "for_everyone": true}, nil).WantError(t, http.StatusForbidden, "clear_for_everyone_not_allowed")
		// Another org's member (or a stranger) gets 404.
		stranger := newPerson(t, env, identity.NewAccount{})
		stranger.Do(t, "POST", "/api/v1/me/erasures/conversation", map[string]any{"conversation_id": conv.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Audited.
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('privacy.erase.message', 'privacy.erase.conversation')`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d erasure audit entries, want 2", n)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// After a restore brings back rows of an erased person, re-applying the
// ledger erases them again.
func TestReapplyErasuresAfterRestore(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		x := newPerson(t, env, identity.NewAccount{})
		x.Do(t, "PUT", "/api/v1/me/consents/location", map[string]any{"granted": true}, nil).Want(t, http.StatusOK)
		x.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, nil).Want(t, http.StatusAccepted)
		waitErasures(t, env, x.AccountID)
		// What an older backup would bring back.
		if _, err := env.App.DB.Writer().Exec(`INSERT INTO consents (account_id, purpose, granted, version, updated_at) VALUES ($1, 'location', TRUE, '', 1)`, x.AccountID); err != nil {
			t.Fatal(err)
		}
		n, err := env.App.Privacy().ReapplyErasures(t.Context(), 0)
		if err != nil || n != 1 {
			t.Fatalf("reapply = %d, %v", n, err)
		}
		var left int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM consents WHERE account_id = $1`, x.AccountID).Scan(&left)
		if left != 0 {
			t.Fatal("a restored row of an erased person survived the re-applied erasure")
		}
		if got := env.App.RestoreStageNames(1); len(got) == 0 || got[0] != "privacy.erasures" {
			t.Fatalf("restore hooks = %v", got)
		}
	})
}

// Correcting and deleting one's own profile fields goes through the
// directory, which refuses fields the org has locked; it is audited and in
// the ledger (field names only).
func TestCorrectProfileRespectsLocks(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		m := newPerson(t, env, identity.NewAccount{})
		o.join(t, m)
		var e privacy.LedgerEntry
		m.Do(t, "POST", "/api/v1/me/erasures/profile", map[string]any{"fields": map[string]any{"office": "Room 12"}}, &e).Want(t, http.StatusOK)
		if e.Kind != privacy.EraseProfile || e.TargetID != "office" {
			t.Fatalf("ledger = %+v", e)
		}
		r := m.Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		if !strings.Contains(string(r.Body), "Room 12") {
			t.Fatalf("correction not applied: %s", r.Body)
		}
		m.Do(t, "POST", "/api/v1/me/erasures/profile", map[string]any{"fields": map[string]any{"office": nil}}, nil).Want(t, http.StatusOK)
		r = m.Do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		if strings.Contains(string(r.Body), "Room 12") {
			t.Fatalf("deletion not applied: %s", r.Body)
		}
		o.Owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"locked_profile_fields": []string{"office"}}, nil).Want(t, http.StatusOK)
		m.Do(t, "POST", "/api/v1/me/erasures/profile", map[string]any{"fields": map[string]any{"office": "Room 13"}}, nil).WantError(t, http.StatusForbidden, "field_locked")
		m.Do(t, "POST", "/api/v1/me/erasures/profile", map[string]any{"fields": map[string]any{}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.profile.correct'`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d profile corrections audited, want 2", n)
		}
	})
}

// A member an admin removes (no request of their own) has their data in
// the organization erased under its policy too: the privacy center's scan
// of the directory's departures schedules it as of the time they left,
// once, and an anonymized member left behind under a tombstone is not
// taken for a new departure.
func TestAdminRemovalIsErasedByTheScan(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		o := setupOrg(t, env)
		w := newPerson(t, env, identity.NewAccount{Name: "Wanda Removed"})
		o.join(t, w)
		var set privacy.OrgSettings
		o.Owner.Do(t, "GET", "/api/v1/admin/privacy/settings", nil, &set).Want(t, http.StatusOK)
		set.LeavePeriodDays = 0
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", set, nil).Want(t, http.StatusOK)
		o.Owner.Do(t, "DELETE", "/api/v1/members/"+w.MemberID, nil, nil).Want(t, http.StatusNoContent)

		svc := env.App.Privacy()
		for i, want := range []int{1, 0} {
			n, err := svc.ScanDepartures(ctx)
			if err != nil || n != want {
				t.Fatalf("scan %d: scheduled %d (%v), want %d", i, n, err, want)
			}
		}
		var kind, mode, org string
		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT MIN(kind), MIN(mode), MIN(org_id), COUNT(*) FROM erasure_ledger WHERE account_id = $1`, w.AccountID).
			Scan(&kind, &mode, &org, &n); err != nil || n != 1 || kind != privacy.EraseMembership || mode != "anonymize" || org != o.ID {
			t.Fatalf("erasures after removal: %d %s %s %s (%v)", n, kind, mode, org, err)
		}
		waitErasures(t, env, w.AccountID)
		var left int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM members WHERE account_id = $1`, w.AccountID).Scan(&left); err != nil || left != 0 {
			t.Fatalf("members naming the removed person: %d (%v)", left, err)
		}
		if n, err := svc.ScanDepartures(ctx); err != nil || n != 0 {
			t.Fatalf("scan after the erasure scheduled %d (%v): the tombstone was taken for a departure", n, err)
		}
	})
}

// TestAccountDeletionKeepsTheOrganizationsRecords: deleting an account
// destroys the person's key. What an organization keeps of them under its
// "anonymize" leaver policy — their messages in its groups — is re-sealed
// under the organization's key first, so colleagues still read the work
// conversation after the key is gone.
func TestAccountDeletionKeepsTheOrganizationsRecords(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{Name: "Xavier Leaver"})
		y := newPerson(t, env, identity.NewAccount{Name: "Yan Colleague"})
		o.join(t, x)
		o.join(t, y)
		var conv struct {
			ID string `json:"id"`
		}
		y.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Release", "member_ids": []string{x.AccountID}}, &conv).Want(t, http.StatusCreated)
		x.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "r1", "body": "the release plan is final"}, nil).Want(t, http.StatusCreated)

		eraseAccount(t, env, x)
		var h history
		y.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		for _, m := range h.Items {
			if m.Body == "the release plan is final" {
				return
			}
		}
		t.Fatalf("the organization lost its work message with the person's key: %+v", h.Items)
	})
}

// failingDestroy is a keyring whose first Destroy fails, as a crash or a
// lost database connection right after an erasure commits would.
type failingDestroy struct {
	privacy.Keyring
	failed atomic.Bool
}

func (k *failingDestroy) Destroy(ctx context.Context, owner string) error {
	if k.failed.CompareAndSwap(false, true) {
		return errors.New("the database went away")
	}
	return k.Keyring.Destroy(ctx, owner)
}

func (k *failingDestroy) Destroyed(ctx context.Context, owner string) (bool, error) {
	return k.Keyring.(interface {
		Destroyed(context.Context, string) (bool, error)
	}).Destroyed(ctx, owner)
}

// TestAccountErasureDestroysTheKeyAfterAFailure: the erasure is marked done
// in its transaction and the key destroyed after the commit. When that
// fails, the job's retry must still destroy the key, not stop at "done".
func TestAccountErasureDestroysTheKeyAfterAFailure(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{Name: "Xavier Leaver"})
		o.join(t, x)
		k := &failingDestroy{Keyring: env.App.Privacy().Keys}
		env.App.Privacy().Keys = k
		eraseAccount(t, env, x) // waits for the ledger's "done" and the key gone
		if !k.failed.Load() {
			t.Fatal("the first Destroy was never tried")
		}
	})
}

// TestAccountDeletionWaitsForAHold: a person under a legal hold in an
// organization deletes their account. What that organization holds of
// them stays — their personal space there, with its file, and their
// personal calendar — and their key too; once the hold is released the
// erasure runs again and they go.
func TestAccountDeletionWaitsForAHold(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{Name: "Xavier Held"})
		o.join(t, x)
		var sp struct {
			RootID string `json:"root_id"`
		}
		x.Do(t, "GET", "/api/v1/drive/spaces/me", nil, &sp).Want(t, http.StatusOK)
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/drive/items/"+sp.RootID+"/files?name=notes.txt", strings.NewReader("my notes"))
		req.Header.Set("Content-Type", "text/plain")
		if r := x.Request(t, req); r.Status != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		x.Do(t, "GET", "/api/v1/calendars", nil, nil).Want(t, http.StatusOK)
		x.Do(t, "POST", "/api/v1/me/app-passwords", map[string]any{"name": "Calendar", "password": pw}, nil).Want(t, http.StatusCreated)
		count := func(q string) int {
			var n int
			if err := env.App.DB.Reader().QueryRow(q, x.AccountID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		const spaces = `SELECT COUNT(*) FROM drive_spaces WHERE kind = 'personal' AND owner_account_id = $1`
		const files = `SELECT COUNT(*) FROM drive_items i JOIN drive_spaces s ON s.id = i.space_id WHERE s.owner_account_id = $1 AND i.kind = 'file'`
		const cals = `SELECT COUNT(*) FROM calendars WHERE kind = 'personal' AND owner_account_id = $1`
		const keys = `SELECT COUNT(*) FROM data_keys WHERE owner_id = $1`
		if count(spaces) != 1 || count(files) != 1 || count(cals) != 1 {
			t.Fatalf("before: %d spaces, %d files, %d calendars", count(spaces), count(files), count(cals))
		}
		var hold struct {
			ID string `json:"id"`
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "member", "target_id": x.MemberID, "reason": "litigation"}, &hold).
			Want(t, http.StatusCreated)
		x.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, nil).Want(t, http.StatusAccepted)
		status := func() string {
			var s string
			if err := env.App.DB.Reader().QueryRow(`SELECT status FROM erasure_ledger WHERE account_id = $1 AND kind = 'account'`, x.AccountID).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		for i := 0; status() != privacy.LedgerWaitingHold; i++ {
			if i == 500 {
				t.Fatalf("the account erasure is %s, want waiting for the hold", status())
			}
			runJobs(t, env)
			time.Sleep(20 * time.Millisecond)
		}
		if count(spaces) != 1 || count(files) != 1 || count(cals) != 1 || count(keys) != 1 {
			t.Fatalf("under the hold: %d spaces, %d files, %d calendars, %d keys", count(spaces), count(files), count(cals), count(keys))
		}
		// Meanwhile the account opens no more: no sign-in, no app password.
		env.Client().Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": x.Email, "password": pw}, nil).WantError(t, http.StatusUnauthorized, "invalid_credentials")
		if n := count(`SELECT COUNT(*) FROM app_passwords WHERE account_id = $1`); n != 0 {
			t.Fatalf("%d app passwords left while the account is being deleted", n)
		}
		o.Owner.Do(t, "POST", "/api/v1/admin/legal-holds/"+hold.ID+"/release", nil, nil).Want(t, http.StatusOK)
		for i := 0; status() != privacy.LedgerDone || count(keys) != 0; i++ {
			if i == 500 {
				t.Fatalf("after the release the erasure is %s and %d keys are left", status(), count(keys))
			}
			runJobs(t, env)
			time.Sleep(20 * time.Millisecond)
		}
		if count(spaces) != 0 || count(cals) != 0 {
			t.Fatalf("after the release: %d spaces, %d calendars", count(spaces), count(cals))
		}
	})
}

// eraseAccount deletes p's account and waits until the erasure is done and
// the person's key destroyed.
func eraseAccount(t *testing.T, env *servertest.Env, x *person) {
	t.Helper()
	x.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, nil).Want(t, http.StatusAccepted)
	// The erasure is marked done in its transaction; the key is
	// destroyed right after it commits.
	for i := 0; ; i++ {
		runJobs(t, env)
		var status string
		var keys int
		if err := env.App.DB.Reader().QueryRow(`SELECT status FROM erasure_ledger WHERE account_id = $1 AND kind = 'account'`, x.AccountID).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM data_keys WHERE owner_id = $1`, x.AccountID).Scan(&keys); err != nil {
			t.Fatal(err)
		}
		if status == privacy.LedgerDone && keys == 0 {
			break
		}
		if i == 500 {
			t.Fatalf("the account erasure is %s and the person's key is still there (%d)", status, keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDirectChatWithADeletedAccount: once the other person deleted their
// account, a direct chat stays readable, says so, and takes no new message
// (a retried send of an accepted one still answers with it).
func TestDirectChatWithADeletedAccount(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{Name: "Xu Gone"})
		y := newPerson(t, env, identity.NewAccount{Name: "Yan Stays"})
		o.join(t, x)
		o.join(t, y)
		var conv struct {
			ID       string `json:"id"`
			PeerID   string `json:"peer_id"`
			PeerGone bool   `json:"peer_gone"`
		}
		y.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{x.AccountID}}, &conv).Want(t, http.StatusCreated)
		y.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "d1", "body": "see you"}, nil).Want(t, http.StatusCreated)
		x.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "d2", "body": "bye"}, nil).Want(t, http.StatusCreated)
		if conv.PeerGone {
			t.Fatal("peer_gone before the erasure")
		}

		eraseAccount(t, env, x)

		id := conv.ID
		conv.PeerID, conv.PeerGone = "", false
		y.Do(t, "GET", "/api/v1/conversations/"+id, nil, &conv).Want(t, http.StatusOK)
		if !conv.PeerGone || conv.PeerID != "" {
			t.Fatalf("after the erasure: peer_gone %v peer_id %q", conv.PeerGone, conv.PeerID)
		}
		var list struct {
			Items []struct {
				ID       string `json:"id"`
				PeerGone bool   `json:"peer_gone"`
			} `json:"items"`
		}
		y.Do(t, "GET", "/api/v1/conversations", nil, &list).Want(t, http.StatusOK)
		found := false
		for _, c := range list.Items {
			if c.ID == conv.ID {
				found = c.PeerGone
			}
		}
		if !found {
			t.Fatalf("the list does not say the peer is gone: %+v", list.Items)
		}
		var h history
		y.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, &h).Want(t, http.StatusOK)
		if len(h.Items) < 2 {
			t.Fatalf("history after the erasure: %+v", h.Items)
		}
		y.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "d3", "body": "hello?"}, nil).WantError(t, http.StatusConflict, "peer_account_deleted")
		// A retry of a send the server accepted before still answers with it.
		y.Do(t, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"client_msg_id": "d1", "body": "see you"}, nil).Want(t, http.StatusOK)
	})
}
