package form

// Checking a request's values against its template's schema: every type's
// rules, required fields, references through the Resolver, and the values
// the server computes (a daterange's duration, a table's total).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Values are a request's normalized values, keyed by field id. An empty
// field has no key.
type Values map[string]json.RawMessage

// Resolver checks that referenced ids exist for the caller's organization.
// The engine implements it. An error of kind invalid, not found or
// forbidden means some id is unknown; any other error (the database is
// down) is returned from Check unchanged.
type Resolver interface {
	Members(ctx context.Context, ids []string) error
	Departments(ctx context.Context, ids []string) error
	Files(ctx context.Context, ids []string) error
}

// FieldError says which field a form or schema error is about. Check's and
// Validate's errors are *apperr.Error values wrapping one, reachable with
// errors.As.
type FieldError struct {
	Field  string // the top-level field id; "" when the whole form is malformed
	Row    int    // 1-based row of a table value; 0 outside tables
	Column string // the table column, when the error is about one
	Reason string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Field == "" {
		b.WriteString("form")
	} else {
		b.WriteString(e.Field)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Column != "" {
		b.WriteString(": " + e.Column)
	}
	return b.String() + ": " + e.Reason
}

// fieldCause carries a FieldError as an apperr.Error's cause, so that
// errors.As finds it, without repeating the message in the error's text.
type fieldCause struct{ fe *FieldError }

func (c fieldCause) Error() string {
	if c.fe.Field == "" {
		return "in the form"
	}
	return "in field " + c.fe.Field
}

// As lets errors.As reach the FieldError.
func (c fieldCause) As(target any) bool {
	if p, ok := target.(**FieldError); ok {
		*p = c.fe
		return true
	}
	return false
}

// formErr is the 400 invalid_form error for fe.
func formErr(fe *FieldError) error {
	e := apperr.Invalid("invalid_form", fe.Error()).Wrap(fieldCause{fe})
	if fe.Field != "" {
		e = e.With("field", fe.Field)
	}
	if fe.Row > 0 {
		e = e.With("row", fe.Row)
	}
	if fe.Column != "" {
		e = e.With("column", fe.Column)
	}
	return e
}

// DateRange is the normalized value of a daterange field. Duration is
// computed by Check: days for the day and half_day units, hours for hour.
type DateRange struct {
	Start     string  `json:"start"`
	End       string  `json:"end"`
	StartHalf string  `json:"start_half,omitempty"`
	EndHalf   string  `json:"end_half,omitempty"`
	Duration  Decimal `json:"duration"`
}

// Location is the normalized value of a location field.
type Location struct {
	Lat     string `json:"lat"`
	Lng     string `json:"lng"`
	Address string `json:"address,omitempty"`
}

// Table is the normalized value of a table field. Total is computed by
// Check from the table's total column ("" when it has none).
type Table struct {
	Rows  []Values `json:"rows"`
	Total string   `json:"total,omitempty"`
}

// passErr carries a Resolver's own failure out of Check unchanged.
type passErr struct{ err error }

func (p passErr) Error() string { return p.err.Error() }

type checker struct {
	ctx context.Context
	r   Resolver
}

// Check reads a request's form (a JSON object keyed by field id; null or
// absent for an empty form) and returns its normalized values. Unknown
// ids, values of the wrong shape, missing required values and unknown
// references are 400 invalid_form naming the field. A nil Resolver checks
// no references (previews and tests).
func (s Schema) Check(ctx context.Context, raw json.RawMessage, r Resolver) (Values, error) {
	in := map[string]json.RawMessage{}
	if t := bytes.TrimSpace(raw); len(t) > 0 && !bytes.Equal(t, []byte("null")) {
		if t[0] != '{' || json.Unmarshal(t, &in) != nil {
			return nil, formErr(&FieldError{Reason: "must be a JSON object keyed by field id"})
		}
	}
	var unknown []string
	for id := range in {
		if _, ok := s.Field(id); !ok {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, formErr(&FieldError{Field: unknown[0], Reason: "is not a field of this form"})
	}
	c := checker{ctx: ctx, r: r}
	out := Values{}
	for _, f := range s {
		v, err := c.field(f, in[f.ID])
		if err != nil {
			var p passErr
			if errors.As(err, &p) {
				return nil, p.err
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				fe = &FieldError{Field: f.ID, Reason: err.Error()}
			}
			return nil, formErr(fe)
		}
		if v != nil {
			out[f.ID] = v
		}
	}
	return out, nil
}

// field checks one top-level field and returns its normalized JSON, nil
// when empty.
func (c *checker) field(f Field, raw json.RawMessage) (json.RawMessage, error) {
	var v any
	var err error
	switch f.Type {
	case TypeDescription:
		if !isNull(raw) {
			return nil, errors.New("is a description and takes no value")
		}
		return nil, nil
	case TypeTable:
		v, err = c.table(f, raw)
	default:
		v, err = c.cell(f, raw)
		if ids, ok := v.([]string); ok && err == nil && isRef(f.Type) {
			err = c.resolve(f, ids)
		}
	}
	if err != nil {
		return nil, err
	}
	if v == nil {
		if f.Required {
			return nil, errors.New("is required")
		}
		return nil, nil
	}
	return json.Marshal(v)
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

// cell checks the value of any type but table and description, and
// returns it normalized (nil when empty). Required is the caller's
// concern.
func (c *checker) cell(f Field, raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	switch f.Type {
	case TypeText, TypeTextarea:
		return textValue(f, raw)
	case TypeNumber:
		return numberValue(f, raw)
	case TypeMoney:
		return moneyValue(f, raw)
	case TypeDate:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, errors.New("must be a date such as 2026-12-07")
		}
		if s == "" {
			return nil, nil
		}
		if _, err := parseDate(s); err != nil {
			return nil, err
		}
		return s, nil
	case TypeTime:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, errors.New("must be a time of day such as 09:30")
		}
		if s == "" {
			return nil, nil
		}
		if _, err := time.Parse("15:04", s); err != nil || len(s) != 5 {
			return nil, errors.New("must be a time of day such as 09:30")
		}
		return s, nil
	case TypeDateRange:
		return dateRangeValue(f, raw)
	case TypeChoice:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, errors.New("must be one of the options")
		}
		if s == "" {
			return nil, nil
		}
		if !slices.Contains(f.Options, s) {
			return nil, errors.New("must be one of the options")
		}
		return s, nil
	case TypeMultiChoice:
		return multiChoiceValue(f, raw)
	case TypeMember, TypeDepartment, TypeAttachment, TypeImage:
		return refsValue(f, raw)
	case TypeLocation:
		return locationValue(raw)
	}
	return nil, errors.New("cannot hold a value here")
}

