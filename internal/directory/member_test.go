package directory_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func dept(t *testing.T, p *person, name, parent string) directory.Department {
	t.Helper()
	var d directory.Department
	p.do(t, "POST", "/api/v1/departments", map[string]any{"name": name, "parent_id": parent}, &d).Want(t, http.StatusCreated)
	return d
}

func ids(ms []directory.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestDepartmentsAndSupervisors: a member in three departments with a
// supervisor chain of four levels; recursive department members; moving a
// subtree; refusing cycles.
func TestDepartmentsAndSupervisors(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		eng := dept(t, ow, "Engineering", "")
		backend := dept(t, ow, "Backend", eng.ID)
		storage := dept(t, ow, "Storage", backend.ID)
		sales := dept(t, ow, "Sales", "")
		support := dept(t, ow, "Support", "")

		var list directory.DepartmentList
		ow.do(t, "GET", "/api/v1/departments", nil, &list).Want(t, http.StatusOK)
		if len(list.Items) != 5 {
			t.Fatalf("departments %+v", list.Items)
		}

		// Five members: m0 reports to m1, m1 to m2, m2 to m3, m3 to m4.
		var mid [5]string
		for i := range mid {
			_, mid[i] = o.member(t, []string{"Dev Zero", "Lead One", "Manager Two", "Director Three", "Chief Four"}[i])
		}
		for i := 0; i < 4; i++ {
			ow.do(t, "PATCH", "/api/v1/members/"+mid[i], map[string]any{"supervisor_id": mid[i+1]}, nil).Want(t, http.StatusOK)
		}
		var m0 directory.Member
		ow.do(t, "PATCH", "/api/v1/members/"+mid[0], map[string]any{"department_ids": []string{storage.ID, sales.ID, support.ID}, "title": "Engineer"}, &m0).Want(t, http.StatusOK)
		if len(m0.Departments) != 3 {
			t.Fatalf("member in %d departments: %+v", len(m0.Departments), m0.Departments)
		}
		ow.do(t, "GET", "/api/v1/members/"+mid[0], nil, &m0).Want(t, http.StatusOK)
		var got []string
		for _, d := range m0.Departments {
			got = append(got, d.ID)
		}
		if !sameSet(got, []string{storage.ID, sales.ID, support.ID}) || m0.SupervisorID != mid[1] {
			t.Fatalf("member %+v", m0)
		}
		var chain directory.MemberList
		ow.do(t, "GET", "/api/v1/members/"+mid[0]+"/supervisors", nil, &chain).Want(t, http.StatusOK)
		if want := mid[1:]; len(chain.Items) != 4 || chain.Items[0].ID != want[0] || chain.Items[1].ID != want[1] || chain.Items[2].ID != want[2] || chain.Items[3].ID != want[3] {
			t.Fatalf("chain %v, want %v", ids(chain.Items), want)
		}
		// A supervisor cycle is refused.
		ow.do(t, "PATCH", "/api/v1/members/"+mid[4], map[string]any{"supervisor_id": mid[0]}, nil).WantError(t, http.StatusConflict, "supervisor_cycle")
		ow.do(t, "PATCH", "/api/v1/members/"+mid[4], map[string]any{"supervisor_id": mid[4]}, nil).WantError(t, http.StatusConflict, "supervisor_cycle")

		// m1 in Backend, leading it.
		ow.do(t, "PATCH", "/api/v1/members/"+mid[1], map[string]any{"department_ids": []string{backend.ID}}, nil).Want(t, http.StatusOK)
		var b directory.Department
		ow.do(t, "PUT", "/api/v1/departments/"+backend.ID+"/leaders", map[string]any{"member_ids": []string{mid[1]}}, &b).Want(t, http.StatusOK)
		if len(b.LeaderIDs) != 1 || b.LeaderIDs[0] != mid[1] || b.MemberCount != 1 {
			t.Fatalf("backend %+v", b)
		}
		ow.do(t, "PUT", "/api/v1/departments/"+backend.ID+"/leaders", map[string]any{"member_ids": []string{mid[2]}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		members := func(d string, recursive bool) []string {
			var page directory.MemberPage
			q := "/api/v1/departments/" + d + "/members"
			if recursive {
				q += "?recursive=true"
			}
			ow.do(t, "GET", q, nil, &page).Want(t, http.StatusOK)
			return ids(page.Items)
		}
		if got := members(eng.ID, false); len(got) != 0 {
			t.Fatalf("Engineering direct members %v", got)
		}
		if got := members(eng.ID, true); !sameSet(got, []string{mid[0], mid[1]}) {
			t.Fatalf("Engineering recursive members %v", got)
		}

		// Moving a department under itself or its descendant: 409.
		ow.do(t, "PATCH", "/api/v1/departments/"+eng.ID, map[string]any{"parent_id": storage.ID}, nil).WantError(t, http.StatusConflict, "department_cycle")
		ow.do(t, "PATCH", "/api/v1/departments/"+eng.ID, map[string]any{"parent_id": eng.ID}, nil).WantError(t, http.StatusConflict, "department_cycle")
		// Moving Backend (with Storage) under Sales keeps the subtree.
		var moved directory.Department
		ow.do(t, "PATCH", "/api/v1/departments/"+backend.ID, map[string]any{"parent_id": sales.ID}, &moved).Want(t, http.StatusOK)
		if moved.ParentID != sales.ID {
			t.Fatalf("moved %+v", moved)
		}
		if got := members(eng.ID, true); len(got) != 0 {
			t.Fatalf("Engineering after the move %v", got)
		}
		if got := members(sales.ID, true); !sameSet(got, []string{mid[0], mid[1]}) {
			t.Fatalf("Sales after the move %v", got)
		}
		ow.do(t, "GET", "/api/v1/departments", nil, &list).Want(t, http.StatusOK)
		pos := map[string]int{}
		for i, d := range list.Items {
			pos[d.ID] = i
			if d.ID == storage.ID && d.ParentID != backend.ID {
				t.Fatalf("storage moved away from backend: %+v", d)
			}
		}
		if !(pos[sales.ID] < pos[backend.ID] && pos[backend.ID] < pos[storage.ID]) {
			t.Fatalf("list not in tree order: %+v", list.Items)
		}
		// Deleting a department with sub-departments is refused.
		ow.do(t, "DELETE", "/api/v1/departments/"+backend.ID, nil, nil).WantError(t, http.StatusConflict, "department_not_empty")
		ow.do(t, "DELETE", "/api/v1/departments/"+storage.ID, nil, nil).Want(t, http.StatusNoContent)
		ow.do(t, "GET", "/api/v1/members/"+mid[0], nil, &m0).Want(t, http.StatusOK)
		if len(m0.Departments) != 2 {
			t.Fatalf("after deleting storage: %+v", m0.Departments)
		}

		acts := auditActions(t, env, o)
		for _, want := range []string{"department.create:success", "department.update:success", "department.set_leaders:success", "department.delete:success", "member.update:success"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
	})
}

// TestDeactivationEndsAccess: a deactivated member's session stops working
// in that organization on the next request, and the member-left hooks run.
func TestDeactivationEndsAccess(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		var mu sync.Mutex
		var left []string
		env.App.Directory().OnMemberLeft(func(ctx context.Context, orgID, accountID string) error {
			mu.Lock()
			defer mu.Unlock()
			left = append(left, orgID+"/"+accountID)
			return nil
		})
		o := setupOrg(t, env)
		m, mID := o.member(t, "Mia Member")
		m.do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		// A second device of the same person, in no organization (a
		// sign-in starts in the only one; it leaves it): it is not a
		// session "for that org".
		device2 := env.Client()
		device2.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": m.Email, "password": pw}, nil).Want(t, http.StatusOK)
		device2.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": ""}, nil).Want(t, http.StatusOK)

		var d directory.Member
		o.Owner.do(t, "POST", "/api/v1/members/"+mID+"/deactivate", nil, &d).Want(t, http.StatusOK)
		if d.Status != directory.StatusDeactivated {
			t.Fatalf("status %q", d.Status)
		}
		// The session in that organization is over, on its next request.
		m.do(t, "GET", "/api/v1/members/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		device2.Do(t, "GET", "/api/v1/me/sessions", nil, nil).Want(t, http.StatusOK)
		device2.Do(t, "GET", "/api/v1/members", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		device2.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		m.Client = device2
		if env.App.Directory().IsActiveMember(context.Background(), o.ID, m.AccountID) {
			t.Fatal("IsActiveMember true for a deactivated member")
		}
		mu.Lock()
		if len(left) != 1 || left[0] != o.ID+"/"+m.AccountID {
			t.Fatalf("member-left hooks: %v", left)
		}
		mu.Unlock()

		// Plain members no longer see them; admins do, with status=deactivated.
		other, _ := o.member(t, "Otto Other")
		other.do(t, "GET", "/api/v1/members/"+mID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		other.do(t, "GET", "/api/v1/members?status=deactivated", nil, nil).WantError(t, http.StatusForbidden, "forbidden")
		var page directory.MemberPage
		o.Owner.do(t, "GET", "/api/v1/members?status=deactivated", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 1 || page.Items[0].ID != mID {
			t.Fatalf("deactivated list %+v", page.Items)
		}

		// Reactivation gives access back; removal ends it for good.
		o.Owner.do(t, "POST", "/api/v1/members/"+mID+"/reactivate", nil, nil).Want(t, http.StatusOK)
		// Switching back in is a deliberate step.
		m.do(t, "GET", "/api/v1/members/me", nil, nil).WantError(t, http.StatusForbidden, "no_organization")
		m.do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": o.ID}, nil).Want(t, http.StatusOK)
		m.do(t, "GET", "/api/v1/members/me", nil, nil).Want(t, http.StatusOK)
		o.Owner.do(t, "DELETE", "/api/v1/members/"+mID, nil, nil).Want(t, http.StatusNoContent)
		m.do(t, "GET", "/api/v1/members/me", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
		o.Owner.do(t, "GET", "/api/v1/members/"+mID, nil, nil).WantError(t, http.StatusNotFound, "not_found")

		// The owner and oneself are protected.
		var me directory.Member
		o.Owner.do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
		o.Owner.do(t, "POST", "/api/v1/members/"+me.ID+"/deactivate", nil, nil).WantError(t, http.StatusConflict, "owner_protected")

		acts := auditActions(t, env, o)
		for _, want := range []string{"member.deactivate:success", "member.reactivate:success", "member.remove:success"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s: %v", want, acts)
			}
		}
	})
}

// TestSearch: name, full pinyin and initials of Chinese names, title,
// department, employee number and work phone; paging.
func TestSearch(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		ops := dept(t, ow, "Operations", "")
		_, zs := o.member(t, "张三")
		_, wxm := o.member(t, "王小明")
		viewer, anna := o.member(t, "Anna Smith")
		_, bob := o.member(t, "Bob Wang 王博")
		store := dept(t, ow, "Warehouse", ops.ID)
		ow.do(t, "PATCH", "/api/v1/members/"+zs, map[string]any{"title": "Accountant", "employee_no": "E-1001", "work_phone": "+86 138 0000 1111"}, nil).Want(t, http.StatusOK)
		ow.do(t, "PATCH", "/api/v1/members/"+wxm, map[string]any{"department_ids": []string{ops.ID}}, nil).Want(t, http.StatusOK)
		ow.do(t, "PATCH", "/api/v1/members/"+bob, map[string]any{"department_ids": []string{store.ID}}, nil).Want(t, http.StatusOK)
		ow.do(t, "PATCH", "/api/v1/members/"+anna, map[string]any{"employee_no": "E-1001"}, nil).WantError(t, http.StatusConflict, "employee_no_taken")

		search := func(q string) []string {
			t.Helper()
			var page directory.MemberPage
			viewer.do(t, "GET", "/api/v1/members?q="+url.QueryEscape(q), nil, &page).Want(t, http.StatusOK)
			return ids(page.Items)
		}
		for q, want := range map[string][]string{
			"张":                 {zs},
			"zhangsan":          {zs},
			"zhang san":         {zs},
			"zs":                {zs},
			"wxm":               {wxm},
			"wangxiao":          {wxm},
			"smith":             {anna},
			"accountant":        {zs},
			"operations":        {wxm, bob}, // and its sub-departments
			"warehouse":         {bob},
			"wangbo":            {bob}, // any word of the name on
			"wang bo":           {bob},
			"wb":                {bob},
			"wang":              {wxm, bob},
			"bo":                {bob},
			"xiaoming":          {wxm},
			"sxm":               {},
			"E-1001":            {zs},
			"+8613800001111":    {zs},
			"+86 138-0000-1111": {zs},
			"nobody":            {},
		} {
			if got := search(q); !sameSet(got, want) {
				t.Errorf("search %q = %v, want %v", q, got, want)
			}
		}
		// Entries written before the any-word keys get them at the next start.
		if _, err := env.App.DB.Writer().Exec(`UPDATE member_search SET name_keys = ''`); err != nil {
			t.Fatal(err)
		}
		if got := search("wangbo"); len(got) != 0 {
			t.Fatalf("wangbo without keys = %v", got)
		}
		if n, err := env.App.Directory().IndexNameWords(context.Background()); err != nil || n < 5 {
			t.Fatalf("IndexNameWords = %d, %v", n, err)
		}
		if got := search("wangbo"); !sameSet(got, []string{bob}) {
			t.Fatalf("wangbo after indexing = %v", got)
		}
		if n, err := env.App.Directory().IndexNameWords(context.Background()); err != nil || n != 0 {
			t.Fatalf("second IndexNameWords = %d, %v", n, err)
		}
		// Department counts: direct members, and everyone below once.
		var tree directory.DepartmentList
		viewer.do(t, "GET", "/api/v1/departments", nil, &tree).Want(t, http.StatusOK)
		for _, d := range tree.Items {
			if d.ID == ops.ID && (d.MemberCount != 1 || d.TotalCount != 2) || d.ID == store.ID && (d.MemberCount != 1 || d.TotalCount != 1) {
				t.Errorf("department %s: member_count %d total_count %d", d.Name, d.MemberCount, d.TotalCount)
			}
		}
		var one directory.Department
		viewer.do(t, "GET", "/api/v1/departments/"+ops.ID, nil, &one).Want(t, http.StatusOK)
		if one.MemberCount != 1 || one.TotalCount != 2 {
			t.Errorf("GET department: member_count %d total_count %d", one.MemberCount, one.TotalCount)
		}

		// The work phone is sealed in the database, not stored in plain text.
		var n int
		if err := env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM members WHERE CAST(work_phone AS TEXT) LIKE '%13800001111%'`).Scan(&n); err == nil && n != 0 {
			t.Fatal("work phone stored in plain text")
		}

		// Paging: 5 members (owner included), pages of 1.
		var all []string
		cursor := ""
		for i := 0; i < 10; i++ {
			var page directory.MemberPage
			viewer.do(t, "GET", "/api/v1/members?limit=1&cursor="+url.QueryEscape(cursor), nil, &page).Want(t, http.StatusOK)
			all = append(all, ids(page.Items)...)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(all) != 5 {
			t.Fatalf("paged through %d members: %v", len(all), all)
		}
		viewer.do(t, "GET", "/api/v1/members?cursor=garbage!", nil, nil).WantError(t, http.StatusBadRequest, "invalid_cursor")
	})
}

// TestFieldsAndLocks: custom fields with kinds, visibility and locks; a
// locked field cannot be changed by its member but can by an admin.
func TestFieldsAndLocks(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		ow := o.Owner
		m, mID := o.member(t, "Mia Member")
		other, _ := o.member(t, "Otto Other")
		var shirt, badge, secret, skills, born directory.Field
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Shirt size", "kind": "single_choice", "options": []string{"S", "M", "L"}}, &shirt).Want(t, http.StatusCreated)
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Badge", "kind": "number", "locked": true}, &badge).Want(t, http.StatusCreated)
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Salary band", "kind": "text", "visibility": "admins"}, &secret).Want(t, http.StatusCreated)
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Skills", "kind": "multi_choice", "options": []string{"go", "sql"}, "required": true}, &skills).Want(t, http.StatusCreated)
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Birthday", "kind": "date"}, &born).Want(t, http.StatusCreated)
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Shirt size", "kind": "text"}, nil).WantError(t, http.StatusConflict, "field_name_taken")
		ow.do(t, "POST", "/api/v1/fields", map[string]any{"name": "X", "kind": "colour"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// The member edits their own unlocked fields.
		var me directory.Member
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"office": "Room 4", "fields": map[string]any{shirt.ID: "M", skills.ID: []string{"go"}, born.ID: "1990-02-03", secret.ID: "B"}}, &me).Want(t, http.StatusOK)
		if string(me.Fields[shirt.ID]) != `"M"` || me.Office != "Room 4" || string(me.Fields[secret.ID]) != `"B"` {
			t.Fatalf("member after edit %+v", me)
		}
		// Invalid values.
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"fields": map[string]any{shirt.ID: "XXL"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"fields": map[string]any{born.ID: "yesterday"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"fields": map[string]any{skills.ID: nil}}, nil).WantError(t, http.StatusBadRequest, "field_required")
		// A locked field: 403 for the member, fine for an admin.
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"fields": map[string]any{badge.ID: 7}}, nil).WantError(t, http.StatusForbidden, "field_locked")
		ow.do(t, "PATCH", "/api/v1/members/"+mID, map[string]any{"fields": map[string]any{badge.ID: 7}}, &me).Want(t, http.StatusOK)
		if string(me.Fields[badge.ID]) != "7" {
			t.Fatalf("admin could not set the locked field: %+v", me.Fields)
		}
		// Built-in fields only admins change, and ones the org locks.
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"title": "CEO"}, nil).WantError(t, http.StatusForbidden, "field_not_editable")
		ow.do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"locked_profile_fields": []string{"display_name"}}, nil).Want(t, http.StatusOK)
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"display_name": "Mia M."}, nil).WantError(t, http.StatusForbidden, "field_locked")
		ow.do(t, "PATCH", "/api/v1/members/"+mID, map[string]any{"display_name": "Mia M."}, nil).Want(t, http.StatusOK)
		// Unlocking a field takes effect at once.
		ow.do(t, "PATCH", "/api/v1/fields/"+badge.ID, map[string]any{"locked": false}, nil).Want(t, http.StatusOK)
		m.do(t, "PATCH", "/api/v1/members/me", map[string]any{"fields": map[string]any{badge.ID: 8}}, nil).Want(t, http.StatusOK)
		// Another member may not edit them, and does not see admin-only fields.
		other.do(t, "PATCH", "/api/v1/members/"+mID, map[string]any{"office": "x"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		var seen directory.Member
		other.do(t, "GET", "/api/v1/members/"+mID, nil, &seen).Want(t, http.StatusOK)
		if _, ok := seen.Fields[secret.ID]; ok {
			t.Fatal("a plain member sees an admins-only field")
		}
		if string(seen.Fields[shirt.ID]) != `"M"` {
			t.Fatalf("everyone-field hidden: %+v", seen.Fields)
		}
		ow.do(t, "GET", "/api/v1/members/"+mID, nil, &seen).Want(t, http.StatusOK)
		if _, ok := seen.Fields[secret.ID]; !ok {
			t.Fatal("the admin does not see the admins-only field")
		}
		ow.do(t, "DELETE", "/api/v1/fields/"+born.ID, nil, nil).Want(t, http.StatusNoContent)
		acts := auditActions(t, env, o)
		for _, want := range []string{"field.create:success", "field.update:success", "field.delete:success"} {
			if !hasAction(acts, want) {
				t.Errorf("audit lacks %s", want)
			}
		}
	})
}
