package directory_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestOtherOrganizationsObjectsAreNotFound: the owner of organization A
// gets 404 for every member, department, role, field, invitation and join
// request of organization B, exactly as for ids that do not exist.
func TestOtherOrganizationsObjectsAreNotFound(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		a := setupOrg(t, env)
		bOwner := newPerson(t, env, "Bob Owner")
		var b directory.Org
		bOwner.do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Beta"}, &b).Want(t, http.StatusCreated)
		bo := &org{ID: b.ID, Owner: bOwner, env: env}
		_, bm := bo.member(t, "Bea Member")
		var bd directory.Department
		bOwner.do(t, "POST", "/api/v1/departments", map[string]any{"name": "B dept"}, &bd).Want(t, http.StatusCreated)
		var br directory.Role
		bOwner.do(t, "POST", "/api/v1/roles", map[string]any{"name": "B role", "permissions": []string{"manage_members"}}, &br).Want(t, http.StatusCreated)
		var bf directory.Field
		bOwner.do(t, "POST", "/api/v1/fields", map[string]any{"name": "B field", "kind": "text"}, &bf).Want(t, http.StatusCreated)
		bi := inviteLink(t, bOwner, nil)
		bOwner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
		asker := newPerson(t, env, "Ask Er")
		var jr directory.JoinResult
		asker.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, bi.Link)}, &jr).Want(t, http.StatusOK)
		if jr.Status != "pending" {
			t.Fatalf("join %+v", jr)
		}

		missing := "mem_0000000000000000000000000000000a"
		ow := a.Owner
		notFound := func(method, path string, body any) {
			t.Helper()
			r := ow.do(t, method, path, body, nil)
			r.WantError(t, http.StatusNotFound, "not_found")
			// Byte-identical to a missing id apart from the request id.
			m := ow.do(t, method, strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(path, bm, missing), bd.ID, missing), br.ID, missing), bf.ID, missing), bi.ID, missing), jr.RequestID, missing), body, nil)
			if m.Status != r.Status || m.ErrorCode() != r.ErrorCode() {
				t.Fatalf("%s %s: %d %s for another org, %d %s for a missing id", method, path, r.Status, r.ErrorCode(), m.Status, m.ErrorCode())
			}
		}
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/members/" + bm, nil},
			{"PATCH", "/api/v1/members/" + bm, map[string]any{"title": "x"}},
			{"DELETE", "/api/v1/members/" + bm, nil},
			{"POST", "/api/v1/members/" + bm + "/deactivate", nil},
			{"POST", "/api/v1/members/" + bm + "/reactivate", nil},
			{"GET", "/api/v1/members/" + bm + "/supervisors", nil},
			{"PUT", "/api/v1/members/" + bm + "/roles", map[string]any{"role": "admin"}},
			{"GET", "/api/v1/departments/" + bd.ID, nil},
			{"PATCH", "/api/v1/departments/" + bd.ID, map[string]any{"name": "x"}},
			{"DELETE", "/api/v1/departments/" + bd.ID, nil},
			{"GET", "/api/v1/departments/" + bd.ID + "/members", nil},
			{"PUT", "/api/v1/departments/" + bd.ID + "/leaders", map[string]any{"member_ids": []string{}}},
			{"GET", "/api/v1/roles/" + br.ID, nil},
			{"PUT", "/api/v1/roles/" + br.ID, map[string]any{"name": "x", "permissions": []string{}}},
			{"DELETE", "/api/v1/roles/" + br.ID, nil},
			{"GET", "/api/v1/fields/" + bf.ID, nil},
			{"PATCH", "/api/v1/fields/" + bf.ID, map[string]any{"name": "x"}},
			{"DELETE", "/api/v1/fields/" + bf.ID, nil},
			{"GET", "/api/v1/invitations/" + bi.ID, nil},
			{"DELETE", "/api/v1/invitations/" + bi.ID, nil},
			{"GET", "/api/v1/invitations/" + bi.ID + "/qr.png", nil},
			{"GET", "/api/v1/invitations/" + bi.ID + "/qr.svg", nil},
			{"POST", "/api/v1/join-requests/" + jr.RequestID + "/approve", nil},
			{"POST", "/api/v1/join-requests/" + jr.RequestID + "/reject", nil},
		} {
			notFound(c.method, c.path, c.body)
		}
		// B's ids inside A's requests are unknown too.
		ow.do(t, "PATCH", "/api/v1/members/me", map[string]any{"department_ids": []string{bd.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ow.do(t, "PATCH", "/api/v1/members/me", map[string]any{"fields": map[string]any{bf.ID: "x"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ow.do(t, "POST", "/api/v1/departments", map[string]any{"name": "x", "parent_id": bd.ID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Lists show nothing of B.
		var page directory.MemberPage
		ow.do(t, "GET", "/api/v1/members", nil, &page).Want(t, http.StatusOK)
		for _, m := range page.Items {
			if m.ID == bm {
				t.Fatal("A's member list shows B's member")
			}
		}
		// B's objects are untouched.
		var still directory.Department
		bOwner.do(t, "GET", "/api/v1/departments/"+bd.ID, nil, &still).Want(t, http.StatusOK)
	})
}

// TestPlainMemberCannotManage: a plain member is refused every management
// action, and the refusal is the same — status, code and body — for a real
// id of their organization, another organization's id and a made-up one:
// 403 forbidden where members can read the object (members, departments,
// roles, fields), 404 not_found where they cannot (invitations, join
// requests).
func TestPlainMemberCannotManage(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		m, _ := o.member(t, "Mia Member")
		_, other := o.member(t, "Otto Other")
		_, gone := o.member(t, "Gina Gone")
		o.Owner.do(t, "POST", "/api/v1/members/"+gone+"/deactivate", nil, nil).Want(t, http.StatusOK)
		d := dept(t, o.Owner, "Ops", "")
		var r directory.Role
		o.Owner.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Helpers", "permissions": []string{"manage_fields"}}, &r).Want(t, http.StatusCreated)
		var f directory.Field
		o.Owner.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Desk", "kind": "text"}, &f).Want(t, http.StatusCreated)
		inv := inviteLink(t, o.Owner, nil)
		o.Owner.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
		asker := newPerson(t, env, "Ask Er")
		var jr directory.JoinResult
		asker.do(t, "POST", "/api/v1/join", map[string]any{"token": tokenOf(t, inviteLink(t, o.Owner, nil).Link)}, &jr).Want(t, http.StatusOK)
		other2 := newPerson(t, env, "Nina New")

		// Routes without an id: 403.
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/v1/members", map[string]any{"email": other2.Email}},
			{"GET", "/api/v1/members/export", nil},
			{"POST", "/api/v1/roles", map[string]any{"name": "x", "permissions": []string{"manage_members"}}},
			{"POST", "/api/v1/fields", map[string]any{"name": "x", "kind": "text"}},
			{"POST", "/api/v1/departments", map[string]any{"name": "x"}},
			{"POST", "/api/v1/departments", map[string]any{"name": "x", "parent_id": "dep_00000000000000000000000000000000"}},
			{"POST", "/api/v1/invitations", map[string]any{"kind": "link"}},
			{"GET", "/api/v1/invitations", nil},
			{"GET", "/api/v1/join-requests", nil},
			{"PATCH", "/api/v1/orgs/current", map[string]any{"name": "x"}},
			{"GET", "/api/v1/audit", nil},
		} {
			m.do(t, c.method, c.path, c.body, nil).WantError(t, http.StatusForbidden, "forbidden")
		}
		// Routes with an id: one answer for a real id and a made-up one.
		const missing = "x_00000000000000000000000000000000"
		for _, c := range []struct {
			method, path, id string
			body             any
			status           int
		}{
			{"PATCH", "/api/v1/members/%s", other, map[string]any{"title": "x"}, 403},
			{"PATCH", "/api/v1/members/%s", gone, map[string]any{"title": "x"}, 403},
			{"POST", "/api/v1/members/%s/deactivate", other, nil, 403},
			{"POST", "/api/v1/members/%s/reactivate", gone, nil, 403},
			{"DELETE", "/api/v1/members/%s", other, nil, 403},
			{"DELETE", "/api/v1/members/%s", gone, nil, 403},
			{"PUT", "/api/v1/members/%s/roles", other, map[string]any{"role": "admin"}, 403},
			{"PUT", "/api/v1/roles/%s", r.ID, map[string]any{"name": "x", "permissions": []string{"manage_members"}}, 403},
			{"DELETE", "/api/v1/roles/%s", r.ID, nil, 403},
			{"PATCH", "/api/v1/fields/%s", f.ID, map[string]any{"locked": true}, 403},
			{"DELETE", "/api/v1/fields/%s", f.ID, nil, 403},
			{"PATCH", "/api/v1/departments/%s", d.ID, map[string]any{"name": "x"}, 403},
			{"DELETE", "/api/v1/departments/%s", d.ID, nil, 403},
			{"PUT", "/api/v1/departments/%s/leaders", d.ID, map[string]any{"member_ids": []string{}}, 403},
			{"GET", "/api/v1/invitations/%s", inv.ID, nil, 404},
			{"DELETE", "/api/v1/invitations/%s", inv.ID, nil, 404},
			{"GET", "/api/v1/invitations/%s/qr.png", inv.ID, nil, 404},
			{"POST", "/api/v1/join-requests/%s/approve", jr.RequestID, nil, 404},
			{"POST", "/api/v1/join-requests/%s/reject", jr.RequestID, nil, 404},
		} {
			real := m.do(t, c.method, fmt.Sprintf(c.path, c.id), c.body, nil)
			made := m.do(t, c.method, fmt.Sprintf(c.path, missing), c.body, nil)
			code := map[int]string{403: "forbidden", 404: "not_found"}[c.status]
			if real.Status != c.status || real.ErrorCode() != code {
				t.Errorf("%s %s (real id): %d %s, want %d %s", c.method, c.path, real.Status, real.Body, c.status, code)
			}
			if made.Status != real.Status || !bytes.Equal(ridRe.ReplaceAll(made.Body, nil), ridRe.ReplaceAll(real.Body, nil)) {
				t.Errorf("%s %s: %d %s for a real id, %d %s for a made-up one", c.method, c.path, real.Status, real.Body, made.Status, made.Body)
			}
		}
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/members/import", strings.NewReader("email\nx@example.test\n"))
		req.Header.Set("Content-Type", "text/csv")
		m.Request(t, req).WantError(t, http.StatusForbidden, "forbidden")
		// Reading the directory is fine.
		m.do(t, "GET", "/api/v1/members/"+other, nil, nil).Want(t, http.StatusOK)
		m.do(t, "GET", "/api/v1/departments", nil, nil).Want(t, http.StatusOK)
		m.do(t, "GET", "/api/v1/roles", nil, nil).Want(t, http.StatusOK)
		m.do(t, "GET", "/api/v1/fields", nil, nil).Want(t, http.StatusOK)
		// Denials of member management are in the audit log.
		if acts := auditActions(t, env, o); !hasAction(acts, "member.deactivate:denied") {
			t.Fatalf("audit lacks the denied deactivation: %v", acts)
		}
	})
}

var ridRe = regexp.MustCompile(`"request_id":"[^"]*"`)

// TestScopedGrantRevealsOnlyWhatItReads: with manage_members limited to a
// department, a member outside it whom the caller can read (active) is
// refused with 403, but one they cannot read (deactivated) answers exactly
// like a missing id.
func TestScopedGrantRevealsOnlyWhatItReads(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		eng := dept(t, ow, "Engineering", "")
		hr, hrID := o.member(t, "Hana HR")
		_, inEng := o.member(t, "Ed Eng")
		_, outside := o.member(t, "Sal Sales")
		_, outsideGone := o.member(t, "Gus Gone")
		_, engGone := o.member(t, "Eve Eng")
		ow.do(t, "PATCH", "/api/v1/members/"+inEng, map[string]any{"department_ids": []string{eng.ID}}, nil).Want(t, http.StatusOK)
		ow.do(t, "PATCH", "/api/v1/members/"+engGone, map[string]any{"department_ids": []string{eng.ID}}, nil).Want(t, http.StatusOK)
		ow.do(t, "POST", "/api/v1/members/"+outsideGone+"/deactivate", nil, nil).Want(t, http.StatusOK)
		ow.do(t, "POST", "/api/v1/members/"+engGone+"/deactivate", nil, nil).Want(t, http.StatusOK)
		var role directory.Role
		ow.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Eng HR", "permissions": []string{"manage_members"}, "department_id": eng.ID}, &role).Want(t, http.StatusCreated)
		ow.do(t, "PUT", "/api/v1/members/"+hrID+"/roles", map[string]any{"role_ids": []string{role.ID}}, nil).Want(t, http.StatusOK)

		const missing = "mem_00000000000000000000000000000000"
		for _, c := range []struct{ method, path string }{
			{"POST", "/api/v1/members/%s/deactivate"},
			{"POST", "/api/v1/members/%s/reactivate"},
			{"DELETE", "/api/v1/members/%s"},
			{"PATCH", "/api/v1/members/%s"},
		} {
			var body any
			if c.method == "PATCH" {
				body = map[string]any{"title": "x"}
			}
			hr.do(t, c.method, fmt.Sprintf(c.path, outside), body, nil).WantError(t, http.StatusForbidden, "forbidden")
			hidden := hr.do(t, c.method, fmt.Sprintf(c.path, outsideGone), body, nil).WantError(t, http.StatusNotFound, "not_found")
			made := hr.do(t, c.method, fmt.Sprintf(c.path, missing), body, nil)
			if made.Status != hidden.Status || !bytes.Equal(ridRe.ReplaceAll(made.Body, nil), ridRe.ReplaceAll(hidden.Body, nil)) {
				t.Errorf("%s %s: %d %s for a deactivated member outside the grant, %d %s for a made-up id", c.method, c.path, hidden.Status, hidden.Body, made.Status, made.Body)
			}
		}
		// Inside the grant the deactivated member is visible and manageable.
		hr.do(t, "POST", "/api/v1/members/"+engGone+"/reactivate", nil, nil).Want(t, http.StatusOK)
		hr.do(t, "POST", "/api/v1/members/"+inEng+"/deactivate", nil, nil).Want(t, http.StatusOK)
	})
}