func textValue(f Field, raw json.RawMessage) (any, error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, errors.New("must be text")
	}
	s = trim(s)
	if s == "" {
		return nil, nil
	}
	max, multiline := MaxText, false
	if f.Type == TypeTextarea {
		max, multiline = MaxTextarea, true
	}
	if !utf8.ValidString(s) {
		return nil, errors.New("must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return nil, fmt.Errorf("must be at most %d characters", max)
	}
	if err := text(s, 0, max, multiline); err != nil {
		if multiline {
			return nil, errors.New("must not contain control characters other than line breaks and tabs")
		}
		return nil, errors.New("must be one line without control characters")
	}
	return s, nil
}

// decimalOf reads a JSON string or number as a decimal; "" is empty.
func decimalOf(raw json.RawMessage) (Decimal, bool, error) {
	s, err := decimalText(raw)
	if err != nil {
		return Decimal{}, false, err
	}
	if s == "" {
		return Decimal{}, false, nil
	}
	d, err := ParseDecimal(s)
	return d, err == nil, err
}

func numberValue(f Field, raw json.RawMessage) (any, error) {
	d, ok, err := decimalOf(raw)
	if err != nil || !ok {
		return nil, err
	}
	if d.Scale() > f.Decimals {
		if f.Decimals == 0 {
			return nil, errors.New("must be a whole number")
		}
		return nil, fmt.Errorf("must have at most %d decimals", f.Decimals)
	}
	if err := inBounds(f, d); err != nil {
		return nil, err
	}
	return d.String(), nil
}

