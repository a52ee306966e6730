package server

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// calendarRemindJob sends the event reminders due.
const calendarRemindJob = "calendar.remind_due"

// calendarPurgeFilesJob deletes uploads no event named and files whose
// event is gone.
const calendarPurgeFilesJob = "calendar.purge_files"

// wireCalendar builds calendar: the directory's answers, chat for events
// created from a conversation and their invitation cards, the file store
// for attachments, the outbox for reminders by email, and the jobs that
// remind and delete unused uploads.
func (a *App) wireCalendar(context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("calendar: the directory must be wired first")
	}
	svc := calendar.New(a.DB, calendarDirectory{dir}, a.Log)
	blobs, err := a.blobStore()
	if err != nil {
		return err
	}
	svc.Blobs = blobs
	if a.Keyring != nil {
		// Attachments' bytes are encrypted under the organization's key.
		svc.Blobs = blob.Seal(blobs, a.Keyring)
	}
	if mail := a.mailAccount(); mail != nil {
		svc.Mail = func(ctx context.Context, accountID, subject, body string) error {
			db.AfterCommit(ctx, func() { outbox.Kick(a.DB) })
			return mail(ctx, accountID, subject, body)
		}
	}
	if a.Server.Chat != nil {
		svc.Chat = calendarChat{a.Server.Chat}
		svc.MemberOfAccount = dir.MemberOfAccount
	}
	svc.BaseURL = a.Cfg.BaseURL
	svc.MemberOfAccount = dir.MemberOfAccount
	svc.OrgName = dir.OrgName
	svc.MemberEmail = dir.MemberEmail
	svc.MemberByEmail = dir.ActiveMemberByEmail
	if id := a.Identity(); id != nil {
		svc.AccountEmail = func(ctx context.Context, accountID string) string {
			acc, err := id.GetAccount(ctx, accountID)
			if err != nil {
				return ""
			}
			return acc.Email
		}
	}
	svc.Memberships = func(ctx context.Context) ([]calendar.Membership, error) {
		os, err := dir.MyOrgs(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]calendar.Membership, len(os))
		for i, o := range os {
			out[i] = calendar.Membership{OrgID: o.OrgID, MemberID: o.MemberID}
		}
		return out, nil
	}
	if a.Server.Privacy != nil {
		a.Server.Privacy.Register(svc.Privacy())
	}
	if q := a.Jobs(); q != nil {
		q.Handle(calendarRemindJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.RemindDue(ctx)
			return err
		})
		q.Every(calendarRemindJob, time.Minute, nil)
		q.Handle(calendarPurgeFilesJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.PurgeFiles(ctx)
			return err
		})
		q.Every(calendarPurgeFilesJob, time.Hour, nil)
	}
	a.Server.Calendar = svc
	return nil
}

// Calendar returns the calendar service, for tests (the clock).
func (a *App) Calendar() *calendar.Service { return a.Server.Calendar }

// calendarDirectory adapts the directory to calendar.Directory.
type calendarDirectory struct{ dir *directory.Service }

func (x calendarDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func (x calendarDirectory) Audience(ctx context.Context, orgID string, memberIDs, departmentIDs, roleIDs []string) ([]calendar.Person, error) {
	ms, err := x.dir.Audience(ctx, orgID, directory.AudienceQuery{MemberIDs: memberIDs, DepartmentIDs: departmentIDs, RoleIDs: roleIDs})
	if err != nil {
		return nil, err
	}
	out := make([]calendar.Person, len(ms))
	for i, m := range ms {
		out[i] = calendar.Person{MemberID: m.MemberID, AccountID: m.AccountID, DepartmentID: m.DepartmentID}
	}
	return out, nil
}

func (x calendarDirectory) Name(ctx context.Context, orgID, accountID string) string {
	n, err := x.dir.MemberDisplay(ctx, orgID, accountID)
	if err != nil {
		return ""
	}
	return n
}

// calendarChat adapts chat to calendar.Chat.
type calendarChat struct{ chat *chat.Service }

func (c calendarChat) ConversationMembers(ctx context.Context, convID string) ([]string, error) {
	ms, err := c.chat.Members(ctx, convID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.AccountID
	}
	return out, nil
}

func (c calendarChat) SendCard(ctx context.Context, convID, clientID string, card calendar.Card) error {
	_, _, err := c.chat.Send(ctx, convID, chat.SendInput{ClientMsgID: clientID, Kind: chat.MsgCard,
		Card: &chat.Card{URL: card.URL, Title: card.Title, Description: card.Description}})
	return err
}
