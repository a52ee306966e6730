package form_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval/form"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// FuzzCheck: no form panics Check, whatever the schema — the one with
// every type, a built-in (by key), or a schema of the fuzzer's own that
// validates. Every refusal is a 400 invalid_form carrying a FieldError (or
// the Resolver's own failure), and what Check accepts checks again to
// itself, so a stored request always re-reads.
func FuzzCheck(f *testing.F) {
	f.Add("", []byte(`{"title":"x","amount":"8000.5","qty":1.25,"period":{"start":"2026-12-07","end":"2026-12-08","start_half":"pm"},"tags":["c","a"]}`))
	f.Add("", []byte(`{"title":"x","lines":{"rows":[{"amount":"1.01","who":["m1"],"when":{"start":"2026-12-07","end":"2026-12-07"}},{},null]},"place":{"lat":1,"lng":"2"}}`))
	f.Add("", []byte(`{"title":"x","hours":{"start":"2026-12-07T09:00","end":"2026-12-07T09:20"},"who":["boom"]}`))
	f.Add("expense", []byte(filled[form.BuiltinExpense]))
	f.Add("leave", []byte(filled[form.BuiltinLeave]))
	f.Add(`[{"id":"n","type":"number","label":"N","decimals":4,"min":"-1","max":"1"}]`, []byte(`{"n":"0.0001"}`))
	f.Add(`[{"id":"t","type":"table","label":"T","total":"q","columns":[{"id":"q","type":"number","label":"Q","decimals":2}]}]`, []byte(`{"t":{"rows":[{"q":"1.5"},{"q":-2}]}}`))
	builtins := map[string]form.Schema{}
	for _, b := range form.Builtins() {
		builtins[b.Key] = b.Schema
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, schema string, raw []byte) {
		s, ok := every, true
		if schema != "" {
			if s, ok = builtins[schema]; !ok && (json.Unmarshal([]byte(schema), &s) != nil || s.Validate() != nil) {
				return
			}
		}
		v, err := s.Check(ctx, raw, &resolver{})
		if err != nil {
			var fe *form.FieldError
			if !errors.Is(err, errDown) && (apperr.CodeOf(err) != "invalid_form" || !errors.As(err, &fe)) {
				t.Fatalf("error %v is not an invalid_form", err)
			}
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.Check(ctx, b, &resolver{})
		if err != nil {
			t.Fatalf("normalized %s does not check: %v", b, err)
		}
		if b2, _ := json.Marshal(again); !bytes.Equal(b, b2) {
			t.Fatalf("normalized %s checks to %s", b, b2)
		}
		for _, fld := range s {
			s.Number(v, fld.ID)
			c := form.Condition{Field: fld.ID, Op: form.OpGT, Value: json.RawMessage(`"0"`)}
			c.Match(s, v, form.Applicant{})
		}
	})
}