func moneyValue(f Field, raw json.RawMessage) (any, error) {
	d, ok, err := decimalOf(raw)
	if err != nil {
		return nil, errors.New("must be an amount such as 8000.00")
	}
	if !ok {
		return nil, nil
	}
	m, err := d.Money()
	if err != nil {
		return nil, err
	}
	if err := inBounds(f, d); err != nil {
		return nil, err
	}
	return m.String(), nil
}

// inBounds checks d against a field's min and max.
func inBounds(f Field, d Decimal) error {
	lo, hi, err := bounds(f)
	if err != nil {
		return err
	}
	if lo != nil && d.Cmp(*lo) < 0 {
		return errors.New("must be at least " + f.Min)
	}
	if hi != nil && d.Cmp(*hi) > 0 {
		return errors.New("must be at most " + f.Max)
	}
	return nil
}

const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04"
)

func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, errors.New("must be a date such as 2026-12-07")
	}
	return t, nil
}

func dateRangeValue(f Field, raw json.RawMessage) (any, error) {
	var in struct {
		Start     string          `json:"start"`
		End       string          `json:"end"`
		StartHalf string          `json:"start_half"`
		EndHalf   string          `json:"end_half"`
		Duration  json.RawMessage `json:"duration"` // computed here; ignored
	}
	if err := strictDecode(raw, &in); err != nil {
		return nil, errors.New(`must be {"start": …, "end": …}`)
	}
	if in.Start == "" && in.End == "" {
		return nil, nil
	}
	if in.Start == "" || in.End == "" {
		return nil, errors.New("needs a start and an end")
	}
	out := DateRange{Start: in.Start, End: in.End}
	switch f.UnitOf() {
	case UnitHour:
		start, err1 := time.Parse(dateTimeLayout, in.Start)
		end, err2 := time.Parse(dateTimeLayout, in.End)
		if err1 != nil || err2 != nil {
			return nil, errors.New("start and end are date-times such as 2026-12-07T09:00")
		}
		if !end.After(start) {
			return nil, errors.New("must end after it starts")
		}
		mins := int64(end.Sub(start) / time.Minute)
		if mins > MaxRangeDays*24*60 {
			return nil, errors.New("spans too long a period")
		}
		// Hours to two decimals, half a hundredth rounded up: 20 minutes is 0.33.
		out.Duration = NewDecimal((mins*100+30)/60, 2)
	default:
		start, err1 := parseDate(in.Start)
		end, err2 := parseDate(in.End)
		if err1 != nil || err2 != nil {
			return nil, errors.New("start and end are dates such as 2026-12-07")
		}
		days := int64(end.Sub(start) / (24 * time.Hour))
		if days < 0 {
			return nil, errors.New("must not end before it starts")
		}
		if days >= MaxRangeDays {
			return nil, errors.New("spans too long a period")
		}
		if f.UnitOf() == UnitDay {
			out.Duration = NewDecimal(days+1, 0)
			break
		}
		out.StartHalf, out.EndHalf = half(in.StartHalf, "am"), half(in.EndHalf, "pm")
		if !validHalf(out.StartHalf) || !validHalf(out.EndHalf) {
			return nil, errors.New(`start_half and end_half are "am" or "pm"`)
		}
		// Count half days: the first half of the start day is slot 0.
		first, last := halfSlot(out.StartHalf), days*2+halfSlot(out.EndHalf)
		if last < first {
			return nil, errors.New("must not end before it starts")
		}
		out.Duration = NewDecimal((last-first+1)*5, 1)
	}
	return out, nil
}

