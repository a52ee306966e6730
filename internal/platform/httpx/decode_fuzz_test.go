package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Representative request bodies: the shapes the API's handlers decode.
type (
	loginRequest struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		TOTP     string `json:"totp,omitempty"`
		Remember bool   `json:"remember"`
	}
	memberPatch struct {
		Name         *string           `json:"name"`
		Title        *string           `json:"title"`
		Departments  []string          `json:"departments"`
		Fields       map[string]any    `json:"fields"`
		Labels       map[string]string `json:"labels"`
		Level        *int              `json:"level"`
		Supervisor   *string           `json:"supervisor"`
		JoinDate     *time.Time        `json:"join_date"`
		Deactivate   bool              `json:"deactivate"`
		EmployeeNo   json.Number       `json:"employee_no"`
		PermissionOf []struct {
			Permission string `json:"permission"`
			Department string `json:"department"`
		} `json:"permissions"`
	}
	sendMessage struct {
		ClientMsgID string   `json:"client_msg_id"`
		Text        string   `json:"text"`
		ReplyTo     string   `json:"reply_to,omitempty"`
		Mentions    []string `json:"mentions"`
		Location    *struct {
			Lat   float64 `json:"lat"`
			Lon   float64 `json:"lon"`
			Label string  `json:"label"`
		} `json:"location"`
		Files []struct {
			ID   string `json:"id"`
			Size int64  `json:"size"`
		} `json:"files"`
	}
)

// stableCodes are the codes a decoding failure may carry.
var stableCodes = map[string]bool{
	"invalid_json": true, "empty_body": true, "wrong_type": true,
	"unknown_field": true, "body_too_large": true,
	"invalid_utf8": true, "duplicate_key": true,
}

func decodeInto(t *testing.T, data []byte, dst any) {
	const limit = 4096
	err := httpx.Decode(bytes.NewReader(data), dst, limit)
	if err == nil {
		// Only strict JSON gets through: UTF-8, no unpaired surrogate
		// (which encoding/json would have turned into U+FFFD).
		if !utf8.Valid(data) {
			t.Fatalf("Decode(%q) accepted invalid UTF-8", data)
		}
		if bytes.Contains(data, []byte(`\ud800"`)) && !bytes.Contains(data, []byte(`\\ud800"`)) {
			t.Fatalf("Decode(%q) accepted an unpaired surrogate", data)
		}
		// What decoded must encode again and decode to the same thing.
		again, merr := json.Marshal(dst)
		if merr != nil {
			t.Fatalf("decoded %q into %T but cannot re-encode: %v", data, dst, merr)
		}
		_ = again
		return
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("Decode(%q) returned a non-service error %T: %v", data, err, err)
	}
	if ae.Kind != apperr.KindInvalid || !stableCodes[ae.Code] {
		t.Fatalf("Decode(%q) = kind %v code %q", data, ae.Kind, ae.Code)
	}
	if httpx.StatusOf(ae.Kind) != 400 {
		t.Fatalf("decode errors must be 400, got %d", httpx.StatusOf(ae.Kind))
	}
}

// FuzzDecode feeds arbitrary bytes to the strict JSON decoder with the
// shapes of real request bodies: it never panics, never hangs, and every
// failure is a 400 with one of a few stable codes.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@example.com","password":"p","remember":true}`,
		`{"email":1}`,
		`{"emali":"typo"}`,
		`{"name":"张三","departments":["d1","d2"],"fields":{"x":[1,{"y":null}]},"level":3,"join_date":"2024-01-02T03:04:05Z","employee_no":12}`,
		`{"client_msg_id":"c1","text":"**hi** <script>alert(1)</script>","mentions":["m1"],"location":{"lat":1.5,"lon":-2,"label":"x"}}`,
		`{"files":[{"id":"f","size":99999999999999999999}]}`,
		`{} {}`,
		`[]`,
		`null`,
		``,
		`{"a":"\ud800"}`,
		`{"text":"` + string(bytes.Repeat([]byte("x"), 5000)) + `"}`,
		`{"level":1e400}`,
		`{"fields":{"a":{"b":{"c":{"d":{"e":[[[[[[[[[[]]]]]]]]]]}}}}}`,
		`{"email":"a","email":"b"}`,
		`{"email":"a","EMAIL":"b"}`,
		`{"fields":{"x":1,"\u0078":2}}`,
		`{"text":"\ud83d\ude00\udc00"}`,
		"{\"text\":\"\xed\xa0\x80\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeInto(t, data, &loginRequest{})
		decodeInto(t, data, &memberPatch{})
		decodeInto(t, data, &sendMessage{})
		var m map[string]any
		decodeInto(t, data, &m)
	})
}
