package directory_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"testing"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// rawContains lists the columns of table whose stored bytes contain any
// of needles.
func rawContains(t *testing.T, env *servertest.Env, table string, needles ...string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := env.App.DB.R(ctx).QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var hits []string
	n := 0
	for rows.Next() {
		n++
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			for _, nd := range needles {
				if bytes.Contains(bytes.ToLower(v), bytes.ToLower([]byte(nd))) {
					hits = append(hits, table+"."+cols[i]+" holds "+nd)
				}
			}
		}
	}
	if n == 0 {
		t.Fatalf("%s has no rows: the scan sees nothing", table)
	}
	return hits
}

type exportSink struct{ sections []datamap.Section }

func (e *exportSink) AddSection(s datamap.Section) { e.sections = append(e.sections, s) }
func (e *exportSink) AddFile(datamap.File)         {}

// TestNamesAndProfileFieldsSealed: an account's name and a member's
// display name, title, employee number, work email, office and custom
// field values are stored sealed under the person's key — raw rows hold
// none of them — while the directory shows them, search finds the member
// by name, pinyin, initials, title and employee number (through the
// derived index, which a rebuild restores), the export opens them, and
// once the person's key is destroyed they read as empty and the index
// forgets them.
func TestNamesAndProfileFieldsSealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		const (
			name   = "张伟 Sealedname"
			title  = "Chief Sealedtitle"
			empNo  = "EMPSEAL77"
			wEmail = "sealedwork@acme.test"
			office = "Sealedoffice Tower"
			field  = "Sealedfieldvalue"
		)
		p, mid := o.member(t, name)
		var f directory.Field
		o.Owner.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Hobby", "kind": "text"}, &f).Want(t, http.StatusCreated)
		o.Owner.do(t, "PATCH", "/api/v1/members/"+mid, map[string]any{"title": title, "employee_no": empNo, "email": wEmail,
			"office": office, "fields": map[string]any{f.ID: field}}, nil).Want(t, http.StatusOK)

		for _, tb := range []string{"members", "member_field_values", "accounts", "event_log"} {
			if hits := rawContains(t, env, tb, "Sealedname", "Sealedtitle", empNo, wEmail, "Sealedoffice", field); len(hits) > 0 {
				t.Errorf("plaintext at rest: %v", hits)
			}
		}

		var m directory.Member
		o.Owner.do(t, "GET", "/api/v1/members/"+mid, nil, &m).Want(t, http.StatusOK)
		if m.DisplayName != name || m.Title != title || m.EmployeeNo != empNo || m.Email != wEmail || m.Office != office ||
			string(m.Fields[f.ID]) != `"`+field+`"` || m.NamePinyin != "zhangweisealedname" {
			t.Fatalf("member as shown: %+v", m)
		}
		var me struct {
			Name string `json:"name"`
		}
		p.do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
		if me.Name != name {
			t.Fatalf("account name %q", me.Name)
		}

		search := func(q string) bool {
			t.Helper()
			var page directory.MemberPage
			o.Owner.do(t, "GET", "/api/v1/members?q="+url.QueryEscape(q), nil, &page).Want(t, http.StatusOK)
			for _, it := range page.Items {
				if it.ID == mid {
					return it.DisplayName == name
				}
			}
			return false
		}
		queries := []string{"sealedNAME", "张伟", "zhangwei", "zws", "sealedtitle", "EMPSEAL", "sealedwork@"}
		for _, q := range queries {
			if !search(q) {
				t.Errorf("search %q does not find the member", q)
			}
		}
		// The list is sorted by the index's key, pinyin first.
		var page directory.MemberPage
		o.Owner.do(t, "GET", "/api/v1/members?limit=1", nil, &page).Want(t, http.StatusOK)
		if page.NextCursor == "" {
			t.Fatal("no second page")
		}
		o.Owner.do(t, "GET", "/api/v1/members?limit=1&cursor="+url.QueryEscape(page.NextCursor), nil, &page).Want(t, http.StatusOK)
		if len(page.Items) != 1 || page.Items[0].ID != mid {
			t.Fatalf("second page %+v (olivia before zhang wei)", page.Items)
		}

		// The index is derived: emptied (as in a backup), it is rebuilt
		// from the sealed rows.
		ctx := context.Background()
		if _, err := env.App.DB.W(ctx).ExecContext(ctx, `DELETE FROM member_search`); err != nil {
			t.Fatal(err)
		}
		if search("zhangwei") {
			t.Fatal("found without an index")
		}
		if n, err := directory.ReindexMembers(ctx, env.App.DB, env.App.Keyring); err != nil || n != 2 {
			t.Fatalf("reindex: %d, %v", n, err)
		}
		for _, q := range queries {
			if !search(q) {
				t.Errorf("after the rebuild, search %q does not find the member", q)
			}
		}

		// The export opens the sealed columns.
		var sink exportSink
		subj := datamap.Subject{AccountID: p.AccountID, Members: map[string]string{o.ID: mid}}
		if err := env.App.Server.Directory.Privacy().Export(ctx, datamap.ExportRequest{Subject: subj}, &sink); err != nil {
			t.Fatal(err)
		}
		if err := env.App.Identity().Privacy().Export(ctx, datamap.ExportRequest{Subject: subj}, &sink); err != nil {
			t.Fatal(err)
		}
		got := map[string]any{}
		for _, s := range sink.sections {
			for _, r := range s.Rows {
				for c, v := range r {
					got[s.Table+"."+c] = v
				}
			}
		}
		for col, want := range map[string]string{"members.display_name_sealed": name, "members.title_sealed": title,
			"members.employee_no_sealed": empNo, "members.email_sealed": wEmail, "members.office_sealed": office,
			"member_field_values.value_sealed": `"` + field + `"`, "accounts.name_sealed": name} {
			if got[col] != want {
				t.Errorf("export %s = %v, want %q", col, got[col], want)
			}
		}

		// The person's key destroyed (account erasure): nothing opens, and
		// the erasure empties the person's index entries.
		if err := env.App.Keyring.Destroy(ctx, p.AccountID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Server.Directory.Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount, Subject: subj,
			Mode: datamap.ModeScrub, Tombstone: "tmb_test"}); err != nil {
			t.Fatal(err)
		}
		m = directory.Member{}
		o.Owner.do(t, "GET", "/api/v1/members/"+mid, nil, &m).Want(t, http.StatusOK)
		if m.DisplayName != "" || m.Title != "" || m.EmployeeNo != "" || m.Email != "" || m.Office != "" || len(m.Fields) != 0 {
			t.Fatalf("after the key was destroyed: %+v", m)
		}
		for _, q := range queries {
			if search(q) {
				t.Errorf("after erasure, search %q still finds the member", q)
			}
		}
		if hits := rawContains(t, env, "member_search", "Sealedname", "zhangwei", "Sealedtitle", empNo, wEmail); len(hits) > 0 {
			t.Errorf("the index still holds the erased person: %v", hits)
		}
	})
}

