package privacy

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Request kinds.
const (
	RequestAccess     = "access"
	RequestExport     = "export"
	RequestCorrection = "correction"
	RequestErasure    = "erasure"
	RequestObjection  = "objection"
)

// Request states.
const (
	StatusOpen        = "open"         // waiting for the organization's decision
	StatusInProgress  = "in_progress"  // accepted, being carried out
	StatusWaitingHold = "waiting_hold" // blocked by a legal hold
	StatusScheduled   = "scheduled"    // will be carried out at due time
	StatusCompleted   = "completed"
	StatusRejected    = "rejected"
)

// RequestDue is how long an organization has to answer a request.
const RequestDue = 30 * 24 * time.Hour

// Request is a data subject request.
type Request struct {
	ID          string         `json:"id"`
	AccountID   string         `json:"account_id"`
	OrgID       string         `json:"org_id,omitempty"`
	Kind        string         `json:"kind"`
	Status      string         `json:"status"`
	Note        string         `json:"note,omitempty"`
	ResultRef   string         `json:"result_ref,omitempty"`
	DueAt       int64          `json:"due_at"`
	CreatedAt   int64          `json:"created_at"`
	UpdatedAt   int64          `json:"updated_at"`
	CompletedAt int64          `json:"completed_at,omitempty"`
	History     []RequestEvent `json:"history,omitempty"`

	noteSealed []byte // Note, sealed (notes.go)
}

// RequestEvent is one step in a request's history.
type RequestEvent struct {
	Status    string `json:"status"`
	ActorID   string `json:"actor_id,omitempty"`
	Note      string `json:"note,omitempty"`
	CreatedAt int64  `json:"created_at"`

	id, accountID string
	noteSealed    []byte
}

func validKind(k string) bool {
	switch k {
	case RequestAccess, RequestExport, RequestCorrection, RequestErasure, RequestObjection:
		return true
	}
	return false
}

// openRequest records a request (in ctx's transaction) with its first
// history entry.
func (s *Service) openRequest(ctx context.Context, accountID, orgID, kind, status, ref, note string) (Request, error) {
	now := s.now()
	r := Request{ID: ids.New("prq"), AccountID: accountID, OrgID: orgID, Kind: kind, Status: status, Note: note, ResultRef: ref,
		DueAt: now.Add(RequestDue).UnixMilli(), CreatedAt: now.UnixMilli(), UpdatedAt: now.UnixMilli()}
	if status == StatusCompleted {
		r.CompletedAt = r.CreatedAt
	}
	var err error
	if r.noteSealed, err = s.sealNote(ctx, accountID, requestNoteAAD(r.ID), note); err != nil {
		return Request{}, err
	}
	if err := insertRequest(ctx, s.DB, r); err != nil {
		return Request{}, err
	}
	actorID := ""
	if a := actor.From(ctx); a != nil {
		actorID = a.AccountID
	}
	if err := insertRequestEvent(ctx, s.DB, ids.New("pre"), r.ID, accountID, status, actorID, "", nil, r.CreatedAt); err != nil {
		return Request{}, err
	}
	return r, nil
}

// setRequestStatus moves a request on and records the step.
func (s *Service) setRequestStatus(ctx context.Context, r Request, status, note string) error {
	now := s.nowMS()
	completed := int64(0)
	if status == StatusCompleted || status == StatusRejected {
		completed = now
	}
	if err := updateRequestStatus(ctx, s.DB, r.ID, status, now, completed); err != nil {
		return err
	}
	actorID := ""
	if a := actor.From(ctx); a != nil {
		actorID = a.AccountID
	}
	evID := ids.New("pre")
	sealed, err := s.sealNote(ctx, r.AccountID, requestEventNoteAAD(evID), note)
	if err != nil {
		return err
	}
	if err := insertRequestEvent(ctx, s.DB, evID, r.ID, r.AccountID, status, actorID, note, sealed, now); err != nil {
		return err
	}
	_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, r.AccountID, "privacy_request.updated", map[string]any{"id": r.ID, "status": status})
	return err
}

// completeRequestsFor completes the account's open requests of kind whose
// result is ref.
func (s *Service) completeRequestsFor(ctx context.Context, accountID, kind, ref string) error {
	list, err := listRequests(ctx, s.DB, requestFilter{AccountID: accountID, Kind: kind, Ref: ref})
	if err != nil {
		return err
	}
	for _, r := range list {
		if r.Status == StatusCompleted || r.Status == StatusRejected {
			continue
		}
		if err := s.setRequestStatus(ctx, r, StatusCompleted, ""); err != nil {
			return err
		}
	}
	return nil
}

