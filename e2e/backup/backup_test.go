// Package backup_test is the acceptance test of backups that erasure
// reaches, run with the real atrium binary (backup and restore) against a
// real server, on SQLite and on PostgreSQL.
//
// A person writes a unique canary into every personal field the API lets
// them reach, and an organization holds canaries in its name, department,
// group, messages and file; backup B1 (data archive + keyring archive) is
// taken while the server runs; the person deletes their account and the
// organization is disbanded; backup B2 is taken. Then:
//
//	(a) the extracted B1 and B2 data archives hold none of the canaries as
//	    bytes — for the canaries of sealedCanaries; the others wait for the
//	    sealing of personal content at rest (awaitingSeal, logged);
//	(b) B1 restored with B2's keyring onto a fresh data dir: the person
//	    cannot sign in, the organization is gone, and no canary appears
//	    through the API, in the restored database's rows, or anywhere in the
//	    data dir's bytes (database file, WAL, file store);
//	(c) B1 with its own keyring, B2's lying beside it, is refused
//	    (keyring_superseded), and a keyring older than the data is refused
//	    (keyring_older_than_data).
package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/e2e/atriumbin"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

// sealedCanaries are the fields whose canary must not appear as bytes in
// any data archive (check (a)): they are sealed at rest with a data key the
// archive does not hold.
var sealedCanaries = map[string]bool{
	"account_email": true, "account_phone": true, "work_phone": true,
	"message": true, "direct_message": true, "deleted_for_everyone": true, "edited_before": true, "edited_after": true,
	"file_name": true, "file_bytes": true, "contact_note": true, "request_note": true,
	"org_message": true, "org_file_name": true, "org_file_bytes": true,
	"drive_folder_name": true, "drive_file_name": true, "drive_file_text": true, "org_drive_file_name": true,
	"org_name": true, "org_dept": true, "org_group": true, "org_topic": true,
	"general_group": true, "general_topic": true, "general_announcement": true, "join_note": true, "invite_email": true,
	"account_name": true, "display_name": true, "title": true, "office": true,
	"work_email": true, "employee_no": true, "org_title": true, "org_display_name": true,
}

// awaitingSeal are the fields still stored as plaintext in the database,
// and so in B1's data archive, until names and profile fields are sealed at
// rest (issue 11, item 2). Check (a) logs them; move each to sealedCanaries
// when it is sealed, until this list is empty.
var awaitingSeal = map[string]bool{}

// awaitingFix are canaries that B1 holds for a reason other than plaintext
// columns, with the reason; check (a) logs them until the cause is fixed.
var awaitingFix = map[string]string{}

