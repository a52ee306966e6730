package server

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// publishDueJob is the background job that publishes scheduled
// announcements.
const publishDueJob = "announce.publish_due"

// purgeUploadsJob is the background job that deletes announcement uploads
// no announcement named within a day.
const purgeUploadsJob = "announce.purge_uploads"

// wireAnnounce builds announcements: the directory's answers (who may
// publish, whom an audience reaches), the keyring for titles and bodies,
// the file store for attachments and images, reminders by email through
// the outbox, the background jobs that publish scheduled announcements and
// delete unused uploads, and the hook that marks a leaver's receipts.
func (a *App) wireAnnounce(context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("announce: the directory must be wired first")
	}
	svc := announce.New(a.DB, announceDirectory{dir}, a.Log)
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
	dir.OnMemberLeft(svc.MemberLeftOrg)
	if q := a.Jobs(); q != nil {
		q.Handle(publishDueJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.PublishDue(ctx)
			return err
		})
		q.Every(publishDueJob, 30*time.Second, nil)
		q.Handle(purgeUploadsJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.PurgeUnattached(ctx)
			return err
		})
		q.Every(purgeUploadsJob, time.Hour, nil)
	}
	a.Server.Announce = svc
	return nil
}

// Announce returns the announcements service, for tests (the clock) and
// the CLI.
func (a *App) Announce() *announce.Service { return a.Server.Announce }

// announceDirectory adapts the directory to announce.Directory.
type announceDirectory struct{ dir *directory.Service }

func (x announceDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func (x announceDirectory) Audience(ctx context.Context, orgID string, au announce.Audience) ([]announce.Recipient, error) {
	ms, err := x.dir.Audience(ctx, orgID, directory.AudienceQuery{All: au.All, DepartmentIDs: au.DepartmentIDs, RoleIDs: au.RoleIDs, MemberIDs: au.MemberIDs})
	if err != nil {
		return nil, err
	}
	out := make([]announce.Recipient, len(ms))
	for i, m := range ms {
		out[i] = announce.Recipient{MemberID: m.MemberID, AccountID: m.AccountID, DepartmentID: m.DepartmentID}
	}
	return out, nil
}

func (x announceDirectory) HasDepartment(ctx context.Context, orgID, id string) bool {
	return x.dir.HasDepartment(ctx, orgID, id)
}

// mailAccount returns a function that queues an email to an active account
// through the outbox, in the caller's transaction (reminders of
// announcements and reports); nil without identity. Accounts that cannot be
// written to are skipped: the in-app reminder stands.
func (a *App) mailAccount() func(ctx context.Context, accountID, subject, body string) error {
	id := a.Identity()
	if id == nil {
		return nil
	}
	return func(ctx context.Context, accountID, subject, body string) error {
		acc, err := id.GetAccount(ctx, accountID)
		if err != nil || acc.Status != identity.StatusActive || acc.Email == "" {
			return nil
		}
		return outbox.Send(ctx, a.DB, outbox.Message{To: acc.Email, Subject: subject, Body: body})
	}
}
