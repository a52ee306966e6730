package directory_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestOrganizationsCreateListSwitchUpdate(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		a := setupOrg(t, env)
		// The owner creates a second organization: it becomes current.
		var b directory.Org
		a.Owner.do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Beta Ltd", "region": "EU", "industry": "Retail", "size": "1-10"}, &b).Want(t, http.StatusCreated)
		var cur directory.Org
		a.Owner.do(t, "GET", "/api/v1/orgs/current", nil, &cur).Want(t, http.StatusOK)
		if cur.ID != b.ID {
			t.Fatalf("current org %s, want the new %s", cur.ID, b.ID)
		}
		var mine directory.MyOrgList
		a.Owner.do(t, "GET", "/api/v1/me/orgs", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 2 {
			t.Fatalf("my orgs %+v", mine)
		}
		for _, m := range mine.Items {
			if m.Role != directory.RoleOwner || m.Current != (m.OrgID == b.ID) {
				t.Fatalf("my org %+v", m)
			}
		}
		// Switch back; an organization one is not in answers 404.
		a.Owner.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": a.ID}, nil).Want(t, http.StatusOK)
		a.Owner.do(t, "GET", "/api/v1/orgs/current", nil, &cur).Want(t, http.StatusOK)
		if cur.ID != a.ID {
			t.Fatalf("switch did not take: %s", cur.ID)
		}
		stranger := newPerson(t, env, "Sam Stranger")
		stranger.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": a.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		stranger.do(t, "GET", "/api/v1/orgs/current", nil, nil).WantError(t, http.StatusForbidden, "no_organization")

		m, _ := a.member(t, "Mia Member")

		// Rename and settings.
		var up directory.Org
		a.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Acme Corp", "join_requires_approval": true, "locked_profile_fields": []string{"display_name"}}, &up).Want(t, http.StatusOK)
		if up.Name != "Acme Corp" || !up.Settings.JoinRequiresApproval || len(up.Settings.LockedProfileFields) != 1 {
			t.Fatalf("updated org %+v", up)
		}
		a.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"locked_profile_fields": []string{"title"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		a.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": ""}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// A plain member may not.
		m.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": "Mine"}, nil).WantError(t, http.StatusForbidden, "forbidden")

		acts := auditActions(t, env, a)
		if !hasAction(acts, "org.update:success") {
			t.Fatalf("audit: %v", acts)
		}
	})
}

func TestTransferDisbandQuit(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		adminP, adminID := o.member(t, "Ada Admin")
		_ = adminP
		m, mID := o.member(t, "Mia Member")

		// Only the owner, and only with the password.
		m.do(t, "POST", "/api/v1/orgs/current/transfer", map[string]any{"member_id": mID, "password": pw}, nil).WantError(t, http.StatusForbidden, "owner_only")
		o.Owner.do(t, "POST", "/api/v1/orgs/current/transfer", map[string]any{"member_id": adminID, "password": "wrong password!"}, nil).WantError(t, http.StatusForbidden, "reauthentication_failed")
		o.Owner.do(t, "POST", "/api/v1/orgs/current/transfer", map[string]any{"member_id": adminID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var after directory.Org
		o.Owner.do(t, "POST", "/api/v1/orgs/current/transfer", map[string]any{"member_id": adminID, "password": pw}, &after).Want(t, http.StatusOK)
		if after.OwnerAccountID != adminP.AccountID {
			t.Fatalf("owner %s, want %s", after.OwnerAccountID, adminP.AccountID)
		}
		var old directory.Member
		o.Owner.do(t, "GET", "/api/v1/members/me", nil, &old).Want(t, http.StatusOK)
		if old.Role != directory.RoleAdmin {
			t.Fatalf("old owner's role %q, want admin", old.Role)
		}

		// The owner cannot quit; a member can, and loses access at once.
		adminP.do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).WantError(t, http.StatusConflict, "owner_cannot_quit")
		m.do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)
		m.do(t, "GET", "/api/v1/members/me", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		var mine directory.MyOrgList
		m.do(t, "GET", "/api/v1/me/orgs", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 0 {
			t.Fatalf("quit member still has %+v", mine.Items)
		}

		// Disband: owner only, name typed, password again.
		o.Owner.do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": "Acme", "password": pw}, nil).WantError(t, http.StatusForbidden, "owner_only")
		adminP.do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": "Wrong", "password": pw}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		adminP.do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": "Acme", "password": "nope nope nope"}, nil).WantError(t, http.StatusForbidden, "reauthentication_failed")
		acts := auditActions(t, env, o)
		adminP.do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": "Acme", "password": pw}, nil).Want(t, http.StatusNoContent)
		// Nobody acts in it any more.
		o.Owner.do(t, "GET", "/api/v1/members", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		adminP.do(t, "GET", "/api/v1/orgs/current", nil, nil).WantError(t, http.StatusForbidden, "no_organization")

		for _, want := range []string{"org.transfer:denied", "org.transfer:success", "member.quit:success", "org.disband:denied"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
		if acts := auditActions(t, env, o); !hasAction(acts, "org.disband:success") {
			t.Errorf("audit lacks the disband: %v", acts)
		}
	})
}