// atrium runs the binary with args (no ATRIUM_* environment) and returns
// its output.
func atrium(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(atriumbin.Path(t), args...)
	cmd.Env = atriumbin.CleanEnv()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type world struct {
	t      *testing.T
	env    *servertest.Env
	tok    string
	canary map[string]string // field → canary
	owner  *servertest.Client
	orgID  string
	ownerAcc,
	personAcc, personEmail string
	// The organization that is disbanded, and its owner (who stays).
	org2ID, org2OwnerEmail string
	keepMsg                string
}

func (w *world) c(field string) string {
	if s, ok := w.canary[field]; ok {
		return s
	}
	s := "cnry" + w.tok + "x" + strings.ReplaceAll(field, "_", "")
	w.canary[field] = s
	return s
}

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

func login(t *testing.T, env *servertest.Env, email string) (*servertest.Client, int) {
	c := env.Client()
	r := c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": pw}, nil)
	return c, r.Status
}

type idOnly struct {
	ID string `json:"id"`
}

// populate writes the canaries through the API.
func (w *world) populate() {
	t, env := w.t, w.env
	var tok string
	for i := 0; i < 400 && tok == ""; i++ {
		if m := setupRe.FindStringSubmatch(env.Out.String()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	w.owner = env.Client()
	var setup struct {
		Org       idOnly `json:"organization"`
		AccountID string `json:"account_id"`
	}
	w.owner.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Keep Inc"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@backup.test", "password": pw},
	}, &setup).Want(t, http.StatusCreated)
	w.orgID, w.ownerAcc = setup.Org.ID, setup.AccountID
	// The organization erases a leaver's company data at once.
	w.owner.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "delete", "leave_period_days": 0, "disband_grace_days": 0}, nil).Want(t, http.StatusOK)

	// The person who will delete their account.
	w.personEmail = w.c("account_email") + "@example.test"
	acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: w.personEmail, Password: pw, Name: w.c("account_name")})
	if err != nil {
		t.Fatal(err)
	}
	w.personAcc = acc.ID
	w.owner.Do(t, "POST", "/api/v1/members", map[string]any{"account_id": acc.ID}, nil).Want(t, http.StatusAccepted)
	p, st := login(t, env, w.personEmail)
	if st != http.StatusOK {
		t.Fatalf("the person cannot sign in: %d", st)
	}
	// The person accepts the invitation the owner's add sent.
	var mine struct {
		Items []struct {
			ID    string `json:"id"`
			OrgID string `json:"org_id"`
		} `json:"items"`
	}
	p.Do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
	var mem idOnly
	for _, it := range mine.Items {
		if it.OrgID == w.orgID {
			var res struct {
				MemberID string `json:"member_id"`
			}
			p.Do(t, "POST", "/api/v1/me/invitations/"+it.ID+"/accept", nil, &res).Want(t, http.StatusOK)
			mem.ID = res.MemberID
		}
	}
	if mem.ID == "" {
		t.Fatalf("the person has no invitation into the organization: %+v", mine.Items)
	}
	p.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": w.orgID}, nil).Want(t, http.StatusOK)
	phone := fmt.Sprintf("+86138%08d", rand.IntN(1e8))
	w.canary["account_phone"] = strings.TrimPrefix(phone, "+")
	p.Do(t, "PATCH", "/api/v1/me", map[string]any{"phone": phone}, nil).Want(t, http.StatusOK)
	if r := p.Do(t, "PATCH", "/api/v1/me", map[string]any{"birth_date": "1931-07-29"}, nil); r.Status == http.StatusOK {
		w.canary["birth_date"] = "1931-07-29"
		sealedCanaries["birth_date"] = true
	} else {
		t.Logf("no API sets a birth date yet (%d): its canary is left out", r.Status)
	}
	workPhone := fmt.Sprintf("+86139%08d", rand.IntN(1e8))
	w.canary["work_phone"] = strings.TrimPrefix(workPhone, "+")
	w.owner.Do(t, "PATCH", "/api/v1/members/"+mem.ID, map[string]any{
		"display_name": w.c("display_name"), "title": w.c("title"), "office": w.c("office"),
		"work_phone": workPhone, "email": w.c("work_email") + "@example.test", "employee_no": w.c("employee_no"),
	}, nil).Want(t, http.StatusOK)

	// Messages: in a group, in a direct chat, one deleted for everyone, one
	// edited; a file (name and bytes).
	var group, direct idOnly
	w.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{acc.ID}}, &group).Want(t, http.StatusCreated)
	p.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{w.ownerAcc}}, &direct)
	if direct.ID == "" {
		t.Fatal("no direct conversation")
	}
	n := 0
	send := func(c *servertest.Client, conv string, body map[string]any) string {
		n++
		body["client_msg_id"] = fmt.Sprintf("m%d", n)
		var m idOnly
		c.Do(t, "POST", "/api/v1/conversations/"+conv+"/messages", body, &m).Want(t, http.StatusCreated)
		return m.ID
	}
	w.keepMsg = "keepsake" + w.tok
	send(w.owner, group.ID, map[string]any{"body": w.keepMsg + " from the owner"})
	send(p, group.ID, map[string]any{"body": "hello " + w.c("message")})
	send(p, direct.ID, map[string]any{"body": "psst " + w.c("direct_message")})
	gone := send(p, group.ID, map[string]any{"body": "oops " + w.c("deleted_for_everyone")})
	p.Do(t, "POST", "/api/v1/me/erasures/message", map[string]any{"conversation_id": group.ID, "message_id": gone, "for_everyone": true}, nil).Want(t, http.StatusOK)
	edited := send(p, group.ID, map[string]any{"body": "first " + w.c("edited_before")})
	p.Do(t, "PATCH", "/api/v1/conversations/"+group.ID+"/messages/"+edited, map[string]any{"body": "second " + w.c("edited_after")}, nil).Want(t, http.StatusOK)
	fileID := w.upload(p, w.c("file_name")+".txt", strings.Repeat(w.c("file_bytes")+" ", 50))
	send(p, group.ID, map[string]any{"kind": "file", "file_id": fileID})
	// The drive: a folder and a text file (its name and its text, which the
	// search index holds) in the person's personal space.
	dir := w.driveFolder(p, w.c("drive_folder_name"))
	w.driveFile(p, dir, w.c("drive_file_name")+".txt", "notes "+w.c("drive_file_text"))

	// A contact request with a note, to someone outside the organization
	// who must accept it; a privacy request with a note.
	outsiderEmail := "outsider" + w.tok + "@backup.test"
	out, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: outsiderEmail, Password: pw, Name: "Outsider"})
	if err != nil {
		t.Fatal(err)
	}
	oc, _ := login(t, env, outsiderEmail)
	oc.Do(t, "PATCH", "/api/v1/me/privacy", map[string]any{"require_verification": true, "discoverable": true}, nil).Want(t, http.StatusOK)
	p.Do(t, "POST", "/api/v1/contacts", map[string]any{"account_id": out.ID, "message": "hi " + w.c("contact_note")}, nil).Want(t, http.StatusAccepted)
	p.Do(t, "POST", "/api/v1/me/requests", map[string]any{"kind": "objection", "org_id": w.orgID, "note": "please " + w.c("request_note")}, nil).Want(t, http.StatusCreated)
	// A general group of the person's own: its name, topic and
	// announcement.
	var gen idOnly
	p.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "general", "name": w.c("general_group"), "topic": w.c("general_topic"), "member_ids": []string{}}, &gen).Want(t, http.StatusCreated)
	p.Do(t, "PATCH", "/api/v1/conversations/"+gen.ID, map[string]any{"announcement": w.c("general_announcement")}, nil).Want(t, http.StatusOK)

	// The organization that will be disbanded, owned by someone who stays.
	w.org2OwnerEmail = "founder" + w.tok + "@backup.test"
	if _, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: w.org2OwnerEmail, Password: pw, Name: "Founder"}); err != nil {
		t.Fatal(err)
	}
	q, _ := login(t, env, w.org2OwnerEmail)
	var org2 idOnly
	q.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": w.c("org_name")}, &org2).Want(t, http.StatusCreated)
	w.org2ID = org2.ID
	q.Do(t, "PUT", "/api/v1/admin/privacy/settings", map[string]any{"leave_action": "delete", "leave_period_days": 0, "disband_grace_days": 0}, nil).Want(t, http.StatusOK)
	q.Do(t, "POST", "/api/v1/departments", map[string]any{"name": w.c("org_dept")}, nil).Want(t, http.StatusCreated)
	var me struct {
		ID string `json:"id"`
	}
	q.Do(t, "GET", "/api/v1/members/me", nil, &me).Want(t, http.StatusOK)
	q.Do(t, "PATCH", "/api/v1/members/"+me.ID, map[string]any{"title": w.c("org_title"), "display_name": w.c("org_display_name")}, nil).Want(t, http.StatusOK)
	var g2 idOnly
	q.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": w.c("org_group"), "topic": w.c("org_topic"), "member_ids": []string{}}, &g2).Want(t, http.StatusCreated)
	send(q, g2.ID, map[string]any{"body": "plans " + w.c("org_message")})
	f2 := w.upload(q, w.c("org_file_name")+".txt", strings.Repeat(w.c("org_file_bytes")+" ", 50))
	send(q, g2.ID, map[string]any{"kind": "file", "file_id": f2})
	var team struct {
		RootID string `json:"root_id"`
	}
	q.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team"}, &team).Want(t, http.StatusCreated)
	w.driveFile(q, team.RootID, w.c("org_drive_file_name")+".txt", "plans")
	// An email invitation to an address with no account, and the person's
	// request (with a note) to join, which waits for the founder.
	q.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "email", "email": w.c("invite_email") + "@example.test"}, nil).Want(t, http.StatusCreated)
	q.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"join_requires_approval": true}, nil).Want(t, http.StatusOK)
	var link struct {
		Link string `json:"link"`
	}
	q.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &link).Want(t, http.StatusCreated)
	_, token, _ := strings.Cut(link.Link, "token=")
	var joined struct {
		Status string `json:"status"`
	}
	p.Do(t, "POST", "/api/v1/join", map[string]any{"token": token, "message": "let me in " + w.c("join_note")}, &joined).Want(t, http.StatusOK)
	if joined.Status != "pending" {
		t.Fatalf("the join request is %q, want pending", joined.Status)
	}
}

