package approval

import (
	"encoding/json"
	"regexp"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Flow is a template version's flow: its steps in order, whom requests
// are copied to, and when a step approves itself.
type Flow struct {
	Steps       []Step      `json:"steps"`
	CC          CC          `json:"cc"`
	AutoApprove AutoApprove `json:"auto_approve"`
}

// Step is one step of a flow.
type Step struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Approvers Approvers `json:"approvers"`
	// Mode is sequential (one after another), all (会签) or any (或签).
	Mode string `json:"mode"`
	// When, if set, skips the step unless it holds.
	When *Condition `json:"when,omitempty"`
	// HiddenFields are fields this step's approvers do not see.
	HiddenFields []string `json:"hidden_fields,omitempty"`
	Timeout      *Timeout `json:"timeout,omitempty"`
}

// Approvers says who approves a step.
type Approvers struct {
	// Type is members, role, supervisor, department_leaders or
	// applicant_choice.
	Type      string   `json:"type"`
	MemberIDs []string `json:"member_ids,omitempty"`
	RoleID    string   `json:"role_id,omitempty"`
	// Levels is how far up the supervisor chain (1..10), vacancies
	// skipped.
	Levels int `json:"levels,omitempty"`
	// DepartmentID is the department whose leaders approve; "" for the
	// applicant's primary department.
	DepartmentID string `json:"department_id,omitempty"`
	// Multiple lets the applicant choose more than one approver.
	Multiple bool `json:"multiple,omitempty"`
}

// Timeout reminds the step's approvers, or escalates to the next level,
// after Hours.
type Timeout struct {
	Hours  int    `json:"hours"`
	Action string `json:"action"`
}

// CC says whom a request is copied to, at submission or at its end.
type CC struct {
	MemberIDs  []string `json:"member_ids"`
	RoleIDs    []string `json:"role_ids"`
	Supervisor bool     `json:"supervisor"`
	At         string   `json:"at"`
}

// AutoApprove approves a task by itself when its approver is the
// applicant, or approved this request at an earlier step.
type AutoApprove struct {
	Applicant bool `json:"applicant"`
	Repeated  bool `json:"repeated"`
}

// Approver types and step modes.
const (
	TypeMembers           = "members"
	TypeRole              = "role"
	TypeSupervisor        = "supervisor"
	TypeDepartmentLeaders = "department_leaders"
	TypeApplicantChoice   = "applicant_choice"

	ModeSequential = "sequential"
	ModeAll        = "all"
	ModeAny        = "any"
)

// MaxSteps bounds a flow.
const MaxSteps = 30

var stepIDRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// validate checks a flow against its form's schema. References to
// members, roles and departments are checked when requests resolve them:
// someone named may leave later anyway.
func (f *Flow) validate(s Schema) error {
	bad := func(msg string) *apperr.Error { return apperr.InvalidField("flow", msg) }
	if len(f.Steps) > MaxSteps {
		return bad("a flow has at most 30 steps")
	}
	seen := map[string]bool{}
	for i := range f.Steps {
		st := &f.Steps[i]
		if !stepIDRe.MatchString(st.ID) || seen[st.ID] {
			return bad("a step id is unique and matches ^[a-z][a-z0-9_]{0,39}$").With("step", st.ID)
		}
		seen[st.ID] = true
		name, err := safetext.Field("flow", st.Name, 1, 100, false)
		if err != nil {
			return bad("a step's name is 1 to 100 characters").With("step", st.ID)
		}
		st.Name = name
		if st.Mode == "" {
			st.Mode = ModeAny
		}
		if !slices.Contains([]string{ModeSequential, ModeAll, ModeAny}, st.Mode) {
			return bad("mode is sequential, all or any").With("step", st.ID)
		}
		ap := &st.Approvers
		switch ap.Type {
		case TypeMembers:
			if len(ap.MemberIDs) == 0 || len(ap.MemberIDs) > 100 {
				return bad("a members step names 1 to 100 members").With("step", st.ID)
			}
		case TypeRole:
			if ap.RoleID == "" {
				return bad("a role step names its role").With("step", st.ID)
			}
		case TypeSupervisor:
			if ap.Levels == 0 {
				ap.Levels = 1
			}
			if ap.Levels < 1 || ap.Levels > 10 {
				return bad("levels is 1 to 10").With("step", st.ID)
			}
		case TypeDepartmentLeaders, TypeApplicantChoice:
		default:
			return bad("approvers type is members, role, supervisor, department_leaders or applicant_choice").With("step", st.ID)
		}
		if st.When != nil {
			if err := validateCondition(*st.When, s); err != nil {
				return err
			}
		}
		if t := st.Timeout; t != nil && (t.Hours < 1 || t.Hours > 24*90 || (t.Action != "remind" && t.Action != "escalate")) {
			return bad("a timeout is 1 to 2160 hours, action remind or escalate").With("step", st.ID)
		}
	}
	if f.CC.At == "" {
		f.CC.At = "submit"
	}
	if f.CC.At != "submit" && f.CC.At != "end" {
		return bad("cc.at is submit or end")
	}
	return nil
}

// defaultFlow is a one-step flow: the applicant's supervisor.
func defaultFlow() Flow {
	return Flow{Steps: []Step{{ID: "s1", Name: "Supervisor", Mode: ModeAny, Approvers: Approvers{Type: TypeSupervisor, Levels: 1}}},
		CC: CC{At: "submit"}, AutoApprove: AutoApprove{Applicant: true, Repeated: true}}
}

func (f Flow) json() string {
	b, _ := json.Marshal(f)
	return string(b)
}

func flowOf(s string) Flow {
	var f Flow
	_ = json.Unmarshal([]byte(s), &f)
	return f
}
