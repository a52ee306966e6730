package form_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atrium-hq/atrium/internal/approval/form"
)

func ExampleSchema_Check() {
	s := form.Schema{
		{ID: "lines", Type: form.TypeTable, Label: "Expenses", Required: true, Total: "amount", Columns: []form.Field{
			{ID: "amount", Type: form.TypeMoney, Label: "Amount", Required: true},
		}},
		{ID: "period", Type: form.TypeDateRange, Label: "Period", Unit: form.UnitHalfDay},
	}
	v, err := s.Check(context.Background(), json.RawMessage(`{
		"lines": {"rows": [{"amount": "0.10"}, {"amount": 0.2}]},
		"period": {"start": "2026-12-07", "end": "2026-12-08", "start_half": "pm"}}`), nil)
	fmt.Println(string(v["lines"]), err)
	fmt.Println(string(v["period"]))
	total, _ := s.Number(v, "lines")
	fmt.Println(total)

	_, err = s.Check(context.Background(), json.RawMessage(`{"lines": {"rows": [{"amount": "0.001"}]}}`), nil)
	var fe *form.FieldError
	fmt.Println(err, errors.As(err, &fe) && fe.Field == "lines" && fe.Row == 1)
	// Output:
	// {"rows":[{"amount":"0.10"},{"amount":"0.20"}],"total":"0.30"} <nil>
	// {"start":"2026-12-07","end":"2026-12-08","start_half":"pm","end_half":"pm","duration":"1.5"}
	// 0.3
	// invalid_form: lines: row 1: amount: must have at most two decimals: in field lines true
}

func ExampleCondition_Match() {
	s := form.Schema{{ID: "amount", Type: form.TypeMoney, Label: "Amount"}}
	v, _ := s.Check(context.Background(), json.RawMessage(`{"amount": "5000.01"}`), nil)
	var c form.Condition
	_ = json.Unmarshal([]byte(`{"field": "amount", "op": "gt", "value": "5000"}`), &c)
	fmt.Println(c.Validate(s), c.Match(s, v, form.Applicant{}))
	// Output: <nil> true
}
