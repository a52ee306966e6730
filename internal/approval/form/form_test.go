package form_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval/form"
)

// every is a schema with one field of each type.
var every = form.Schema{
	{ID: "title", Type: form.TypeText, Label: "Title", Required: true, Placeholder: "A short title", Help: "Shown in lists.\nKeep it short."},
	{ID: "body", Type: form.TypeTextarea, Label: "Body"},
	{ID: "qty", Type: form.TypeNumber, Label: "Quantity", Decimals: 2, Min: "0", Max: "1000"},
	{ID: "amount", Type: form.TypeMoney, Label: "Amount", Currency: "USD", Min: "0.01"},
	{ID: "day", Type: form.TypeDate, Label: "Day"},
	{ID: "period", Type: form.TypeDateRange, Label: "Period", Unit: form.UnitHalfDay},
	{ID: "hours", Type: form.TypeDateRange, Label: "Hours", Unit: form.UnitHour},
	{ID: "kind", Type: form.TypeChoice, Label: "Kind", Options: []string{"Annual", "Sick"}},
	{ID: "tags", Type: form.TypeMultiChoice, Label: "Tags", Options: []string{"a", "b", "c"}},
	{ID: "who", Type: form.TypeMember, Label: "Who", Multiple: true},
	{ID: "dept", Type: form.TypeDepartment, Label: "Department"},
	{ID: "files", Type: form.TypeAttachment, Label: "Files", Multiple: true},
	{ID: "photo", Type: form.TypeImage, Label: "Photo"},
	{ID: "place", Type: form.TypeLocation, Label: "Place"},
	{ID: "lines", Type: form.TypeTable, Label: "Lines", Total: "amount", Columns: []form.Field{
		{ID: "amount", Type: form.TypeMoney, Label: "Amount", Required: true},
		{ID: "kind", Type: form.TypeChoice, Label: "Kind", Options: []string{"x", "y"}},
		{ID: "tags", Type: form.TypeMultiChoice, Label: "Tags", Options: []string{"p", "q"}},
		{ID: "who", Type: form.TypeMember, Label: "Who"},
		{ID: "when", Type: form.TypeDateRange, Label: "When"},
	}},
	{ID: "intro", Type: form.TypeDescription, Label: "Read me", Text: "Line one.\nLine two."},
}

func TestValidateAcceptsEveryType(t *testing.T) {
	if err := every.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (form.Schema{}).Validate(); err != nil {
		t.Fatalf("empty schema: %v", err)
	}
	// Its JSON is the contract's.
	b, _ := json.Marshal(every[3])
	if string(b) != `{"id":"amount","type":"money","label":"Amount","required":false,"currency":"USD","min":"0.01"}` {
		t.Errorf("money field JSON %s", b)
	}
	var back form.Schema
	b, _ = json.Marshal(every)
	if err := json.Unmarshal(b, &back); err != nil || back.Validate() != nil || len(back) != len(every) || len(back[14].Columns) != 5 {
		t.Fatalf("schema does not round-trip: %v", err)
	}
	if every[3].CurrencyCode() != "USD" || every[2].CurrencyCode() != form.DefaultCurrency || every[4].UnitOf() != form.UnitDay {
		t.Error("defaults")
	}
}

