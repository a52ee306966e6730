package announce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// pngHead is enough of a PNG for the server to sniff image/png.
var pngHead = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"

func upload(t *testing.T, w *world, p *person, name string, body io.Reader) *servertest.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/announcement-files?name="+name, body)
	req.Header.Set("Content-Type", "application/octet-stream")
	return p.Request(t, req)
}

func uploaded(t *testing.T, w *world, p *person, name, body string) announce.File {
	t.Helper()
	r := upload(t, w, p, name, strings.NewReader(body))
	var f announce.File
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &f) != nil {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return f
}

func download(t *testing.T, w *world, p *person, id string) *servertest.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", w.env.URL+"/api/v1/announcement-files/"+id, nil)
	return p.Request(t, req)
}

// TestHTTPFiles: a publisher uploads files and names them as attachments,
// cover and body images of an announcement; its recipients (and
// publishers) download them, anyone else — a member it did not reach,
// another organization — gets 404 as for an id that does not exist. An
// edit that drops a file deletes it; a withdrawn announcement's files are
// its publishers' only; a draft's files go with it.
func TestHTTPFiles(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		reader := w.member(t, "Rita")
		bystander := w.member(t, "Ben")

		// Only publishers upload.
		if r := upload(t, w, reader, "x.txt", strings.NewReader("x")); r.Status != http.StatusForbidden {
			t.Fatalf("a member uploads: %d %s", r.Status, r.Body)
		}
		if r := upload(t, w, w.owner, "big.bin", bytes.NewReader(make([]byte, announce.MaxFileSize+1))); r.Status != http.StatusRequestEntityTooLarge ||
			!strings.Contains(string(r.Body), "file_too_large") {
			t.Fatalf("too large: %d %s", r.Status, r.Body)
		}
		doc := uploaded(t, w, w.owner, "plan.txt", "the plan")
		cover := uploaded(t, w, w.owner, "cover.png", pngHead)
		img := uploaded(t, w, w.owner, "chart.png", pngHead+"chart")
		if doc.Name != "plan.txt" || doc.Size != 8 || !strings.HasPrefix(doc.ContentType, "text/plain") || cover.ContentType != "image/png" {
			t.Fatalf("files: %+v %+v", doc, cover)
		}
		// Before it is attached only its uploader gets it.
		if download(t, w, w.owner, doc.ID).Status != http.StatusOK || download(t, w, reader, doc.ID).Status != http.StatusNotFound {
			t.Fatal("an unattached file is readable by someone else")
		}
		// The cover must be an image; unknown ids are refused.
		w.owner.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "T", "audience": map[string]any{"member_ids": []string{reader.MemberID}},
			"cover_file_id": doc.ID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		w.owner.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "T", "audience": map[string]any{"member_ids": []string{reader.MemberID}},
			"file_ids": []string{"anf_nope"}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		body := "See the chart:\n\n![chart](" + announce.FilePath + img.ID + ")\n\n![elsewhere](https://example.com/x.png)"
		var a announce.Announcement
		w.owner.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "Plan", "body": body,
			"audience": map[string]any{"member_ids": []string{reader.MemberID}}, "file_ids": []string{doc.ID}, "cover_file_id": cover.ID,
			"publish": true}, &a).Want(t, http.StatusCreated)
		if a.CoverFileID != cover.ID || len(a.Attachments) != 1 || a.Attachments[0].ID != doc.ID || a.Attachments[0].Name != "plan.txt" {
			t.Fatalf("announcement files: %+v %+v", a.CoverFileID, a.Attachments)
		}
		var got announce.Announcement
		reader.Do(t, "GET", "/api/v1/announcements/"+a.ID, nil, &got).Want(t, http.StatusOK)
		if !strings.Contains(got.BodyHTML, `<img src="`+announce.FilePath+img.ID+`" alt="chart">`) || strings.Contains(got.BodyHTML, "example.com") {
			t.Fatalf("body html: %s", got.BodyHTML)
		}
		if got.CoverFileID != cover.ID || len(got.Attachments) != 1 {
			t.Fatalf("reader's view: %+v", got)
		}
		for _, f := range []announce.File{doc, cover, img} {
			for who, want := range map[*person]int{w.owner: 200, reader: 200, bystander: 404, w.mallory: 404} {
				if r := download(t, w, who, f.ID); r.Status != want {
					t.Errorf("%s gets %s: %d, want %d", who.Email, f.Name, r.Status, want)
				}
			}
		}
		r := download(t, w, reader, doc.ID)
		if string(r.Body) != "the plan" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("download: %q %v", r.Body, r.Header)
		}
		if r := download(t, w, reader, cover.ID); !strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline;") || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("cover: %v", r.Header)
		}

		// Another publisher's file, or one attached elsewhere, cannot be named.
		other := w.member(t, "Paul")
		w.owner.Do(t, "PUT", "/api/v1/members/"+other.MemberID+"/roles", map[string]any{"role": "admin"}, nil).Want(t, http.StatusOK)
		theirs := uploaded(t, w, other, "theirs.txt", "theirs")
		w.owner.Do(t, "PATCH", "/api/v1/announcements/"+a.ID, map[string]any{"file_ids": []string{doc.ID, theirs.ID}}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		var b announce.Announcement
		other.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "B", "audience": map[string]any{"all": true},
			"file_ids": []string{doc.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		// Another publisher editing keeps the files; an edit that drops
		// the image and the cover deletes them.
		other.Do(t, "PATCH", "/api/v1/announcements/"+a.ID, map[string]any{"title": "Plan v2", "body": "No chart.", "cover_file_id": ""}, &b).Want(t, http.StatusOK)
		if b.CoverFileID != "" || len(b.Attachments) != 1 || b.Attachments[0].ID != doc.ID {
			t.Fatalf("after the edit: %+v %+v", b.CoverFileID, b.Attachments)
		}
		for _, id := range []string{cover.ID, img.ID} {
			if r := download(t, w, w.owner, id); r.Status != http.StatusNotFound {
				t.Errorf("a dropped file is still there: %d", r.Status)
			}
		}

		// Withdrawn: its readers lose the files, publishers keep them.
		w.owner.Do(t, "POST", "/api/v1/announcements/"+a.ID+"/withdraw", nil, nil).Want(t, http.StatusOK)
		if download(t, w, reader, doc.ID).Status != http.StatusNotFound || download(t, w, other, doc.ID).Status != http.StatusOK {
			t.Fatal("files of a withdrawn announcement")
		}

		// A draft's files go with it.
		f := uploaded(t, w, w.owner, "draft.txt", "draft")
		var d announce.Announcement
		w.owner.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "Draft", "audience": map[string]any{"all": true}, "file_ids": []string{f.ID}}, &d).Want(t, http.StatusCreated)
		if len(d.Attachments) != 1 || download(t, w, reader, f.ID).Status != http.StatusNotFound {
			t.Fatalf("draft: %+v", d.Attachments)
		}
		w.owner.Do(t, "DELETE", "/api/v1/announcements/"+d.ID, nil, nil).Want(t, http.StatusNoContent)
		if download(t, w, w.owner, f.ID).Status != http.StatusNotFound {
			t.Fatal("a deleted draft's file is still there")
		}
	})
}

// TestHTTPUnusedUploads: an upload no announcement named within a day is
// deleted by the cleanup; one named in time stays.
func TestHTTPUnusedUploads(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		unused := uploaded(t, w, w.owner, "unused.txt", "unused")
		used := uploaded(t, w, w.owner, "used.txt", "used")
		w.owner.Do(t, "POST", "/api/v1/announcements", map[string]any{"title": "T", "audience": map[string]any{"all": true},
			"file_ids": []string{used.ID}}, nil).Want(t, http.StatusCreated)
		svc := env.App.Announce()
		if n, err := svc.PurgeUnattached(context.Background()); err != nil || n != 0 {
			t.Fatalf("purge of fresh uploads: %d %v", n, err)
		}
		w.clock.add(announce.UnattachedFor + time.Minute)
		if n, err := svc.PurgeUnattached(context.Background()); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if download(t, w, w.owner, unused.ID).Status != http.StatusNotFound || download(t, w, w.owner, used.ID).Status != http.StatusOK {
			t.Fatal("the cleanup deleted the wrong files")
		}
	})
}
