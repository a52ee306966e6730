package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/privacy"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// canaries collects the unique strings written for one person.
type canaries struct {
	prefix string
	list   []string
}

func (c *canaries) make(what string) string {
	s := c.prefix + "-" + what
	c.list = append(c.list, s)
	return s
}

// fixture is person X and person Y in one organization, each with a
// canary in every personal column and file they have.
type fixture struct {
	env      *servertest.Env
	o        *org
	x, y     *person
	cx, cy   *canaries
	internal string // an internal group of X, Y and the owner
	direct   string // X and Y's direct conversation
	filled   []string
}

func newFixture(t *testing.T, env *servertest.Env) *fixture {
	t.Helper()
	f := &fixture{env: env, cx: &canaries{prefix: "cnryx"}, cy: &canaries{prefix: "cnryy"}}
	f.o = setupOrg(t, env)
	// Erase a leaver's company data at once, so that deletion is complete
	// when the jobs have run.
	f.o.Owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "delete", "leave_period_days": 0, "disband_grace_days": 30}, nil).Want(t, http.StatusOK)
	mk := func(c *canaries, phone string) *person {
		p := newPerson(t, env, identity.NewAccount{Name: c.make("name"), Email: c.make("mail") + "@example.test", Phone: phone, BirthDate: "1990-01-02"})
		f.o.join(t, p)
		f.o.Owner.Do(t, "PATCH", "/api/v1/members/"+p.MemberID, map[string]any{
			"display_name": c.make("display"), "title": c.make("title"), "office": c.make("office"),
			"email": c.make("work") + "@example.test", "work_phone": phone + "9",
		}, nil).Want(t, http.StatusOK)
		c.list = append(c.list, strings.TrimPrefix(phone, "+"))
		return p
	}
	f.x = mk(f.cx, "+8613900011122")
	f.y = mk(f.cy, "+8613900055566")

	var conv struct {
		ID string `json:"id"`
	}
	f.x.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": f.cx.make("group"), "member_ids": []string{f.y.AccountID, f.o.Owner.AccountID}}, &conv).Want(t, http.StatusCreated)
	f.internal = conv.ID
	if r := f.x.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{f.y.AccountID}}, &conv); r.Status/100 == 2 {
		f.direct = conv.ID
	} else {
		t.Logf("no direct conversation between colleagues: %d %s", r.Status, r.Body)
	}
	send := func(p *person, c *canaries, convID, what string) {
		if convID == "" {
			return
		}
		p.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"client_msg_id": c.make("cid-" + what), "body": c.make(what) + " 中文金丝雀"}, nil).Want(t, http.StatusCreated)
	}
	send(f.x, f.cx, f.internal, "msg-internal")
	send(f.y, f.cy, f.internal, "msg-internal")
	send(f.x, f.cx, f.direct, "msg-direct")
	send(f.y, f.cy, f.direct, "msg-direct")
	// A location X shares (sealed by chat with its own associated data).
	f.x.Do(t, "POST", "/api/v1/conversations/"+f.internal+"/messages", map[string]any{"client_msg_id": f.cx.make("cid-loc"), "kind": "location",
		"location": map[string]any{"lat": 31.2304, "lon": 121.4737, "label": f.cx.make("place")}}, nil).Want(t, http.StatusCreated)
	// A file X uploads and sends.
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/files?name="+f.cx.make("file")+".txt", strings.NewReader(f.cx.make("file-content")+" line\n"))
	req.Header.Set("Content-Type", "text/plain")
	r := f.x.Request(t, req)
	if r.Status/100 != 2 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var file struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.Body, &file)
	f.x.Do(t, "POST", "/api/v1/conversations/"+f.internal+"/messages", map[string]any{"client_msg_id": f.cx.make("cid-file"), "kind": "file", "file_id": file.ID}, nil).Want(t, http.StatusCreated)
	// Privacy's own tables.
	f.x.Do(t, "PUT", "/api/v1/me/consents/location", map[string]any{"granted": true}, nil).Want(t, http.StatusOK)
	f.x.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "objection", "org_id": f.o.ID, "note": f.cx.make("note")}, nil).Want(t, http.StatusCreated)
	f.y.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "objection", "org_id": f.o.ID, "note": f.cy.make("note")}, nil).Want(t, http.StatusCreated)
	f.fillByConstruction(t, f.x, f.cx)
	f.fillByConstruction(t, f.y, f.cy)
	return f
}

