package calendar_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func uploadFile(t *testing.T, env *servertest.Env, p person, name string, body []byte) *servertest.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/calendar-files?name="+name, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	return p.Request(t, req)
}

func uploadedFile(t *testing.T, env *servertest.Env, p person, name, body string) calendar.File {
	t.Helper()
	r := uploadFile(t, env, p, name, []byte(body))
	var f calendar.File
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &f) != nil {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return f
}

func downloadFile(t *testing.T, env *servertest.Env, p person, id string) *servertest.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", env.URL+"/api/v1/calendar-files/"+id, nil)
	return p.Request(t, req)
}

// blobCount counts the files' bytes kept in the server's file store.
func blobCount(t *testing.T, env *servertest.Env) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(filepath.Join(env.App.Cfg.DataDir, "blobs"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// TestHTTPAttachments: files uploaded and attached to an event are
// downloaded by whoever may see the event — not by those who see only
// busy time, nor by another organization (404 as for a missing id). An
// edit that drops a file deletes it with its bytes, and so does deleting
// the event; only the uploader's unattached files may be attached; one
// occurrence cannot change the attachments; the files of a personal
// calendar's events go with their owner; unused uploads are purged.
func TestHTTPAttachments(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Ben")
		o, ann, ben := ps[0], ps[1], ps[2]
		base := blobCount(t, env)

		if r := uploadFile(t, env, o, "empty.txt", nil); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "empty_file") {
			t.Fatalf("empty upload: %d %s", r.Status, r.Body)
		}
		if r := uploadFile(t, env, o, "big.bin", make([]byte, calendar.MaxFileSize+1)); r.Status != http.StatusRequestEntityTooLarge ||
			!strings.Contains(string(r.Body), "file_too_large") {
			t.Fatalf("too large: %d %s", r.Status, r.Body)
		}
		agenda := uploadedFile(t, env, o, "agenda.txt", "the agenda")
		if agenda.Name != "agenda.txt" || agenda.Size != 10 || !strings.HasPrefix(agenda.ContentType, "text/plain") {
			t.Fatalf("uploaded: %+v", agenda)
		}
		// Before an event names it, only its uploader downloads it.
		if r := downloadFile(t, env, ann, agenda.ID); r.Status != http.StatusNotFound {
			t.Fatalf("someone else's upload: %d", r.Status)
		}
		if r := downloadFile(t, env, o, agenda.ID); r.Status != http.StatusOK || string(r.Body) != "the agenda" {
			t.Fatalf("own upload: %d %s", r.Status, r.Body)
		}

		var ev calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Planning", "start": "2027-02-01T10:00", "end": "2027-02-01T11:00",
			"time_zone": "Europe/Berlin", "rrule": "FREQ=WEEKLY;COUNT=4", "attendees": map[string]any{"member_ids": []string{ann.MemberID}},
			"file_ids": []string{agenda.ID}}, &ev).Want(t, http.StatusCreated)
		if len(ev.Attachments) != 1 || ev.Attachments[0].ID != agenda.ID || ev.Attachments[0].Name != "agenda.txt" {
			t.Fatalf("attachments: %+v", ev.Attachments)
		}
		// Calendar apps get a link to each file (ATTACH, RFC 8607 FILENAME).
		ics := o.Do(t, "GET", "/api/v1/calendars/"+ev.CalendarID+"/export.ics", nil, nil)
		if ics.Status != http.StatusOK || !strings.Contains(strings.ReplaceAll(string(ics.Body), "\r\n ", ""), "/api/v1/calendar-files/"+agenda.ID) ||
			!strings.Contains(string(ics.Body), "FILENAME=agenda.txt") {
			t.Fatalf("export: %d %s", ics.Status, ics.Body)
		}
		var seen calendar.Event
		ann.Do(t, "GET", "/api/v1/events/"+ev.ID, nil, &seen).Want(t, http.StatusOK)
		if len(seen.Attachments) != 1 {
			t.Fatalf("an attendee sees: %+v", seen.Attachments)
		}
		if r := downloadFile(t, env, ann, agenda.ID); r.Status != http.StatusOK || string(r.Body) != "the agenda" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("an attendee downloads: %d %s %v", r.Status, r.Body, r.Header)
		}
		// Ben sees only that Olivia is busy: no file.
		if r := downloadFile(t, env, ben, agenda.ID); r.Status != http.StatusNotFound {
			t.Fatalf("a bystander downloads: %d", r.Status)
		}
		// Another organization: 404 as for a missing id.
		// Olivia, in Globex, founded by her and current: 404 as for a
		// missing id; back in Acme, the file again.
		var globex struct{ ID string }
		o.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Globex"}, &globex).Want(t, http.StatusCreated)
		if r := downloadFile(t, env, o, agenda.ID); r.Status != http.StatusNotFound {
			t.Fatalf("from another organization: %d", r.Status)
		}
		var acmeID string
		if err := env.App.DB.Reader().QueryRow(`SELECT org_id FROM calendar_files WHERE id = $1`, agenda.ID).Scan(&acmeID); err != nil {
			t.Fatal(err)
		}
		o.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": acmeID}, nil).Want(t, http.StatusOK)

		// Ann may not attach Olivia's file to an event of her own.
		ann.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Mine", "start": "2027-02-02T10:00", "end": "2027-02-02T11:00",
			"file_ids": []string{agenda.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ann.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Mine", "start": "2027-02-02T10:00", "end": "2027-02-02T11:00",
			"file_ids": []string{"nope"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// One occurrence does not change the series' files.
		rid := "2027-02-08T09:00:00Z"
		o.Do(t, "PATCH", "/api/v1/events/"+ev.ID+"?scope=this&recurrence_id="+rid, map[string]any{"file_ids": []string{}}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		if n := blobCount(t, env); n != base+1 {
			t.Fatalf("%d bytes stored, want %d", n, base+1)
		}

		// An edit that replaces the file deletes the old one with its bytes.
		minutes := uploadedFile(t, env, o, "minutes.txt", "the minutes")
		o.Do(t, "PATCH", "/api/v1/events/"+ev.ID, map[string]any{"file_ids": []string{minutes.ID}}, &ev).Want(t, http.StatusOK)
		if len(ev.Attachments) != 1 || ev.Attachments[0].ID != minutes.ID {
			t.Fatalf("after the edit: %+v", ev.Attachments)
		}
		if r := downloadFile(t, env, o, agenda.ID); r.Status != http.StatusNotFound {
			t.Fatalf("a dropped file: %d", r.Status)
		}
		if n := blobCount(t, env); n != base+1 {
			t.Fatalf("after the edit %d bytes stored, want %d", n, base+1)
		}
		// Deleting the event deletes its files.
		o.Do(t, "DELETE", "/api/v1/events/"+ev.ID, nil, nil).Want(t, http.StatusNoContent)
		if r := downloadFile(t, env, o, minutes.ID); r.Status != http.StatusNotFound {
			t.Fatalf("a deleted event's file: %d", r.Status)
		}
		if n := blobCount(t, env); n != base {
			t.Fatalf("after the deletion %d bytes stored, want %d", n, base)
		}

		// Ann's personal calendar goes with her, and its files' bytes.
		note := uploadedFile(t, env, ann, "note.txt", "private note")
		ann.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Doctor", "start": "2027-02-03T10:00", "end": "2027-02-03T11:00",
			"file_ids": []string{note.ID}}, nil).Want(t, http.StatusCreated)
		var orgID string
		if err := env.App.DB.Reader().QueryRow(`SELECT org_id FROM calendar_files WHERE id = $1`, note.ID).Scan(&orgID); err != nil {
			t.Fatal(err)
		}
		var out datamap.Erased
		err := env.App.DB.Tx(context.Background(), func(ctx context.Context) error {
			var err error
			out, err = env.App.Calendar().Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership,
				Subject: datamap.Subject{AccountID: ann.AccountID}, OrgID: orgID, MemberID: ann.MemberID, Mode: datamap.ModeAnonymize, Tombstone: "tmb_former"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// The bytes go after the erasure's transaction commits (as the
		// privacy center runs Erased.After), not inside it.
		if blobCount(t, env) == base {
			t.Fatal("the file's bytes were deleted inside the erasure's transaction")
		}
		for _, fn := range out.After {
			if err := fn(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		var n int
		env.App.DB.Reader().QueryRow(`SELECT COUNT(*) FROM calendar_files WHERE id = $1`, note.ID).Scan(&n)
		if n != 0 || blobCount(t, env) != base {
			t.Fatalf("after erasure: %d rows, %d bytes stored (want 0, %d)", n, blobCount(t, env), base)
		}

		// An upload no event names is purged after a day.
		uploadedFile(t, env, o, "draft.txt", "draft")
		svc := env.App.Calendar()
		if k, err := svc.PurgeFiles(context.Background()); err != nil || k != 0 {
			t.Fatalf("purge now: %d %v", k, err)
		}
		svc.Now = func() time.Time { return time.Now().Add(calendar.UnattachedFor + time.Hour) }
		defer func() { svc.Now = time.Now }()
		if k, err := svc.PurgeFiles(context.Background()); err != nil || k != 1 {
			t.Fatalf("purge a day later: %d %v", k, err)
		}
		if n := blobCount(t, env); n != base {
			t.Fatalf("after the purge %d bytes stored, want %d", n, base)
		}
	})
}