func half(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func validHalf(s string) bool { return s == "am" || s == "pm" }

func halfSlot(s string) int64 {
	if s == "pm" {
		return 1
	}
	return 0
}

func multiChoiceValue(f Field, raw json.RawMessage) (any, error) {
	var in []string
	if json.Unmarshal(raw, &in) != nil {
		return nil, errors.New("must be a list of options")
	}
	if len(in) == 0 {
		return nil, nil
	}
	for i, o := range in {
		if !slices.Contains(f.Options, o) {
			return nil, errors.New("must hold only the field's options")
		}
		if slices.Contains(in[:i], o) {
			return nil, errors.New("must not repeat an option")
		}
	}
	// In the order the options are shown.
	out := make([]string, 0, len(in))
	for _, o := range f.Options {
		if slices.Contains(in, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

func refsValue(f Field, raw json.RawMessage) (any, error) {
	var in []string
	if json.Unmarshal(raw, &in) != nil {
		return nil, errors.New("must be a list of ids")
	}
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > 1 && !f.Multiple {
		return nil, errors.New("takes only one")
	}
	if len(in) > MaxRefs {
		return nil, fmt.Errorf("takes at most %d", MaxRefs)
	}
	for i, id := range in {
		if id == "" || len(id) > MaxRefLen || !printableASCII(id) {
			return nil, errors.New("holds an id that is not valid")
		}
		if slices.Contains(in[:i], id) {
			return nil, errors.New("must not repeat an id")
		}
	}
	return in, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// isRef reports whether a type's values are ids the Resolver checks.
func isRef(typ string) bool {
	return typ == TypeMember || typ == TypeDepartment || typ == TypeAttachment || typ == TypeImage
}

// resolve asks the Resolver whether ids exist.
func (c *checker) resolve(f Field, ids []string) error {
	if c.r == nil || len(ids) == 0 || !isRef(f.Type) {
		return nil
	}
	var err error
	what := "file"
	switch f.Type {
	case TypeMember:
		err, what = c.r.Members(c.ctx, ids), "member"
	case TypeDepartment:
		err, what = c.r.Departments(c.ctx, ids), "department"
	default:
		err = c.r.Files(c.ctx, ids)
	}
	if err == nil {
		return nil
	}
	switch apperr.KindOf(err) {
	case apperr.KindInvalid, apperr.KindNotFound, apperr.KindForbidden:
		return errors.New("refers to an unknown " + what)
	}
	return passErr{err}
}

func locationValue(raw json.RawMessage) (any, error) {
	var in struct {
		Lat     json.RawMessage `json:"lat"`
		Lng     json.RawMessage `json:"lng"`
		Address string          `json:"address"`
	}
	if err := strictDecode(raw, &in); err != nil {
		return nil, errors.New(`must be {"lat": …, "lng": …, "address": …}`)
	}
	in.Address = trim(in.Address)
	if isNull(in.Lat) && isNull(in.Lng) && in.Address == "" {
		return nil, nil
	}
	coord := func(raw json.RawMessage, limit int64) (string, bool) {
		if isNull(raw) {
			return "", false
		}
		d, ok, err := decimalOf(raw)
		if err != nil || !ok || d.Cmp(NewDecimal(limit, 0)) > 0 || d.Cmp(NewDecimal(-limit, 0)) < 0 {
			return "", false
		}
		return d.String(), true
	}
	lat, ok1 := coord(in.Lat, 90)
	lng, ok2 := coord(in.Lng, 180)
	if !ok1 || !ok2 {
		return nil, errors.New("needs lat from -90 to 90 and lng from -180 to 180")
	}
	if err := text(in.Address, 0, MaxAddress, false); err != nil {
		return nil, errors.New("address " + err.Error())
	}
	return Location{Lat: lat, Lng: lng, Address: in.Address}, nil
}

func (c *checker) table(f Field, raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	var in struct {
		Rows  []json.RawMessage `json:"rows"`
		Total json.RawMessage   `json:"total"` // computed here; ignored
	}
	if err := strictDecode(raw, &in); err != nil {
		return nil, errors.New(`must be {"rows": [...]}`)
	}
	if len(in.Rows) > MaxRows {
		return nil, fmt.Errorf("has more than %d rows", MaxRows)
	}
	out := Table{Rows: []Values{}}
	refs := map[string][]string{}
	for i, rawRow := range in.Rows {
		row, err := c.row(f, rawRow, i+1, refs)
		if err != nil {
			return nil, err
		}
		if len(row) > 0 {
			out.Rows = append(out.Rows, row)
		}
	}
	if len(out.Rows) == 0 {
		return nil, nil
	}
	for _, col := range f.Columns {
		if err := c.resolve(col, refs[col.ID]); err != nil {
			if _, ok := err.(passErr); ok {
				return nil, err
			}
			return nil, &FieldError{Field: f.ID, Column: col.ID, Reason: err.Error()}
		}
	}
	if f.Total != "" {
		total, err := tableTotal(f, out.Rows)
		if err != nil {
			return nil, &FieldError{Field: f.ID, Column: f.Total, Reason: err.Error()}
		}
		out.Total = total
	}
	return out, nil
}

// row checks one row of a table; a row with no values is dropped. The ids
// it refers to are gathered into refs by column, each once, and checked
// once per table.
func (c *checker) row(f Field, raw json.RawMessage, n int, refs map[string][]string) (Values, error) {
	cells := map[string]json.RawMessage{}
	if !isNull(raw) {
		if t := bytes.TrimSpace(raw); t[0] != '{' || json.Unmarshal(t, &cells) != nil {
			return nil, &FieldError{Field: f.ID, Row: n, Reason: "a row must be an object keyed by column id"}
		}
	}
	var unknown []string
	for id := range cells {
		if _, ok := f.Column(id); !ok {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, &FieldError{Field: f.ID, Row: n, Column: unknown[0], Reason: "is not a column of this table"}
	}
	row := Values{}
	var missing string
	for _, col := range f.Columns {
		v, err := c.cell(col, cells[col.ID])
		if err != nil {
			return nil, &FieldError{Field: f.ID, Row: n, Column: col.ID, Reason: err.Error()}
		}
		if v == nil {
			if col.Required && missing == "" {
				missing = col.ID
			}
			continue
		}
		if ids, ok := v.([]string); ok && isRef(col.Type) {
			for _, id := range ids {
				if !slices.Contains(refs[col.ID], id) {
					refs[col.ID] = append(refs[col.ID], id)
				}
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		row[col.ID] = b
	}
	if len(row) > 0 && missing != "" {
		return nil, &FieldError{Field: f.ID, Row: n, Column: missing, Reason: "is required"}
	}
	return row, nil
}

// tableTotal sums the total column of rows exactly: money in minor units,
// numbers as decimals.
func tableTotal(f Field, rows []Values) (string, error) {
	col, _ := f.Column(f.Total)
	var sum Decimal
	var cents Money
	for _, r := range rows {
		raw, ok := r[col.ID]
		if !ok {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if col.Type == TypeMoney {
			m, err := ParseMoney(s)
			if err != nil {
				return "", err
			}
			if cents, ok = cents.Add(m); !ok {
				return "", errors.New("the total is too large")
			}
			continue
		}
		d, err := ParseDecimal(s)
		if err != nil {
			return "", err
		}
		sum = sum.Add(d)
	}
	if col.Type == TypeMoney {
		return cents.String(), nil
	}
	return sum.String(), nil
}

// strictDecode reads one JSON object into v, refusing unknown keys.
func strictDecode(raw json.RawMessage, v any) error {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return errors.New("not an object")
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func trim(s string) string { return strings.TrimSpace(s) }

// stripBreaks removes the line breaks and tabs a multiline text may hold.
func stripBreaks(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// Number returns the numeric value of field id in v: a number, an amount,
// a table's total or a daterange's duration. It answers false when the
// field is empty or has no numeric value.
func (s Schema) Number(v Values, fieldID string) (Decimal, bool) {
	f, ok := s.Field(fieldID)
	raw, has := v[fieldID]
	if !ok || !has {
		return Decimal{}, false
	}
	var str string
	switch f.Type {
	case TypeNumber, TypeMoney:
		if json.Unmarshal(raw, &str) != nil {
			return Decimal{}, false
		}
	case TypeTable:
		var t Table
		if f.Total == "" || json.Unmarshal(raw, &t) != nil || t.Total == "" {
			return Decimal{}, false
		}
		str = t.Total
	case TypeDateRange:
		var r DateRange
		if json.Unmarshal(raw, &r) != nil {
			return Decimal{}, false
		}
		return r.Duration, true
	default:
		return Decimal{}, false
	}
	d, err := ParseDecimal(str)
	return d, err == nil
}
