// Package calendar owns calendars: each member's personal calendar and
// the organization's shared ones (team, department, holidays) with their
// view and edit rights; events with their time zone, all-day dates and
// RFC 5545 recurrence (RRULE, RDATE, EXDATE, single-occurrence overrides,
// "this and following" splits); attendees (members, departments expanded
// at invite time, external emails, meeting rooms) and their answers;
// meeting rooms that cannot be double-booked; free/busy and "find a
// time"; and reminders.
//
// Every event has a stable uid and a revision (its ETag), and every
// calendar a change sequence that each change to it or its events
// increments, with tombstones for deleted events: what a sync protocol
// needs to tell a client what changed since its last token.
//
// Calendar asks the directory and chat only small questions through the
// interfaces declared here, so that it imports no other domain.
package calendar

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

// PermManage is the organization permission to create and share the
// organization's calendars and to manage meeting rooms. Owners and admins
// hold it.
const PermManage = perm.ManageCalendars

// Person is one member: their member and account ids, and the department
// they are counted under ("" for none).
type Person struct {
	MemberID     string
	AccountID    string
	DepartmentID string
}

// Directory is what calendar needs of the organization's directory.
type Directory interface {
	// Authorize checks that the caller holds perm in its current
	// organization (403 forbidden otherwise).
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// Audience resolves members, departments and roles to the
	// organization's active members; ids naming nothing there are 400
	// invalid_field.
	Audience(ctx context.Context, orgID string, memberIDs, departmentIDs, roleIDs []string) ([]Person, error)
	// Name returns the name the organization shows for an account.
	Name(ctx context.Context, orgID, accountID string) string
}

// Membership is an organization a person belongs to, with their member
// id there.
type Membership struct {
	OrgID, MemberID string
}

// Chat is what calendar needs of chat: a conversation's members (the
// caller must be one of them: 404 otherwise) and a card in it.
type Chat interface {
	ConversationMembers(ctx context.Context, convID string) ([]string, error)
	SendCard(ctx context.Context, convID, clientID string, c Card) error
}

// Card is a link card sent into a conversation.
type Card struct {
	URL         string
	Title       string
	Description string
}

// Service is the calendar domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Chat, when set, lets events be created from a conversation.
	Chat Chat
	// Mail queues an email to an account in ctx's transaction (reminders
	// by email); nil sends none.
	Mail func(ctx context.Context, accountID, subject, body string) error
	// MemberOfAccount maps an account to its member id in an organization
	// ("" when not an active member); set with Chat.
	MemberOfAccount func(ctx context.Context, orgID, accountID string) string
	// MemberEmail returns the email address a member shows in an
	// organization ("" for none): attendees in iCalendar form.
	MemberEmail func(ctx context.Context, orgID, accountID string) string
	// MemberByEmail returns the active member of an organization with an
	// email address ("" for none): attendees of imported events.
	MemberByEmail func(ctx context.Context, orgID, email string) string
	// AccountEmail returns the email an account signs in with ("" for
	// none): one of a person's calendar addresses (RFC 6638).
	AccountEmail func(ctx context.Context, accountID string) string
	// Memberships lists the caller's active memberships (CalDAV shows
	// the calendars of every organization a person belongs to); nil shows
	// the current organization's only.
	Memberships func(ctx context.Context) ([]Membership, error)
	// OrgName returns an organization's name ("" for none): CalDAV names
	// calendars with it.
	OrgName func(ctx context.Context, orgID string) string
	// BaseURL is the server's public URL, for feed URLs.
	BaseURL string
	// Blobs holds attachments' bytes (encrypted under the organization's
	// key); nil refuses uploads.
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

// isManager reports whether the caller holds manage_calendars.
func (s *Service) isManager(ctx context.Context) (bool, error) {
	err := s.Directory.Authorize(ctx, PermManage, "")
	switch {
	case err == nil:
		return true, nil
	case apperr.KindOf(err) == apperr.KindForbidden:
		return false, nil
	}
	return false, err
}

// manager returns the caller when they hold manage_calendars.
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

// record writes an audit entry in ctx's transaction.
func (s *Service) record(ctx context.Context, orgID, action, kind, id string, details map[string]any) error {
	return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Outcome: "success", Details: details})
}

// notify tells each of accounts, on their own stream (events.ToAccounts).
func (s *Service) notify(ctx context.Context, orgID, typ string, data map[string]string, accounts []string) error {
	return events.ToAccounts(ctx, s.DB, orgID, typ, data, accounts)
}