// NewRequest is what a person files.
type NewRequest struct {
	Kind string `json:"kind"`
	// OrgID names the organization whose company data the request is about
	// (required for correction, erasure and objection).
	OrgID string `json:"org_id"`
	Note  string `json:"note"`
}

// CreateRequest files a request. Access and export are self-service and
// complete at once (the inquiry, and a new export); correction, erasure and
// objection concerning an organization's data go to that org's admins.
func (s *Service) CreateRequest(ctx context.Context, in NewRequest) (Request, error) {
	a, err := caller(ctx)
	if err != nil {
		return Request{}, err
	}
	if !validKind(in.Kind) {
		return Request{}, apperr.InvalidField("kind", "kind must be access, export, correction, erasure or objection")
	}
	if len(in.Note) > 4000 {
		return Request{}, apperr.InvalidField("note", "the note is longer than 4000 characters")
	}
	switch in.Kind {
	case RequestAccess:
		var r Request
		err := s.DB.Tx(ctx, func(ctx context.Context) error {
			var err error
			r, err = s.openRequest(ctx, a.AccountID, "", RequestAccess, StatusCompleted, "/api/v1/me/data", in.Note)
			if err != nil {
				return err
			}
			return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.request.access", TargetKind: "privacy_request", TargetID: r.ID})
		})
		return r, err
	case RequestExport:
		e, err := s.RequestExport(ctx)
		if err != nil {
			return Request{}, err
		}
		list, err := listRequests(ctx, s.DB, requestFilter{AccountID: a.AccountID, Kind: RequestExport, Ref: e.ID})
		if err != nil || len(list) == 0 {
			return Request{}, err
		}
		return list[0], nil
	}
	in.OrgID = strings.TrimSpace(in.OrgID)
	if in.OrgID == "" {
		return Request{}, apperr.InvalidField("org_id", "name the organization whose data this request is about; your personal data you can correct and delete yourself")
	}
	if !s.isMemberOf(ctx, in.OrgID, a.AccountID) {
		return Request{}, apperr.ErrNotFound
	}
	var r Request
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		r, err = s.openRequest(ctx, a.AccountID, in.OrgID, in.Kind, StatusOpen, "", in.Note)
		if err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, in.OrgID, events.ScopeOrg, in.OrgID, "privacy_request.created", map[string]any{"id": r.ID, "kind": r.Kind}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: in.OrgID, Action: "privacy.request.create", TargetKind: "privacy_request", TargetID: r.ID,
			Details: map[string]any{"kind": r.Kind}})
	})
	return r, err
}

// MyRequests lists the caller's requests, newest first.
func (s *Service) MyRequests(ctx context.Context) ([]Request, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	list, err := listRequests(ctx, s.DB, requestFilter{AccountID: a.AccountID})
	s.openNotes(ctx, list)
	return nonNil(list), err
}

// MyRequest returns one of the caller's requests with its history.
func (s *Service) MyRequest(ctx context.Context, id string) (Request, error) {
	a, err := caller(ctx)
	if err != nil {
		return Request{}, err
	}
	r, err := getRequest(ctx, s.DB, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.AccountID != a.AccountID) {
		return Request{}, apperr.ErrNotFound
	}
	if err != nil {
		return Request{}, err
	}
	r.History, err = listRequestEvents(ctx, s.DB, r.ID)
	s.openRequestNotes(ctx, &r)
	return r, err
}

// AdminRequests is the org's queue of requests (open ones first by due date).
func (s *Service) AdminRequests(ctx context.Context, status string) ([]Request, error) {
	a, err := s.admin(ctx, PermManagePrivacyRequests)
	if err != nil {
		return nil, err
	}
	list, err := listRequests(ctx, s.DB, requestFilter{OrgID: a.OrgID, Status: status})
	s.openNotes(ctx, list)
	return nonNil(list), err
}

// Decision is an admin's answer to a request.
type Decision struct {
	Status string `json:"status"` // in_progress | completed | rejected
	Note   string `json:"note"`
}

