package form_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval/form"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// resolver knows the members m1..m3, the departments d1 and d2 and the
// files f1..f3; the id "boom" makes it fail as a database would.
type resolver struct{ calls []string }

var errDown = errors.New("database down")

func (r *resolver) check(kind string, ids []string, known ...string) error {
	r.calls = append(r.calls, kind+":"+strings.Join(ids, ","))
	for _, id := range ids {
		if id == "boom" {
			return apperr.Internal(errDown)
		}
		if !slices.Contains(known, id) {
			return apperr.ErrNotFound
		}
	}
	return nil
}

func (r *resolver) Members(_ context.Context, ids []string) error {
	return r.check("members", ids, "m1", "m2", "m3")
}

func (r *resolver) Departments(_ context.Context, ids []string) error {
	return r.check("departments", ids, "d1", "d2")
}

func (r *resolver) Files(_ context.Context, ids []string) error {
	return r.check("files", ids, "f1", "f2", "f3")
}

// fieldErr returns the FieldError in err after checking that err is a
// 400 with the given code.
func fieldErr(t *testing.T, err error, code string) *form.FieldError {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.KindInvalid || ae.Code != code {
		t.Fatalf("error %v, want a 400 %s", err, code)
	}
	var fe *form.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v carries no FieldError", err)
	}
	if fe.Field != "" && ae.Details["field"] != fe.Field {
		t.Fatalf("details %v do not name field %q", ae.Details, fe.Field)
	}
	if ae.Message != fe.Error() {
		t.Fatalf("message %q, want %q", ae.Message, fe.Error())
	}
	return fe
}

// one checks a single field's value: want is the normalized JSON ("" for
// empty) or, when reason is set, the error's reason must contain it.
type one struct {
	name   string
	field  form.Field
	in     string
	want   string
	reason string
}

func runOne(t *testing.T, cases []one) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.field.ID == "" {
				c.field.ID = "x"
			}
			if c.field.Label == "" {
				c.field.Label = "X"
			}
			s := form.Schema{c.field}
			if err := s.Validate(); err != nil {
				t.Fatalf("schema: %v", err)
			}
			v, err := s.Check(context.Background(), json.RawMessage(`{"x":`+c.in+`}`), &resolver{})
			if c.reason != "" {
				fe := fieldErr(t, err, "invalid_form")
				if fe.Field != "x" || !strings.Contains(fe.Reason, c.reason) {
					t.Fatalf("error %+v, want x: …%s…", fe, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check(%s) = %v", c.in, err)
			}
			got, ok := v["x"]
			if c.want == "" {
				if ok {
					t.Fatalf("Check(%s) = %s, want empty", c.in, got)
				}
				return
			}
			if string(got) != c.want {
				t.Fatalf("Check(%s) = %s, want %s", c.in, got, c.want)
			}
			// A normalized value checks to itself.
			again, err := s.Check(context.Background(), json.RawMessage(`{"x":`+string(got)+`}`), &resolver{})
			if err != nil || string(again["x"]) != c.want {
				t.Fatalf("re-checking %s = %s, %v", got, again["x"], err)
			}
		})
	}
}

func TestText(t *testing.T) {
	text := form.Field{Type: form.TypeText}
	area := form.Field{Type: form.TypeTextarea}
	runOne(t, []one{
		{"text", text, `"  Shanghai office "`, `"Shanghai office"`, ""},
		{"text chinese", text, `"上海"`, `"上海"`, ""},
		{"text empty", text, `""`, "", ""},
		{"text blank", text, `"   "`, "", ""},
		{"text null", text, `null`, "", ""},
		{"text newline", text, `"a\nb"`, "", "one line"},
		{"text bidi", text, `"invoice\u202efdp.exe"`, "", "one line"},
		{"text number", text, `12`, "", "must be text"},
		{"text max", text, `"` + strings.Repeat("字", form.MaxText) + `"`, `"` + strings.Repeat("字", form.MaxText) + `"`, ""},
		{"text too long", text, `"` + strings.Repeat("a", form.MaxText+1) + `"`, "", "at most 2000"},
		{"textarea lines", area, `"line one\nline two\ttab"`, `"line one\nline two\ttab"`, ""},
		{"textarea nul", area, `"a\u0000b"`, "", "control characters"},
		{"textarea bidi", area, `"a\u2066b"`, "", "control characters"},
		{"textarea too long", area, `"` + strings.Repeat("a", form.MaxTextarea+1) + `"`, "", "at most 20000"},
		{"textarea object", area, `{}`, "", "must be text"},
	})
}