func TestValidateRefuses(t *testing.T) {
	ok := func(f form.Field) form.Field {
		if f.ID == "" {
			f.ID = "f"
		}
		if f.Label == "" {
			f.Label = "F"
		}
		return f
	}
	col := func(fs ...form.Field) []form.Field { return fs }
	cases := []struct {
		name   string
		schema form.Schema
		field  string
		column string
		reason string
	}{
		{"bad id", form.Schema{{ID: "Amount", Type: form.TypeText, Label: "A"}}, "Amount", "", "field id"},
		{"id with dash", form.Schema{{ID: "a-b", Type: form.TypeText, Label: "A"}}, "a-b", "", "field id"},
		{"id digit first", form.Schema{{ID: "1a", Type: form.TypeText, Label: "A"}}, "1a", "", "field id"},
		{"id too long", form.Schema{{ID: strings.Repeat("a", 41), Type: form.TypeText, Label: "A"}}, strings.Repeat("a", 41), "", "field id"},
		{"empty id", form.Schema{{Type: form.TypeText, Label: "A"}}, "", "", "field id"},
		{"duplicate id", form.Schema{ok(form.Field{Type: form.TypeText}), ok(form.Field{Type: form.TypeDate})}, "f", "", "differ"},
		{"unknown type", form.Schema{ok(form.Field{Type: "signature"})}, "f", "", "unknown field type"},
		{"no type", form.Schema{ok(form.Field{})}, "f", "", "unknown field type"},
		{"no label", form.Schema{{ID: "f", Type: form.TypeText, Label: "  "}}, "f", "", "label is required"},
		{"long label", form.Schema{{ID: "f", Type: form.TypeText, Label: strings.Repeat("a", 201)}}, "f", "", "label must be at most 200"},
		{"bidi label", form.Schema{{ID: "f", Type: form.TypeText, Label: "a\u202eb"}}, "f", "", "label"},
		{"newline label", form.Schema{{ID: "f", Type: form.TypeText, Label: "a\nb"}}, "f", "", "label"},
		{"bidi placeholder", form.Schema{ok(form.Field{Type: form.TypeText, Placeholder: "\u2067x"})}, "f", "", "placeholder"},
		{"bidi help", form.Schema{ok(form.Field{Type: form.TypeText, Help: "ok\n\u202ex"})}, "f", "", "help"},
		{"long help", form.Schema{ok(form.Field{Type: form.TypeText, Help: strings.Repeat("h", form.MaxHelp+1)})}, "f", "", "help"},
		{"no options", form.Schema{ok(form.Field{Type: form.TypeChoice})}, "f", "", "1 to 50 options"},
		{"too many options", form.Schema{ok(form.Field{Type: form.TypeMultiChoice, Options: make([]string, 51)})}, "f", "", "1 to 50 options"},
		{"empty option", form.Schema{ok(form.Field{Type: form.TypeChoice, Options: []string{"a", ""}})}, "f", "", "each option"},
		{"spaced option", form.Schema{ok(form.Field{Type: form.TypeChoice, Options: []string{"a "}})}, "f", "", "each option"},
		{"control option", form.Schema{ok(form.Field{Type: form.TypeChoice, Options: []string{"a\u0007"}})}, "f", "", "each option"},
		{"repeated option", form.Schema{ok(form.Field{Type: form.TypeChoice, Options: []string{"a", "b", "a"}})}, "f", "", "differ"},
		{"currency lower", form.Schema{ok(form.Field{Type: form.TypeMoney, Currency: "cny"})}, "f", "", "ISO 4217"},
		{"currency long", form.Schema{ok(form.Field{Type: form.TypeMoney, Currency: "CNYY"})}, "f", "", "ISO 4217"},
		{"money min cents", form.Schema{ok(form.Field{Type: form.TypeMoney, Min: "0.001"})}, "f", "", "min must have at most two decimals"},
		{"money max huge", form.Schema{ok(form.Field{Type: form.TypeMoney, Max: "1e9"})}, "f", "", "max must be a decimal"},
		{"money min above max", form.Schema{ok(form.Field{Type: form.TypeMoney, Min: "10", Max: "9.99"})}, "f", "", "min is above max"},
		{"number decimals", form.Schema{ok(form.Field{Type: form.TypeNumber, Decimals: 5})}, "f", "", "decimals is from 0 to 4"},
		{"number negative decimals", form.Schema{ok(form.Field{Type: form.TypeNumber, Decimals: -1})}, "f", "", "decimals"},
		{"number bad min", form.Schema{ok(form.Field{Type: form.TypeNumber, Min: "ten"})}, "f", "", "min must be a decimal"},
		{"number min above max", form.Schema{ok(form.Field{Type: form.TypeNumber, Min: "2", Max: "1.5"})}, "f", "", "min is above max"},
		{"unit", form.Schema{ok(form.Field{Type: form.TypeDateRange, Unit: "week"})}, "f", "", "unit is day, half_day or hour"},
		{"table without columns", form.Schema{ok(form.Field{Type: form.TypeTable})}, "f", "", "1 to 20 columns"},
		{"table too many columns", form.Schema{ok(form.Field{Type: form.TypeTable, Columns: func() []form.Field {
			var cs []form.Field
			for i := range 21 {
				cs = append(cs, form.Field{ID: fmt.Sprintf("c%d", i), Type: form.TypeText, Label: "C"})
			}
			return cs
		}()})}, "f", "", "1 to 20 columns"},
		{"table in table", form.Schema{ok(form.Field{Type: form.TypeTable, Columns: col(form.Field{ID: "t", Type: form.TypeTable, Label: "T",
			Columns: col(form.Field{ID: "x", Type: form.TypeText, Label: "X"})})})}, "f", "t", "cannot be a table"},
		{"description in table", form.Schema{ok(form.Field{Type: form.TypeTable, Columns: col(form.Field{ID: "d", Type: form.TypeDescription, Label: "D"})})}, "f", "d", "cannot be a table or a description"},
		{"bad column", form.Schema{ok(form.Field{Type: form.TypeTable, Columns: col(form.Field{ID: "c", Type: form.TypeChoice, Label: "C"})})}, "f", "c", "options"},
		{"duplicate column", form.Schema{ok(form.Field{Type: form.TypeTable, Columns: col(form.Field{ID: "c", Type: form.TypeText, Label: "C"}, form.Field{ID: "c", Type: form.TypeText, Label: "C"})})}, "f", "c", "differ"},
		{"total unknown", form.Schema{ok(form.Field{Type: form.TypeTable, Total: "sum", Columns: col(form.Field{ID: "c", Type: form.TypeMoney, Label: "C"})})}, "f", "", "total names"},
		{"total of text", form.Schema{ok(form.Field{Type: form.TypeTable, Total: "c", Columns: col(form.Field{ID: "c", Type: form.TypeText, Label: "C"})})}, "f", "", "total names"},
		{"description text", form.Schema{ok(form.Field{Type: form.TypeDescription, Text: strings.Repeat("x", form.MaxDescription+1)})}, "f", "", "text"},
		{"description bidi", form.Schema{ok(form.Field{Type: form.TypeDescription, Text: "\u202e"})}, "f", "", "text"},
		{"too many fields", func() form.Schema {
			var s form.Schema
			for i := range form.MaxFields + 1 {
				s = append(s, form.Field{ID: fmt.Sprintf("f%d", i), Type: form.TypeText, Label: "F"})
			}
			return s
		}(), "", "", "at most 100 fields"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fe := fieldErr(t, c.schema.Validate(), "invalid_schema")
			if fe.Field != c.field || fe.Column != c.column || !strings.Contains(fe.Reason, c.reason) {
				t.Fatalf("error %+v, want %q/%q: …%s…", fe, c.field, c.column, c.reason)
			}
		})
	}
	// At the limits, the same settings pass.
	var s form.Schema
	for i := range form.MaxFields {
		s = append(s, form.Field{ID: fmt.Sprintf("f%d", i), Type: form.TypeText, Label: strings.Repeat("字", form.MaxLabel)})
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("100 fields: %v", err)
	}
}

