package server

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Background jobs of attendance.
const (
	// attendanceApprovalsJob applies approved leave, trips, overtime and
	// corrections from the event log.
	attendanceApprovalsJob = "attendance.apply_approvals"
	// attendanceRemindJob sends check-in and check-out reminders.
	attendanceRemindJob = "attendance.remind_due"
	// attendanceLocationsJob erases raw locations past their retention.
	attendanceLocationsJob = "attendance.erase_locations"
)

// wireAttendance builds attendance: the directory's answers, the privacy
// center's location consent, the keyring for raw locations (each sealed
// with the person's key), and the background jobs.
func (a *App) wireAttendance(context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("attendance: the directory must be wired first")
	}
	svc := attendance.New(a.DB, attendanceDirectory{dir}, a.Log)
	if a.Keyring != nil {
		svc.Sealer = a.Keyring
	}
	if a.Server.Privacy != nil {
		svc.Consents = a.Server.Privacy
		svc.Held = a.Server.Privacy.MemberHeld
		a.Server.Privacy.Register(svc.Privacy())
	}
	if q := a.Jobs(); q != nil {
		q.Handle(attendanceApprovalsJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.ApplyApprovals(ctx)
			return err
		})
		q.Every(attendanceApprovalsJob, 30*time.Second, nil)
		q.Handle(attendanceRemindJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.RemindDue(ctx)
			return err
		})
		q.Every(attendanceRemindJob, time.Minute, nil)
		q.Handle(attendanceLocationsJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.EraseExpiredLocations(ctx)
			return err
		})
		q.Every(attendanceLocationsJob, time.Hour, nil)
	}
	a.Server.Attendance = svc
	return nil
}

// Attendance returns the attendance service, for tests (the clock).
func (a *App) Attendance() *attendance.Service { return a.Server.Attendance }

// attendanceDirectory adapts the directory to attendance.Directory.
type attendanceDirectory struct{ dir *directory.Service }

func (x attendanceDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func attendancePeople(ms []directory.AudienceMember, err error) ([]attendance.Person, error) {
	if err != nil {
		return nil, err
	}
	out := make([]attendance.Person, len(ms))
	for i, m := range ms {
		out[i] = attendance.Person{MemberID: m.MemberID, AccountID: m.AccountID, DepartmentID: m.DepartmentID}
	}
	return out, nil
}

func (x attendanceDirectory) Audience(ctx context.Context, orgID string, memberIDs, departmentIDs []string) ([]attendance.Person, error) {
	return attendancePeople(x.dir.Audience(ctx, orgID, directory.AudienceQuery{MemberIDs: memberIDs, DepartmentIDs: departmentIDs}))
}

func (x attendanceDirectory) Supervisor(ctx context.Context, orgID, memberID string) ([]attendance.Person, error) {
	return attendancePeople(x.dir.Supervisor(ctx, orgID, memberID))
}

func (x attendanceDirectory) Leads(ctx context.Context, orgID, memberID, deptID string) (bool, error) {
	return x.dir.Leads(ctx, orgID, memberID, deptID)
}

func (x attendanceDirectory) Name(ctx context.Context, orgID, accountID string) string {
	n, err := x.dir.MemberDisplay(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return n
}
