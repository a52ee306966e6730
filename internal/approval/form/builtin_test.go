package form_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval/form"
)

// flowDoc is the flow as APPROVALS-CONTRACT §2 describes it; decoding
// refuses keys it does not name.
type flowDoc struct {
	Steps []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Approvers struct {
			Type         string   `json:"type"`
			Levels       int      `json:"levels"`
			MemberIDs    []string `json:"member_ids"`
			RoleID       string   `json:"role_id"`
			DepartmentID *string  `json:"department_id"`
			Multiple     bool     `json:"multiple"`
		} `json:"approvers"`
		Mode         string          `json:"mode"`
		When         *form.Condition `json:"when"`
		HiddenFields []string        `json:"hidden_fields"`
		Timeout      *struct {
			Hours  int    `json:"hours"`
			Action string `json:"action"`
		} `json:"timeout"`
	} `json:"steps"`
	CC struct {
		MemberIDs  []string `json:"member_ids"`
		RoleIDs    []string `json:"role_ids"`
		Supervisor bool     `json:"supervisor"`
		At         string   `json:"at"`
	} `json:"cc"`
	AutoApprove struct {
		Applicant bool `json:"applicant"`
		Repeated  bool `json:"repeated"`
	} `json:"auto_approve"`
}

func parseFlow(t *testing.T, raw json.RawMessage) flowDoc {
	t.Helper()
	var f flowDoc
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("flow %s: %v", raw, err)
	}
	return f
}

// filled is a valid form for each built-in template.
var filled = map[string]string{
	form.BuiltinLeave:      `{"type":"Annual","period":{"start":"2026-12-07","end":"2026-12-08","end_half":"am"},"reason":"Family visit","attachments":["f1"]}`,
	form.BuiltinOvertime:   `{"period":{"start":"2026-12-07T18:00","end":"2026-12-07T21:00"},"compensation":"Time off","reason":"Release"}`,
	form.BuiltinTrip:       `{"destination":"Shenzhen","period":{"start":"2026-12-07","end":"2026-12-09"},"transport":"Train","purpose":"Customer visit","estimated_cost":"3200.50"}`,
	form.BuiltinExpense:    `{"lines":{"rows":[{"date":"2026-12-01","category":"Travel","amount":"5000.00"},{"date":"2026-12-02","category":"Meals","description":"Team dinner","amount":"3000"}]},"receipts":["f1","f2"]}`,
	form.BuiltinPurchase:   `{"items":{"rows":[{"item":"Paper","quantity":"2.5","unit_price":"10","amount":"25"}]},"reason":"Office","delivery_date":"2026-12-20"}`,
	form.BuiltinCorrection: `{"date":"2026-12-07","kind":"Check-out","time":"18:05","reason":"Forgot to check out"}`,
	form.BuiltinGeneral:    `{"title":"New monitor","details":"Mine flickers.","attachments":["f3"]}`,
}

func TestBuiltins(t *testing.T) {
	bs := form.Builtins()
	var keys []string
	for _, b := range bs {
		keys = append(keys, b.Key)
	}
	if !slices.Equal(keys, []string{"leave", "overtime", "trip", "correction", "expense", "purchase", "general"}) {
		t.Fatalf("builtins %v", keys)
	}
	stepID := regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	for _, b := range bs {
		t.Run(b.Key, func(t *testing.T) {
			for _, lang := range []string{"en", "zh"} {
				if b.Name[lang] == "" || b.Description[lang] == "" || b.Group[lang] == "" {
					t.Errorf("%s: name, description or group missing", lang)
				}
				if err := b.SchemaIn(lang).Validate(); err != nil {
					t.Errorf("%s schema: %v", lang, err)
				}
			}
			if err := b.Schema.Validate(); err != nil {
				t.Fatal(err)
			}
			// Every field and column has a Chinese label, every choice
			// Chinese options one for one.
			for _, f := range b.Schema {
				keys := []string{f.ID}
				fields := []form.Field{f}
				for _, c := range f.Columns {
					keys = append(keys, f.ID+"."+c.ID)
					fields = append(fields, c)
				}
				for i, k := range keys {
					if b.LabelsZH[k] == "" {
						t.Errorf("no Chinese label for %s", k)
					}
					if n := len(fields[i].Options); n > 0 && len(b.OptionsZH[k]) != n {
						t.Errorf("%s: %d Chinese options for %d", k, len(b.OptionsZH[k]), n)
					}
				}
			}
			zh := b.SchemaIn("zh")
			if zh[0].Label != b.LabelsZH[b.Schema[0].ID] || b.Schema[0].Label == zh[0].Label {
				t.Errorf("SchemaIn(zh) label %q", zh[0].Label)
			}
			if en := b.SchemaIn("fr"); en[0].Label != b.Schema[0].Label {
				t.Errorf("SchemaIn(fr) is not English: %q", en[0].Label)
			}
			// The default flow: the supervisor, one level, any one of them.
			f := parseFlow(t, b.Flow)
			if !bytes.Equal(b.Flow, b.FlowIn("en", "")) {
				t.Error("Flow differs from FlowIn(en)")
			}
			if len(f.Steps) == 0 || f.Steps[0].Approvers.Type != "supervisor" || f.Steps[0].Approvers.Levels != 1 || f.Steps[0].Mode != "any" || f.Steps[0].Name != "Supervisor" {
				t.Errorf("first step %+v", f.Steps)
			}
			for _, s := range f.Steps {
				if !stepID.MatchString(s.ID) || s.When != nil {
					t.Errorf("step %+v", s)
				}
			}
			if f.CC.At != "end" || !f.AutoApprove.Applicant || !f.AutoApprove.Repeated {
				t.Errorf("cc %+v auto %+v", f.CC, f.AutoApprove)
			}
			if zhFlow := parseFlow(t, b.FlowIn("zh", "")); zhFlow.Steps[0].Name != "直属上级" {
				t.Errorf("zh step name %q", zhFlow.Steps[0].Name)
			}
			if b.Key != form.BuiltinExpense && len(f.Steps) != 1 {
				t.Errorf("%d steps", len(f.Steps))
			}
			// A filled-in request passes; an empty one needs its required fields.
			if _, err := b.Schema.Check(context.Background(), json.RawMessage(filled[b.Key]), &resolver{}); err != nil {
				t.Errorf("filled form: %v", err)
			}
			if _, err := b.Schema.Check(context.Background(), json.RawMessage(`{}`), nil); err == nil {
				t.Error("an empty form passed")
			}
		})
	}
	// Callers may change what they get.
	bs[0].Schema[0].Label = "changed"
	bs[0].Name["en"] = "changed"
	if again := form.Builtins(); again[0].Schema[0].Label == "changed" || again[0].Name["en"] == "changed" {
		t.Error("Builtins shares its values between calls")
	}
}

