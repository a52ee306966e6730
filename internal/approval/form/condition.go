package form

// Conditions: what a flow's step tests before it runs ("amount > 5000",
// "the applicant is in Sales"). Numbers, amounts, totals and durations are
// compared exactly as decimals; dates as dates.

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Condition operators.
const (
	OpGT       = "gt"
	OpGTE      = "gte"
	OpLT       = "lt"
	OpLTE      = "lte"
	OpEQ       = "eq"
	OpNE       = "ne"
	OpIn       = "in"
	OpNotIn    = "not_in"
	OpContains = "contains"
)

// What a condition may test about the applicant.
const (
	ApplicantDepartment = "department"
	ApplicantRole       = "role"
)

// Condition is a test on a request: a group (All of its conditions, or
// Any of them), or a leaf comparing a form field or the applicant with
// Value by Op. The zero Condition always matches.
type Condition struct {
	All       []Condition     `json:"all,omitempty"`
	Any       []Condition     `json:"any,omitempty"`
	Field     string          `json:"field,omitempty"`
	Applicant string          `json:"applicant,omitempty"`
	Op        string          `json:"op"`
	Value     json.RawMessage `json:"value"`
}

// Applicant is what conditions may know of the person filing a request.
// DepartmentIDs include the ancestors of their departments.
type Applicant struct {
	DepartmentIDs []string
	RoleIDs       []string
}

// IsZero reports whether c tests nothing.
func (c Condition) IsZero() bool {
	return len(c.All) == 0 && len(c.Any) == 0 && c.Field == "" && c.Applicant == "" && c.Op == "" && isNull(c.Value)
}

// What a field is compared as.
const (
	cmpNumber = "number"
	cmpDate   = "date"
	cmpText   = "text"
	cmpChoice = "choice"
	cmpMulti  = "multichoice"
)

// compareAs returns how a field's values are compared, "" when they are not.
func compareAs(f Field) string {
	switch f.Type {
	case TypeNumber, TypeMoney, TypeDateRange:
		return cmpNumber
	case TypeTable:
		if f.Total != "" {
			return cmpNumber
		}
	case TypeDate:
		return cmpDate
	case TypeText, TypeTextarea:
		return cmpText
	case TypeChoice:
		return cmpChoice
	case TypeMultiChoice:
		return cmpMulti
	}
	return ""
}

var orderOps = []string{OpGT, OpGTE, OpLT, OpLTE, OpEQ, OpNE}

// Validate reports whether c is well formed for schema s: each node is
// exactly one of a group or a leaf, fields exist and can be compared with
// the operator, and values have the right shape. Its errors are 400
// invalid_condition.
func (c Condition) Validate(s Schema) error {
	if c.IsZero() {
		return nil
	}
	n := 0
	return c.validate(s, 1, &n)
}

func condErr(field, msg string) error {
	e := apperr.Invalid("invalid_condition", msg)
	if field != "" {
		e = e.With("field", field)
	}
	return e
}

func (c Condition) validate(s Schema, depth int, n *int) error {
	*n++
	if *n > maxConditions {
		return condErr("", fmt.Sprintf("a condition has at most %d parts", maxConditions))
	}
	if depth > maxDepth {
		return condErr("", fmt.Sprintf("conditions nest at most %d deep", maxDepth))
	}
	kinds := 0
	for _, set := range []bool{len(c.All) > 0, len(c.Any) > 0, c.Field != "", c.Applicant != ""} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return condErr(c.Field, "each condition is exactly one of all, any, a field test or an applicant test")
	}
	if group := append(slices.Clip(c.All), c.Any...); len(group) > 0 {
		if c.Op != "" || !isNull(c.Value) {
			return condErr("", "all and any take no op or value")
		}
		for _, sub := range group {
			if err := sub.validate(s, depth+1, n); err != nil {
				return err
			}
		}
		return nil
	}
	if c.Applicant != "" {
		return c.validateApplicant()
	}
	return c.validateField(s)
}

func (c Condition) validateApplicant() error {
	if c.Applicant != ApplicantDepartment && c.Applicant != ApplicantRole {
		return condErr("", `applicant is "department" or "role"`)
	}
	switch c.Op {
	case OpEQ, OpNE:
		if id, ok := stringValue(c.Value); !ok || !validRef(id) {
			return condErr("", "eq and ne on the applicant take one id")
		}
	case OpIn, OpNotIn:
		if l, ok := listValue(c.Value); !ok || len(l) == 0 || len(l) > maxInList || slices.ContainsFunc(l, func(id string) bool { return !validRef(id) }) {
			return condErr("", fmt.Sprintf("in and not_in on the applicant take 1 to %d ids", maxInList))
		}
	default:
		return condErr("", "the applicant is tested with eq, ne, in or not_in")
	}
	return nil
}

func validRef(id string) bool { return id != "" && len(id) <= MaxRefLen && printableASCII(id) }

