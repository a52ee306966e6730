package privacy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// When the organization allows it, a person's export includes other
// people's messages in the org's conversations they take part in — and
// nothing from conversations they are not in, nor what they deleted for
// themselves. By default it does not.
func TestExportOthersMessagesByOrgPolicy(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		x := newPerson(t, env, identity.NewAccount{})
		y := newPerson(t, env, identity.NewAccount{})
		o.join(t, x)
		o.join(t, y)
		var shared, private struct {
			ID string `json:"id"`
		}
		y.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Both", "member_ids": []string{x.AccountID}}, &shared).Want(t, http.StatusCreated)
		y.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Without X", "member_ids": []string{o.Owner.AccountID}}, &private).Want(t, http.StatusCreated)
		var hidden struct {
			ID string `json:"id"`
		}
		y.Do(t, "POST", "/api/v1/conversations/"+shared.ID+"/messages", map[string]any{"client_msg_id": "1", "body": "visible-to-x"}, nil).Want(t, http.StatusCreated)
		y.Do(t, "POST", "/api/v1/conversations/"+shared.ID+"/messages", map[string]any{"client_msg_id": "2", "body": "hidden-by-x"}, &hidden).Want(t, http.StatusCreated)
		y.Do(t, "POST", "/api/v1/conversations/"+private.ID+"/messages", map[string]any{"client_msg_id": "3", "body": "not-for-x"}, nil).Want(t, http.StatusCreated)
		x.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": shared.ID, "message_id": hidden.ID}, nil).Want(t, http.StatusOK)

		_, raw, _, _ := download(t, env, x)
		if strings.Contains(string(raw), "visible-to-x") {
			t.Fatal("others' messages exported although the org does not allow it")
		}
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "anonymize", "leave_period_days": 30, "export_others_messages": true, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
		_, raw, _, _ = download(t, env, x)
		s := string(raw)
		if !strings.Contains(s, "visible-to-x") {
			t.Fatal("others' messages missing although the org allows them")
		}
		for _, bad := range []string{"not-for-x", "hidden-by-x"} {
			if strings.Contains(s, bad) {
				t.Fatalf("export holds %q, which X could not see", bad)
			}
		}
	})
}

// The export's progress reaches the person's event stream.
func TestExportEvents(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		x := newPerson(t, env, identity.NewAccount{})
		download(t, env, x)
		for _, typ := range []string{"export.progress", "export.ready"} {
			var n int
			env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM event_log WHERE scope_kind = 'account' AND scope_id = $1 AND type = $2`, x.AccountID, typ).Scan(&n)
			if n == 0 {
				t.Errorf("no %s event for the person", typ)
			}
		}
		// Another person cannot see or fetch it.
		y := newPerson(t, env, identity.NewAccount{})
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		x.Do(t, "GET", "/api/v1/me/exports", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 1 {
			t.Fatalf("exports = %+v", list)
		}
		y.Do(t, "GET", "/api/v1/me/exports/"+list.Items[0].ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		y.Do(t, "GET", "/api/v1/me/exports/"+list.Items[0].ID+"/download", nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// Once expired the link answers 410 and the expiry job deletes the file.
		id := list.Items[0].ID
		var key string
		env.App.DB.Reader().QueryRow(`SELECT blob_key FROM privacy_exports WHERE id = $1`, id).Scan(&key)
		if _, err := env.App.DB.Writer().Exec(`UPDATE privacy_exports SET expires_at = 1 WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		x.Do(t, "GET", "/api/v1/me/exports/"+id+"/download", nil, nil).WantError(t, http.StatusGone, "export_expired")
		if _, err := env.App.Privacy().Jobs.Enqueue(t.Context(), privacy.JobExpire, nil, jobs.Options{}); err != nil {
			t.Fatal(err)
		}
		waitJobs(t, env)
		if _, _, err := env.App.Privacy().Blobs.Open(t.Context(), key); err == nil {
			t.Fatal("the expired export's file is still stored")
		}
	})
}

// An organization's own notice is listed beside the operator's policy for
// its members only.
func TestOrgNotice(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		m := newPerson(t, env, identity.NewAccount{})
		outsider := newPerson(t, env, identity.NewAccount{})
		o.join(t, m)
		m.Do(t, "POST", "/api/v1/admin/privacy/notice", map[string]any{"version": "1", "body": "x"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		o.Owner.Do(t, "POST", "/api/v1/admin/privacy/notice", map[string]any{"version": "1", "body": "Acme keeps chat for a year."}, nil).Want(t, http.StatusCreated)
		for p, want := range map[*person]bool{m: true, outsider: false} {
			r := p.Do(t, "GET", "/api/v1/policies", nil, nil).Want(t, http.StatusOK)
			if got := strings.Contains(string(r.Body), "Acme keeps chat"); got != want {
				t.Fatalf("org notice shown = %v, want %v", got, want)
			}
		}
		// An org notice does not block anyone.
		m.Do(t, "GET", "/api/v1/contacts", nil, nil).Want(t, http.StatusOK)
	})
}

// An export whose job gave up (every attempt failed, or its node died each
// time) shows as failed instead of "being prepared" for ever, and asking
// again builds the same export under a new job.
func TestFailedExportCanBeAskedAgain(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		x := newPerson(t, env, identity.NewAccount{})
		var e privacy.Export
		x.Do(t, "POST", "/api/v1/me/exports", nil, &e).Want(t, http.StatusAccepted)
		e = waitExport(t, env, x, e.ID)
		// As the job left it after its last failed attempt.
		var jobID string
		if err := env.App.DB.Reader().QueryRow(`SELECT job_id FROM privacy_exports WHERE id = $1`, e.ID).Scan(&jobID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.DB.Writer().Exec(`UPDATE privacy_exports SET status = 'running', progress = 40, blob_key = '' WHERE id = $1`, e.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.DB.Writer().Exec(`UPDATE jobs SET state = 'failed', last_error = 'the file store is down' WHERE id = $1`, jobID); err != nil {
			t.Fatal(err)
		}
		var got privacy.Export
		x.Do(t, "GET", "/api/v1/me/exports/"+e.ID, nil, &got).Want(t, http.StatusOK)
		if got.Status != privacy.ExportFailed {
			t.Fatalf("an export whose job failed reads %q, want failed", got.Status)
		}
		var again privacy.Export
		x.Do(t, "POST", "/api/v1/me/exports", nil, &again).Want(t, http.StatusAccepted)
		if again.ID != e.ID || again.Status != privacy.ExportQueued {
			t.Fatalf("asking again gave %s (%s), want %s queued again", again.ID, again.Status, e.ID)
		}
		if got := waitExport(t, env, x, e.ID); got.Status != privacy.ExportReady || got.DownloadURL == "" {
			t.Fatalf("the export built again is %+v", got)
		}
	})
}
