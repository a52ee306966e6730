package privacy_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// rawHolds returns the columns of table whose raw bytes hold any of
// canaries, as "table.column: canary".
func rawHolds(t *testing.T, env *servertest.Env, table string, canaries []string) []string {
	t.Helper()
	rows, err := env.App.DB.Reader().Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			for _, c := range canaries {
				if bytes.Contains(v, []byte(c)) {
					out = append(out, table+"."+cols[i]+": "+c)
				}
			}
		}
	}
	return out
}

// An organization's own names — its name, its departments' names, its
// groups' names, topics and announcements, and the audit details that copy
// them — are stored sealed with the organization's key: no raw column holds
// them, the API shows them, member search still finds a department by
// name, and once the disbanded organization is erased they no longer open
// while the audit chain still verifies.
func TestOrgNamesSealedWithTheOrgKey(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		const (
			orgName = "CANARYorgNameQ7"
			dept    = "CANARYdeptNameQ7"
			group   = "CANARYgroupNameQ7"
			topic   = "CANARYgroupTopicQ7"
			ann     = "CANARYgroupAnnQ7"
		)
		canaries := []string{orgName, dept, group, topic, ann}
		o := setupOrg(t, env)
		m := newPerson(t, env, identity.NewAccount{})
		o.join(t, m)
		o.Owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"name": orgName}, nil).Want(t, http.StatusOK)
		var d struct {
			ID string `json:"id"`
		}
		o.Owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": dept}, &d).Want(t, http.StatusCreated)
		o.Owner.Do(t, "PATCH", "/api/v1/members/"+m.MemberID, map[string]any{"department_ids": []string{d.ID}}, nil).Want(t, http.StatusOK)
		var conv struct {
			ID string `json:"id"`
		}
		o.Owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": group, "topic": topic, "member_ids": []string{m.AccountID}}, &conv).Want(t, http.StatusCreated)
		o.Owner.Do(t, "PATCH", "/api/v1/conversations/"+conv.ID, map[string]any{"announcement": ann}, nil).Want(t, http.StatusOK)

		// No raw column holds a name, the audit log and the event log
		// included.
		for _, table := range []string{"orgs", "departments", "conversations", "audit_log", "event_log"} {
			if held := rawHolds(t, env, table, canaries); len(held) > 0 {
				t.Errorf("plaintext at rest: %v", held)
			}
		}

		// The API shows them.
		var cur struct {
			Name string `json:"name"`
		}
		o.Owner.Do(t, "GET", "/api/v1/orgs/current", nil, &cur).Want(t, http.StatusOK)
		if cur.Name != orgName {
			t.Errorf("org name = %q", cur.Name)
		}
		var mine struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		m.Do(t, "GET", "/api/v1/me/orgs", nil, &mine).Want(t, http.StatusOK)
		if len(mine.Items) != 1 || mine.Items[0].Name != orgName {
			t.Errorf("my orgs = %+v", mine.Items)
		}
		var deps struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		m.Do(t, "GET", "/api/v1/departments", nil, &deps).Want(t, http.StatusOK)
		if len(deps.Items) != 1 || deps.Items[0].Name != dept {
			t.Errorf("departments = %+v", deps.Items)
		}
		var found struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		o.Owner.Do(t, "GET", "/api/v1/members?q="+strings.ToLower(dept[6:14]), nil, &found).Want(t, http.StatusOK)
		if len(found.Items) != 1 {
			t.Errorf("member search by department name found %d members", len(found.Items))
		}
		var g struct {
			Name         string `json:"name"`
			Topic        string `json:"topic"`
			Announcement string `json:"announcement"`
		}
		m.Do(t, "GET", "/api/v1/conversations/"+conv.ID, nil, &g).Want(t, http.StatusOK)
		if g.Name != group || g.Topic != topic || g.Announcement != ann {
			t.Errorf("group = %+v", g)
		}
		var list struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		m.Do(t, "GET", "/api/v1/conversations", nil, &list).Want(t, http.StatusOK)
		// The group, and the organization's company-wide group (named after it).
		names := map[string]bool{}
		for _, x := range list.Items {
			names[x.Name] = true
		}
		if len(list.Items) != 2 || !names[group] {
			t.Errorf("conversation list: %+v", list.Items)
		}
		var page audit.Page
		o.Owner.Do(t, "GET", "/api/v1/audit?action=department.create", nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 1 || !page.Items[0].DetailsSealed || !strings.Contains(string(page.Items[0].Details), dept) {
			t.Errorf("audit entry of the department: %s", mustJSON(page.Items))
		}
		if rep, err := audit.Verify(ctx, env.App.DB); err != nil || !rep.OK {
			t.Fatalf("audit verify with sealed details: %v %v", rep, err)
		}

		// The organization is disbanded and erased.
		o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "delete", "leave_period_days": 0, "disband_grace_days": 0}, nil).Want(t, http.StatusOK)
		o.Owner.Do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": orgName, "password": pw}, nil).Want(t, http.StatusNoContent)
		if _, err := env.App.Privacy().ScanDisbanded(ctx); err != nil {
			t.Fatal(err)
		}
		waitJobs(t, env)
		var done int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM erasure_ledger WHERE org_id = $1 AND kind = 'organization' AND status = 'done'`, o.ID).Scan(&done)
		if done != 1 {
			t.Fatal("the organization's erasure did not run")
		}

		// Its audit entries stay in the chain, which still verifies, and
		// their sealed details no longer open.
		if rep, err := audit.Verify(ctx, env.App.DB); err != nil || !rep.OK {
			t.Fatalf("audit verify after the organization's erasure: %v %v", rep, err)
		}
		all, err := audit.ListAll(ctx, env.App.DB, audit.Filter{OrgID: o.ID, Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		sealed, erasure := 0, false
		for _, it := range all.Items {
			if it.DetailsSealed {
				sealed++
				if string(it.Details) != `"[erased]"` {
					t.Errorf("entry %d (%s) still opens: %s", it.Seq, it.Action, it.Details)
				}
			}
			if it.Action == "privacy.erase.org" && strings.Contains(string(it.Details), "deleted") {
				erasure = true
			}
		}
		if sealed == 0 || !erasure {
			t.Errorf("after erasure: %d sealed entries kept, erasure record readable %v", sealed, erasure)
		}
		if held := rawHolds(t, env, "audit_log", canaries); len(held) > 0 {
			t.Errorf("plaintext in the audit log after erasure: %v", held)
		}
	})
}

// Names written before sealing (plaintext columns, nothing sealed) are
// sealed by the start-up pass and still read the same.
func TestPlaintextOrgNamesSealedAtStart(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		const (
			orgName = "LEGACYorgNameZ3"
			dept    = "LEGACYdeptNameZ3"
			group   = "LEGACYgroupNameZ3"
		)
		o := setupOrg(t, env)
		var d, conv struct {
			ID string `json:"id"`
		}
		o.Owner.Do(t, "POST", "/api/v1/departments", map[string]any{"name": "x"}, &d).Want(t, http.StatusCreated)
		o.Owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "x", "member_ids": []string{}}, &conv).Want(t, http.StatusCreated)
		w := env.App.DB.Writer()
		for _, q := range []struct {
			sql, arg, id string
		}{
			{`UPDATE orgs SET name = $1, name_sealed = NULL WHERE id = $2`, orgName, o.ID},
			{`UPDATE departments SET name = $1, name_sealed = NULL WHERE id = $2`, dept, d.ID},
			{`UPDATE conversations SET name = $1, profile = NULL WHERE id = $2`, group, conv.ID},
		} {
			if _, err := w.Exec(q.sql, q.arg, q.id); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := env.App.Directory().SealPlaintextNames(ctx); err != nil || n != 2 {
			t.Fatalf("sealed %d names: %v", n, err)
		}
		if n, err := env.App.Server.Chat.SealPlaintextProfiles(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d group profiles: %v", n, err)
		}
		if n, _ := env.App.Directory().SealPlaintextNames(ctx); n != 0 {
			t.Fatalf("sealed %d names again", n)
		}
		for _, table := range []string{"orgs", "departments", "conversations"} {
			if held := rawHolds(t, env, table, []string{orgName, dept, group}); len(held) > 0 {
				t.Errorf("plaintext left: %v", held)
			}
		}
		var cur, dep, g struct {
			Name string `json:"name"`
		}
		o.Owner.Do(t, "GET", "/api/v1/orgs/current", nil, &cur).Want(t, http.StatusOK)
		o.Owner.Do(t, "GET", "/api/v1/departments/"+d.ID, nil, &dep).Want(t, http.StatusOK)
		o.Owner.Do(t, "GET", "/api/v1/conversations/"+conv.ID, nil, &g).Want(t, http.StatusOK)
		if cur.Name != orgName || dep.Name != dept || g.Name != group {
			t.Errorf("read back %q, %q, %q", cur.Name, dep.Name, g.Name)
		}
	})
}
