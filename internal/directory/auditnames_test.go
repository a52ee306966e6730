package directory_test

import (
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// The audit log names who did what to whom: actors, targets and the ids in
// the details by their current names, a person filter by member id, and a
// removed member as a former member rather than a raw id.
func TestAuditLogNamesPeopleAndObjects(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		_, bob := o.member(t, "Bob Builder")
		var d directory.Department
		o.Owner.do(t, "POST", "/api/v1/departments", map[string]any{"name": "Sales 销售"}, &d).Want(t, http.StatusCreated)
		var shirt directory.Field
		o.Owner.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Shirt 衬衫", "kind": "text"}, &shirt).Want(t, http.StatusCreated)
		o.Owner.do(t, "PATCH", "/api/v1/members/"+bob, map[string]any{"department_ids": []string{d.ID}, "fields": map[string]any{shirt.ID: "M"}}, nil).Want(t, http.StatusOK)
		o.Owner.do(t, "PUT", "/api/v1/departments/"+d.ID+"/leaders", map[string]any{"member_ids": []string{bob}}, nil).Want(t, http.StatusOK)

		var page audit.Page
		o.Owner.do(t, "GET", "/api/v1/audit?person="+bob, nil, &page).Want(t, http.StatusOK)
		var update *audit.Item
		for i := range page.Items {
			it := &page.Items[i]
			if it.ActorMemberID != "" && it.ActorMemberID != bob && it.TargetID != bob {
				t.Fatalf("person filter let through %s on %s", it.Action, it.TargetID)
			}
			if it.Action == "member.update" {
				update = it
			}
		}
		if update == nil {
			t.Fatalf("no member.update for bob in %+v", page.Items)
		}
		if update.Names[shirt.ID] != "Shirt 衬衫" {
			t.Fatalf("the changed custom field is not named: %+v", update.Names)
		}
		if update.ActorName != "Olivia Owner" || update.TargetName != "Bob Builder" || update.ActorFormer || update.TargetFormer {
			t.Fatalf("names = actor %q target %q (former %v %v)", update.ActorName, update.TargetName, update.ActorFormer, update.TargetFormer)
		}

		page = audit.Page{}
		o.Owner.do(t, "GET", "/api/v1/audit?action=department.set_leaders", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 1 || page.Items[0].TargetName != "Sales 销售" || page.Items[0].Names[bob] != "Bob Builder" {
			t.Fatalf("set_leaders entry = %+v", page.Items)
		}

		o.Owner.do(t, "DELETE", "/api/v1/members/"+bob, nil, nil).Want(t, http.StatusNoContent)
		page = audit.Page{}
		o.Owner.do(t, "GET", "/api/v1/audit?action=member.update", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) == 0 || page.Items[0].TargetName != "" || !page.Items[0].TargetFormer {
			t.Fatalf("removed member's entry = %+v", page.Items)
		}
	})
}