func (w *world) upload(c *servertest.Client, name, body string) string {
	req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/files?name="+url.QueryEscape(name), strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	r := c.Request(w.t, req)
	var f idOnly
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &f) != nil {
		w.t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return f.ID
}

// driveFolder makes a folder in c's personal drive space and returns its id.
func (w *world) driveFolder(c *servertest.Client, name string) string {
	var sp struct {
		RootID string `json:"root_id"`
	}
	c.Do(w.t, "GET", "/api/v1/drive/spaces/me", nil, &sp).Want(w.t, http.StatusOK)
	var f idOnly
	c.Do(w.t, "POST", "/api/v1/drive/folders", map[string]any{"parent_id": sp.RootID, "name": name}, &f).Want(w.t, http.StatusCreated)
	return f.ID
}

// driveFile uploads a text file into a drive folder and waits until the
// indexing job has read its text.
func (w *world) driveFile(c *servertest.Client, folder, name, body string) {
	req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/drive/items/"+folder+"/files?name="+url.QueryEscape(name), strings.NewReader(body))
	if r := c.Request(w.t, req); r.Status != http.StatusCreated {
		w.t.Fatalf("drive upload: %d %s", r.Status, r.Body)
	}
	if _, err := w.env.App.Drive().IndexPending(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// erase deletes the person's account and disbands the organization, and
// waits until both erasures are done.
func (w *world) erase() {
	t, env := w.t, w.env
	p, _ := login(t, env, w.personEmail)
	if r := p.Do(t, "POST", "/api/v1/me/erasures/account", map[string]any{"password": pw}, nil); r.Status/100 != 2 {
		t.Fatalf("delete account: %d %s", r.Status, r.Body)
	}
	q, _ := login(t, env, w.org2OwnerEmail)
	q.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": w.org2ID}, nil).Want(t, http.StatusOK)
	if r := q.Do(t, "POST", "/api/v1/orgs/current/disband", map[string]any{"name": w.c("org_name"), "password": pw}, nil); r.Status/100 != 2 {
		t.Fatalf("disband: %d %s", r.Status, r.Body)
	}
	// The purge of disbanded organizations is scheduled every few minutes:
	// now, here.
	if _, err := env.App.Privacy().ScanDisbanded(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		var done, pending int
		env.App.DB.Reader().QueryRow(`SELECT count(*) FROM erasure_ledger WHERE ((kind = 'account' AND account_id = $1) OR (kind = 'organization' AND org_id = $2)) AND status = 'done'`, w.personAcc, w.org2ID).Scan(&done)
		env.App.DB.Reader().QueryRow(`SELECT count(*) FROM erasure_ledger WHERE (account_id = $1 OR org_id = $2) AND status <> 'done'`, w.personAcc, w.org2ID).Scan(&pending)
		if done >= 2 && pending == 0 {
			break
		}
		if i > 600 {
			t.Fatalf("the erasures did not complete (%d done, %d pending)", done, pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, st := login(t, env, w.personEmail); st == http.StatusOK {
		t.Fatal("a deleted account can still sign in")
	}
}

// found returns the fields whose canary b holds.
func (w *world) found(b []byte) []string {
	var out []string
	for f, c := range w.canary {
		if bytes.Contains(b, []byte(c)) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// archiveBytes returns what extracting the data archive yields: the tar
// stream (every file's bytes), and for a PostgreSQL dump also its SQL text
// (pg_dump compresses table data inside the dump).
func archiveBytes(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), raw...)
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != "db/postgres.dump" {
			continue
		}
		dump := filepath.Join(t.TempDir(), "postgres.dump")
		b, _ := io.ReadAll(tr)
		os.WriteFile(dump, b, 0o600)
		tool := "pg_restore"
		if _, err := exec.LookPath(tool); err != nil {
			tool = "/usr/lib/postgresql/15/bin/pg_restore"
		}
		sqlText, err := exec.Command(tool, "--file=-", dump).Output()
		if err != nil {
			t.Fatalf("pg_restore --file=-: %v", err)
		}
		out = append(out, sqlText...)
	}
	return out
}

// dirBytes returns every file under dir, name → bytes.
func dirBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil {
			out[p] = b
		}
		return nil
	})
	return out
}

// rowsText returns every row of every table of the database, as text.
func rowsText(t *testing.T, d *db.DB) []byte {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if d.Kind == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := d.Reader().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var out bytes.Buffer
	for _, tb := range tables {
		rs, err := d.Reader().Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			continue // FTS internals and the like; the file bytes cover them
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rs.Scan(ptrs...)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					out.Write(b)
				} else {
					fmt.Fprint(&out, v)
				}
				out.WriteByte(' ')
			}
			out.WriteByte('\n')
		}
		rs.Close()
	}
	return out.Bytes()
}