func TestNumber(t *testing.T) {
	whole := form.Field{Type: form.TypeNumber}
	two := form.Field{Type: form.TypeNumber, Decimals: 2, Min: "-1.5", Max: "100"}
	runOne(t, []one{
		{"string", whole, `"12"`, `"12"`, ""},
		{"json number", whole, `12`, `"12"`, ""},
		{"trailing zeros", whole, `"12.000"`, `"12"`, ""},
		{"leading zeros", whole, `"007"`, `"7"`, ""},
		{"negative zero", whole, `"-0"`, `"0"`, ""},
		{"empty", whole, `""`, "", ""},
		{"fraction refused", whole, `"12.5"`, "", "whole number"},
		{"exponent", whole, `1e3`, "", "decimal number"},
		{"plus", whole, `"+1"`, "", "decimal number"},
		{"bare point", whole, `"1."`, "", "decimal number"},
		{"point first", whole, `".5"`, "", "decimal number"},
		{"words", whole, `"twelve"`, "", "decimal number"},
		{"bool", whole, `true`, "", "decimal number"},
		{"too many digits", whole, `"` + strings.Repeat("9", form.MaxDigits+1) + `"`, "", "too many digits"},
		{"many digits", whole, `"` + strings.Repeat("9", form.MaxDigits) + `"`, `"` + strings.Repeat("9", form.MaxDigits) + `"`, ""},
		{"two decimals", two, `"12.25"`, `"12.25"`, ""},
		{"two decimals as json", two, `12.50`, `"12.5"`, ""},
		{"float-hostile", two, `0.07`, `"0.07"`, ""},
		{"three decimals", two, `"12.255"`, "", "at most 2 decimals"},
		{"at min", two, `"-1.5"`, `"-1.5"`, ""},
		{"below min", two, `"-1.51"`, "", "at least -1.5"},
		{"at max", two, `"100.00"`, `"100"`, ""},
		{"above max", two, `"100.01"`, "", "at most 100"},
	})
}

func TestMoney(t *testing.T) {
	m := form.Field{Type: form.TypeMoney}
	bounded := form.Field{Type: form.TypeMoney, Min: "0", Max: "5000.5"}
	runOne(t, []one{
		{"whole", m, `"8000"`, `"8000.00"`, ""},
		{"cents", m, `"8000.05"`, `"8000.05"`, ""},
		{"one decimal", m, `"0.5"`, `"0.50"`, ""},
		{"json number", m, `19.99`, `"19.99"`, ""},
		{"json number 0.1", m, `0.1`, `"0.10"`, ""},
		{"zeros past cents", m, `"1.230"`, `"1.23"`, ""},
		{"negative", m, `"-0.05"`, `"-0.05"`, ""},
		{"empty", m, `""`, "", ""},
		{"three decimals", m, `"8000.001"`, "", "must have at most two decimals"},
		{"json three decimals", m, `0.001`, "", "must have at most two decimals"},
		{"largest", m, `"9999999999999.99"`, `"9999999999999.99"`, ""},
		{"too large", m, `"10000000000000"`, "", "too large"},
		{"too small", m, `"-10000000000000"`, "", "too large"},
		{"not a number", m, `"8,000"`, "", "amount such as"},
		{"array", m, `["1"]`, "", "amount such as"},
		{"min", bounded, `"0"`, `"0.00"`, ""},
		{"below min", bounded, `"-0.01"`, "", "at least 0"},
		{"max", bounded, `"5000.50"`, `"5000.50"`, ""},
		{"above max", bounded, `"5000.51"`, "", "at most 5000.5"},
	})
}

