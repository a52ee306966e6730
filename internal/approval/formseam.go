package approval

import (
	"encoding/json"

	"github.com/atrium-hq/atrium/internal/approval/form"
)

// The form package (internal/approval/form) checks a template version's
// fields and a request's values and evaluates the flow's conditions; the
// engine names its types here.

// Schema is a template version's fields.
type Schema = form.Schema

// Values are a request's normalized form values, by field id.
type Values = form.Values

// Condition is a test on form values and on the applicant.
type Condition = form.Condition

// Applicant is what conditions look at of the applicant.
type Applicant = form.Applicant

// schemaOf reads a stored schema.
func schemaOf(s string) Schema {
	out := Schema{}
	_ = json.Unmarshal([]byte(s), &out)
	return out
}