// DecideRequest records an admin's decision on a request of their org.
func (s *Service) DecideRequest(ctx context.Context, id string, d Decision) (Request, error) {
	a, err := s.adminOver(ctx, PermManagePrivacyRequests)
	if err != nil {
		return Request{}, err
	}
	switch d.Status {
	case StatusInProgress, StatusCompleted, StatusRejected:
	default:
		return Request{}, apperr.InvalidField("status", "status must be in_progress, completed or rejected")
	}
	if d.Status == StatusRejected && strings.TrimSpace(d.Note) == "" {
		return Request{}, apperr.InvalidField("note", "say why the request is rejected")
	}
	if len(d.Note) > 4000 {
		return Request{}, apperr.InvalidField("note", "the note is longer than 4000 characters")
	}
	var out Request
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		r, err := getRequest(ctx, s.DB, id)
		if errors.Is(err, db.ErrNotFound) || (err == nil && r.OrgID != a.OrgID) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if r.Status == StatusCompleted || r.Status == StatusRejected {
			return apperr.Conflict("request_closed", "this request is already closed")
		}
		if err := s.setRequestStatus(ctx, r, d.Status, d.Note); err != nil {
			return err
		}
		if err := audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.request.decide", TargetKind: "privacy_request", TargetID: r.ID,
			Details: map[string]any{"status": d.Status, "kind": r.Kind}}); err != nil {
			return err
		}
		out, err = getRequest(ctx, s.DB, id)
		if err == nil {
			out.History, err = listRequestEvents(ctx, s.DB, id)
			s.openRequestNotes(ctx, &out)
		}
		return err
	})
	return out, err
}

// ---- organization settings --------------------------------------------------------

// OrgSettings is an organization's privacy policy.
type OrgSettings struct {
	// LeaveAction is what happens to a person's company data when they
	// leave: "anonymize" (messages stay under a tombstone author) or
	// "delete".
	LeaveAction string `json:"leave_action"`
	// LeavePeriodDays is how long after leaving that happens (0–30).
	LeavePeriodDays int `json:"leave_period_days"`
	// ExportOthersMessages lets a person's export include other people's
	// messages in the org's conversations they take part in.
	ExportOthersMessages bool `json:"export_others_messages"`
	// TellAboutHolds lets a person see that their request waits on a
	// legal hold.
	TellAboutHolds bool `json:"tell_about_holds"`
	// DisbandGraceDays is how long after disbanding the org's data is
	// deleted (0–90).
	DisbandGraceDays int `json:"disband_grace_days"`
}

// DefaultOrgSettings apply to an org that has not set its own.
var DefaultOrgSettings = OrgSettings{LeaveAction: string(ModeAnonymize), LeavePeriodDays: 30, DisbandGraceDays: 30}

func (s *Service) orgSettings(ctx context.Context, orgID string) (OrgSettings, error) {
	set, err := getOrgSettings(ctx, s.DB, orgID)
	if errors.Is(err, db.ErrNotFound) || orgID == "" {
		return DefaultOrgSettings, nil
	}
	return set, err
}

// GetOrgSettings returns the caller's org's privacy settings.
func (s *Service) GetOrgSettings(ctx context.Context) (OrgSettings, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return OrgSettings{}, err
	}
	return s.orgSettings(ctx, a.OrgID)
}

// UpdateOrgSettings sets the caller's org's privacy settings.
func (s *Service) UpdateOrgSettings(ctx context.Context, in OrgSettings) (OrgSettings, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return OrgSettings{}, err
	}
	switch {
	case in.LeaveAction != string(ModeAnonymize) && in.LeaveAction != string(ModeDelete):
		return OrgSettings{}, apperr.InvalidField("leave_action", "leave_action must be anonymize or delete")
	case in.LeavePeriodDays < 0 || in.LeavePeriodDays > 30:
		return OrgSettings{}, apperr.InvalidField("leave_period_days", "leave_period_days must be from 0 to 30")
	case in.DisbandGraceDays < 0 || in.DisbandGraceDays > 90:
		return OrgSettings{}, apperr.InvalidField("disband_grace_days", "disband_grace_days must be from 0 to 90")
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := putOrgSettings(ctx, s.DB, a.OrgID, in, s.nowMS()); err != nil {
			return err
		}
		if _, err := events.Append(ctx, s.DB, a.OrgID, events.ScopeOrg, a.OrgID, "privacy.settings_updated", in); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.settings.update", TargetKind: "org", TargetID: a.OrgID,
			Details: map[string]any{"leave_action": in.LeaveAction, "leave_period_days": in.LeavePeriodDays,
				"export_others_messages": in.ExportOthersMessages, "tell_about_holds": in.TellAboutHolds, "disband_grace_days": in.DisbandGraceDays}})
	})
	return in, err
}
