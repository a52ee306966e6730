package approval

import (
	"context"
	"encoding/json"
	"math/big"
	"slices"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// The seam to the form package (internal/approval/form): the schema of a
// template version's fields, checking a request's values against it, and
// the conditions of a flow's steps. Until that package lands the schema
// is kept as JSON and only its outline is checked here; the rest of the
// engine sees only these few names.

// Schema is a template version's fields.
type Schema = json.RawMessage

// Values are a request's normalized form values, by field id.
type Values = map[string]json.RawMessage

// Condition is a test on form values and on the applicant (§1 of the
// approvals contract).
type Condition struct {
	All       []Condition     `json:"all,omitempty"`
	Any       []Condition     `json:"any,omitempty"`
	Field     string          `json:"field,omitempty"`
	Applicant string          `json:"applicant,omitempty"`
	Op        string          `json:"op"`
	Value     json.RawMessage `json:"value,omitempty"`
}

// Applicant is what conditions look at of the applicant.
type Applicant struct{ DepartmentIDs, RoleIDs []string }

// Resolver checks the references of form values.
type Resolver interface {
	Members(ctx context.Context, ids []string) error
	Departments(ctx context.Context, ids []string) error
	Files(ctx context.Context, ids []string) error
}

// validateSchema checks a template's fields.
func validateSchema(s Schema) error {
	var fields []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(s, &fields); err != nil {
		return apperr.InvalidField("fields", "fields are a list of field objects")
	}
	return nil
}

// checkForm checks raw against the schema and returns its normalized
// values.
func checkForm(_ context.Context, s Schema, raw json.RawMessage, _ Resolver) (Values, error) {
	v := Values{}
	if len(raw) == 0 || string(raw) == "null" {
		return v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, apperr.Invalid("invalid_form", "form is an object keyed by field id")
	}
	var fields []struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(s, &fields)
	for id := range v {
		if !slices.ContainsFunc(fields, func(f struct {
			ID string `json:"id"`
		}) bool {
			return f.ID == id
		}) {
			return nil, apperr.Invalid("invalid_form", id+": the template has no such field").With("field", id)
		}
	}
	return v, nil
}

// validateCondition checks a condition's outline.
func validateCondition(c Condition, _ Schema) error {
	for _, sub := range append(slices.Clone(c.All), c.Any...) {
		if err := validateCondition(sub, nil); err != nil {
			return err
		}
	}
	if len(c.All) == 0 && len(c.Any) == 0 && c.Field == "" && c.Applicant == "" {
		return apperr.InvalidField("flow", "a condition names a field or the applicant")
	}
	return nil
}

// match evaluates a condition.
func match(c Condition, _ Schema, v Values, a Applicant) bool {
	if len(c.All) > 0 {
		for _, sub := range c.All {
			if !match(sub, nil, v, a) {
				return false
			}
		}
		return true
	}
	if len(c.Any) > 0 {
		for _, sub := range c.Any {
			if match(sub, nil, v, a) {
				return true
			}
		}
		return false
	}
	if c.Applicant != "" {
		var want []string
		if json.Unmarshal(c.Value, &want) != nil {
			var one string
			_ = json.Unmarshal(c.Value, &one)
			want = []string{one}
		}
		have := a.DepartmentIDs
		if c.Applicant == "role" {
			have = a.RoleIDs
		}
		hit := slices.ContainsFunc(want, func(w string) bool { return slices.Contains(have, w) })
		if c.Op == "not_in" || c.Op == "ne" {
			return !hit
		}
		return hit
	}
	got, ok := number(v[c.Field])
	want, ok2 := number(c.Value)
	if !ok || !ok2 {
		return false
	}
	k := got.Cmp(want)
	switch c.Op {
	case "gt":
		return k > 0
	case "gte":
		return k >= 0
	case "lt":
		return k < 0
	case "lte":
		return k <= 0
	case "eq":
		return k == 0
	case "ne":
		return k != 0
	}
	return false
}

// number reads a decimal from a value: a string or number, a table's
// total or a date range's duration.
func number(raw json.RawMessage) (*big.Rat, bool) {
	var obj struct {
		Total    string `json:"total"`
		Duration string `json:"duration"`
	}
	if json.Unmarshal(raw, &obj) == nil && (obj.Total != "" || obj.Duration != "") {
		return new(big.Rat).SetString(obj.Total + obj.Duration)
	}
	s := strings.Trim(string(raw), `"`)
	if s == "" {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}
