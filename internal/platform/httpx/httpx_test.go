package httpx_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

type req struct {
	Name  string   `json:"name"`
	Age   int      `json:"age"`
	Tags  []string `json:"tags"`
	Inner struct {
		On bool `json:"on"`
	} `json:"inner"`
}

func TestDecodeJSONErrors(t *testing.T) {
	cases := []struct {
		name, body, ct string
		code, field    string
	}{
		{"ok", `{"name":"a","age":3}`, "application/json", "", ""},
		{"malformed", `{"name":`, "application/json", "invalid_json", ""},
		{"syntax", `{"name" "a"}`, "application/json", "invalid_json", ""},
		{"empty", ``, "application/json", "empty_body", ""},
		{"unknown field", `{"name":"a","evil":1}`, "application/json", "unknown_field", "evil"},
		{"wrong type", `{"age":"three"}`, "application/json", "wrong_type", "age"},
		{"wrong nested type", `{"inner":{"on":"yes"}}`, "application/json", "wrong_type", "inner.on"},
		{"two values", `{"name":"a"}{"name":"b"}`, "application/json", "invalid_json", ""},
		{"huge", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, "application/json", "body_too_large", ""},
		{"not json", `name=a`, "application/x-www-form-urlencoded", "unsupported_media_type", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", tc.ct)
			var dst req
			err := httpx.DecodeJSON(w, r, &dst)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != tc.code || ae.Kind != apperr.KindInvalid {
				t.Fatalf("got %v, want code %s", err, tc.code)
			}
			if tc.field != "" && ae.Details["field"] != tc.field {
				t.Fatalf("field = %v, want %s", ae.Details["field"], tc.field)
			}
		})
	}
}

func TestWriteErrorHidesInternalText(t *testing.T) {
	h := httpx.Observe(discard(), httpx.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		switch r.URL.Path {
		case "/internal":
			return errors.New("pq: password authentication failed for user secret")
		case "/notfound":
			return db.ErrNotFound
		case "/conflict":
			return db.ErrConflict
		case "/panic":
			panic("boom secret")
		}
		return apperr.Forbidden("field_locked", "this field is locked").With("field", "title")
	}))
	for path, want := range map[string]struct {
		status int
		code   string
	}{
		"/internal": {500, "internal"}, "/notfound": {404, "not_found"}, "/conflict": {409, "conflict"},
		"/panic": {500, "internal"}, "/forbidden": {403, "field_locked"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		var body httpx.ErrorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if w.Code != want.status || body.Error.Code != want.code || body.Error.RequestID == "" {
			t.Errorf("%s: got %d %+v", path, w.Code, body)
		}
		if strings.Contains(w.Body.String(), "secret") {
			t.Errorf("%s leaked internal text: %s", path, w.Body.String())
		}
		if body.Error.RequestID != w.Header().Get("X-Request-Id") {
			t.Errorf("%s: request id in body and header differ", path)
		}
	}
}