func TestDate(t *testing.T) {
	d := form.Field{Type: form.TypeDate}
	runOne(t, []one{
		{"date", d, `"2026-12-07"`, `"2026-12-07"`, ""},
		{"leap day", d, `"2028-02-29"`, `"2028-02-29"`, ""},
		{"empty", d, `""`, "", ""},
		{"not leap", d, `"2026-02-29"`, "", "must be a date"},
		{"short", d, `"2026-1-7"`, "", "must be a date"},
		{"time", d, `"2026-12-07T09:00"`, "", "must be a date"},
		{"number", d, `20261207`, "", "must be a date"},
	})
}

func TestDateRange(t *testing.T) {
	day := form.Field{Type: form.TypeDateRange}
	half := form.Field{Type: form.TypeDateRange, Unit: form.UnitHalfDay}
	hour := form.Field{Type: form.TypeDateRange, Unit: form.UnitHour}
	runOne(t, []one{
		{"one day", day, `{"start":"2026-12-07","end":"2026-12-07"}`, `{"start":"2026-12-07","end":"2026-12-07","duration":"1"}`, ""},
		{"days inclusive", day, `{"start":"2026-12-07","end":"2026-12-08"}`, `{"start":"2026-12-07","end":"2026-12-08","duration":"2"}`, ""},
		{"across a month", day, `{"start":"2026-02-27","end":"2026-03-02"}`, `{"start":"2026-02-27","end":"2026-03-02","duration":"4"}`, ""},
		{"duration ignored", day, `{"start":"2026-12-07","end":"2026-12-08","duration":"99"}`, `{"start":"2026-12-07","end":"2026-12-08","duration":"2"}`, ""},
		{"halves ignored for days", day, `{"start":"2026-12-07","end":"2026-12-07","start_half":"pm"}`, `{"start":"2026-12-07","end":"2026-12-07","duration":"1"}`, ""},
		{"empty object", day, `{}`, "", ""},
		{"no end", day, `{"start":"2026-12-07"}`, "", "needs a start and an end"},
		{"end before start", day, `{"start":"2026-12-08","end":"2026-12-07"}`, "", "before it starts"},
		{"bad date", day, `{"start":"2026-13-01","end":"2026-12-07"}`, "", "dates such as"},
		{"unknown key", day, `{"start":"2026-12-07","end":"2026-12-08","days":2}`, "", `must be {"start"`},
		{"not an object", day, `"2026-12-07"`, "", `must be {"start"`},
		{"too long", day, `{"start":"2000-01-01","end":"2026-12-07"}`, "", "too long"},
		{"half default whole days", half, `{"start":"2026-12-07","end":"2026-12-08"}`, `{"start":"2026-12-07","end":"2026-12-08","start_half":"am","end_half":"pm","duration":"2"}`, ""},
		{"half morning", half, `{"start":"2026-12-07","end":"2026-12-07","start_half":"am","end_half":"am"}`, `{"start":"2026-12-07","end":"2026-12-07","start_half":"am","end_half":"am","duration":"0.5"}`, ""},
		{"half afternoon", half, `{"start":"2026-12-07","end":"2026-12-07","start_half":"pm","end_half":"pm"}`, `{"start":"2026-12-07","end":"2026-12-07","start_half":"pm","end_half":"pm","duration":"0.5"}`, ""},
		{"half pm to am", half, `{"start":"2026-12-07","end":"2026-12-09","start_half":"pm","end_half":"am"}`, `{"start":"2026-12-07","end":"2026-12-09","start_half":"pm","end_half":"am","duration":"2"}`, ""},
		{"half pm to pm", half, `{"start":"2026-12-07","end":"2026-12-08","start_half":"pm","end_half":"pm"}`, `{"start":"2026-12-07","end":"2026-12-08","start_half":"pm","end_half":"pm","duration":"1.5"}`, ""},
		{"half same day pm to am", half, `{"start":"2026-12-07","end":"2026-12-07","start_half":"pm","end_half":"am"}`, "", "before it starts"},
		{"half bad half", half, `{"start":"2026-12-07","end":"2026-12-07","start_half":"noon"}`, "", `"am" or "pm"`},
		{"hours", hour, `{"start":"2026-12-07T18:00","end":"2026-12-07T21:30"}`, `{"start":"2026-12-07T18:00","end":"2026-12-07T21:30","duration":"3.5"}`, ""},
		{"hours overnight", hour, `{"start":"2026-12-07T22:00","end":"2026-12-08T01:00"}`, `{"start":"2026-12-07T22:00","end":"2026-12-08T01:00","duration":"3"}`, ""},
		{"hours twenty minutes", hour, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:20"}`, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:20","duration":"0.33"}`, ""},
		{"hours ten minutes", hour, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:10"}`, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:10","duration":"0.17"}`, ""},
		{"hours one minute", hour, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:01"}`, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:01","duration":"0.02"}`, ""},
		{"hours zero", hour, `{"start":"2026-12-07T09:00","end":"2026-12-07T09:00"}`, "", "end after it starts"},
		{"hours backwards", hour, `{"start":"2026-12-07T09:00","end":"2026-12-07T08:00"}`, "", "end after it starts"},
		{"hours dates only", hour, `{"start":"2026-12-07","end":"2026-12-08"}`, "", "date-times such as"},
	})
}

func TestChoice(t *testing.T) {
	c := form.Field{Type: form.TypeChoice, Options: []string{"Annual", "Sick", "年假"}}
	mc := form.Field{Type: form.TypeMultiChoice, Options: []string{"A", "B", "C"}}
	runOne(t, []one{
		{"option", c, `"Sick"`, `"Sick"`, ""},
		{"chinese option", c, `"年假"`, `"年假"`, ""},
		{"empty", c, `""`, "", ""},
		{"not an option", c, `"sick"`, "", "one of the options"},
		{"list", c, `["Sick"]`, "", "one of the options"},
		{"multi", mc, `["C","A"]`, `["A","C"]`, ""},
		{"multi one", mc, `["B"]`, `["B"]`, ""},
		{"multi empty", mc, `[]`, "", ""},
		{"multi unknown", mc, `["A","D"]`, "", "only the field's options"},
		{"multi repeated", mc, `["A","A"]`, "", "repeat"},
		{"multi string", mc, `"A"`, "", "list of options"},
	})
}

func TestRefs(t *testing.T) {
	one1 := form.Field{Type: form.TypeMember}
	many := form.Field{Type: form.TypeMember, Multiple: true}
	dept := form.Field{Type: form.TypeDepartment}
	file := form.Field{Type: form.TypeAttachment, Multiple: true}
	img := form.Field{Type: form.TypeImage}
	runOne(t, []one{
		{"member", one1, `["m1"]`, `["m1"]`, ""},
		{"member empty", one1, `[]`, "", ""},
		{"member two not multiple", one1, `["m1","m2"]`, "", "only one"},
		{"members", many, `["m2","m1"]`, `["m2","m1"]`, ""},
		{"members repeated", many, `["m1","m1"]`, "", "repeat"},
		{"member unknown", many, `["m1","m9"]`, "", "unknown member"},
		{"member blank id", many, `[""]`, "", "not valid"},
		{"member spaced id", many, `["m 1"]`, "", "not valid"},
		{"member long id", many, `["` + strings.Repeat("m", form.MaxRefLen+1) + `"]`, "", "not valid"},
		{"member string", one1, `"m1"`, "", "list of ids"},
		{"department", dept, `["d2"]`, `["d2"]`, ""},
		{"department unknown", dept, `["m1"]`, "", "unknown department"},
		{"files", file, `["f1","f3"]`, `["f1","f3"]`, ""},
		{"file unknown", file, `["f9"]`, "", "unknown file"},
		{"image", img, `["f2"]`, `["f2"]`, ""},
		{"image unknown", img, `["x"]`, "", "unknown file"},
	})
	// Too many references, even when all exist.
	ids := make([]string, form.MaxRefs+1)
	for i := range ids {
		ids[i] = "m" + strings.Repeat("1", i+1)
	}
	b, _ := json.Marshal(ids)
	runOne(t, []one{{"too many", many, string(b), "", "at most 50"}})
}

func TestLocation(t *testing.T) {
	l := form.Field{Type: form.TypeLocation}
	runOne(t, []one{
		{"location", l, `{"lat":"31.2304","lng":"121.4737","address":" People's Square "}`, `{"lat":"31.2304","lng":"121.4737","address":"People's Square"}`, ""},
		{"numbers", l, `{"lat":-33.8688,"lng":151.2093}`, `{"lat":"-33.8688","lng":"151.2093"}`, ""},
		{"poles", l, `{"lat":"90","lng":"-180"}`, `{"lat":"90","lng":"-180"}`, ""},
		{"empty", l, `{}`, "", ""},
		{"lat out of range", l, `{"lat":"90.0001","lng":"0"}`, "", "lat from -90 to 90"},
		{"lng out of range", l, `{"lat":"0","lng":"180.5"}`, "", "lat from -90 to 90"},
		{"missing lng", l, `{"lat":"1"}`, "", "lat from -90 to 90"},
		{"address only", l, `{"address":"somewhere"}`, "", "lat from -90 to 90"},
		{"unknown key", l, `{"lat":"1","lng":"1","alt":"3"}`, "", `must be {"lat"`},
		{"address newline", l, `{"lat":"1","lng":"1","address":"a\nb"}`, "", "address"},
	})
}

func TestDescriptionTakesNoValue(t *testing.T) {
	d := form.Field{Type: form.TypeDescription, Text: "Read the policy first."}
	runOne(t, []one{
		{"null", d, `null`, "", ""},
		{"value", d, `"x"`, "", "takes no value"},
		{"empty string", d, `""`, "", "takes no value"},
	})
}

// expenseSchema is a table with a money total, a number total, and a
// reference column.
var expenseSchema = form.Schema{
	{ID: "lines", Type: form.TypeTable, Label: "Lines", Required: true, Total: "amount", Columns: []form.Field{
		{ID: "date", Type: form.TypeDate, Label: "Date", Required: true},
		{ID: "amount", Type: form.TypeMoney, Label: "Amount", Required: true, Min: "0"},
		{ID: "who", Type: form.TypeMember, Label: "Who"},
	}},
	{ID: "hours", Type: form.TypeTable, Label: "Hours", Total: "qty", Columns: []form.Field{
		{ID: "qty", Type: form.TypeNumber, Label: "Qty", Decimals: 3},
	}},
	{ID: "note", Type: form.TypeTextarea, Label: "Note"},
}

func TestTable(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
		field          string
		row            int
		column, reason string
	}{
		{name: "total", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"10.10"},{"date":"2026-12-08","amount":0.05,"who":["m1"]}],"total":"1"}}`,
			want: `{"lines":{"rows":[{"amount":"10.10","date":"2026-12-07"},{"amount":"0.05","date":"2026-12-08","who":["m1"]}],"total":"10.15"}}`},
		{name: "number total", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"1"}]},"hours":{"rows":[{"qty":"0.125"},{"qty":0.875},{"qty":"1.001"}]}}`,
			want: `{"hours":{"rows":[{"qty":"0.125"},{"qty":"0.875"},{"qty":"1.001"}],"total":"2.001"},"lines":{"rows":[{"amount":"1.00","date":"2026-12-07"}],"total":"1.00"}}`},
		{name: "empty rows dropped", in: `{"lines":{"rows":[{},null,{"date":"2026-12-07","amount":"3"},{"who":[]}]}}`,
			want: `{"lines":{"rows":[{"amount":"3.00","date":"2026-12-07"}],"total":"3.00"}}`},
		{name: "required table", in: `{"lines":{"rows":[]}}`, field: "lines", reason: "is required"},
		{name: "required table all blank", in: `{"lines":{"rows":[{}]}}`, field: "lines", reason: "is required"},
		{name: "required column", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"1"},{"date":"2026-12-07"}]}}`, field: "lines", row: 2, column: "amount", reason: "is required"},
		{name: "bad cell", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"1.001"}]}}`, field: "lines", row: 1, column: "amount", reason: "at most two decimals"},
		{name: "below column min", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"-1"}]}}`, field: "lines", row: 1, column: "amount", reason: "at least 0"},
		{name: "unknown column", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"1","tip":"2"}]}}`, field: "lines", row: 1, column: "tip", reason: "not a column"},
		{name: "row not object", in: `{"lines":{"rows":[["2026-12-07"]]}}`, field: "lines", row: 1, reason: "object keyed by column id"},
		{name: "rows not list", in: `{"lines":{"rows":{}}}`, field: "lines", reason: `must be {"rows"`},
		{name: "unknown key", in: `{"lines":{"rows":[],"sum":"1"}}`, field: "lines", reason: `must be {"rows"`},
		{name: "unknown member in a row", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"1","who":["m1"]},{"date":"2026-12-07","amount":"1","who":["m7"]}]}}`, field: "lines", column: "who", reason: "unknown member"},
		{name: "total too large", in: `{"lines":{"rows":[{"date":"2026-12-07","amount":"9999999999999.99"},{"date":"2026-12-07","amount":"9999999999999.99"}]}}`, field: "lines", column: "amount", reason: "too large"},
		{name: "description refused in cell", in: `{"lines":"x"}`, field: "lines", reason: `must be {"rows"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &resolver{}
			v, err := expenseSchema.Check(context.Background(), json.RawMessage(c.in), r)
			if c.reason != "" {
				fe := fieldErr(t, err, "invalid_form")
				if fe.Field != c.field || fe.Row != c.row || fe.Column != c.column || !strings.Contains(fe.Reason, c.reason) {
					t.Fatalf("error %+v, want %s row %d column %q: %s", fe, c.field, c.row, c.column, c.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(v)
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// The references of a table column are checked in one call.
func TestTableRefsCheckedOnce(t *testing.T) {
	r := &resolver{}
	_, err := expenseSchema.Check(context.Background(), json.RawMessage(`{"lines":{"rows":[
		{"date":"2026-12-07","amount":"1","who":["m1"]},{"date":"2026-12-07","amount":"1","who":["m2"]},{"date":"2026-12-07","amount":"1"}]}}`), r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.calls, []string{"members:m1,m2"}) {
		t.Fatalf("resolver calls %q", r.calls)
	}
	// An id in several rows is asked about once; choices are not references.
	r = &resolver{}
	_, err = every.Check(context.Background(), json.RawMessage(`{"title":"x","tags":["a"],"lines":{"rows":[
		{"amount":"1","who":["m2"],"tags":["p"]},{"amount":"1","who":["m2"],"tags":["q","p"]},{"amount":"2","who":["m3"]}]}}`), r)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.calls, []string{"members:m2,m3"}) {
		t.Fatalf("resolver calls %q", r.calls)
	}
}

func TestTableRowLimit(t *testing.T) {
	rows := make([]string, form.MaxRows+1)
	for i := range rows {
		rows[i] = `{"date":"2026-12-07","amount":"1"}`
	}
	in := `{"lines":{"rows":[` + strings.Join(rows[:form.MaxRows], ",") + `]}}`
	v, err := expenseSchema.Check(context.Background(), json.RawMessage(in), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := expenseSchema.Number(v, "lines"); !ok || d.String() != "200" {
		t.Fatalf("total %v %v", d, ok)
	}
	in = `{"lines":{"rows":[` + strings.Join(rows, ",") + `]}}`
	_, err = expenseSchema.Check(context.Background(), json.RawMessage(in), nil)
	if fe := fieldErr(t, err, "invalid_form"); fe.Field != "lines" || !strings.Contains(fe.Reason, "more than 200 rows") {
		t.Fatalf("error %+v", fe)
	}
}

func TestCheckForm(t *testing.T) {
	s := form.Schema{
		{ID: "title", Type: form.TypeText, Label: "Title", Required: true},
		{ID: "who", Type: form.TypeMember, Label: "Who"},
		{ID: "intro", Type: form.TypeDescription, Label: "Intro", Text: "Hello"},
	}
	ctx := context.Background()
	for _, c := range []struct {
		name, in, field, reason string
	}{
		{"null form", `null`, "title", "is required"},
		{"absent form", ``, "title", "is required"},
		{"empty form", `{}`, "title", "is required"},
		{"null value", `{"title":null}`, "title", "is required"},
		{"blank value", `{"title":"  "}`, "title", "is required"},
		{"array form", `[]`, "", "JSON object"},
		{"string form", `"x"`, "", "JSON object"},
		{"broken form", `{"title":`, "", "JSON object"},
		{"unknown field", `{"title":"x","zeta":1,"alpha":2}`, "alpha", "not a field"},
		{"unknown even if null", `{"title":"x","gone":null}`, "gone", "not a field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Check(ctx, json.RawMessage(c.in), nil)
			fe := fieldErr(t, err, "invalid_form")
			if fe.Field != c.field || !strings.Contains(fe.Reason, c.reason) {
				t.Fatalf("error %+v, want %s: %s", fe, c.field, c.reason)
			}
		})
	}
	v, err := s.Check(ctx, json.RawMessage(`{"title":" Trip ","who":null}`), &resolver{})
	if err != nil || len(v) != 1 || string(v["title"]) != `"Trip"` {
		t.Fatalf("Check = %v, %v", v, err)
	}
}

// A Resolver's own failure is not the caller's mistake: it comes back
// unchanged, not as a 400.
func TestResolverFailurePassesThrough(t *testing.T) {
	s := form.Schema{{ID: "who", Type: form.TypeMember, Label: "Who"}}
	_, err := s.Check(context.Background(), json.RawMessage(`{"who":["boom"]}`), &resolver{})
	if !errors.Is(err, errDown) || apperr.KindOf(err) != apperr.KindInternal {
		t.Fatalf("error %v, want the resolver's", err)
	}
	_, err = expenseSchema.Check(context.Background(), json.RawMessage(`{"lines":{"rows":[{"date":"2026-12-07","amount":"1","who":["boom"]}]}}`), &resolver{})
	if !errors.Is(err, errDown) || apperr.KindOf(err) != apperr.KindInternal {
		t.Fatalf("table: error %v, want the resolver's", err)
	}
}

func TestNumberOf(t *testing.T) {
	s := form.Schema{
		{ID: "n", Type: form.TypeNumber, Label: "N", Decimals: 2},
		{ID: "m", Type: form.TypeMoney, Label: "M"},
		{ID: "d", Type: form.TypeDateRange, Label: "D", Unit: form.UnitHalfDay},
		{ID: "t", Type: form.TypeTable, Label: "T", Total: "a", Columns: []form.Field{{ID: "a", Type: form.TypeMoney, Label: "A"}}},
		{ID: "u", Type: form.TypeTable, Label: "U", Columns: []form.Field{{ID: "a", Type: form.TypeMoney, Label: "A"}}},
		{ID: "s", Type: form.TypeText, Label: "S"},
		{ID: "e", Type: form.TypeNumber, Label: "E"},
	}
	v, err := s.Check(context.Background(), json.RawMessage(`{"n":"1.5","m":"8000","d":{"start":"2026-12-07","end":"2026-12-08","start_half":"pm"},
		"t":{"rows":[{"a":"0.10"},{"a":"0.20"}]},"u":{"rows":[{"a":"1"}]},"s":"12"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"n": "1.5", "m": "8000", "d": "1.5", "t": "0.3", "u": "", "s": "", "e": "", "nope": ""} {
		got, ok := s.Number(v, id)
		if ok != (want != "") || (ok && got.String() != want) {
			t.Errorf("Number(%s) = %v, %v; want %q", id, got, ok, want)
		}
	}
}
