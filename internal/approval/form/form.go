// Package form is the form of an approval template: the fields an admin
// designs (Schema), the values a request fills them with (Check turns what
// a client sent into normalized Values), exact numbers for amounts and
// quantities (Money, Decimal), the conditions a flow's steps test against
// a request (Condition), and the built-in templates (Builtins).
//
// The package is pure: no database and no HTTP. References to members,
// departments and files are checked through the Resolver the engine
// passes in. Money is held in minor units and numbers as exact decimals;
// no float ever carries a value, so a table of two hundred lines totals to
// the cent.
package form

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Field types.
const (
	TypeText        = "text"
	TypeTextarea    = "textarea"
	TypeNumber      = "number"
	TypeMoney       = "money"
	TypeDate        = "date"
	TypeTime        = "time"
	TypeDateRange   = "daterange"
	TypeChoice      = "choice"
	TypeMultiChoice = "multichoice"
	TypeMember      = "member"
	TypeDepartment  = "department"
	TypeAttachment  = "attachment"
	TypeImage       = "image"
	TypeLocation    = "location"
	TypeTable       = "table"
	TypeDescription = "description"
)

// Units of a daterange field.
const (
	UnitDay     = "day"
	UnitHalfDay = "half_day"
	UnitHour    = "hour"
)

// DefaultCurrency is a money field's currency when it names none.
const DefaultCurrency = "CNY"

// Limits of a schema and of the values filled in.
const (
	MaxFields      = 100     // fields of a template
	MaxColumns     = 20      // columns of a table
	MaxRows        = 200     // rows of a table's value
	MaxOptions     = 50      // options of a choice
	MaxLabel       = 200     // characters of a label, an option, a placeholder
	MaxHelp        = 1000    // characters of a field's help
	MaxDescription = 5000    // characters of a description field's text
	MaxText        = 2000    // characters of a text value
	MaxTextarea    = 20000   // characters of a textarea value
	MaxAddress     = 500     // characters of a location's address
	MaxRefs        = 50      // members, departments or files in one value
	MaxRefLen      = 64      // bytes of one referenced id
	MaxDecimals    = 4       // decimal places a number field may allow
	MaxRangeDays   = 3660    // days a daterange may span
	maxConditions  = 100     // leaves and groups of one condition
	maxDepth       = 8       // nesting of all/any
	maxInList      = MaxRefs // values of an in/not_in list
)

// Field is one field of a form. Settings that do not apply to a field's
// type are ignored.
type Field struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	Label       string   `json:"label"`
	Required    bool     `json:"required"`
	Placeholder string   `json:"placeholder,omitempty"`
	Help        string   `json:"help,omitempty"`
	Options     []string `json:"options,omitempty"`  // choice, multichoice
	Currency    string   `json:"currency,omitempty"` // money
	Decimals    int      `json:"decimals,omitempty"` // number
	Min         string   `json:"min,omitempty"`      // number, money
	Max         string   `json:"max,omitempty"`      // number, money
	Multiple    bool     `json:"multiple,omitempty"` // member, department, attachment, image
	Unit        string   `json:"unit,omitempty"`     // daterange
	Columns     []Field  `json:"columns,omitempty"`  // table
	Total       string   `json:"total,omitempty"`    // table
	Text        string   `json:"text,omitempty"`     // description
}

// Schema is the fields of a template version, in the order shown.
type Schema []Field

var idRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

var types = []string{TypeText, TypeTextarea, TypeNumber, TypeMoney, TypeDate, TypeTime, TypeDateRange, TypeChoice,
	TypeMultiChoice, TypeMember, TypeDepartment, TypeAttachment, TypeImage, TypeLocation, TypeTable, TypeDescription}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// CurrencyCode returns a money field's currency, DefaultCurrency when unset.
func (f Field) CurrencyCode() string {
	if f.Currency == "" {
		return DefaultCurrency
	}
	return f.Currency
}

// UnitOf returns a daterange field's unit, UnitDay when unset.
func (f Field) UnitOf() string {
	if f.Unit == "" {
		return UnitDay
	}
	return f.Unit
}

// Field returns the top-level field with the given id.
func (s Schema) Field(id string) (Field, bool) {
	for _, f := range s {
		if f.ID == id {
			return f, true
		}
	}
	return Field{}, false
}

// Column returns the column of a table field with the given id.
func (f Field) Column(id string) (Field, bool) { return Schema(f.Columns).Field(id) }

// Validate reports whether the schema is well formed: at most MaxFields
// fields with unique ids, known types, safe labels, and the settings each
// type needs. Its errors are 400 invalid_schema naming the field.
func (s Schema) Validate() error {
	if len(s) > MaxFields {
		return schemaErr("", "", fmt.Sprintf("a form has at most %d fields", MaxFields))
	}
	return validateFields(s, "")
}

func validateFields(fs []Field, table string) error {
	seen := map[string]bool{}
	for _, f := range fs {
		if !idRe.MatchString(f.ID) {
			return schemaErr(table, f.ID, "a field id is 1 to 40 lower-case letters, digits and _, starting with a letter")
		}
		if seen[f.ID] {
			return schemaErr(table, f.ID, "field ids must differ")
		}
		seen[f.ID] = true
		if err := validateField(f, table); err != nil {
			return err
		}
	}
	return nil
}

