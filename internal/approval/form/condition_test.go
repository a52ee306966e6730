package form_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval/form"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

func cond(t *testing.T, s string) form.Condition {
	t.Helper()
	var c form.Condition
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return c
}

func TestConditionValidate(t *testing.T) {
	valid := []string{
		`{}`,
		`{"op":"","value":null}`,
		`{"field":"amount","op":"gt","value":"5000"}`,
		`{"field":"amount","op":"gte","value":5000.5}`,
		`{"field":"qty","op":"lt","value":"-1"}`,
		`{"field":"period","op":"gte","value":"3"}`,
		`{"field":"hours","op":"eq","value":"1.5"}`,
		`{"field":"lines","op":"ne","value":"0"}`,
		`{"field":"day","op":"lte","value":"2026-12-31"}`,
		`{"field":"title","op":"eq","value":"Urgent"}`,
		`{"field":"title","op":"not_in","value":["a","b"]}`,
		`{"field":"kind","op":"in","value":["Sick","Annual"]}`,
		`{"field":"kind","op":"ne","value":"Sick"}`,
		`{"field":"tags","op":"contains","value":"b"}`,
		`{"applicant":"department","op":"in","value":["d1","d2"]}`,
		`{"applicant":"role","op":"not_in","value":["r1"]}`,
		`{"applicant":"role","op":"eq","value":"r1"}`,
		`{"all":[{"field":"amount","op":"gt","value":"5000"},{"any":[{"applicant":"role","op":"eq","value":"r1"},{"field":"kind","op":"eq","value":"Sick"}]}]}`,
	}
	for _, s := range valid {
		if err := cond(t, s).Validate(every); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	deep := `{"field":"amount","op":"gt","value":"1"}`
	for range 8 {
		deep = `{"all":[` + deep + `]}`
	}
	wide := `{"any":[` + strings.Repeat(`{"field":"amount","op":"gt","value":"1"},`, 100) + `{"field":"amount","op":"gt","value":"1"}]}`
	invalid := []struct{ in, msg string }{
		{`{"op":"gt"}`, "exactly one"},
		{`{"field":"amount","applicant":"role","op":"eq","value":"r1"}`, "exactly one"},
		{`{"all":[{"field":"amount","op":"gt","value":"1"}],"any":[{"field":"amount","op":"gt","value":"1"}]}`, "exactly one"},
		{`{"all":[{"field":"amount","op":"gt","value":"1"}],"op":"gt"}`, "no op or value"},
		{`{"all":[{}]}`, "exactly one"},
		{`{"field":"nope","op":"eq","value":"1"}`, "does not have"},
		{`{"field":"amount","op":"in","value":["1"]}`, "compared with gt"},
		{`{"field":"amount","op":"gt","value":"lots"}`, "decimal number"},
		{`{"field":"amount","op":"gt","value":1e3}`, "decimal number"},
		{`{"field":"amount","op":"gt"}`, "decimal number"},
		{`{"field":"day","op":"gt","value":"tomorrow"}`, "date such as"},
		{`{"field":"day","op":"contains","value":"2026-12-01"}`, "compared with gt"},
		{`{"field":"kind","op":"eq","value":"Holiday"}`, "field's values"},
		{`{"field":"kind","op":"in","value":[]}`, "1 to 50 values"},
		{`{"field":"kind","op":"in","value":["Sick","Holiday"]}`, "options"},
		{`{"field":"kind","op":"gt","value":"Sick"}`, "eq, ne, in or not_in"},
		{`{"field":"title","op":"eq","value":5}`, "field's values"},
		{`{"field":"tags","op":"eq","value":"a"}`, "contains"},
		{`{"field":"tags","op":"contains","value":"z"}`, "options"},
		{`{"field":"who","op":"in","value":["m1"]}`, "cannot be tested"},
		{`{"field":"place","op":"eq","value":"x"}`, "cannot be tested"},
		{`{"field":"intro","op":"eq","value":"x"}`, "cannot be tested"},
		{`{"applicant":"title","op":"in","value":["x"]}`, "department\" or \"role"},
		{`{"applicant":"role","op":"gt","value":"r1"}`, "eq, ne, in or not_in"},
		{`{"applicant":"role","op":"in","value":[]}`, "1 to 50 ids"},
		{`{"applicant":"role","op":"in","value":["r 1"]}`, "1 to 50 ids"},
		{`{"applicant":"role","op":"eq","value":["r1"]}`, "one id"},
		{deep, "nest"},
		{wide, "at most 100 parts"},
	}
	for _, c := range invalid {
		err := cond(t, c.in).Validate(every)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != "invalid_condition" || ae.Kind != apperr.KindInvalid || !strings.Contains(ae.Message, c.msg) {
			t.Errorf("%s: %v, want invalid_condition …%s…", c.in, err, c.msg)
		}
	}
	// The same nesting one level less is fine.
	ok := `{"field":"amount","op":"gt","value":"1"}`
	for range 7 {
		ok = `{"all":[` + ok + `]}`
	}
	if err := cond(t, ok).Validate(every); err != nil {
		t.Errorf("depth 8: %v", err)
	}
}

func TestConditionMatch(t *testing.T) {
	v, err := every.Check(context.Background(), json.RawMessage(`{
		"title":"Urgent","amount":"5000.01","qty":"0.5","day":"2026-12-07",
		"period":{"start":"2026-12-07","end":"2026-12-08","start_half":"pm"},
		"hours":{"start":"2026-12-07T09:00","end":"2026-12-07T10:30"},
		"kind":"Sick","tags":["a","c"],
		"lines":{"rows":[{"amount":"2500.00"},{"amount":"2500.01"}]}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := form.Applicant{DepartmentIDs: []string{"d1", "root"}, RoleIDs: []string{"r1"}}
	for _, c := range []struct {
		in   string
		want bool
	}{
		{`{}`, true},
		// Money, exactly: 5000.01 > 5000, and not > 5000.01.
		{`{"field":"amount","op":"gt","value":"5000"}`, true},
		{`{"field":"amount","op":"gt","value":"5000.01"}`, false},
		{`{"field":"amount","op":"gte","value":"5000.01"}`, true},
		{`{"field":"amount","op":"eq","value":5000.010}`, true},
		{`{"field":"amount","op":"lt","value":"5000.011"}`, true},
		{`{"field":"amount","op":"lte","value":"5000"}`, false},
		{`{"field":"amount","op":"ne","value":"5000.01"}`, false},
		// A table's total, a number, durations.
		{`{"field":"lines","op":"gt","value":"5000"}`, true},
		{`{"field":"lines","op":"eq","value":"5000.01"}`, true},
		{`{"field":"qty","op":"lt","value":"1"}`, true},
		{`{"field":"qty","op":"eq","value":"0.50"}`, true},
		{`{"field":"period","op":"eq","value":"1.5"}`, true},
		{`{"field":"period","op":"gte","value":"2"}`, false},
		{`{"field":"hours","op":"gt","value":"1.49"}`, true},
		{`{"field":"hours","op":"gt","value":"1.5"}`, false},
		// Dates as dates.
		{`{"field":"day","op":"gt","value":"2026-12-06"}`, true},
		{`{"field":"day","op":"eq","value":"2026-12-07"}`, true},
		{`{"field":"day","op":"lt","value":"2026-12-07"}`, false},
		{`{"field":"day","op":"gte","value":"2027-01-01"}`, false},
		// Text and choices.
		{`{"field":"title","op":"eq","value":"Urgent"}`, true},
		{`{"field":"title","op":"eq","value":"urgent"}`, false},
		{`{"field":"title","op":"in","value":["Low","Urgent"]}`, true},
		{`{"field":"kind","op":"in","value":["Annual"]}`, false},
		{`{"field":"kind","op":"not_in","value":["Annual"]}`, true},
		{`{"field":"kind","op":"ne","value":"Sick"}`, false},
		{`{"field":"tags","op":"contains","value":"c"}`, true},
		{`{"field":"tags","op":"contains","value":"b"}`, false},
		// Empty fields meet only ne and not_in.
		{`{"field":"body","op":"eq","value":"x"}`, false},
		{`{"field":"body","op":"ne","value":"x"}`, true},
		{`{"field":"dept","op":"in","value":["x"]}`, false},
		{`{"field":"place","op":"not_in","value":["x"]}`, true},
		// The applicant; departments include ancestors.
		{`{"applicant":"department","op":"in","value":["root"]}`, true},
		{`{"applicant":"department","op":"in","value":["d9"]}`, false},
		{`{"applicant":"department","op":"not_in","value":["d9","d8"]}`, true},
		{`{"applicant":"department","op":"not_in","value":["d9","d1"]}`, false},
		{`{"applicant":"role","op":"eq","value":"r1"}`, true},
		{`{"applicant":"role","op":"ne","value":"r1"}`, false},
		// Groups.
		{`{"all":[{"field":"amount","op":"gt","value":"5000"},{"applicant":"role","op":"eq","value":"r1"}]}`, true},
		{`{"all":[{"field":"amount","op":"gt","value":"5000"},{"applicant":"role","op":"eq","value":"r2"}]}`, false},
		{`{"any":[{"field":"amount","op":"gt","value":"9000"},{"applicant":"role","op":"eq","value":"r1"}]}`, true},
		{`{"any":[{"field":"amount","op":"gt","value":"9000"},{"applicant":"role","op":"eq","value":"r2"}]}`, false},
		{`{"all":[{"any":[{"field":"kind","op":"eq","value":"Annual"},{"field":"tags","op":"contains","value":"a"}]},{"field":"day","op":"lt","value":"2027-01-01"}]}`, true},
		// Malformed conditions match nothing.
		{`{"field":"amount","op":"gt","value":"lots"}`, false},
		{`{"field":"nope","op":"ne","value":"x"}`, false},
		{`{"applicant":"team","op":"in","value":["x"]}`, false},
		{`{"all":[{}]}`, false},
	} {
		if got := cond(t, c.in).Match(every, v, a); got != c.want {
			t.Errorf("%s = %v, want %v", c.in, got, c.want)
		}
	}
}

// A condition survives the JSON it is stored as.
func TestConditionJSON(t *testing.T) {
	in := `{"all":[{"field":"amount","op":"gt","value":"5000"},{"applicant":"role","op":"in","value":["r1"]}],"op":"","value":null}`
	b, err := json.Marshal(cond(t, in))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `{"field":"amount","op":"gt","value":"5000"}`) {
		t.Errorf("marshalled as %s", b)
	}
	if err := cond(t, string(b)).Validate(every); err != nil {
		t.Errorf("re-read: %v", err)
	}
}