// fillByConstruction writes a canary, straight into the database, into
// every personal text column of every registered table that holds a value
// in a row about p and has no canary yet (structured JSON values are left
// to the API fixture) — so that a table or column added later is
// covered without changing this test. Sealed (binary) columns are covered
// through the API above; identifiers are ids, not personal text.
func (f *fixture) fillByConstruction(t *testing.T, p *person, c *canaries) {
	t.Helper()
	ctx := context.Background()
	d := f.env.App.DB
	cols, err := d.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	schema := map[string]bool{}
	for _, col := range cols {
		schema[col.Table+"."+col.Column] = true
	}
	ids := []any{p.AccountID, p.MemberID}
	for _, tb := range datamap.All() {
		if tb.Erasure == datamap.Keep || tb.Derived || len(tb.Subject) == 0 || tb.Name == "data_keys" {
			continue
		}
		var conds []string
		for _, s := range tb.Subject {
			if schema[tb.Name+"."+s] {
				conds = append(conds, s+" IN ($1, $2)")
			}
		}
		if len(conds) == 0 {
			continue
		}
		where := "(" + strings.Join(conds, " OR ") + ")"
		var names []string
		for col, cat := range tb.Columns {
			// Keys and hashes point at other things (file bodies, lookups);
			// they are covered through what they point at.
			if cat == datamap.Identifier || cat == datamap.Credentials || !schema[tb.Name+"."+col] ||
				strings.HasSuffix(col, "_key") || strings.HasSuffix(col, "_hash") {
				continue
			}
			names = append(names, col)
		}
		sort.Strings(names)
		for _, col := range names {
			if !isTextColumn(t, d, tb.Name, col) {
				continue
			}
			canary := c.make(strings.ReplaceAll(tb.Name+"-"+col, "_", ""))
			res, err := d.Writer().ExecContext(ctx, "UPDATE "+tb.Name+" SET "+col+" = $3 WHERE "+where+
				" AND "+col+" NOT LIKE '%cnry%' AND "+col+" <> '' AND "+col+" NOT LIKE '{%' AND "+col+" NOT LIKE '[%'", append(ids, canary)...)
			if err != nil {
				t.Logf("fill %s.%s: %v", tb.Name, col, err)
				c.list = c.list[:len(c.list)-1]
				continue
			}
			if n, _ := res.RowsAffected(); n == 0 {
				c.list = c.list[:len(c.list)-1]
				continue
			}
			f.filled = append(f.filled, tb.Name+"."+col)
		}
	}
}

func isTextColumn(t *testing.T, d *db.DB, table, col string) bool {
	var typ string
	var err error
	if d.Kind == db.SQLite {
		err = d.Reader().QueryRow(`SELECT lower(type) FROM pragma_table_info($1) WHERE name = $2`, table, col).Scan(&typ)
	} else {
		err = d.Reader().QueryRow(`SELECT lower(data_type) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`, table, col).Scan(&typ)
	}
	return err == nil && (strings.Contains(typ, "text") || strings.Contains(typ, "char"))
}

// download fetches X's export and returns data.json, index.html and the
// names and bodies of the files.
func download(t *testing.T, env *servertest.Env, p *person) (map[string]any, []byte, string, map[string][]byte) {
	t.Helper()
	var e privacy.Export
	p.Do(t, "POST", "/api/v1/me/exports", nil, &e).Want(t, http.StatusAccepted)
	e = waitExport(t, env, p, e.ID)
	req, _ := http.NewRequest("GET", env.URL+e.DownloadURL, nil)
	r := p.Request(t, req)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("export is not a ZIP: %v", err)
	}
	files := map[string][]byte{}
	var raw []byte
	html := ""
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		switch zf.Name {
		case "data.json":
			raw = b
		case "index.html":
			html = string(b)
		default:
			files[zf.Name] = b
		}
	}
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatalf("data.json: %v", err)
	}
	// Someone else cannot fetch it, and the link is only for the person.
	anon := env.Client()
	anon.Request(t, mustReq("GET", env.URL+e.DownloadURL)).WantError(t, http.StatusUnauthorized, "unauthenticated")
	return data, raw, html, files
}

func mustReq(method, url string) *http.Request {
	r, _ := http.NewRequest(method, url, nil)
	return r
}

