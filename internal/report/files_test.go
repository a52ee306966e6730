package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/report"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func upload(t *testing.T, w *world, p *person, name string, body io.Reader) *servertest.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/report-files?name="+name, body)
	req.Header.Set("Content-Type", "application/octet-stream")
	return p.Request(t, req)
}

func uploaded(t *testing.T, w *world, p *person, name, body string) report.File {
	t.Helper()
	r := upload(t, w, p, name, strings.NewReader(body))
	var f report.File
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &f) != nil {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return f
}

func download(t *testing.T, w *world, p *person, id string) *servertest.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", w.env.URL+report.FilePath+id, nil)
	return p.Request(t, req)
}

// withFiles creates a custom template with a text and an attachment
// field, whose reports go to the team's HR.
func withFiles(t *testing.T, w *world, tm team) report.Template {
	t.Helper()
	var tp report.Template
	w.owner.Do(t, "POST", "/api/v1/report-templates", map[string]any{
		"name": "Visit report", "period": "custom",
		"fields": []map[string]any{
			{"id": "done", "label": "Done", "kind": "text"},
			{"id": "photos", "label": "Photos", "kind": "attachment", "required": true, "options": []string{"ignored"}},
		},
		"recipients": map[string]any{"member_ids": []string{tm.hr.MemberID}},
	}, &tp).Want(t, http.StatusCreated)
	if tp.Fields[1].Kind != report.KindAttachment || len(tp.Fields[1].Options) != 0 {
		t.Fatalf("attachment field: %+v", tp.Fields[1])
	}
	return tp
}

// TestHTTPFiles: a writer uploads files and names them in an attachment
// field; the report's recipients download them, anyone else — a member
// it did not go to, another organization — gets 404 as for an id that
// does not exist. Files nobody else uploaded can be named only; an edit
// that drops a file deletes it, and a deleted draft's files go with it.
func TestHTTPFiles(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := withFiles(t, w, tm)

		if r := upload(t, w, tm.ann, "big.bin", bytes.NewReader(make([]byte, report.MaxFileSize+1))); r.Status != http.StatusRequestEntityTooLarge ||
			!strings.Contains(string(r.Body), "file_too_large") {
			t.Fatalf("too large: %d %s", r.Status, r.Body)
		}
		upload(t, w, tm.ann, "empty.txt", strings.NewReader("")).WantError(t, http.StatusBadRequest, "empty_file")
		doc := uploaded(t, w, tm.ann, "visit.txt", "the visit notes")
		if doc.Name != "visit.txt" || doc.Size != 15 || !strings.HasPrefix(doc.ContentType, "text/plain") {
			t.Fatalf("file: %+v", doc)
		}
		// Before it is attached only its uploader gets it.
		if download(t, w, tm.ann, doc.ID).Status != http.StatusOK || download(t, w, tm.hr, doc.ID).Status != http.StatusNotFound {
			t.Fatal("an unattached file is readable by someone else")
		}
		// A required attachment field needs a file; unknown and other
		// people's files are refused.
		tm.ann.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "values": map[string]any{"photos": []string{}}, "submit": true}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		tm.ann.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "values": map[string]any{"photos": "x"}}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		theirs := uploaded(t, w, tm.ed, "theirs.txt", "theirs")
		tm.ann.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "values": map[string]any{"photos": []string{theirs.ID}}, "submit": true}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")

		// Attached on submit: the recipient downloads the exact bytes.
		r := write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"done": "visited", "photos": []string{doc.ID}}, "submit": true})
		if len(r.Files) != 1 || r.Files[0].ID != doc.ID || r.Files[0].Name != "visit.txt" {
			t.Fatalf("report files: %+v %+v", r.Files, r.Values)
		}
		var got report.Report
		tm.hr.Do(t, "GET", "/api/v1/reports/"+r.ID, nil, &got).Want(t, http.StatusOK)
		if l, _ := got.Values["photos"].([]any); len(l) != 1 || l[0] != doc.ID || len(got.Files) != 1 || got.Files[0].Name != "visit.txt" {
			t.Fatalf("the recipient's view: %+v %+v", got.Values, got.Files)
		}
		for who, want := range map[*person]int{tm.ann: 200, tm.hr: 200, tm.otto: 404, tm.ed: 404, w.owner: 404, w.mallory: 404} {
			if rs := download(t, w, who, doc.ID); rs.Status != want {
				t.Errorf("%s gets the file: %d, want %d", who.Email, rs.Status, want)
			}
		}
		dl := download(t, w, tm.hr, doc.ID)
		if string(dl.Body) != "the visit notes" || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download: %q %v", dl.Body, dl.Header)
		}
		// A file attached to one report cannot be named by another.
		tm.ann.Do(t, "POST", "/api/v1/reports", map[string]any{"template_id": tp.ID, "values": map[string]any{"photos": []string{doc.ID}}}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")

		// A draft: its files are its author's only; an edit that drops one
		// deletes it, and deleting the draft deletes the rest.
		a, b := uploaded(t, w, tm.ann, "a.txt", "aaa"), uploaded(t, w, tm.ann, "b.txt", "bbb")
		d := write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"photos": []string{a.ID, b.ID}}})
		if len(d.Files) != 2 || download(t, w, tm.hr, a.ID).Status != http.StatusNotFound {
			t.Fatalf("draft files: %+v", d.Files)
		}
		var e report.Report
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+d.ID, map[string]any{"values": map[string]any{"photos": []string{b.ID}}}, &e).Want(t, http.StatusOK)
		if len(e.Files) != 1 || e.Files[0].ID != b.ID {
			t.Fatalf("after the edit: %+v", e.Files)
		}
		if download(t, w, tm.ann, a.ID).Status != http.StatusNotFound || download(t, w, tm.ann, b.ID).Status != http.StatusOK {
			t.Fatal("the edit did not delete the dropped file only")
		}
		// An edit of the plans keeps the files.
		tm.ann.Do(t, "PATCH", "/api/v1/reports/"+d.ID, map[string]any{"plans": "later"}, &e).Want(t, http.StatusOK)
		if len(e.Files) != 1 {
			t.Fatalf("an edit without values dropped files: %+v", e.Files)
		}
		tm.ann.Do(t, "DELETE", "/api/v1/reports/"+d.ID, nil, nil).Want(t, http.StatusNoContent)
		if download(t, w, tm.ann, b.ID).Status != http.StatusNotFound {
			t.Fatal("a deleted draft's file is still there")
		}
	})
}

// TestHTTPUnusedUploads: an upload no report named within a day is
// deleted by the cleanup; one named in time stays.
func TestHTTPUnusedUploads(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := withFiles(t, w, tm)
		unused := uploaded(t, w, tm.ann, "unused.txt", "unused")
		used := uploaded(t, w, tm.ann, "used.txt", "used")
		write(t, tm.ann, map[string]any{"template_id": tp.ID, "values": map[string]any{"photos": []string{used.ID}}})
		svc := env.App.Report()
		if n, err := svc.PurgeUnattached(context.Background()); err != nil || n != 0 {
			t.Fatalf("purge of fresh uploads: %d %v", n, err)
		}
		w.clock.set(w.clock.now().Add(report.UnattachedFor + time.Minute))
		if n, err := svc.PurgeUnattached(context.Background()); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if download(t, w, tm.ann, unused.ID).Status != http.StatusNotFound || download(t, w, tm.ann, used.ID).Status != http.StatusOK {
			t.Fatal("the cleanup deleted the wrong files")
		}
	})
}
