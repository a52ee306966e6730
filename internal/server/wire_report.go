package server

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/report"
)

// remindDueJob is the background job that reminds the people who have
// not submitted a scheduled report.
const remindDueJob = "report.remind_due"

// purgeReportUploadsJob is the background job that deletes report uploads
// no report named within a day.
const purgeReportUploadsJob = "report.purge_uploads"

// wireReport builds work reports: the directory's answers (who may manage
// templates, whom an audience reaches, supervisors and department
// leaders), the keyring for report content and comments, the file store
// for attachment fields, reminder emails through the outbox, and the
// background jobs that remind and delete unused uploads.
func (a *App) wireReport(context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("report: the directory must be wired first")
	}
	svc := report.New(a.DB, reportDirectory{dir}, a.Log)
	blobs, err := a.blobStore()
	if err != nil {
		return err
	}
	svc.Blobs = blobs
	if a.Keyring != nil {
		svc.Sealer = a.Keyring
		// File bytes are encrypted under the organization's key.
		svc.Blobs = blob.Seal(blobs, a.Keyring)
	}
	svc.BaseURL = a.Cfg.BaseURL
	svc.Mail = a.mailAccount()
	if a.Server.Privacy != nil {
		a.Server.Privacy.Register(svc.Privacy())
	}
	if q := a.Jobs(); q != nil {
		q.Handle(remindDueJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.RemindDue(ctx)
			return err
		})
		q.Every(remindDueJob, time.Minute, nil)
		q.Handle(purgeReportUploadsJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.PurgeUnattached(ctx)
			return err
		})
		q.Every(purgeReportUploadsJob, time.Hour, nil)
	}
	a.Server.Report = svc
	return nil
}

// Report returns the work reports service, for tests (the clock).
func (a *App) Report() *report.Service { return a.Server.Report }

// reportDirectory adapts the directory to report.Directory.
type reportDirectory struct{ dir *directory.Service }

func (x reportDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func people(ms []directory.AudienceMember, err error) ([]report.Person, error) {
	if err != nil {
		return nil, err
	}
	out := make([]report.Person, len(ms))
	for i, m := range ms {
		out[i] = report.Person{MemberID: m.MemberID, AccountID: m.AccountID, DepartmentID: m.DepartmentID}
	}
	return out, nil
}

func (x reportDirectory) Audience(ctx context.Context, orgID string, au report.Audience) ([]report.Person, error) {
	return people(x.dir.Audience(ctx, orgID, directory.AudienceQuery{All: au.All, DepartmentIDs: au.DepartmentIDs, RoleIDs: au.RoleIDs, MemberIDs: au.MemberIDs}))
}

func (x reportDirectory) Supervisor(ctx context.Context, orgID, memberID string) ([]report.Person, error) {
	return people(x.dir.Supervisor(ctx, orgID, memberID))
}

func (x reportDirectory) Leaders(ctx context.Context, orgID, memberID string) ([]report.Person, error) {
	return people(x.dir.Leaders(ctx, orgID, memberID))
}

func (x reportDirectory) Leads(ctx context.Context, orgID, memberID, deptID string) (bool, error) {
	return x.dir.Leads(ctx, orgID, memberID, deptID)
}

func (x reportDirectory) Name(ctx context.Context, orgID, accountID string) string {
	n, err := x.dir.MemberDisplay(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return n
}
