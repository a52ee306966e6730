package directory_test

import (
	"context"
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

// An organization made before the setting existed has no company-wide
// group: when an admin turns the setting on, the group is made then, with
// every active member (not those who left), and newcomers join it after.
// Turning it off again keeps the group; turning it on once more adds those
// who joined meanwhile, to the same group.
func TestCompanyWideGroupTurnedOnLater(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		// As an organization made before the setting: off, and no group.
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"company_group": false}, nil).Want(t, http.StatusOK)
		first := companyGroups(t, o.Owner, "Acme")
		if len(first) != 1 {
			t.Fatalf("owner's company groups = %+v", first)
		}
		o.Owner.do(t, "DELETE", "/api/v1/conversations/"+first[0].ID, nil, nil).Want(t, http.StatusNoContent)
		ctx := context.Background()
		if _, err := env.App.DB.W(ctx).ExecContext(ctx, `UPDATE orgs SET company_group_id = '' WHERE id = $1`, o.ID); err != nil {
			t.Fatal(err)
		}
		live := func(p *person) []chat.Conversation {
			var out []chat.Conversation
			for _, c := range companyGroups(t, p, "Acme") {
				if !c.Dissolved {
					out = append(out, c)
				}
			}
			return out
		}
		ann, _ := o.member(t, "Ann Older")
		bob, _ := o.member(t, "Bob Older")
		gone, goneID := o.member(t, "Gus Gone")
		o.Owner.do(t, "POST", "/api/v1/members/"+goneID+"/deactivate", nil, nil).Want(t, http.StatusOK)
		for _, p := range []*person{o.Owner, ann, bob} {
			if got := live(p); len(got) != 0 {
				t.Fatalf("%s is in a company group with the setting off: %+v", p.Name, got)
			}
		}

		// An admin turns it on: the group is made with everyone active.
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"company_group": true}, nil).Want(t, http.StatusOK)
		owners := live(o.Owner)
		if len(owners) != 1 {
			t.Fatalf("owner's company groups after turning it on = %+v", owners)
		}
		group := owners[0].ID
		for _, p := range []*person{ann, bob} {
			if got := live(p); len(got) != 1 || got[0].ID != group {
				t.Fatalf("%s is not in the new company group: %+v", p.Name, got)
			}
		}
		var members struct {
			Items []struct {
				AccountID string `json:"account_id"`
				Role      string `json:"role"`
			} `json:"items"`
		}
		o.Owner.do(t, "GET", "/api/v1/conversations/"+group+"/members", nil, &members).Want(t, http.StatusOK)
		roles := map[string]string{}
		for _, m := range members.Items {
			roles[m.AccountID] = m.Role
		}
		if len(roles) != 3 || roles[o.Owner.AccountID] != "owner" || roles[gone.AccountID] != "" {
			t.Fatalf("the company group's members = %+v", roles)
		}
		// Turning it on again changes nothing; a newcomer joins it.
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"company_group": true}, nil).Want(t, http.StatusOK)
		cy, _ := o.member(t, "Cy Newer")
		if got := live(cy); len(got) != 1 || got[0].ID != group {
			t.Fatalf("the newcomer is not in the company group: %+v", got)
		}

		// Off: the group stays; on again: who joined meanwhile is added to it.
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"company_group": false}, nil).Want(t, http.StatusOK)
		if got := live(ann); len(got) != 1 || got[0].ID != group {
			t.Fatalf("turning it off changed the group: %+v", got)
		}
		dee, _ := o.member(t, "Dee Between")
		if got := live(dee); len(got) != 0 {
			t.Fatalf("added with the setting off: %+v", got)
		}
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"company_group": true}, nil).Want(t, http.StatusOK)
		if got := live(dee); len(got) != 1 || got[0].ID != group {
			t.Fatalf("turned on again, the member who joined meanwhile is not in the group: %+v", got)
		}
		if got := live(o.Owner); len(got) != 1 {
			t.Fatalf("a second company group was made: %+v", got)
		}
	})
}
