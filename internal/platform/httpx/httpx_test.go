package httpx_test

import (
	"encoding/json"
	"errors"
	"math"
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
		// Strict JSON (I-JSON, RFC 7493): UTF-8 only, no unpaired
		// surrogates, every member name once.
		{"invalid utf-8", "{\"name\":\"a\xff\"}", "application/json", "invalid_utf8", ""},
		{"invalid utf-8 outside strings", "{\"name\":\"a\"}\xc0", "application/json", "invalid_utf8", ""},
		{"overlong encoding", "{\"name\":\"\xc0\xaf\"}", "application/json", "invalid_utf8", ""},
		{"lone high surrogate", `{"name":"\ud800"}`, "application/json", "invalid_utf8", ""},
		{"lone low surrogate", `{"name":"\udc00x"}`, "application/json", "invalid_utf8", ""},
		{"reversed pair", `{"name":"\udc00\ud800"}`, "application/json", "invalid_utf8", ""},
		{"surrogate in a name", `{"\ud83d":1}`, "application/json", "invalid_utf8", ""},
		{"paired surrogates", `{"name":"\ud83d\ude00"}`, "application/json", "", ""},
		{"escaped backslash then u", `{"name":"\\ud800"}`, "application/json", "", ""},
		{"duplicate key", `{"name":"a","name":"b"}`, "application/json", "duplicate_key", "name"},
		{"duplicate key by case", `{"name":"a","NAME":"b"}`, "application/json", "duplicate_key", "NAME"},
		{"duplicate key by escape", `{"name":"a","n\u0061me":"b"}`, "application/json", "duplicate_key", "name"},
		{"duplicate key by kelvin fold", `{"k":1,"\u212a":2}`, "application/json", "duplicate_key", "\u212a"},
		{"duplicate nested key", `{"inner":{"on":true,"on":false}}`, "application/json", "duplicate_key", "inner.on"},
		{"duplicate key in an array element", `{"tags":[],"x":[{"a":1,"a":2}]}`, "application/json", "duplicate_key", "x[].a"},
		{"same key in sibling objects", `{"inner":{"on":true},"tags":[]}`, "application/json", "", ""},
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
		case "/unencodable":
			return apperr.Invalid("bad_value", "a value").With("ratio", math.NaN())
		}
		return apperr.Forbidden("field_locked", "this field is locked").With("field", "title")
	}))
	for path, want := range map[string]struct {
		status int
		code   string
	}{
		"/internal": {500, "internal"}, "/notfound": {404, "not_found"}, "/conflict": {409, "conflict"},
		"/panic": {500, "internal"}, "/forbidden": {403, "field_locked"},
		// Details JSON cannot carry: an internal error, never an empty 200.
		"/unencodable": {500, "internal"},
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

// TestPageOf: one paging validator for every list route; every bad limit
// is 400 invalid_limit with the same details.
func TestPageOf(t *testing.T) {
	for _, tc := range []struct {
		query string
		limit int
		bad   bool
	}{
		{"", 0, false},
		{"cursor=abc", 0, false},
		{"limit=1", 1, false},
		{"limit=200&cursor=x", 200, false},
		{"limit=007", 7, false},
		{"limit=0", 0, true},
		{"limit=201", 0, true},
		{"limit=-1", 0, true},
		{"limit=%2B5", 0, true},
		{"limit=1e2", 0, true},
		{"limit=1.5", 0, true},
		{"limit=abc", 0, true},
		{"limit=", 0, true},
		{"limit=%205", 0, true},
		{"limit=99999999999999999999", 0, true},
		{"limit=5&limit=6", 0, true},
	} {
		r := httptest.NewRequest("GET", "/x?"+tc.query, nil)
		p, err := httpx.PageOf(r)
		if !tc.bad {
			if err != nil || p.Limit != tc.limit {
				t.Errorf("%q: got %+v, %v; want limit %d", tc.query, p, err, tc.limit)
			}
			continue
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != "invalid_limit" || httpx.StatusOf(ae.Kind) != http.StatusBadRequest ||
			ae.Details["param"] != "limit" || ae.Details["max"] != httpx.MaxLimit {
			t.Errorf("%q: got %v, want 400 invalid_limit", tc.query, err)
		}
	}
	if p, _ := httpx.PageOf(httptest.NewRequest("GET", "/x?cursor=c1", nil)); p.Cursor != "c1" {
		t.Errorf("cursor = %q", p.Cursor)
	}
}
