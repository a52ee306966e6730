package drive_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// chatFile uploads a chat attachment as p and returns its id.
func chatFile(t *testing.T, p *person, name string, body []byte) string {
	t.Helper()
	r := raw(t, p, "POST", "/api/v1/files?name="+name, body, map[string]string{"Content-Type": "text/plain"}).Want(t, http.StatusCreated)
	var f struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(r.Body, &f); err != nil || f.ID == "" {
		t.Fatalf("chat upload: %s", r.Body)
	}
	return f.ID
}

func TestHTTPSaveChatAttachment(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		bob := w.member(t, "Bob")
		body := []byte("minutes of the meeting")
		fid := chatFile(t, ann, "minutes.txt", body)
		mine := mySpace(t, ann)
		docs := folder(t, ann, mine.RootID, "Docs")

		var it drive.Item
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": docs.ID}, &it).Want(t, http.StatusCreated)
		if it.Name != "minutes.txt" || it.Size != int64(len(body)) || it.ParentID != docs.ID || it.Kind != drive.ItemFile {
			t.Fatalf("saved: %+v", it)
		}
		if got := download(t, ann, it.ID, nil).Want(t, http.StatusOK).Body; !bytes.Equal(got, body) {
			t.Fatalf("saved bytes: %q", got)
		}
		// The chat's file stays as it was.
		if got := raw(t, ann, "GET", "/api/v1/files/"+fid+"/content", nil, nil).Want(t, http.StatusOK).Body; !bytes.Equal(got, body) {
			t.Fatalf("chat bytes: %q", got)
		}
		if n := names(children(t, ann, docs.ID)); n != "minutes.txt" {
			t.Fatalf("folder: %s", n)
		}

		// The same name again: 409, unless it replaces (a new version) or
		// takes another name.
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": docs.ID}, nil).WantError(t, http.StatusConflict, "name_taken")
		var v2 drive.Item
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": docs.ID, "replace": true}, &v2).Want(t, http.StatusOK)
		if v2.ID != it.ID || v2.Version != 2 {
			t.Fatalf("replaced: %+v", v2)
		}
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": docs.ID, "name": "copy.txt"}, nil).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": docs.ID, "name": "../x"}, nil).WantError(t, http.StatusBadRequest, "invalid_name")

		// Bad input.
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"parent_id": docs.ID}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid}, nil).WantError(t, http.StatusBadRequest, "invalid_field")

		// A file Bob may not see, into his own space: 404. Ann's folder for
		// Bob, and for another organization: 404.
		bobs := mySpace(t, bob)
		bob.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": bobs.RootID}, nil).WantError(t, http.StatusNotFound, "not_found")
		bfid := chatFile(t, bob, "b.txt", []byte("bob's"))
		bob.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": bfid, "parent_id": docs.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		mfid := chatFile(t, w.mallory, "m.txt", []byte("mallory's"))
		w.mallory.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": mfid, "parent_id": docs.ID}, nil).WantError(t, http.StatusNotFound, "not_found")
		// Into a file rather than a folder: 409.
		ann.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": fid, "parent_id": it.ID}, nil).WantError(t, http.StatusConflict, "not_a_folder")

		// The quota counts it like an upload.
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"personal_quota_bytes": 1}, nil).Want(t, http.StatusOK)
		big := chatFile(t, bob, "big.txt", bytes.Repeat([]byte("x"), 100))
		bob.Do(t, "POST", "/api/v1/drive/chat-files", map[string]any{"file_id": big, "parent_id": bobs.RootID}, nil).WantError(t, http.StatusRequestEntityTooLarge, "quota_exceeded")
	})
}
