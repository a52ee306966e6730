package chat_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestHTTPStrictInput: group names and file names with control or
// text-direction characters are refused (400 unsafe_characters); message
// bodies take any valid message in any JSON escaping and refuse more; the
// one decoder refuses invalid UTF-8 and duplicate keys on chat's routes.
func TestHTTPStrictInput(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)

		// Names: "Payroll‮gpj.exe" reads as "Payrollexe.jpg".
		for _, name := range []string{"Payroll\u202egpj.exe", "Team\u2066x\u2069", "two\nlines", "tab\tname", "\u200fRTL mark"} {
			w.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "general", "name": name, "member_ids": []string{}}, nil).
				WantError(t, http.StatusBadRequest, "unsafe_characters")
		}
		g := create(t, w.owner, http.StatusCreated, map[string]any{"kind": "general", "name": "Family 👨\u200d👩\u200d👧", "member_ids": []string{}})
		r := w.owner.Do(t, "PATCH", "/api/v1/conversations/"+g.ID, map[string]any{"name": "Invoices\u202efdp.exe"}, nil).
			WantError(t, http.StatusBadRequest, "unsafe_characters")
		if !bytes.Contains(r.Body, []byte(`"character":"U+202E"`)) || !bytes.Contains(r.Body, []byte(`"field":"name"`)) {
			t.Fatalf("unsafe name answer names neither field nor character: %s", r.Body)
		}

		// File names, as ?name= and as a multipart file name.
		for _, name := range []string{"invoice\u202efdp.exe", "a\x00b.txt", "line\r\nbreak.txt"} {
			req, _ := http.NewRequest("POST", env.URL+"/api/v1/files?name="+url.QueryEscape(name), strings.NewReader("data"))
			req.Header.Set("Content-Type", "text/plain")
			w.owner.Request(t, req).WantError(t, http.StatusBadRequest, "unsafe_characters")
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "photo\u202egnp.exe")
		fw.Write([]byte("data"))
		mw.Close()
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/files", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		w.owner.Request(t, req).WantError(t, http.StatusBadRequest, "unsafe_characters")
		if f := upload(t, w.owner, "会议纪要 résumé.pdf", []byte("%PDF-1.4")); f.Name != "会议纪要 résumé.pdf" {
			t.Fatalf("stored name %q", f.Name)
		}

		// The longest message, every character escaped (12 bytes each):
		// about 120 KB of JSON, and it must be accepted.
		max := `{"client_msg_id":"longest","body":"` + strings.Repeat(`\ud83d\ude00`, chat.MaxBodyRunes) + `"}`
		if len(max) <= 64<<10 {
			t.Fatalf("test body too small: %d", len(max))
		}
		var m chat.Message
		w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", max, &m).Want(t, http.StatusCreated)
		if n := len([]rune(m.Body)); n != chat.MaxBodyRunes {
			t.Fatalf("stored %d characters", n)
		}
		w.owner.Do(t, "PATCH", "/api/v1/conversations/"+g.ID+"/messages/"+m.ID, `{"body":"`+strings.Repeat(`\u00e9`, chat.MaxBodyRunes)+`"}`, nil).Want(t, http.StatusOK)
		over := `{"client_msg_id":"over","body":"` + strings.Repeat("x", chat.MaxBodyRunes+1) + `"}`
		w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", over, nil).WantError(t, http.StatusBadRequest, "body_too_long")
		huge := `{"client_msg_id":"huge","body":"` + strings.Repeat("x", chat.MaxSendBody) + `"}`
		r = w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", huge, nil).WantError(t, http.StatusBadRequest, "body_too_large")
		if !bytes.Contains(r.Body, []byte(fmt.Sprintf(`"limit":%d`, chat.MaxSendBody))) {
			t.Fatalf("body_too_large does not say the limit: %s", r.Body)
		}

		// Strict JSON on a send: one "body", UTF-8 only.
		w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", `{"client_msg_id":"d1","body":"shown","body":"kept"}`, nil).
			WantError(t, http.StatusBadRequest, "duplicate_key")
		w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", []byte("{\"client_msg_id\":\"u1\",\"body\":\"caf\xe9\"}"), nil).
			WantError(t, http.StatusBadRequest, "invalid_utf8")
		w.owner.Do(t, "POST", "/api/v1/conversations/"+g.ID+"/messages", `{"client_msg_id":"u2","body":"half \ud83d pair"}`, nil).
			WantError(t, http.StatusBadRequest, "invalid_utf8")
	})
}