// TestLegacyProfilesResealed: rows written before names and profile fields
// were sealed (plaintext columns, no sealed ones) are read as they are,
// and the start-up reseal seals them and clears the plaintext; a second
// run finds nothing.
func TestLegacyProfilesResealed(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := setupOrg(t, env)
		p, mid := o.member(t, "Current Name")
		var f directory.Field
		o.Owner.do(t, "POST", "/api/v1/fields", map[string]any{"name": "Hobby", "kind": "text"}, &f).Want(t, http.StatusCreated)
		o.Owner.do(t, "PATCH", "/api/v1/members/"+mid, map[string]any{"fields": map[string]any{f.ID: "x"}}, nil).Want(t, http.StatusOK)
		ctx := context.Background()
		for _, q := range []string{
			`UPDATE members SET display_name = 'Legacyname Person', display_name_sealed = NULL, title = 'Legacytitle',
				employee_no = 'LEGACY42', email = 'legacywork@acme.test', office = 'Legacyoffice', title_sealed = NULL,
				employee_no_sealed = NULL, email_sealed = NULL, office_sealed = NULL WHERE id = '` + mid + `'`,
			`UPDATE member_field_values SET value = '"Legacyfield"', value_sealed = NULL WHERE member_id = '` + mid + `'`,
			`UPDATE accounts SET name = 'Legacyname Account', name_sealed = NULL WHERE id = '` + p.AccountID + `'`,
		} {
			if _, err := env.App.DB.W(ctx).ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		canaries := []string{"Legacyname", "Legacytitle", "LEGACY42", "legacywork@", "Legacyoffice", "Legacyfield"}
		check := func(stage string) {
			t.Helper()
			var m directory.Member
			o.Owner.do(t, "GET", "/api/v1/members/"+mid, nil, &m).Want(t, http.StatusOK)
			if m.DisplayName != "Legacyname Person" || m.Title != "Legacytitle" || m.EmployeeNo != "LEGACY42" ||
				m.Email != "legacywork@acme.test" || m.Office != "Legacyoffice" || string(m.Fields[f.ID]) != `"Legacyfield"` {
				t.Fatalf("%s: %+v", stage, m)
			}
			var me struct {
				Name string `json:"name"`
			}
			p.do(t, "GET", "/api/v1/me", nil, &me).Want(t, http.StatusOK)
			if me.Name != "Legacyname Account" {
				t.Fatalf("%s: account name %q", stage, me.Name)
			}
		}
		check("before the reseal")
		if hits := rawContains(t, env, "members", canaries...); len(hits) == 0 {
			t.Fatal("the legacy rows were not written")
		}
		n, err := env.App.Identity().ResealNames(ctx)
		if err != nil || n == 0 {
			t.Fatalf("reseal names: %d, %v", n, err)
		}
		if n, err = env.App.Server.Directory.ResealLegacy(ctx); err != nil || n != 2 {
			t.Fatalf("reseal profiles: %d, %v", n, err)
		}
		for _, tb := range []string{"members", "member_field_values", "accounts"} {
			if hits := rawContains(t, env, tb, canaries...); len(hits) > 0 {
				t.Errorf("after the reseal: %v", hits)
			}
		}
		check("after the reseal")
		if n, err = env.App.Server.Directory.ResealLegacy(ctx); err != nil || n != 0 {
			t.Fatalf("second reseal: %d, %v", n, err)
		}
		if n, err = env.App.Identity().ResealNames(ctx); err != nil || n != 0 {
			t.Fatalf("second name reseal: %d, %v", n, err)
		}
	})
}
