// Package report owns work reports (日志/汇报): templates the organization
// designs (daily, weekly, monthly or custom, with their fields, default
// recipients and schedule), the reports people write on them — drafted,
// submitted (late ones marked), edited within a window — the recipients'
// inbox with read state, comments with mentions, reminders to those who
// have not submitted, and submission statistics.
//
// A report's field values and plans are company data about its author,
// sealed with the organization's key. Who receives a report is computed
// when it is submitted and recorded, one row per recipient with their
// read time, so that the author sees who read it. Everyone else — other
// members, administrators who did not receive it, other organizations —
// gets 404 for it; statistics show who submitted, never what.
//
// Report asks the directory only small questions (who may manage
// templates, whom an audience reaches, who supervises or leads someone)
// through the Directory interface declared here, wired in internal/server.
package report

import (
	"context"
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

// PermManage is the organization permission to design templates and see
// the statistics of every department. Owners and admins hold it.
const PermManage = perm.ManageReports

// Audience chooses members of the organization: everyone (All), or the
// union of departments (with their sub-departments), roles and members.
type Audience struct {
	All           bool     `json:"all"`
	DepartmentIDs []string `json:"department_ids"`
	RoleIDs       []string `json:"role_ids"`
	MemberIDs     []string `json:"member_ids"`
}

// empty reports whether the audience reaches nobody by construction.
func (a Audience) empty() bool {
	return !a.All && len(a.DepartmentIDs) == 0 && len(a.RoleIDs) == 0 && len(a.MemberIDs) == 0
}

// Person is one member: their member and account ids, and the department
// they are counted under ("" for none).
type Person struct {
	MemberID     string
	AccountID    string
	DepartmentID string
}

// Directory is what reports need of the organization's directory.
type Directory interface {
	// Authorize checks that the caller holds perm in its current
	// organization, for deptID's subtree when deptID is set (403
	// forbidden otherwise).
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// Audience resolves an audience to the organization's active members;
	// ids naming nothing in the organization are 400 invalid_field.
	Audience(ctx context.Context, orgID string, a Audience) ([]Person, error)
	// Supervisor returns the member's active supervisor (none or one).
	Supervisor(ctx context.Context, orgID, memberID string) ([]Person, error)
	// Leaders returns the active leaders of the member's departments,
	// the member excluded.
	Leaders(ctx context.Context, orgID, memberID string) ([]Person, error)
	// Leads reports whether the member leads the department or one
	// above it.
	Leads(ctx context.Context, orgID, memberID, deptID string) (bool, error)
	// Name returns the name the organization shows for an account ("" if
	// none), for the statistics' CSV.
	Name(ctx context.Context, orgID, accountID string) string
}

// Sealer seals report content and comments with the organization's key.
// *keyring.Keyring implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// Service is the work reports domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Sealer seals content; when nil it is stored unsealed (content_key
	// ''), which only tests do.
	Sealer Sealer
	// Blobs stores the files of attachment fields (uploads are refused
	// without it).
	Blobs blob.Store
	// Mail queues an email to an account in ctx's transaction (the
	// outbox); reminders are sent without it when nil.
	Mail func(ctx context.Context, accountID, subject, body string) error
	// BaseURL is where the web app is, for links in emails.
	BaseURL string
	Log     *slog.Logger
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

// manager returns the caller when they may manage templates. The refusal
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

// may is Authorize as a boolean.
func (s *Service) may(ctx context.Context, deptID string) (bool, error) {
	err := s.Directory.Authorize(ctx, PermManage, deptID)
	switch apperr.KindOf(err) {
	case apperr.KindForbidden:
		return false, nil
	case apperr.KindInternal:
		if err != nil {
			return false, err
		}
	}
	return err == nil, nil
}

// record writes an audit entry in ctx's transaction.
func (s *Service) record(ctx context.Context, orgID, action, kind, id string, details map[string]any) error {
	return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Outcome: "success", Details: details})
}

// notify tells each of accounts, on their own stream (events.ToAccounts).
func (s *Service) notify(ctx context.Context, orgID, typ string, data map[string]string, accounts []string) error {
	return events.ToAccounts(ctx, s.DB, orgID, typ, data, accounts)
}
