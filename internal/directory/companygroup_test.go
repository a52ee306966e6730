package directory_test

import (
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// companyGroups lists the internal groups named name that p is in.
func companyGroups(t *testing.T, p *person, name string) []chat.Conversation {
	t.Helper()
	var list struct {
		Items []chat.Conversation `json:"items"`
	}
	p.do(t, "GET", "/api/v1/conversations", nil, &list).Want(t, http.StatusOK)
	var out []chat.Conversation
	for _, c := range list.Items {
		if c.Kind == chat.KindInternal && c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// A new organization has its company-wide group on: the owner and everyone
// who joins are in one internal group named after it; turned off, newcomers
// are no longer added.
func TestCompanyWideGroup(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		var org directory.Org
		o.Owner.do(t, "GET", "/api/v1/orgs/current", nil, &org).Want(t, http.StatusOK)
		if !org.Settings.CompanyGroup {
			t.Fatalf("a new organization's company-wide group is off: %+v", org.Settings)
		}
		owners := companyGroups(t, o.Owner, "Acme")
		if len(owners) != 1 {
			t.Fatalf("owner's company groups = %+v", owners)
		}
		ann, _ := o.member(t, "Ann Early")
		got := companyGroups(t, ann, "Acme")
		if len(got) != 1 || got[0].ID != owners[0].ID {
			t.Fatalf("the newcomer is not in the company group: %+v", got)
		}

		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"company_group": false}, &org).Want(t, http.StatusOK)
		if org.Settings.CompanyGroup {
			t.Fatal("the setting did not turn off")
		}
		late, _ := o.member(t, "Leo Late")
		if got := companyGroups(t, late, "Acme"); len(got) != 0 {
			t.Fatalf("added with the setting off: %+v", got)
		}
		if got := companyGroups(t, ann, "Acme"); len(got) != 1 {
			t.Fatalf("turning it off changed the group: %+v", got)
		}
	})
}
