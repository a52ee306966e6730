package directory_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var fuzzSetupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

// FuzzImportMembers posts arbitrary CSV to the member import (dry run and
// real) as the owner of a real server: it never answers 5xx, a 200 carries
// a report whose counts add up, and the export afterwards is still CSV whose
// cells cannot start a spreadsheet formula.
func FuzzImportMembers(f *testing.F) {
	for _, s := range []string{
		"email,display_name\nann@example.test,Ann\n",
		"email,display_name,title,department,employee_no,supervisor_email\nbo@example.test,Bo,Engineer,/R&D/Backend,E1,ann@example.test\n",
		"\ufeffEMAIL,Display_Name\n\"quoted@example.test\",\"Q, Uoted\"\n",
		"email\n=cmd|' /C calc'!A0@example.test\n",
		"email,display_name\nx@example.test,=HYPERLINK(\"http://evil\")\n",
		"email,display_name\n\"unterminated\n",
		"display_name\nno email column\n",
		"email,nosuchcolumn\na@b.c,d\n",
		"",
		"email\n" + strings.Repeat("dup@example.test\n", 50),
		"email,display_name\n张三@example.test,张三\n",
	} {
		f.Add([]byte(s), true)
	}
	env := servertest.Start(f, db.SQLite)
	var tok string
	for i := 0; i < 400 && tok == ""; i++ {
		if m := fuzzSetupRe.FindStringSubmatch(env.Out.String()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	owner := env.Client()
	var res directory.SetupResult
	owner.Do(f, "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Fuzz Inc"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@fuzz.test", "password": pw},
	}, &res).Want(f, http.StatusCreated)

	post := func(t *testing.T, body []byte, dry bool) *servertest.Response {
		path := env.URL + "/api/v1/members/import"
		if dry {
			path += "?dry_run=true"
		}
		req, _ := http.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "text/csv")
		return owner.Request(t, req)
	}
	f.Fuzz(func(t *testing.T, csvBody []byte, dry bool) {
		r := post(t, csvBody, dry)
		if r.Status >= 500 {
			t.Fatalf("import answered %d: %s", r.Status, r.Body)
		}
		if r.Status == http.StatusOK {
			var rep directory.ImportReport
			if err := json.Unmarshal(r.Body, &rep); err != nil {
				t.Fatalf("report: %v: %s", err, r.Body)
			}
			if rep.Rows < 0 || rep.Updated+rep.Invited > rep.Rows {
				t.Fatalf("report does not add up: %+v", rep)
			}
			if dry && rep.Updated+rep.Invited > 0 && !rep.DryRun {
				t.Fatalf("dry run changed members: %+v", rep)
			}
		}
		if !dry {
			ex := owner.Do(t, "GET", "/api/v1/members/export", nil, nil)
			if ex.Status != http.StatusOK {
				t.Fatalf("export after import: %d %s", ex.Status, ex.Body)
			}
			recs, err := csv.NewReader(bytes.NewReader(ex.Body)).ReadAll()
			if err != nil {
				t.Fatalf("export is not CSV: %v", err)
			}
			for _, rec := range recs {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Fatalf("exported cell %q can start a spreadsheet formula", cell)
					}
				}
			}
		}
	})
}