func validateField(f Field, table string) error {
	bad := func(reason string) error { return schemaErr(table, f.ID, reason) }
	if !slices.Contains(types, f.Type) {
		return bad("unknown field type " + fmt.Sprintf("%q", f.Type))
	}
	if table != "" && (f.Type == TypeTable || f.Type == TypeDescription) {
		return bad("a table's column cannot be a table or a description")
	}
	if err := text(f.Label, 1, MaxLabel, false); err != nil {
		return bad("label " + err.Error())
	}
	if err := text(f.Placeholder, 0, MaxLabel, false); err != nil {
		return bad("placeholder " + err.Error())
	}
	if err := text(f.Help, 0, MaxHelp, true); err != nil {
		return bad("help " + err.Error())
	}
	switch f.Type {
	case TypeChoice, TypeMultiChoice:
		if len(f.Options) == 0 || len(f.Options) > MaxOptions {
			return bad(fmt.Sprintf("a choice needs from 1 to %d options", MaxOptions))
		}
		for i, o := range f.Options {
			if err := text(o, 1, MaxLabel, false); err != nil || o != trim(o) {
				return bad("each option is 1 to 200 characters without surrounding spaces or control characters")
			}
			if slices.Contains(f.Options[:i], o) {
				return bad("options must differ")
			}
		}
	case TypeMoney:
		if f.Currency != "" && !currencyRe.MatchString(f.Currency) {
			return bad("currency is an ISO 4217 code such as CNY")
		}
		return validateBounds(f, bad)
	case TypeNumber:
		if f.Decimals < 0 || f.Decimals > MaxDecimals {
			return bad(fmt.Sprintf("decimals is from 0 to %d", MaxDecimals))
		}
		return validateBounds(f, bad)
	case TypeDateRange:
		if f.Unit != "" && f.Unit != UnitDay && f.Unit != UnitHalfDay && f.Unit != UnitHour {
			return bad("unit is day, half_day or hour")
		}
	case TypeTable:
		if len(f.Columns) == 0 || len(f.Columns) > MaxColumns {
			return bad(fmt.Sprintf("a table has from 1 to %d columns", MaxColumns))
		}
		if err := validateFields(f.Columns, f.ID); err != nil {
			return err
		}
		if f.Total != "" {
			c, ok := f.Column(f.Total)
			if !ok || (c.Type != TypeMoney && c.Type != TypeNumber) {
				return bad("total names a money or number column of the table")
			}
		}
	case TypeDescription:
		if err := text(f.Text, 0, MaxDescription, true); err != nil {
			return bad("text " + err.Error())
		}
	}
	return nil
}

// validateBounds checks a number or money field's min and max.
func validateBounds(f Field, bad func(string) error) error {
	lo, hi, err := bounds(f)
	if err != nil {
		return bad(err.Error())
	}
	if lo != nil && hi != nil && lo.Cmp(*hi) > 0 {
		return bad("min is above max")
	}
	return nil
}

// bounds parses a field's min and max (nil when unset).
func bounds(f Field) (lo, hi *Decimal, err error) {
	parse := func(name, s string) (*Decimal, error) {
		if s == "" {
			return nil, nil
		}
		d, err := ParseDecimal(s)
		if err == nil && f.Type == TypeMoney {
			_, err = d.Money()
		}
		if err != nil {
			return nil, errors.New(name + " " + err.Error())
		}
		return &d, nil
	}
	if lo, err = parse("min", f.Min); err != nil {
		return nil, nil, err
	}
	if hi, err = parse("max", f.Max); err != nil {
		return nil, nil, err
	}
	return lo, hi, nil
}

// text checks a piece of text shown to others: its length in characters
// after trimming, and no control or text-direction characters (line
// breaks and tabs allowed when multiline).
func text(s string, min, max int, multiline bool) error {
	if _, err := safetext.Field("text", s, min, max, multiline); err != nil {
		if min > 0 && trim(s) == "" {
			return errors.New("is required")
		}
		return fmt.Errorf("must be at most %d characters, without control characters", max)
	}
	check := s
	if multiline {
		check = stripBreaks(s)
	}
	if _, _, found := safetext.Unsafe(check); found {
		return errors.New("holds a control or text-direction character")
	}
	return nil
}

// schemaErr is the error of a malformed schema.
func schemaErr(table, id, reason string) error {
	fe := &FieldError{Field: id, Reason: reason}
	if table != "" {
		fe = &FieldError{Field: table, Column: id, Reason: reason}
	}
	e := apperr.Invalid("invalid_schema", fe.Error()).Wrap(fieldCause{fe})
	if fe.Field != "" {
		e = e.With("field", fe.Field)
	}
	if fe.Column != "" {
		e = e.With("column", fe.Column)
	}
	return e
}

// Clean returns a copy of s with its texts trimmed and the settings that
// do not apply to each field's type dropped, the way a template should be
// stored. It does not validate: call Validate as well.
func (s Schema) Clean() Schema {
	if s == nil {
		return nil
	}
	out := make(Schema, len(s))
	for i, f := range s {
		c := Field{ID: f.ID, Type: f.Type, Label: trim(f.Label), Required: f.Required,
			Placeholder: trim(f.Placeholder), Help: trim(f.Help)}
		switch f.Type {
		case TypeChoice, TypeMultiChoice:
			c.Options = append([]string(nil), f.Options...)
		case TypeMoney:
			c.Currency, c.Min, c.Max = f.Currency, f.Min, f.Max
		case TypeNumber:
			c.Decimals, c.Min, c.Max = f.Decimals, f.Min, f.Max
		case TypeMember, TypeDepartment, TypeAttachment, TypeImage:
			c.Multiple = f.Multiple
		case TypeDateRange:
			c.Unit = f.Unit
		case TypeTable:
			c.Columns, c.Total = Schema(f.Columns).Clean(), f.Total
		case TypeDescription:
			c.Required, c.Placeholder, c.Text = false, "", trim(f.Text)
		}
		out[i] = c
	}
	return out
}