func (c Condition) validateField(s Schema) error {
	f, ok := s.Field(c.Field)
	if !ok {
		return condErr(c.Field, "the condition names a field the form does not have")
	}
	bad := func(msg string) error { return condErr(c.Field, c.Field+": "+msg) }
	switch as := compareAs(f); as {
	case cmpNumber:
		if !slices.Contains(orderOps, c.Op) {
			return bad("a number is compared with gt, gte, lt, lte, eq or ne")
		}
		if _, err := numberOperand(c.Value); err != nil {
			return bad("the value must be a decimal number")
		}
	case cmpDate:
		if !slices.Contains(orderOps, c.Op) {
			return bad("a date is compared with gt, gte, lt, lte, eq or ne")
		}
		if s, ok := stringValue(c.Value); !ok || s == "" || func() bool { _, err := parseDate(s); return err != nil }() {
			return bad("the value must be a date such as 2026-12-07")
		}
	case cmpText, cmpChoice:
		isOption := func(o string) bool { return as == cmpText || slices.Contains(f.Options, o) }
		switch c.Op {
		case OpEQ, OpNE:
			if v, ok := stringValue(c.Value); !ok || !isOption(v) {
				return bad("eq and ne take one of the field's values")
			}
		case OpIn, OpNotIn:
			l, ok := listValue(c.Value)
			if !ok || len(l) == 0 || len(l) > maxInList {
				return bad(fmt.Sprintf("in and not_in take 1 to %d values", maxInList))
			}
			for _, v := range l {
				if !isOption(v) {
					return bad("in and not_in take the field's options")
				}
			}
		default:
			return bad("text and choices are compared with eq, ne, in or not_in")
		}
	case cmpMulti:
		if c.Op != OpContains {
			return bad("a multiple choice is tested with contains")
		}
		if v, ok := stringValue(c.Value); !ok || !slices.Contains(f.Options, v) {
			return bad("contains takes one of the field's options")
		}
	default:
		return bad("a " + f.Type + " field cannot be tested in a condition")
	}
	return nil
}

func stringValue(raw json.RawMessage) (string, bool) {
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

func listValue(raw json.RawMessage) ([]string, bool) {
	var l []string
	return l, json.Unmarshal(raw, &l) == nil && l != nil
}

func numberOperand(raw json.RawMessage) (Decimal, error) {
	s, err := decimalText(raw)
	if err != nil {
		return Decimal{}, err
	}
	return ParseDecimal(s)
}

// Match reports whether request values v, filed by applicant a, meet c.
// An empty field meets only ne and not_in. A condition that does not
// validate matches nothing but a zero one, which matches everything.
func (c Condition) Match(s Schema, v Values, a Applicant) bool {
	switch {
	case c.IsZero():
		return true
	case len(c.All) > 0:
		for _, sub := range c.All {
			if sub.IsZero() || !sub.Match(s, v, a) {
				return false
			}
		}
		return true
	case len(c.Any) > 0:
		for _, sub := range c.Any {
			if !sub.IsZero() && sub.Match(s, v, a) {
				return true
			}
		}
		return false
	case c.Applicant == ApplicantDepartment:
		return matchSet(c.Op, c.Value, a.DepartmentIDs)
	case c.Applicant == ApplicantRole:
		return matchSet(c.Op, c.Value, a.RoleIDs)
	case c.Field != "":
		return c.matchField(s, v)
	}
	return false
}

// matchSet tests the applicant's departments or roles.
func matchSet(op string, raw json.RawMessage, have []string) bool {
	switch op {
	case OpEQ, OpNE:
		id, ok := stringValue(raw)
		if !ok {
			return false
		}
		return slices.Contains(have, id) == (op == OpEQ)
	case OpIn, OpNotIn:
		l, ok := listValue(raw)
		if !ok {
			return false
		}
		hit := slices.ContainsFunc(l, func(id string) bool { return slices.Contains(have, id) })
		return hit == (op == OpIn)
	}
	return false
}

func (c Condition) matchField(s Schema, v Values) bool {
	f, ok := s.Field(c.Field)
	if !ok {
		return false
	}
	raw, has := v[c.Field]
	if !has || isNull(raw) {
		return c.Op == OpNE || c.Op == OpNotIn
	}
	switch compareAs(f) {
	case cmpNumber:
		want, err := numberOperand(c.Value)
		got, ok := s.Number(v, c.Field)
		if err != nil || !ok {
			return false
		}
		return order(c.Op, got.Cmp(want))
	case cmpDate:
		want, ok1 := stringValue(c.Value)
		got, ok2 := stringValue(raw)
		w, err1 := parseDate(want)
		g, err2 := parseDate(got)
		if !ok1 || !ok2 || err1 != nil || err2 != nil {
			return false
		}
		return order(c.Op, g.Compare(w))
	case cmpText, cmpChoice:
		got, ok := stringValue(raw)
		if !ok {
			return false
		}
		switch c.Op {
		case OpEQ, OpNE:
			want, ok := stringValue(c.Value)
			return ok && (got == want) == (c.Op == OpEQ)
		case OpIn, OpNotIn:
			l, ok := listValue(c.Value)
			return ok && slices.Contains(l, got) == (c.Op == OpIn)
		}
	case cmpMulti:
		got, ok1 := listValue(raw)
		want, ok2 := stringValue(c.Value)
		return c.Op == OpContains && ok1 && ok2 && slices.Contains(got, want)
	}
	return false
}

// order applies an ordering operator to a comparison's result.
func order(op string, cmp int) bool {
	switch op {
	case OpGT:
		return cmp > 0
	case OpGTE:
		return cmp >= 0
	case OpLT:
		return cmp < 0
	case OpLTE:
		return cmp <= 0
	case OpEQ:
		return cmp == 0
	case OpNE:
		return cmp != 0
	}
	return false
}
