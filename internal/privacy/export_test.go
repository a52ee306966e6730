package privacy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
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