// The expense flow goes to department leaders, and to Finance above 5,000
// when the organization has a Finance role: 8,000 does, 3,000 does not.
func TestExpenseFlow(t *testing.T) {
	b := form.Builtins()[4]
	f := parseFlow(t, b.FlowIn("en", ""))
	if len(f.Steps) != 2 || f.Steps[1].Approvers.Type != "department_leaders" || f.Steps[1].Approvers.DepartmentID == nil || *f.Steps[1].Approvers.DepartmentID != "" {
		t.Fatalf("steps without Finance %+v", f.Steps)
	}
	f = parseFlow(t, b.FlowIn("zh", "role_fin"))
	if len(f.Steps) != 3 {
		t.Fatalf("steps with Finance %+v", f.Steps)
	}
	fin := f.Steps[2]
	if fin.Approvers.Type != "role" || fin.Approvers.RoleID != "role_fin" || fin.Name != "财务" || fin.When == nil {
		t.Fatalf("finance step %+v", fin)
	}
	if err := fin.When.Validate(b.Schema); err != nil {
		t.Fatalf("finance condition: %v", err)
	}
	for amount, want := range map[string]bool{"8000": true, "3000": false, "5000": false, "5000.01": true} {
		v, err := b.Schema.Check(context.Background(), json.RawMessage(`{"lines":{"rows":[{"date":"2026-12-01","category":"Travel","amount":"`+amount+`"}]}}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := fin.When.Match(b.Schema, v, form.Applicant{}); got != want {
			t.Errorf("expense of %s goes to Finance: %v, want %v", amount, got, want)
		}
	}
}

func TestBuiltinValues(t *testing.T) {
	bs := form.Builtins()
	ctx := context.Background()
	// Leave: half days.
	v, err := bs[0].Schema.Check(ctx, json.RawMessage(filled[form.BuiltinLeave]), &resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := bs[0].Schema.Number(v, "period"); !ok || d.String() != "1.5" {
		t.Errorf("leave duration %s", d)
	}
	// Overtime: hours.
	v, err = bs[1].Schema.Check(ctx, json.RawMessage(filled[form.BuiltinOvertime]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := bs[1].Schema.Number(v, "period"); !ok || d.String() != "3" {
		t.Errorf("overtime duration %s", d)
	}
	// Expense: the total.
	v, err = bs[4].Schema.Check(ctx, json.RawMessage(filled[form.BuiltinExpense]), &resolver{})
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := bs[4].Schema.Number(v, "lines"); !ok || d.String() != "8000" {
		t.Errorf("expense total %s", d)
	}
	// Purchase: quantities to two decimals, the amounts' total.
	v, err = bs[5].Schema.Check(ctx, json.RawMessage(`{"items":{"rows":[{"item":"Paper","quantity":"2.5","unit_price":"10","amount":"25"},{"item":"Pens","quantity":3,"amount":"4.5"}]},"reason":"Office"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := bs[5].Schema.Number(v, "items"); !ok || d.String() != "29.5" {
		t.Errorf("purchase total %s", d)
	}
	if _, err := bs[5].Schema.Check(ctx, json.RawMessage(`{"items":{"rows":[{"item":"Paper","quantity":"2.555","amount":"1"}]},"reason":"x"}`), nil); err == nil {
		t.Error("a quantity with three decimals passed")
	}
	if _, err := bs[4].Schema.Check(ctx, json.RawMessage(`{"lines":{"rows":[{"date":"2026-12-01","category":"Travel","amount":"-1"}]}}`), nil); err == nil {
		t.Error("a negative expense passed")
	}
}

// TestTimeField: a time of day is HH:MM from 00:00 to 23:59.
func TestTimeField(t *testing.T) {
	s := form.Schema{{ID: "at", Type: form.TypeTime, Label: "At", Required: true}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"00:00", "09:30", "23:59"} {
		if _, err := s.Check(context.Background(), json.RawMessage(`{"at":"`+ok+`"}`), nil); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{`"24:00"`, `"9:30"`, `"09:60"`, `"09:30:00"`, `"noon"`, `930`} {
		if _, err := s.Check(context.Background(), json.RawMessage(`{"at":`+bad+`}`), nil); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := s.Check(context.Background(), json.RawMessage(`{"at":""}`), nil); err == nil {
		t.Error("an empty required time accepted")
	}
}