// TestRolesAndScopedPermissions: custom roles grant named permissions,
// optionally only for a department subtree; Authorize serves other domains
// (here the audit log's audit.read).
func TestRolesAndScopedPermissions(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		eng := dept(t, ow, "Engineering", "")
		backend := dept(t, ow, "Backend", eng.ID)
		sales := dept(t, ow, "Sales", "")
		hr, hrID := o.member(t, "Hana HR")
		_, inBackend := o.member(t, "Ben Backend")
		_, inSales := o.member(t, "Sal Sales")
		ow.do(t, "PATCH", "/api/v1/members/"+inBackend, map[string]any{"department_ids": []string{backend.ID}}, nil).Want(t, http.StatusOK)
		ow.do(t, "PATCH", "/api/v1/members/"+inSales, map[string]any{"department_ids": []string{sales.ID}}, nil).Want(t, http.StatusOK)

		var roles directory.RoleList
		ow.do(t, "GET", "/api/v1/roles", nil, &roles).Want(t, http.StatusOK)
		if len(roles.Items) != 3 || len(roles.Permissions) != len(perm.All) {
			t.Fatalf("roles %+v", roles)
		}
		ow.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Bad", "permissions": []string{"fly"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		var eh directory.Role
		ow.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Engineering HR", "permissions": []string{"manage_members", "view_audit_log"}, "department_id": eng.ID}, &eh).Want(t, http.StatusCreated)
		ow.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Engineering HR", "permissions": []string{}}, nil).WantError(t, http.StatusConflict, "role_name_taken")
		var got directory.Member
		ow.do(t, "PUT", "/api/v1/members/"+hrID+"/roles", map[string]any{"role_ids": []string{eh.ID}}, &got).Want(t, http.StatusOK)
		if len(got.RoleIDs) != 1 || got.RoleIDs[0] != eh.ID {
			t.Fatalf("roles of hr %+v", got.RoleIDs)
		}
		var perms directory.MyPermissions
		hr.do(t, "GET", "/api/v1/me/permissions", nil, &perms).Want(t, http.StatusOK)
		if len(perms.Permissions) != 0 || len(perms.Scoped) != 2 {
			t.Fatalf("hr permissions %+v", perms)
		}
		// Inside the subtree (Backend is under Engineering): allowed.
		hr.do(t, "PATCH", "/api/v1/members/"+inBackend, map[string]any{"title": "Engineer"}, nil).Want(t, http.StatusOK)
		hr.do(t, "POST", "/api/v1/members/"+inBackend+"/deactivate", nil, nil).Want(t, http.StatusOK)
		// Outside it, or organization-wide: 403.
		hr.do(t, "PATCH", "/api/v1/members/"+inSales, map[string]any{"title": "x"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		hr.do(t, "GET", "/api/v1/members/export", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		hr.do(t, "POST", "/api/v1/fields", map[string]any{"name": "x", "kind": "text"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		// A department-limited audit permission does not open the whole log.
		hr.do(t, "GET", "/api/v1/audit", nil, nil).WantError(t, http.StatusForbidden, "forbidden")

		// An organization-wide role with view_audit_log does.
		var auditor directory.Role
		ow.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Auditor", "permissions": []string{"view_audit_log"}}, &auditor).Want(t, http.StatusCreated)
		ow.do(t, "PUT", "/api/v1/members/"+hrID+"/roles", map[string]any{"role_ids": []string{eh.ID, auditor.ID}}, nil).Want(t, http.StatusOK)
		hr.do(t, "GET", "/api/v1/audit", nil, nil).Want(t, http.StatusOK)

		// Only owners and admins make admins.
		var roleMgr directory.Role
		ow.do(t, "POST", "/api/v1/roles", map[string]any{"name": "Role managers", "permissions": []string{"manage_roles"}}, &roleMgr).Want(t, http.StatusCreated)
		ow.do(t, "PUT", "/api/v1/members/"+hrID+"/roles", map[string]any{"role_ids": []string{roleMgr.ID}}, nil).Want(t, http.StatusOK)
		hr.do(t, "PUT", "/api/v1/members/"+inSales+"/roles", map[string]any{"role": "admin"}, nil).WantError(t, http.StatusForbidden, "admin_only")
		ow.do(t, "PUT", "/api/v1/members/"+inSales+"/roles", map[string]any{"role": "owner"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ow.do(t, "PUT", "/api/v1/members/"+inSales+"/roles", map[string]any{"role": "admin"}, &got).Want(t, http.StatusOK)
		if got.Role != directory.RoleAdmin {
			t.Fatalf("role %q", got.Role)
		}
		// Deleting a department a role is limited to is refused.
		ow.do(t, "DELETE", "/api/v1/departments/"+backend.ID, nil, nil).Want(t, http.StatusNoContent)
		ow.do(t, "DELETE", "/api/v1/departments/"+eng.ID, nil, nil).WantError(t, http.StatusConflict, "department_in_use")
		ow.do(t, "DELETE", "/api/v1/roles/"+eh.ID, nil, nil).Want(t, http.StatusNoContent)
		ow.do(t, "DELETE", "/api/v1/departments/"+eng.ID, nil, nil).Want(t, http.StatusNoContent)

		acts := auditActions(t, env, o)
		for _, want := range []string{"role.create:success", "role.delete:success", "member.assign_roles:success", "member.assign_roles:denied"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
	})
}
