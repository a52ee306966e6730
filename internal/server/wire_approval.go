package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// timeoutsDueJob is the background job that reminds or escalates the
// approval tasks whose step timeout fell due.
const timeoutsDueJob = "approval.timeouts_due"

// wireApproval builds approvals: the directory's answers (who may manage
// templates, audiences, supervisor chains, department leaders, a member's
// departments and roles), the keyring for form values and comments, and
// the file store for attachments, chat for its cards, and the hook that hands a leaver's open tasks to someone else, and the
// background job of step timeouts.
func (a *App) wireApproval(context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("approval: the directory must be wired first")
	}
	svc := approval.New(a.DB, approvalDirectory{dir}, a.Log)
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
	if a.Server.Privacy != nil {
		a.Server.Privacy.Register(svc.Privacy())
	}
	dir.OnMemberLeft(svc.MemberLeft)
	if a.Server.Chat != nil {
		svc.Cards = approvalCards{a.Server.Chat}
	}
	if q := a.Jobs(); q != nil {
		q.Handle(timeoutsDueJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.TimeoutsDue(ctx)
			return err
		})
		q.Every(timeoutsDueJob, time.Minute, nil)
		// An approved leave, trip, overtime or correction wakes
		// attendance's reader of the event log at once (it also runs
		// every 30 seconds); the job commits with the approval.
		svc.Announced = func(ctx context.Context, requestID string) error {
			_, err := q.Enqueue(ctx, attendanceApprovalsJob, nil, jobs.Options{Key: "approval:" + requestID})
			return err
		}
	}
	a.Server.Approval = svc
	return nil
}

// Approval returns the approvals service, for tests (the clock).
func (a *App) Approval() *approval.Service { return a.Server.Approval }

// approvalCards sends approval's chat cards through chat.
type approvalCards struct{ chat *chat.Service }

func (c approvalCards) SendCard(ctx context.Context, to, clientID string, card approval.Card) error {
	_, err := c.chat.SendDirectCard(ctx, to, clientID, chat.Card{URL: card.URL, Title: card.Title, Description: card.Description})
	return err
}

// approvalDirectory adapts the directory to approval.Directory.
type approvalDirectory struct{ dir *directory.Service }

func (x approvalDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func approvalPeople(ms []directory.AudienceMember, err error) ([]approval.Person, error) {
	if err != nil {
		return nil, err
	}
	out := make([]approval.Person, len(ms))
	for i, m := range ms {
		out[i] = approval.Person{MemberID: m.MemberID, AccountID: m.AccountID, DepartmentID: m.DepartmentID}
	}
	return out, nil
}

func (x approvalDirectory) Audience(ctx context.Context, orgID string, au approval.Audience) ([]approval.Person, error) {
	return approvalPeople(x.dir.Audience(ctx, orgID, directory.AudienceQuery{All: au.All, DepartmentIDs: au.DepartmentIDs, RoleIDs: au.RoleIDs, MemberIDs: au.MemberIDs}))
}

func (x approvalDirectory) Supervisors(ctx context.Context, orgID, memberID string) ([]approval.Link, error) {
	chain, err := x.dir.SupervisorLine(ctx, orgID, memberID)
	if err != nil {
		return nil, err
	}
	out := make([]approval.Link, len(chain))
	for i, c := range chain {
		out[i] = approval.Link{Person: approval.Person{MemberID: c.MemberID, AccountID: c.AccountID}, Active: c.Active}
	}
	return out, nil
}

func (x approvalDirectory) DepartmentLeaders(ctx context.Context, orgID, deptID string) ([]approval.Person, error) {
	return approvalPeople(x.dir.DepartmentLeaders(ctx, orgID, deptID))
}

func (x approvalDirectory) Facts(ctx context.Context, orgID, memberID string) (approval.Facts, error) {
	f, err := x.dir.Facts(ctx, orgID, memberID)
	if errors.Is(err, db.ErrNotFound) {
		return approval.Facts{}, apperr.ErrNotFound
	}
	if err != nil {
		return approval.Facts{}, err
	}
	return approval.Facts{MemberID: f.MemberID, AccountID: f.AccountID, Active: f.Active, Departments: f.Departments,
		WithAncestors: f.WithAncestors, Roles: f.Roles}, nil
}

func (x approvalDirectory) Member(ctx context.Context, orgID, accountID string) string {
	return x.dir.MemberOfAccount(ctx, orgID, accountID)
}

func (x approvalDirectory) Name(ctx context.Context, orgID, accountID string) string {
	n, err := x.dir.MemberDisplay(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return n
}