func TestClean(t *testing.T) {
	dirty := form.Schema{
		{ID: "a", Type: form.TypeText, Label: "  Title ", Options: []string{"x"}, Currency: "USD", Decimals: 2, Min: "1", Unit: "hour", Multiple: true, Total: "q", Text: "t",
			Columns: []form.Field{{ID: "q", Type: form.TypeText, Label: "Q"}}},
		{ID: "m", Type: form.TypeMoney, Label: "M", Currency: "USD", Min: "0", Max: "9", Decimals: 3, Options: []string{"x"}},
		{ID: "n", Type: form.TypeNumber, Label: "N", Decimals: 2, Min: "0", Currency: "USD"},
		{ID: "c", Type: form.TypeChoice, Label: "C", Options: []string{"x", "y"}, Unit: "day"},
		{ID: "w", Type: form.TypeMember, Label: "W", Multiple: true, Min: "1"},
		{ID: "r", Type: form.TypeDateRange, Label: "R", Unit: "hour", Options: []string{"x"}},
		{ID: "t", Type: form.TypeTable, Label: "T", Total: "q", Multiple: true, Columns: []form.Field{{ID: "q", Type: form.TypeMoney, Label: " Q ", Options: []string{"x"}}}},
		{ID: "d", Type: form.TypeDescription, Label: "D", Required: true, Placeholder: "p", Text: " Read me. \n"},
	}
	want := `[{"id":"a","type":"text","label":"Title","required":false},` +
		`{"id":"m","type":"money","label":"M","required":false,"currency":"USD","min":"0","max":"9"},` +
		`{"id":"n","type":"number","label":"N","required":false,"decimals":2,"min":"0"},` +
		`{"id":"c","type":"choice","label":"C","required":false,"options":["x","y"]},` +
		`{"id":"w","type":"member","label":"W","required":false,"multiple":true},` +
		`{"id":"r","type":"daterange","label":"R","required":false,"unit":"hour"},` +
		`{"id":"t","type":"table","label":"T","required":false,"columns":[{"id":"q","type":"money","label":"Q","required":false}],"total":"q"},` +
		`{"id":"d","type":"description","label":"D","required":false,"text":"Read me."}]`
	clean := dirty.Clean()
	if b, _ := json.Marshal(clean); string(b) != want {
		t.Fatalf("Clean:\n%s\nwant\n%s", b, want)
	}
	if err := clean.Validate(); err != nil {
		t.Fatal(err)
	}
	clean[3].Options[0] = "changed"
	if dirty[3].Options[0] != "x" {
		t.Error("Clean shares options with its input")
	}
	if form.Schema(nil).Clean() != nil {
		t.Error("Clean(nil) is not nil")
	}
}
