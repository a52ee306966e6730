// Package attendance owns attendance (考勤打卡): groups of members with
// their rules — fixed hours, flexible hours or shifts with a roster,
// working days, the organization's holidays and make-up workdays, the
// places (geofences) and networks check-ins are allowed from — the
// check-ins and check-outs themselves, each member's day results, the
// approved leave, trips, overtime and corrections that adjust them, the
// team and monthly reports, and check-in reminders.
//
// Location is the most sensitive data attendance touches. The raw
// position, Wi-Fi BSSID and address of a check-in are sealed with the
// person's key in their own table (attendance_locations) and erased after
// the group's location retention (default 90 days); the day results keep
// only whether the check-in was in the area, how far from the nearest
// place, and what it matched. Nothing is collected before the person
// acknowledged the attendance notice and, where the group's legal basis
// is consent, granted the privacy center's location consent.
//
// Attendance asks the directory only small questions through the
// Directory interface declared here, and learns about approvals from
// approval.approved events in the event log, so that it imports no other
// domain.
package attendance

import (
	"context"
	"log/slog"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// PermManage is the organization permission to design groups, rosters and
// holidays and to see everyone's results. Owners and admins hold it.
const PermManage = perm.ManageAttendance

// PurposeLocation is the privacy center's consent a check-in needs when
// its group's legal basis is consent.
const PurposeLocation = "location"

// NoticeVersion is the version of the attendance notice a member
// acknowledges before their first check-in (docs/attendance.md).
const NoticeVersion = "2026-12"

// Person is one member: their member and account ids, and the department
// they are counted under ("" for none).
type Person struct {
	MemberID     string
	AccountID    string
	DepartmentID string
}

// Directory is what attendance needs of the organization's directory.
type Directory interface {
	// Authorize checks that the caller holds perm in its current
	// organization (403 forbidden otherwise).
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// Audience resolves members and departments to the organization's
	// active members; ids naming nothing there are 400 invalid_field.
	Audience(ctx context.Context, orgID string, memberIDs, departmentIDs []string) ([]Person, error)
	// Supervisor returns the member's active supervisor (none or one).
	Supervisor(ctx context.Context, orgID, memberID string) ([]Person, error)
	// Leads reports whether the member leads the department or one above.
	Leads(ctx context.Context, orgID, memberID, deptID string) (bool, error)
	// Name returns the name the organization shows for an account.
	Name(ctx context.Context, orgID, accountID string) string
}

// Consents answers whether a person granted a consent in the privacy
// center (*privacy.Service, through an adapter).
type Consents interface {
	HasConsent(ctx context.Context, accountID, purpose string) (bool, error)
}

// Sealer seals raw locations with the person's key. *keyring.Keyring
// implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// Service is the attendance domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Consents is the privacy center; when nil, groups whose legal basis
	// is consent refuse every check-in.
	Consents Consents
	// Sealer seals raw locations; when nil they are stored unsealed
	// (sealed_key ''), which only tests do.
	Sealer Sealer
	// Held reports whether a person is under a legal hold in an
	// organization (the privacy center): their raw locations outlive their
	// retention while it lasts. Nil holds no one.
	Held func(ctx context.Context, orgID, accountID string) (bool, error)
	Log  *slog.Logger
	// Now is the clock; tests replace it to move time forward.
	Now func() time.Time

	cache memberCache
}

// New returns a service over d.
func New(d *db.DB, dir Directory, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: d, Directory: dir, Log: log, Now: time.Now}
}

func (s *Service) now() int64 { return s.Now().UnixMilli() }

// manager returns the caller when they hold manage_attendance.
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
func (s *Service) may(ctx context.Context) (bool, error) {
	err := s.Directory.Authorize(ctx, PermManage, "")
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
