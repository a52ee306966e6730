package privacy_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestHoldTargetsByName: on the real server, whose group names are sealed,
// an administrator finds a group by a word of its name, places a hold on
// it and reads the list of holds by name; members are found elsewhere.
func TestHoldTargetsByName(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		owner := env.Client()
		owner.Do(t, "POST", "/api/v1/setup", map[string]any{"token": setupToken(t, env), "organization": map[string]any{"name": "Acme"},
			"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": "correct horse battery"}}, &directory.SetupResult{}).
			Want(t, http.StatusCreated)
		var falcon, sales chat.Conversation
		owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Project Falcon 猎鹰", "member_ids": []string{}}, &falcon).
			Want(t, http.StatusCreated)
		owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Sales floor", "member_ids": []string{}}, &sales).
			Want(t, http.StatusCreated)

		find := func(q string) []string {
			t.Helper()
			var l privacy.HoldTargetList
			owner.Do(t, "GET", "/api/v1/admin/legal-holds/targets?q="+url.QueryEscape(q), nil, &l).Want(t, http.StatusOK)
			var out []string
			for _, x := range l.Items {
				out = append(out, x.ID+" "+x.Name+" "+x.Detail)
			}
			return out
		}
		if got := find("FALCON"); len(got) != 1 || got[0] != falcon.ID+" Project Falcon 猎鹰 internal" {
			t.Fatalf("falcon: %q", got)
		}
		if got := find("猎鹰"); len(got) != 1 {
			t.Fatalf("猎鹰: %q", got)
		}
		// The two groups, and the organization's company-wide group.
		if got := find(""); len(got) != 3 {
			t.Fatalf("every group: %q", got)
		}
		if got := find("nothing like it"); len(got) != 0 {
			t.Fatalf("no match: %q", got)
		}
		owner.Do(t, "GET", "/api/v1/admin/legal-holds/targets?kind=member&q=x", nil, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		owner.Do(t, "POST", "/api/v1/admin/legal-holds", map[string]any{"target_kind": "conversation", "target_id": falcon.ID, "reason": "litigation"}, nil).
			Want(t, http.StatusCreated)
		var holds privacy.HoldList
		owner.Do(t, "GET", "/api/v1/admin/legal-holds", nil, &holds).Want(t, http.StatusOK)
		if len(holds.Items) != 1 || holds.Items[0].TargetName != "Project Falcon 猎鹰" {
			t.Fatalf("holds: %+v", holds.Items)
		}
	})
}

// TestHoldTargetsStayInTheOrganization: the search and the names never
// reach another organization's groups, nor direct chats.
func TestHoldTargetsStayInTheOrganization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
		svc := newRetentionService(t, d, clk)
		convs := seed(t, d, clk.Now())
		for n, id := range convs {
			if _, err := d.Writer().ExecContext(context.Background(), `UPDATE conversations SET name = $2 WHERE id = $1`, id, "group "+n); err != nil {
				t.Fatal(err)
			}
		}
		admin := actor.With(context.Background(), &actor.Actor{AccountID: "acc_admin", OrgID: orgA, MemberID: "mem_admin"})
		got, err := svc.FindHoldTargets(admin, "conversation", "GROUP")
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, x := range got {
			names[x.Name] = true
		}
		if len(got) != 4 || !names["group plain"] || !names["group external"] || names["group other_org"] || names["group direct"] {
			t.Fatalf("found %+v", got)
		}
		if _, err := svc.FindHoldTargets(admin, "planet", ""); apperr.KindOf(err) != apperr.KindInvalid {
			t.Fatalf("an unknown kind: %v", err)
		}
		if _, err := svc.PlaceHold(admin, privacy.NewHold{TargetKind: "conversation", TargetID: convs["held"], Reason: "audit"}); err != nil {
			t.Fatal(err)
		}
		hs, err := svc.Holds(admin)
		if err != nil || len(hs) != 1 || hs[0].TargetName != "group held" {
			t.Fatalf("holds %+v %v", hs, err)
		}
	})
}
