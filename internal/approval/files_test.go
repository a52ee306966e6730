package approval_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func upload(t *testing.T, w *world, p *person, name, body string) approval.File {
	t.Helper()
	req, _ := http.NewRequest("POST", w.env.URL+"/api/v1/approval-files?name="+name, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	r := p.Request(t, req)
	var f approval.File
	if r.Status != http.StatusCreated || json.Unmarshal(r.Body, &f) != nil {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	return f
}

func TestHTTPFiles(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		tm := newTeam(t, w)
		tp := expense(t, w, tm)
		r := file(t, tm.ann, map[string]any{"template_id": tp.ID, "form": map[string]any{"amount": "10"}})
		f := upload(t, w, tm.ann, "receipt.txt", "taxi 42.00")
		if f.Name != "receipt.txt" || f.Size != 10 || !strings.HasPrefix(f.ContentType, "text/plain") {
			t.Fatalf("file: %+v", f)
		}
		get := func(p *person) int {
			res := p.Do(t, "GET", "/api/v1/approval-files/"+f.ID, nil, nil)
			return res.Status
		}
		// Before it is attached only its uploader gets it.
		if get(tm.ann) != http.StatusOK || get(tm.sam) != http.StatusNotFound {
			t.Fatal("an unattached file is readable by someone else")
		}
		other := upload(t, w, tm.sam, "mine.txt", "sam's")
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/comments", map[string]any{"body": "receipts", "file_ids": []string{other.ID}}, nil).WantError(t, http.StatusBadRequest, "invalid_form")
		var c approval.Comment
		tm.ann.Do(t, "POST", "/api/v1/approvals/"+r.ID+"/comments", map[string]any{"body": "receipts", "file_ids": []string{f.ID}}, &c).Want(t, http.StatusCreated)
		if len(c.FileIDs) != 1 || c.FileIDs[0] != f.ID {
			t.Fatalf("comment files: %+v", c)
		}
		for p, want := range map[*person]int{tm.ann: 200, tm.sam: 200, w.owner: 200, tm.otto: 404, w.mallory: 404} {
			if got := get(p); got != want {
				t.Errorf("%s gets the file: %d, want %d", p.Name, got, want)
			}
		}
		req, _ := http.NewRequest("GET", w.env.URL+"/api/v1/approval-files/"+f.ID, nil)
		res := tm.sam.Request(t, req)
		if string(res.Body) != "taxi 42.00" {
			t.Fatalf("bytes: %q", res.Body)
		}
	})
}