// TestExportAndErasureCanaries is the acceptance test of the privacy
// center: X's export holds every X canary and no Y canary; after X deletes
// their account no X canary is left in the database files, the file store
// or the logs (SQLite), and X's sealed data no longer opens (PostgreSQL).
func TestExportAndErasureCanaries(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ctx := context.Background()
		f := newFixture(t, env)
		t.Logf("filled by construction: %v", f.filled)

		data, raw, html, files := download(t, env, f.x)
		if errs := validate(loadSchema(t), data, "$"); len(errs) > 0 {
			t.Fatalf("data.json does not match docs/export-schema.json:\n%s", strings.Join(errs, "\n"))
		}
		all := string(raw)
		for name, b := range files {
			all += "\n" + name + "\n" + string(b)
		}
		lower := strings.ToLower(all)
		var missing []string
		for _, c := range f.cx.list {
			if !strings.Contains(lower, strings.ToLower(c)) {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			t.Errorf("X's export lacks X canaries: %v", missing)
		}
		for _, c := range f.cy.list {
			if strings.Contains(lower, strings.ToLower(c)) {
				t.Errorf("X's export holds Y's canary %q", c)
			}
		}
		if !strings.Contains(html, "<table") || strings.Contains(strings.ToLower(html), "<script") {
			t.Errorf("index.html is not a script-free table view")
		}
		if len(files) == 0 {
			t.Errorf("X's uploaded file is not in the export")
		}

		// Capture one of X's sealed values to try after the key is gone.
		var sealed []byte
		if err := env.App.DB.Reader().QueryRow(`SELECT email_sealed FROM accounts WHERE id = $1`, f.x.AccountID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}

		var del privacy.DeleteAccountResult
		f.x.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": "wrong"}, nil).WantError(t, http.StatusForbidden, "invalid_password")
		f.x.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, &del).Want(t, http.StatusAccepted)
		if len(del.Erasures) != 2 {
			t.Fatalf("erasures = %+v", del.Erasures)
		}
		waitErasures(t, env, f.x.AccountID)
		// The request itself was X's personal data: it went with the account.
		var n0 int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM privacy_requests WHERE account_id = $1`, f.x.AccountID).Scan(&n0)
		if n0 != 0 {
			t.Errorf("%d requests of X survive the deletion", n0)
		}
		// X is signed out everywhere.
		f.x.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusUnauthorized)
		// Y's side is intact: Y's messages and the group are still there.
		var hist struct {
			Items []struct {
				SenderID string `json:"sender_id"`
				Body     string `json:"body"`
			} `json:"items"`
		}
		f.y.Do(t, "GET", "/api/v1/conversations/"+f.internal+"/messages", nil, &hist).Want(t, http.StatusOK)
		yFound := false
		for _, m := range hist.Items {
			if strings.Contains(m.Body, "cnryy-msg-internal") {
				yFound = true
			}
			if m.SenderID == f.x.AccountID {
				t.Errorf("a message still names X as sender")
			}
		}
		if !yFound {
			t.Errorf("Y's own message is gone: %+v", hist.Items)
		}

		// No plaintext of X remains.
		if _, err := env.App.Keyring.Open(ctx, f.x.AccountID, "accounts.email:"+f.x.AccountID, sealed); err == nil {
			t.Errorf("X's sealed email still opens after deletion")
		}
		// The internal group belongs to the organization: its name stays for
		// the other members (X is replaced as its creator).
		kept := map[string]bool{"cnryx-group": true}
		check := func(where string, b []byte) {
			low := bytes.ToLower(b)
			for _, c := range f.cx.list {
				if kept[c] {
					continue
				}
				if bytes.Contains(low, []byte(strings.ToLower(c))) {
					t.Errorf("X canary %q found in %s", c, where)
				}
			}
		}
		check("the log", []byte(env.Logs.String()))
		switch env.Kind {
		case db.SQLite:
			if err := env.App.DB.Checkpoint(ctx); err != nil {
				t.Fatal(err)
			}
			seenY := false
			_ = filepath.WalkDir(env.App.Cfg.DataDir, func(path string, de fs.DirEntry, err error) error {
				if err != nil || de.IsDir() {
					return nil
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return nil
				}
				rel, _ := filepath.Rel(env.App.Cfg.DataDir, path)
				check(rel, b)
				if bytes.Contains(b, []byte("cnryy-display")) {
					seenY = true
				}
				return nil
			})
			if !seenY {
				t.Errorf("Y's canary is not in the data directory either: the scan sees nothing")
			}
		case db.Postgres:
			for _, tb := range datamap.All() {
				rows, err := env.App.DB.Reader().Query(fmt.Sprintf(`SELECT t::text FROM %s t`, tb.Name))
				if err != nil {
					continue
				}
				for rows.Next() {
					var s string
					_ = rows.Scan(&s)
					check("table "+tb.Name, []byte(s))
				}
				rows.Close()
			}
		}
		// The erasure is in the ledger (ids only) for restores.
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM erasure_ledger WHERE account_id = $1 AND status = 'done'`, f.x.AccountID).Scan(&n)
		if n != 2 {
			t.Errorf("ledger has %d done entries for X, want 2", n)
		}
	})
}
