// Package approval owns approvals (审批): templates the organization
// designs — a form and a flow, kept as numbered versions so that a request
// keeps the version it was filed with — and the requests people file on
// them, which walk the flow's steps along the reporting line: the
// applicant's supervisors, department leaders, roles, chosen members.
//
// Every change of a request happens in one transaction that first locks
// the request's row (lockRequest), so two approvers deciding one step at
// once, or a withdrawal racing an approval, yield exactly one outcome; the
// loser gets 409. Every transition is in the request's timeline and in the
// audit log.
//
// A request's form values and comments are company data about its
// applicant, sealed with the organization's key. Only the applicant, the
// flow's approvers, the people it was copied to and holders of
// manage_approvals see a request; everyone else, and other organizations,
// get 404.
//
// Approval asks the directory only small questions (who may manage
// templates, whom an audience reaches, supervisor chains, department
// leaders, a member's departments and roles) through the Directory
// interface declared here, wired in internal/server.
package approval

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// PermManage is the organization permission to design templates, see
// every request, export them and read the statistics. Owners and admins
// hold it.
const PermManage = perm.ManageApprovals

// Audience chooses members of the organization: everyone (All), or the
// union of departments (with their sub-departments), roles and members.
type Audience struct {
	All           bool     `json:"all"`
	DepartmentIDs []string `json:"department_ids"`
	RoleIDs       []string `json:"role_ids"`
	MemberIDs     []string `json:"member_ids,omitempty"`
}

// Person is one active member: their member and account ids, and their
// first department ("" for none).
type Person struct {
	MemberID     string
	AccountID    string
	DepartmentID string
}

// Link is one supervisor in a reporting line; Active is false for a
// vacancy.
type Link struct {
	Person
	Active bool
}

// Facts is what conditions and templates look at of a member.
type Facts struct {
	MemberID  string
	AccountID string
	Active    bool
	// Departments are the member's own, the first (primary) one first;
	// WithAncestors adds every department above them.
	Departments   []string
	WithAncestors []string
	// Roles are the built-in role (owner, admin, member) and custom role
	// ids.
	Roles []string
}

// Directory is what approvals need of the organization's directory.
type Directory interface {
	// Authorize checks that the caller holds perm in its current
	// organization (403 forbidden otherwise).
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// Audience resolves an audience to the organization's active members;
	// ids naming nothing in the organization are 400 invalid_field.
	Audience(ctx context.Context, orgID string, a Audience) ([]Person, error)
	// Supervisors returns the member's supervisor chain, nearest first,
	// vacancies included.
	Supervisors(ctx context.Context, orgID, memberID string) ([]Link, error)
	// DepartmentLeaders returns a department's active leaders, or those
	// of the nearest department above it that has some.
	DepartmentLeaders(ctx context.Context, orgID, deptID string) ([]Person, error)
	// Facts returns a member's departments and roles (apperr not found
	// when there is no such member).
	Facts(ctx context.Context, orgID, memberID string) (Facts, error)
	// Member returns the id of an account's active membership ("" if
	// none).
	Member(ctx context.Context, orgID, accountID string) string
	// Name returns the name the organization shows for an account ("" if
	// none).
	Name(ctx context.Context, orgID, accountID string) string
}

// Sealer seals form values and comments with the organization's key.
// *keyring.Keyring implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// Service is the approvals domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Sealer seals content; when nil it is stored unsealed (key ''),
	// which only tests do.
	Sealer Sealer
	// Cards sends chat cards about requests (card.go); nil sends none.
	Cards Cards
	// Announced, when set, is called in the transaction that appends
	// approval.approved (announce.go), so that readers of the event log
	// can be woken at once rather than on their next round.
	Announced func(ctx context.Context, requestID string) error
	// Blobs stores uploaded files; uploads fail without it.
	Blobs blob.Store
	Log   *slog.Logger
	// Now is the clock; tests replace it to move time forward.
	Now func() time.Time
}

// New returns a service over d.
func New(d *db.DB, dir Directory, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: d, Directory: dir, Log: log, Now: time.Now}
}

func (s *Service) now() int64 { return s.Now().UnixMilli() }

// manager returns the caller when they may manage approvals. The refusal
// comes before any lookup, so it says nothing about the id asked for.
func (s *Service) manager(ctx context.Context) (*actor.Actor, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Directory.Authorize(ctx, PermManage, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// may reports whether the caller holds manage_approvals.
func (s *Service) may(ctx context.Context) (bool, error) {
	err := s.Directory.Authorize(ctx, PermManage, "")
	switch {
	case err == nil:
		return true, nil
	case apperr.KindOf(err) == apperr.KindForbidden:
		return false, nil
	}
	return false, err
}

// record writes an audit entry in ctx's transaction.
func (s *Service) record(ctx context.Context, orgID, action, kind, id string, details map[string]any) error {
	return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Outcome: "success", Details: details})
}

// publish appends one event per account, each once.
func (s *Service) publish(ctx context.Context, orgID, typ string, data any, accounts []string) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var evs []events.Pending
	for _, acc := range accounts {
		if acc == "" || seen[acc] {
			continue
		}
		seen[acc] = true
		evs = append(evs, events.Pending{OrgID: orgID, ScopeKind: events.ScopeAccount, ScopeID: acc, Type: typ, Data: json.RawMessage(b)})
	}
	if len(evs) == 0 {
		return nil
	}
	return events.AppendBatch(ctx, s.DB, evs)
}