// freshDatabase returns the URL of a new, empty database on the test
// server with the same schema name as src's (another machine's PostgreSQL,
// configured like the lost one).
func freshDatabase(t *testing.T, src string) string {
	t.Helper()
	base := dbtest.ServerURL(t)
	admin, err := db.Open(context.Background(), db.Options{URL: base})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("atrium_restore_%08x", rand.Uint32())
	if _, err := admin.Writer().Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := db.Open(context.Background(), db.Options{URL: base})
		if err == nil {
			a.Writer().Exec("DROP DATABASE " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, _ := url.Parse(base)
	u.Path = "/" + name
	q := u.Query()
	su, _ := url.Parse(src)
	q.Set("search_path", su.Query().Get("search_path"))
	u.RawQuery = q.Encode()
	return u.String()
}

// TestBackupsErasureReaches is the acceptance test (see the package
// comment).
func TestBackupsErasureReaches(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			dataDir := t.TempDir()
			var pgURL string
			if kind == db.Postgres {
				pgURL = dbtest.NewPostgresURL(t)
			}
			target := func(dir, url string) []string {
				a := []string{"--data-dir", dir}
				if url != "" {
					a = append(a, "--database-url", url)
				}
				return a
			}
			env := servertest.StartWith(t, kind, servertest.Options{DataDir: dataDir, DatabaseURL: pgURL})
			w := &world{t: t, env: env, tok: fmt.Sprintf("%08x", rand.Uint32()), canary: map[string]string{}}
			w.populate()
			// An email still queued names its recipient and holds its text
			// in the clear; the outbox is a transient queue that backups
			// leave out. One is held back (due in a day) so that B1 is
			// taken while it is queued.
			w.canary["queued_mail"] = w.c("queued_mail") + "@example.com"
			sealedCanaries["queued_mail"] = true
			if _, err := env.App.DB.Writer().Exec(`INSERT INTO outbox (id, to_addr, subject, body, created_at, attempts, next_attempt_at, last_error)
				VALUES ($1, $2, 'Your code', $3, $4, 0, $5, '')`, "out_queued"+w.tok, w.canary["queued_mail"], "code for "+w.canary["queued_mail"],
				time.Now().UnixMilli(), time.Now().Add(24*time.Hour).UnixMilli()); err != nil {
				t.Fatalf("queue a held-back email: %v", err)
			}

			backups, keyrings := t.TempDir(), t.TempDir()
			b1, k1 := filepath.Join(backups, "b1.tar.gz"), filepath.Join(keyrings, "b1.keyring.tar.gz")
			b2, k2 := filepath.Join(backups, "b2.tar.gz"), filepath.Join(keyrings, "b2.keyring.tar.gz")
			if out, err := atrium(t, append([]string{"backup", "--out", b1, "--keyring-out", k1}, target(dataDir, pgURL)...)...); err != nil {
				t.Fatalf("backup B1: %v\n%s", err, out)
			}
			w.erase()
			if out, err := atrium(t, append([]string{"backup", "--out", b2, "--keyring-out", k2}, target(dataDir, pgURL)...)...); err != nil {
				t.Fatalf("backup B2: %v\n%s", err, out)
			}

			t.Run("a_data_archives_hold_no_canary", func(t *testing.T) {
				for name, path := range map[string]string{"B1": b1, "B2": b2} {
					b := archiveBytes(t, path)
					if !bytes.Contains(b, []byte(w.keepMsg)) && name == "B1" {
						// The check must see plaintext where there is some.
						t.Logf("B1 does not hold the kept message as bytes either")
					}
					var waiting []string
					for _, f := range w.found(b) {
						switch {
						case sealedCanaries[f]:
							t.Errorf("the %s data archive holds the canary of %s, which is sealed", name, f)
						case awaitingSeal[f] && name == "B1":
							waiting = append(waiting, f)
						case awaitingFix[f] != "" && name == "B1":
							t.Logf("B1 holds the canary of %s: %s", f, awaitingFix[f])
						default:
							// B2 was taken after the erasure: nothing of the
							// person or the organization may be in it.
							t.Errorf("the %s data archive, taken after the erasure, holds the canary of %s", name, f)
						}
					}
					if f := w.found(b); len(f) > 0 && os.Getenv("BACKUP_CANARY_DEBUG") != "" {
						for _, field := range f {
							i := bytes.Index(b, []byte(w.canary[field]))
							t.Logf("%s: %s at %d: %q", name, field, i, b[max(0, i-300):min(len(b), i+100)])
						}
					}
					if len(waiting) > 0 {
						t.Logf("%s holds %d canaries awaiting sealing at rest: %s", name, len(waiting), strings.Join(waiting, ", "))
					}
					for f := range awaitingSeal {
						if name == "B1" && !bytes.Contains(b, []byte(w.canary[f])) {
							t.Logf("%s: the canary of %s is no longer in B1: move it to sealedCanaries", name, f)
						}
					}
				}
			})

			// The keyring archives hold no canary either (ids only).
			for _, k := range []string{k1, k2} {
				if f := w.found(archiveBytes(t, k)); len(f) > 0 {
					t.Errorf("keyring archive %s holds canaries of %v", filepath.Base(k), f)
				}
			}

			t.Run("b_B1_with_B2_keyring", func(t *testing.T) {
				fresh := t.TempDir()
				var dbURL string
				if kind == db.Postgres {
					dbURL = freshDatabase(t, pgURL)
				}
				// The operator's copy of the master key.
				key, err := os.ReadFile(filepath.Join(dataDir, "master.key"))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(fresh, "master.key"), key, 0o600)
				out, err := atrium(t, append([]string{"restore", b1, "--keyring", k2}, target(fresh, dbURL)...)...)
				if err != nil {
					t.Fatalf("restore B1 with B2's keyring: %v\n%s", err, out)
				}
				t.Logf("restore:\n%s", out)
				checkDisk := func(when string) {
					for p, b := range dirBytes(t, fresh) {
						if f := w.found(b); len(f) > 0 {
							t.Errorf("%s, %s holds the canaries of %v", when, strings.TrimPrefix(p, fresh), f)
						}
					}
				}
				checkDisk("after the restore")

				env2 := servertest.StartWith(t, kind, servertest.Options{DataDir: fresh, DatabaseURL: dbURL})
				if _, st := login(t, env2, w.personEmail); st == http.StatusOK {
					t.Error("the erased person signs in after the restore")
				}
				owner, st := login(t, env2, "owner@backup.test")
				if st != http.StatusOK {
					t.Fatalf("the owner cannot sign in after the restore: %d", st)
				}
				owner.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": w.orgID}, nil).Want(t, http.StatusOK)
				founder, st := login(t, env2, w.org2OwnerEmail)
				if st != http.StatusOK {
					t.Fatalf("the disbanded organization's owner (who stays) cannot sign in: %d", st)
				}
				if r := founder.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": w.org2ID}, nil); r.Status == http.StatusOK {
					t.Error("the disbanded organization is back after the restore")
				}
				outsider, _ := login(t, env2, "outsider"+w.tok+"@backup.test")
				var api bytes.Buffer
				get := func(c *servertest.Client, path string) *servertest.Response {
					r := c.Do(t, "GET", path, nil, nil)
					fmt.Fprintf(&api, "GET %s %d %s\n", path, r.Status, r.Body)
					return r
				}
				var convs struct {
					Items []idOnly `json:"items"`
				}
				json.Unmarshal(get(owner, "/api/v1/conversations").Body, &convs)
				for _, c := range convs.Items {
					r := get(owner, "/api/v1/conversations/"+c.ID+"/messages")
					var page struct {
						Items []struct {
							ID     string `json:"id"`
							FileID string `json:"file_id"`
						} `json:"items"`
					}
					json.Unmarshal(r.Body, &page)
					for _, m := range page.Items {
						get(owner, "/api/v1/conversations/"+c.ID+"/messages/"+m.ID+"/edits")
					}
				}
				for _, p := range []string{
					"/api/v1/members", "/api/v1/members/export", "/api/v1/people/" + w.personAcc, "/api/v1/departments",
					"/api/v1/search/messages?q=" + url.QueryEscape("cnry"+w.tok), "/api/v1/admin/privacy-requests?status=all",
					"/api/v1/audit", "/api/v1/notifications", "/api/v1/me/orgs",
				} {
					get(owner, p)
				}
				for _, p := range []string{"/api/v1/me/orgs", "/api/v1/contacts", "/api/v1/me/data"} {
					get(founder, p)
				}
				get(outsider, "/api/v1/contact-requests")
				if f := w.found(api.Bytes()); len(f) > 0 {
					t.Errorf("the API shows the canaries of %v after the restore", f)
				}
				if !strings.Contains(api.String(), w.keepMsg) {
					t.Errorf("the restored history lacks the owner's kept message (the check saw no real data):\n%.2000s", api.String())
				}
				if r := get(owner, "/api/v1/search/messages?q="+w.keepMsg); !strings.Contains(string(r.Body), w.keepMsg) {
					t.Errorf("search after the restore does not find the kept message (index not rebuilt?): %s", r.Body)
				}
				d, err := db.Open(context.Background(), db.Options{URL: dbURL, DataDir: fresh})
				if err != nil {
					t.Fatal(err)
				}
				if f := w.found(rowsText(t, d)); len(f) > 0 {
					t.Errorf("the restored database's rows hold the canaries of %v", f)
				}
				// Their keys are absent, tombstoned; the owner's is back.
				for owner, want := range map[string]int{w.personAcc: 0, w.org2ID: 0, w.ownerAcc: 1} {
					var keys, tombs int
					d.Reader().QueryRow(`SELECT count(*) FROM data_keys WHERE owner_id = $1`, owner).Scan(&keys)
					d.Reader().QueryRow(`SELECT count(*) FROM data_key_tombstones WHERE owner_id = $1`, owner).Scan(&tombs)
					if keys != want || tombs != 1-want {
						t.Errorf("after the restore, %s has %d keys and %d tombstones", owner, keys, tombs)
					}
				}
				d.Close()
				checkDisk("with the server running")
			})

			t.Run("c_B1_with_own_keyring_refused", func(t *testing.T) {
				fresh := t.TempDir()
				key, _ := os.ReadFile(filepath.Join(dataDir, "master.key"))
				os.WriteFile(filepath.Join(fresh, "master.key"), key, 0o600)
				var url string
				if kind == db.Postgres {
					url = freshDatabase(t, pgURL)
				}
				out, err := atrium(t, append([]string{"restore", b1, "--keyring", k1}, target(fresh, url)...)...)
				if err == nil || !strings.Contains(out, "keyring_superseded") {
					t.Errorf("B1 with its own keyring, B2's beside it: %v\n%s", err, out)
				}
				// An older keyring than the data: refused too.
				out, err = atrium(t, append([]string{"restore", b2, "--keyring", k1}, target(fresh, url)...)...)
				if err == nil || !strings.Contains(out, "keyring_older_than_data") {
					t.Errorf("B2 with B1's keyring: %v\n%s", err, out)
				}
				// Nothing was restored by the refusals.
				if ents, _ := os.ReadDir(fresh); len(ents) != 1 {
					t.Errorf("a refused restore wrote into the data dir: %v", ents)
				}
			})
		})
	}
}
