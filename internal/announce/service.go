// Package announce owns announcements (公告): the organization speaks to
// everyone, or to chosen departments (with their sub-departments), roles
// and people, and knows who has read and confirmed what it said.
//
// An announcement is drafted, scheduled or published at once, edited
// (readers see that it was), pinned and withdrawn. Its title and Markdown
// body are the organization's data, sealed with the organization's key;
// the body is stored as written and rendered by the client. Who it was
// meant for is computed when it is published and recorded, one row per
// recipient, so that read statistics stay right as people join and leave;
// those rows also hold each reader's read and confirm times, which are
// personal data about the reader (privacy.go).
//
// Announce asks the directory only small questions (who may publish, whom
// an audience reaches) through the Directory interface declared here,
// wired in internal/server.
package announce

import (
	"context"
	"log/slog"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// PermPublish is the organization permission to publish and manage
// announcements and to see their read lists. Owners and admins hold it.
const PermPublish = perm.PublishAnnouncements

// Audience says whom an announcement is for: the whole organization (All),
// or the union of departments with their sub-departments, roles (the
// built-in owner, admin and member, or custom role ids) and members.
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

// Recipient is one member an audience reaches, with the department it is
// counted under in the read list ("" for none).
type Recipient struct {
	MemberID     string
	AccountID    string
	DepartmentID string
}

// Directory is what announce needs of the organization's directory.
type Directory interface {
	// Authorize checks that the caller holds perm in its current
	// organization (403 forbidden otherwise).
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// Audience resolves an audience to the organization's active members;
	// ids naming nothing in the organization are 400 invalid_field.
	Audience(ctx context.Context, orgID string, a Audience) ([]Recipient, error)
	// HasDepartment reports whether id is a department of orgID.
	HasDepartment(ctx context.Context, orgID, id string) bool
}

// Sealer seals the title and body with the organization's key.
// *keyring.Keyring implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// Service is the announcements domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Sealer seals titles and bodies; when nil they are stored unsealed
	// (content_key ''), which only tests do.
	Sealer Sealer
	// Blobs stores the bytes of attachments and images (encrypted under
	// the organization's key when it seals); uploads are refused without it.
	Blobs blob.Store
	// Mail queues an email to an account in ctx's transaction (the
	// outbox); reminders are sent without it when nil.
	Mail func(ctx context.Context, accountID, subject, body string) error
	// BaseURL is where the web app is, for links in emails.
	BaseURL string
	Log     *slog.Logger
	// Now is the clock; tests replace it to move time forward.
	Now func() time.Time
	// RemindEvery is how often the people who have not read an
	// announcement may be reminded (default a day).
	RemindEvery time.Duration
}

// New returns a service over d.
func New(d *db.DB, dir Directory, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: d, Directory: dir, Log: log, Now: time.Now, RemindEvery: 24 * time.Hour}
}

func (s *Service) now() int64 { return s.Now().UnixMilli() }

// publisher returns the caller when they may publish in their
// organization. The refusal comes before any lookup, so it says nothing
// about the id asked for.
func (s *Service) publisher(ctx context.Context) (*actor.Actor, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Directory.Authorize(ctx, PermPublish, ""); err != nil {
		return nil, err
	}
	return a, nil
}

// mayPublish is publisher as a boolean, for deciding what to show.
func (s *Service) mayPublish(ctx context.Context) (bool, error) {
	err := s.Directory.Authorize(ctx, PermPublish, "")
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
func (s *Service) record(ctx context.Context, orgID, action, id string, details map[string]any) error {
	return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: action, TargetKind: "announcement", TargetID: id, Outcome: "success", Details: details})
}