// An admin who quits and joins again comes back as a plain member: their
// role, custom roles and department leadership stay behind.
func TestAdminWhoQuitsRejoinsAsAMember(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		p, id := o.member(t, "Ada Again")
		var d directory.Department
		o.Owner.do(t, "POST", "/api/v1/departments", map[string]any{"name": "Sales"}, &d).Want(t, http.StatusCreated)
		o.Owner.do(t, "PATCH", "/api/v1/members/"+id, map[string]any{"department_ids": []string{d.ID}}, nil).Want(t, http.StatusOK)
		o.Owner.do(t, "PUT", "/api/v1/departments/"+d.ID+"/leaders", map[string]any{"member_ids": []string{id}}, nil).Want(t, http.StatusOK)
		o.Owner.do(t, "PUT", "/api/v1/members/"+id+"/roles", map[string]any{"role": "admin"}, nil).Want(t, http.StatusOK)
		p.do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)

		var res directory.JoinResult
		p.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, inviteLink(t, o.Owner, nil).Link)}, &res).Want(t, http.StatusOK)
		if res.MemberID != id {
			t.Fatalf("rejoined as %s, want the old membership %s", res.MemberID, id)
		}
		p.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
		var me directory.Member
		p.do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
		if me.Role != directory.RoleMember {
			t.Fatalf("rejoined with role %q, want member", me.Role)
		}
		var leads int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM department_members WHERE member_id = $1 AND is_leader`, id).Scan(&leads); err != nil || leads != 0 {
			t.Fatalf("still leads %d departments (%v)", leads, err)
		}
		p.do(t, "PUT", "/api/v1/members/"+id+"/roles", map[string]any{"role": "admin"}, nil).WantError(t, http.StatusForbidden, "forbidden")
	})
}

// The department tree nests at most MaxDepartmentDepth levels, by creation
// and by moves, so that walking it (the cycle check, leaders' chains)
// always reaches its top.
func TestDepartmentDepthIsBounded(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		parent := ""
		var chain []string
		for i := 0; i < directory.MaxDepartmentDepth; i++ {
			var d directory.Department
			o.Owner.do(t, "POST", "/api/v1/departments", map[string]any{"name": fmt.Sprint("Level ", i+1), "parent_id": parent}, &d).Want(t, http.StatusCreated)
			parent = d.ID
			chain = append(chain, d.ID)
		}
		o.Owner.do(t, "POST", "/api/v1/departments", map[string]any{"name": "Too deep", "parent_id": parent}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// A department with a child cannot move where the child would be
		// one level too deep.
		var top, child directory.Department
		o.Owner.do(t, "POST", "/api/v1/departments", map[string]any{"name": "Side"}, &top).Want(t, http.StatusCreated)
		o.Owner.do(t, "POST", "/api/v1/departments", map[string]any{"name": "Side child", "parent_id": top.ID}, &child).Want(t, http.StatusCreated)
		at := chain[len(chain)-2] // level 99: Side at 100, its child at 101
		o.Owner.do(t, "PATCH", "/api/v1/departments/"+top.ID, map[string]any{"parent_id": at}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		o.Owner.do(t, "PATCH", "/api/v1/departments/"+top.ID, map[string]any{"parent_id": chain[len(chain)-3]}, nil).Want(t, http.StatusOK)
		// Nor under its own subtree.
		o.Owner.do(t, "PATCH", "/api/v1/departments/"+chain[0], map[string]any{"parent_id": chain[10]}, nil).WantError(t, http.StatusConflict, "department_cycle")
	})
}

// Two transfers of ownership at once leave one owner: the second finds the
// organization handed over already.
func TestConcurrentTransfersLeaveOneOwner(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		_, m1 := o.member(t, "Mo One")
		_, m2 := o.member(t, "Mo Two")
		var wg sync.WaitGroup
		codes := make([]string, 2)
		for i, id := range []string{m1, m2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := o.Owner.do(t, "POST", "/api/v1/orgs/current/transfer", map[string]any{"member_id": id, "password": pw}, nil)
				codes[i] = fmt.Sprint(r.Status, " ", r.ErrorCode())
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			switch c {
			case "200 ":
				ok++
			case "409 owner_changed", "403 owner_only", "403 reauthentication_failed": // refused: the other went first
			default:
				t.Fatalf("a transfer answered %s", c)
			}
		}
		var owners int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM members WHERE org_id = $1 AND role = 'owner'`, o.ID).Scan(&owners); err != nil {
			t.Fatal(err)
		}
		if ok != 1 || owners != 1 {
			t.Fatalf("%d transfers succeeded (%v), %d owners", ok, codes, owners)
		}
	})
}
