package privacy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
)

// Erasure kinds in the ledger.
const (
	EraseAccount      = "account"      // the whole account (personal data and key)
	EraseMembership   = "membership"   // a person's data in one organization
	EraseOrganization = "organization" // a disbanded organization
	EraseMessage      = "message"      // one message
	EraseConversation = "conversation" // a conversation's history
	EraseProfile      = "profile"      // profile fields
)

// Ledger states.
const (
	LedgerScheduled   = "scheduled"
	LedgerWaitingHold = "waiting_hold"
	LedgerDone        = "done"
	LedgerCancelled   = "cancelled"
)

// LedgerEntry is one erasure. It holds ids only, so that a restored backup
// can have every erasure applied again without keeping what was erased.
type LedgerEntry struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	AccountID   string `json:"account_id,omitempty"`
	OrgID       string `json:"org_id,omitempty"`
	TargetID    string `json:"target_id,omitempty"`
	Mode        string `json:"mode,omitempty"`
	TombstoneID string `json:"-"`
	Status      string `json:"status"`
	RequestID   string `json:"request_id,omitempty"`
	JobID       string `json:"-"`
	RequestedAt int64  `json:"requested_at"`
	DueAt       int64  `json:"due_at"`
	CompletedAt int64  `json:"completed_at,omitempty"`
}

type erasePayload struct {
	LedgerID string `json:"ledger_id"`
}

// schedule records an erasure and enqueues the job that carries it out at
// due time (in ctx's transaction).
func (s *Service) schedule(ctx context.Context, e LedgerEntry) (LedgerEntry, error) {
	e.ID = ids.New("era")
	e.Status = LedgerScheduled
	if e.RequestedAt == 0 {
		e.RequestedAt = s.nowMS()
	}
	if e.DueAt < e.RequestedAt {
		e.DueAt = e.RequestedAt
	}
	if e.TombstoneID == "" {
		e.TombstoneID = ids.New("tmb")
	}
	if s.Jobs != nil {
		jid, err := s.Jobs.Enqueue(ctx, JobErase, erasePayload{LedgerID: e.ID}, jobs.Options{RunAt: time.UnixMilli(e.DueAt), MaxAttempts: 20})
		if err != nil {
			return LedgerEntry{}, err
		}
		e.JobID = jid
	}
	if err := insertLedger(ctx, s.DB, e); err != nil {
		return LedgerEntry{}, err
	}
	return e, nil
}

// ---- self-service erasure -----------------------------------------------------

// DeleteAccountInput confirms an account deletion.
type DeleteAccountInput struct {
	Password string `json:"password"`
}

// DeleteAccountResult tells the person what will happen and when.
type DeleteAccountResult struct {
	Request  Request       `json:"request"`
	Erasures []LedgerEntry `json:"erasures"`
}

// DeleteMyAccount deletes the caller's account: they leave every
// organization (whose data is then deleted or anonymized as each org's
// policy says, within its period), their personal data is deleted and their
// data key destroyed. An owner of an organization must hand it over or
// disband it first.
func (s *Service) DeleteMyAccount(ctx context.Context, in DeleteAccountInput) (DeleteAccountResult, error) {
	a, err := caller(ctx)
	if err != nil {
		return DeleteAccountResult{}, err
	}
	if s.Accounts != nil {
		if in.Password == "" {
			return DeleteAccountResult{}, apperr.InvalidField("password", "confirm with your password")
		}
		if err := s.Accounts.VerifyPassword(ctx, a.AccountID, in.Password); err != nil {
			return DeleteAccountResult{}, err
		}
	}
	ms, err := s.memberships(ctx, a.AccountID)
	if err != nil {
		return DeleteAccountResult{}, err
	}
	var owned []string
	for _, m := range ms {
		if m.Owner && m.Status == "active" {
			owned = append(owned, m.OrgID)
		}
	}
	if len(owned) > 0 {
		return DeleteAccountResult{}, apperr.Conflict("owner_must_transfer", "hand over or disband the organizations you own first").With("org_ids", owned)
	}
	var out DeleteAccountResult
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if prev, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: a.AccountID, Kind: EraseAccount}); err == nil && len(prev) > 0 {
			return apperr.Conflict("already_deleting", "this account is already being deleted")
		}
		req, err := s.openRequest(ctx, a.AccountID, "", RequestErasure, StatusInProgress, "", "account deletion")
		if err != nil {
			return err
		}
		for _, m := range ms {
			// Leave through the directory's own mechanics (status, groups,
			// sessions, hooks), acting as the person in that org.
			if m.Status == "active" && s.Dir != nil {
				as := actor.With(ctx, &actor.Actor{AccountID: a.AccountID, OrgID: m.OrgID, MemberID: m.MemberID, Via: a.Via, IP: a.IP})
				if err := s.Dir.QuitOrg(as); err != nil {
					return err
				}
			}
			e, err := s.scheduleLeave(ctx, m.OrgID, a.AccountID, m.MemberID, req.ID)
			if err != nil {
				return err
			}
			if e.ID == "" {
				// Scheduled by the directory's leave hook just now: tie it
				// to this request.
				prev, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: a.AccountID, OrgID: m.OrgID, Kind: EraseMembership, Status: LedgerScheduled})
				if err != nil {
					return err
				}
				if len(prev) > 0 {
					e = prev[0]
					e.RequestID = req.ID
					if err := setLedgerRequest(ctx, s.DB, e.ID, req.ID); err != nil {
						return err
					}
				}
			}
			if e.ID != "" {
				out.Erasures = append(out.Erasures, e)
			}
		}
		e, err := s.schedule(ctx, LedgerEntry{Kind: EraseAccount, AccountID: a.AccountID, Mode: string(ModeDelete), RequestID: req.ID})
		if err != nil {
			return err
		}
		out.Erasures = append(out.Erasures, e)
		if err := updateRequestRef(ctx, s.DB, req.ID, e.ID); err != nil {
			return err
		}
		req.ResultRef = e.ID
		out.Request = req
		if s.Accounts != nil {
			if err := s.Accounts.EndSessions(ctx, a.AccountID); err != nil {
				return err
			}
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "account.deletion_scheduled", map[string]any{"erasure_id": e.ID}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.erase.account.request", TargetKind: "account", TargetID: a.AccountID,
			Details: map[string]any{"erasure_id": e.ID, "orgs": len(ms)}})
	})
	if err == nil && s.Jobs != nil {
		s.Jobs.Wake()
	}
	return out, err
}

// scheduleLeave schedules the erasure of a person's data in an org after
// they left it, as the org's policy says. An erasure already scheduled for
// the same membership is kept (returned empty).
func (s *Service) scheduleLeave(ctx context.Context, orgID, accountID, memberID, requestID string) (LedgerEntry, error) {
	prev, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: accountID, OrgID: orgID, Kind: EraseMembership})
	if err != nil {
		return LedgerEntry{}, err
	}
	for _, p := range prev {
		if p.Status == LedgerScheduled || p.Status == LedgerWaitingHold {
			return LedgerEntry{}, nil
		}
	}
	set, err := s.orgSettings(ctx, orgID)
	if err != nil {
		return LedgerEntry{}, err
	}
	now := s.now()
	due := now.Add(time.Duration(set.LeavePeriodDays) * 24 * time.Hour).UnixMilli()
	e, err := s.schedule(ctx, LedgerEntry{Kind: EraseMembership, AccountID: accountID, OrgID: orgID, TargetID: memberID,
		Mode: set.LeaveAction, RequestID: requestID, RequestedAt: now.UnixMilli(), DueAt: due})
	if err != nil {
		return LedgerEntry{}, err
	}
	return e, audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.erase.membership.schedule", TargetKind: "account", TargetID: accountID,
		Details: map[string]any{"erasure_id": e.ID, "mode": e.Mode, "due_at": e.DueAt}})
}

// MemberLeft is called (by the directory, in its transaction) whenever a
// person leaves an organization — they quit, or were removed: their company
// data there is scheduled for erasure under the org's policy. The job
// checks again when it runs and does nothing if they are back by then.
func (s *Service) MemberLeft(ctx context.Context, orgID, accountID string) error {
	memberID := ""
	if ms, err := s.memberships(ctx, accountID); err == nil {
		for _, m := range ms {
			if m.OrgID == orgID {
				memberID = m.MemberID
			}
		}
	}
	_, err := s.scheduleLeave(ctx, orgID, accountID, memberID, "")
	return err
}

// QuitInput confirms quitting the current organization.
type QuitInput struct{}

// QuitOrg makes the caller leave their current organization; their data
// there is erased as the org's policy says, within its period.
func (s *Service) QuitOrg(ctx context.Context) (LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	if a.OrgID == "" || s.Dir == nil {
		return LedgerEntry{}, apperr.New(apperr.KindForbidden, "no_organization", "join or switch to an organization first")
	}
	orgID, memberID := a.OrgID, a.MemberID
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.Dir.QuitOrg(ctx); err != nil {
			return err
		}
		// The directory's leave hook normally scheduled it already.
		if _, err := s.scheduleLeave(ctx, orgID, a.AccountID, memberID, ""); err != nil {
			return err
		}
		list, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: a.AccountID, OrgID: orgID, Kind: EraseMembership})
		if err != nil || len(list) == 0 {
			return err
		}
		out = list[0]
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.erase.quit_org", TargetKind: "member", TargetID: memberID,
			Details: map[string]any{"erasure_id": out.ID, "mode": out.Mode, "due_at": out.DueAt}})
	})
	return out, err
}

// ScanDisbanded schedules the purge of disbanded organizations now (the
// periodic job does it every ten minutes) and returns how many it found.
func (s *Service) ScanDisbanded(ctx context.Context) (int, error) { return s.scanDisbanded(ctx) }

// scanDisbanded schedules the purge of every disbanded organization that
// has none yet: all its data is deleted and its key destroyed after the
// org's grace period. It runs as a periodic job (the directory disbands;
// privacy decides what happens to the data).
func (s *Service) scanDisbanded(ctx context.Context) (int, error) {
	if s.Members == nil || s.Members.OrgTable == "" || s.Members.OrgDisbandedColumn == "" {
		return 0, nil
	}
	list, err := disbandedOrgs(ctx, s.DB, s.Members)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range list {
		prev, err := listLedger(ctx, s.DB, ledgerFilter{OrgID: o.id, Kind: EraseOrganization})
		if err != nil {
			return n, err
		}
		if len(prev) > 0 {
			continue
		}
		set, err := s.orgSettings(ctx, o.id)
		if err != nil {
			return n, err
		}
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			due := time.UnixMilli(o.at).Add(time.Duration(set.DisbandGraceDays) * 24 * time.Hour).UnixMilli()
			e, err := s.schedule(ctx, LedgerEntry{Kind: EraseOrganization, OrgID: o.id, TargetID: o.id, Mode: string(ModeDelete), DueAt: due})
			if err != nil {
				return err
			}
			return audit.Record(ctx, s.DB, audit.Entry{OrgID: o.id, Action: "privacy.erase.org.schedule", TargetKind: "org", TargetID: o.id,
				Details: map[string]any{"erasure_id": e.ID, "due_at": e.DueAt}})
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) runDisbandScan(ctx context.Context, j *jobs.Job) error {
	_, err := s.scanDisbanded(ctx)
	return err
}

// MyErasures lists the caller's erasures and their state. Whether an
// erasure waits on a legal hold is shown only when the org allows it.
func (s *Service) MyErasures(ctx context.Context) ([]LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	list, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: a.AccountID})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Status == LedgerWaitingHold && !s.mayTellHold(ctx, list[i]) {
			list[i].Status = LedgerScheduled
		}
	}
	return nonNil(list), nil
}

func (s *Service) mayTellHold(ctx context.Context, e LedgerEntry) bool {
	orgs := []string{e.OrgID}
	if e.OrgID == "" {
		orgs = nil
		holds, _ := activeHolds(ctx, s.DB, holdFilter{AccountID: e.AccountID})
		for _, h := range holds {
			orgs = append(orgs, h.OrgID)
		}
	}
	for _, o := range orgs {
		if set, err := s.orgSettings(ctx, o); err == nil && !set.TellAboutHolds {
			return false
		}
	}
	return true
}

// EraseMessageInput names a message to delete.
type EraseMessageInput struct {
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"`
	ForEveryone    bool   `json:"for_everyone"`
}

// EraseMessage deletes one message (chat's rules decide who may delete it
// for everyone), recorded in the ledger and the audit log.
func (s *Service) EraseMessage(ctx context.Context, in EraseMessageInput) (LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	if s.Messages == nil {
		return LedgerEntry{}, apperr.New(apperr.KindUnavailable, "chat_unavailable", "messaging is not available")
	}
	if in.MessageID == "" || in.ConversationID == "" {
		return LedgerEntry{}, apperr.InvalidField("message_id", "conversation_id and message_id are required")
	}
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		convID := in.ConversationID
		if in.ForEveryone {
			held, err := s.conversationHeld(ctx, convID)
			if err != nil {
				return err
			}
			if held {
				return apperr.Conflict("legal_hold", "this conversation is under a legal hold; its messages cannot be deleted now")
			}
		}
		orgID, err := s.Messages.DeleteMessage(ledgered(ctx), convID, in.MessageID, in.ForEveryone)
		if err != nil {
			return err
		}
		mode := "for_me"
		if in.ForEveryone {
			mode = "for_everyone"
		}
		out, err = s.recordDone(ctx, LedgerEntry{Kind: EraseMessage, AccountID: a.AccountID, OrgID: orgID, TargetID: in.MessageID, Mode: mode})
		if err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.erase.message", TargetKind: "message", TargetID: in.MessageID,
			Details: map[string]any{"mode": mode, "conversation_id": convID}})
	})
	if err == nil && in.ForEveryone {
		_ = s.DB.Checkpoint(ctx)
	}
	return out, err
}

// EraseConversationInput names a conversation whose history to clear.
type EraseConversationInput struct {
	ConversationID string `json:"conversation_id"`
	ForEveryone    bool   `json:"for_everyone"`
}

// EraseConversation clears a conversation's history for the caller (or for
// everyone, where chat allows it), recorded in the ledger and the audit log.
func (s *Service) EraseConversation(ctx context.Context, in EraseConversationInput) (LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	if s.Messages == nil {
		return LedgerEntry{}, apperr.New(apperr.KindUnavailable, "chat_unavailable", "messaging is not available")
	}
	if in.ConversationID == "" {
		return LedgerEntry{}, apperr.InvalidField("conversation_id", "conversation_id is required")
	}
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if in.ForEveryone {
			held, err := s.conversationHeld(ctx, in.ConversationID)
			if err != nil {
				return err
			}
			if held {
				return apperr.Conflict("legal_hold", "this conversation is under a legal hold; its history cannot be cleared for everyone now")
			}
		}
		orgID, err := s.Messages.ClearConversation(ledgered(ctx), in.ConversationID, in.ForEveryone)
		if err != nil {
			return err
		}
		mode := "for_me"
		if in.ForEveryone {
			mode = "for_everyone"
		}
		out, err = s.recordDone(ctx, LedgerEntry{Kind: EraseConversation, AccountID: a.AccountID, OrgID: orgID, TargetID: in.ConversationID, Mode: mode})
		if err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.erase.conversation", TargetKind: "conversation", TargetID: in.ConversationID,
			Details: map[string]any{"mode": mode}})
	})
	if err == nil && in.ForEveryone {
		_ = s.DB.Checkpoint(ctx)
	}
	return out, err
}

// ProfileInput corrects (a value) or deletes (null) the caller's profile
// fields in their current org. Fields the org has locked answer 403.
type ProfileInput struct {
	Fields map[string]*string `json:"fields"`
}

// CorrectProfile applies a correction or deletion of profile fields
// through the directory (which enforces locks), recorded and audited.
func (s *Service) CorrectProfile(ctx context.Context, in ProfileInput) (LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	if s.Fields == nil {
		return LedgerEntry{}, apperr.New(apperr.KindUnavailable, "directory_unavailable", "the directory is not available")
	}
	if len(in.Fields) == 0 || len(in.Fields) > 50 {
		return LedgerEntry{}, apperr.InvalidField("fields", "name 1–50 fields to correct or delete")
	}
	names := make([]string, 0, len(in.Fields))
	var deletedNames []string
	for k, v := range in.Fields {
		names = append(names, k)
		if v == nil {
			deletedNames = append(deletedNames, k)
		}
	}
	deleted := len(deletedNames)
	slices.Sort(names)
	slices.Sort(deletedNames)
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.Fields.UpdateMyProfile(ctx, in.Fields); err != nil {
			return err
		}
		var err error
		// Deleted fields get an entry of their own, which a restore from a
		// backup applies again; corrected values are not kept anywhere
		// (the ledger holds no personal values), so corrections are not.
		var corrected []string
		for _, n := range names {
			if !slices.Contains(deletedNames, n) {
				corrected = append(corrected, n)
			}
		}
		if len(corrected) > 0 {
			if out, err = s.recordDone(ctx, LedgerEntry{Kind: EraseProfile, AccountID: a.AccountID, OrgID: a.OrgID, TargetID: strings.Join(corrected, ","), Mode: "correct"}); err != nil {
				return err
			}
		}
		if len(deletedNames) > 0 {
			if out, err = s.recordDone(ctx, LedgerEntry{Kind: EraseProfile, AccountID: a.AccountID, OrgID: a.OrgID, TargetID: strings.Join(deletedNames, ","), Mode: "delete"}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.profile.correct", TargetKind: "member", TargetID: a.MemberID,
			Details: map[string]any{"fields": names, "deleted": deleted}})
	})
	if err == nil && deleted > 0 {
		_ = s.DB.Checkpoint(ctx)
	}
	return out, err
}

func (s *Service) recordDone(ctx context.Context, e LedgerEntry) (LedgerEntry, error) {
	e.ID = ids.New("era")
	e.Status = LedgerDone
	e.RequestedAt = s.nowMS()
	e.DueAt = e.RequestedAt
	e.CompletedAt = e.RequestedAt
	return e, insertLedger(ctx, s.DB, e)
}

// ---- the erasure job ------------------------------------------------------------

func (s *Service) runErase(ctx context.Context, j *jobs.Job) error {
	var p erasePayload
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	e, err := getLedger(ctx, s.DB, p.LedgerID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if e.Status == LedgerDone || e.Status == LedgerCancelled {
		return nil
	}
	return s.apply(ctx, e, false)
}

// apply carries out a ledger entry. replay is true after a restore: the
// entry was done before, and is applied again without new ledger rows.
func (s *Service) apply(ctx context.Context, e LedgerEntry, replay bool) error {
	switch e.Kind {
	case EraseAccount:
		return s.eraseAccount(ctx, e, replay)
	case EraseMembership:
		return s.eraseMembership(ctx, e, replay)
	case EraseOrganization:
		return s.eraseOrganization(ctx, e, replay)
	case EraseMessage, EraseConversation, EraseProfile:
		// Done by chat or the directory when requested (these entries are
		// recorded as done); after a restore they are applied again.
		if !replay {
			return nil
		}
		return s.replayItem(ctx, e)
	}
	return jobs.Permanent(fmt.Errorf("unknown erasure kind %q", e.Kind))
}

// replayItem applies a message, conversation or profile erasure again
// after a restore.
func (s *Service) replayItem(ctx context.Context, e LedgerEntry) error {
	switch {
	case e.Kind == EraseMessage && e.Mode == "for_everyone":
		// The message's content is cleared again, from the data map.
		return s.scrubItem(ctx, "message", e.TargetID, e.RequestedAt)
	case e.Kind == EraseMessage && e.Mode == "for_me" && s.Messages != nil:
		return s.Messages.ReplayHide(ctx, e.TargetID, e.AccountID)
	case e.Kind == EraseConversation && e.Mode == "for_me" && s.Messages != nil:
		return s.Messages.ReplayClear(ctx, e.TargetID, e.AccountID, e.RequestedAt)
	case e.Kind == EraseProfile && e.Mode == "delete" && s.Fields != nil:
		return s.Fields.ReplayDeleteFields(ctx, e.OrgID, e.AccountID, strings.Split(e.TargetID, ","))
	}
	// Corrections to new values: the ledger does not hold the values.
	return nil
}

// ledgeredKey marks a context whose erasure privacy records itself, so
// that chat's own ledger hook does not record it a second time.
type ledgeredKey struct{}

func ledgered(ctx context.Context) context.Context {
	return context.WithValue(ctx, ledgeredKey{}, true)
}

// RecordChatErasure records an erasure a person made through chat (delete
// for everyone or for oneself, clear one's history) in the erasure ledger,
// in chat's transaction, so that a restore from a backup applies it again.
// A delete for everyone in a conversation under a legal hold is refused
// (409 legal_hold), as the privacy center's own delete is.
func (s *Service) RecordChatErasure(ctx context.Context, kind, accountID, orgID, convID, targetID, mode string) error {
	if ctx.Value(ledgeredKey{}) != nil {
		return nil
	}
	switch kind {
	case EraseMessage, EraseConversation:
	default:
		return fmt.Errorf("privacy: chat erasure of unknown kind %q", kind)
	}
	if mode == "for_everyone" {
		held, err := s.conversationHeld(ctx, convID)
		if err != nil {
			return err
		}
		if held {
			return apperr.Conflict("legal_hold", "this conversation is under a legal hold; its messages cannot be deleted now")
		}
	}
	_, err := s.recordDone(ctx, LedgerEntry{Kind: kind, AccountID: accountID, OrgID: orgID, TargetID: targetID, Mode: mode})
	return err
}

func (s *Service) erasers() []Eraser {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Eraser(nil), s.erasList...)
}

func (s *Service) handled() map[string]bool {
	out := map[string]bool{}
	for _, e := range s.erasers() {
		for _, t := range e.Tables() {
			out[t] = true
		}
	}
	return out
}

// passResult counts what a generic pass did, per table.
type passResult struct {
	Deleted    map[string]int64
	Anonymized map[string]int64
	blobs      []string
}

// erasePass applies the data map to the person's rows in scope sc of the
// tables filter accepts: Delete tables are deleted, Anonymize tables are
// anonymized (or deleted when mode is delete), Keep tables kept.
func (s *Service) erasePass(ctx context.Context, sc scope, filter func(mapTable) bool, mode Mode, tombstone string) (passResult, error) {
	res := passResult{Deleted: map[string]int64{}, Anonymized: map[string]int64{}}
	tabs, err := s.tables(ctx)
	if err != nil {
		return res, err
	}
	skip := s.handled()
	for _, t := range tabs {
		if skip[t.Name] || t.rule.Skip || t.Derived || t.Erasure == datamap.Keep || !filter(t) {
			continue
		}
		var args []any
		where := t.where(sc, &args)
		if where == "" {
			continue
		}
		r := s.rule(t.Name)
		for _, bc := range r.blobColumns() {
			if !t.has[bc] {
				continue
			}
			keys, err := s.columnValues(ctx, t, bc, where, args)
			if err != nil {
				return res, err
			}
			res.blobs = append(res.blobs, keys...)
		}
		action := erasureAction(t, mode)
		if action != ModeAnonymize {
			if err := s.purgeIndex(ctx, t, r, where, args); err != nil {
				return res, err
			}
		}
		if action == ModeDelete {
			n, err := s.deleteRows(ctx, t, where, args)
			if err != nil {
				return res, err
			}
			if n > 0 {
				res.Deleted[t.Name] += n
			}
			continue
		}
		n, err := s.anonymizeRows(ctx, t, sc, tombstone, where, args, action == ModeScrub)
		if err != nil {
			return res, err
		}
		if n > 0 {
			res.Anonymized[t.Name] += n
		}
	}
	return res, nil
}

// erasureAction is what erasing in mode does to a table's rows: delete,
// anonymize (content kept) or scrub (content cleared too).
func erasureAction(t mapTable, mode Mode) Mode {
	switch {
	case t.Erasure == datamap.Delete:
		return ModeDelete
	case t.rule.Shared && mode == ModeDelete:
		return ModeAnonymize
	}
	return mode
}

func (r TableRule) blobColumns() []string {
	var out []string
	if r.BlobColumn != "" {
		out = append(out, r.BlobColumn)
	}
	return append(out, r.ExtraBlobColumns...)
}

// afterErase deletes blob bodies (after the rows are gone) and folds the
// WAL back so that erased bytes leave the database files.
func (s *Service) afterErase(ctx context.Context, blobs []string) error {
	if s.Blobs != nil {
		for _, k := range blobs {
			if err := s.Blobs.Delete(ctx, k); err != nil {
				return err
			}
		}
	}
	return s.DB.Checkpoint(ctx)
}

func (s *Service) eraseAccount(ctx context.Context, e LedgerEntry, replay bool) error {
	p, _, err := s.person(ctx, e.AccountID)
	if err != nil {
		return err
	}
	held, err := s.accountHeld(ctx, e.AccountID)
	if err != nil {
		return err
	}
	var res passResult
	var exportBlobs []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		for _, x := range s.erasers() {
			if err := x.ErasePerson(ctx, p, ModeDelete, e.TombstoneID); err != nil {
				return fmt.Errorf("eraser: %w", err)
			}
		}
		exps, err := exportsOf(ctx, s.DB, e.AccountID)
		if err != nil {
			return err
		}
		for _, x := range exps {
			if x.blobKey != "" {
				exportBlobs = append(exportBlobs, x.blobKey)
			}
		}
		// Personal data: every table but the organizations' (whose rows
		// follow each org's leave policy), plus org-table rows that belong
		// to no organization (direct chats, personal files).
		res, err = s.erasePass(ctx, scope{ids: p.ids()}, func(t mapTable) bool {
			return t.Controller != datamap.Organization
		}, ModeScrub, e.TombstoneID)
		if err != nil {
			return err
		}
		r2, err := s.erasePass(ctx, scope{ids: p.ids(), noOrg: true}, func(t mapTable) bool {
			return t.Controller == datamap.Organization && t.orgExpr != ""
		}, ModeScrub, e.TombstoneID)
		if err != nil {
			return err
		}
		res.merge(r2)
		if err := s.scrubEvents(ctx, []string{e.AccountID}); err != nil {
			return err
		}
		if err := deleteExportsOf(ctx, s.DB, e.AccountID); err != nil {
			return err
		}
		status := LedgerDone
		if held {
			status = LedgerWaitingHold
		}
		if !replay {
			if err := setLedgerStatus(ctx, s.DB, e.ID, status, s.nowMS()); err != nil {
				return err
			}
			if err := s.requestFollows(ctx, e, status); err != nil {
				return err
			}
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.erase.account", TargetKind: "account", TargetID: e.AccountID,
			Details: map[string]any{"erasure_id": e.ID, "deleted": res.Deleted, "anonymized": res.Anonymized, "key_destroyed": !held, "replay": replay}})
	})
	if err != nil {
		return err
	}
	if err := s.afterErase(ctx, append(res.blobs, exportBlobs...)); err != nil {
		return err
	}
	if !held && s.Keys != nil {
		if err := s.Keys.Destroy(ctx, e.AccountID); err != nil {
			return err
		}
	}
	return nil
}

func (r *passResult) merge(o passResult) {
	for k, v := range o.Deleted {
		r.Deleted[k] += v
	}
	for k, v := range o.Anonymized {
		r.Anonymized[k] += v
	}
	r.blobs = append(r.blobs, o.blobs...)
}

func (s *Service) eraseMembership(ctx context.Context, e LedgerEntry, replay bool) error {
	deleting, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: e.AccountID, Kind: EraseAccount})
	if err != nil {
		return err
	}
	if !replay && len(deleting) == 0 {
		// Back in the organization (re-joined or reactivated): nothing to do.
		ms, err := s.memberships(ctx, e.AccountID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.OrgID == e.OrgID && m.Status == "active" {
				return s.DB.Tx(ctx, func(ctx context.Context) error {
					return setLedgerStatus(ctx, s.DB, e.ID, LedgerCancelled, s.nowMS())
				})
			}
		}
	}
	held, err := s.memberHeld(ctx, e.OrgID, e.AccountID, e.TargetID)
	if err != nil {
		return err
	}
	if held {
		if replay {
			return nil
		}
		return s.DB.Tx(ctx, func(ctx context.Context) error {
			if err := setLedgerStatus(ctx, s.DB, e.ID, LedgerWaitingHold, 0); err != nil {
				return err
			}
			// The conflict goes to the org's admin queue.
			open, err := listRequests(ctx, s.DB, requestFilter{AccountID: e.AccountID, OrgID: e.OrgID, Kind: RequestErasure, Ref: e.ID})
			if err != nil {
				return err
			}
			if len(open) == 0 {
				if _, err := s.openRequest(ctx, e.AccountID, e.OrgID, RequestErasure, StatusWaitingHold, e.ID, "erasure after leaving waits on a legal hold"); err != nil {
					return err
				}
			}
			return s.requestFollows(ctx, e, LedgerWaitingHold)
		})
	}
	subj := []string{e.AccountID}
	if e.TargetID != "" {
		subj = append(subj, e.TargetID)
	}
	p := Person{AccountID: e.AccountID, OrgID: e.OrgID, MemberID: e.TargetID, Members: map[string]string{e.OrgID: e.TargetID}}
	mode := Mode(e.Mode)
	var res passResult
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		for _, x := range s.erasers() {
			if err := x.ErasePerson(ctx, p, mode, e.TombstoneID); err != nil {
				return fmt.Errorf("eraser: %w", err)
			}
		}
		var err error
		// Rows of the org's tables that name the person: by org_id where
		// the table has one, else by the member id (unique to the org).
		res, err = s.erasePass(ctx, scope{ids: subj, org: e.OrgID}, func(t mapTable) bool {
			return t.Controller == datamap.Organization && t.orgExpr != ""
		}, mode, e.TombstoneID)
		if err != nil {
			return err
		}
		if e.TargetID != "" {
			r2, err := s.erasePass(ctx, scope{ids: []string{e.TargetID}}, func(t mapTable) bool {
				return t.Controller == datamap.Organization && t.orgExpr == ""
			}, mode, e.TombstoneID)
			if err != nil {
				return err
			}
			res.merge(r2)
		}
		if err := s.scrubEvents(ctx, subj); err != nil {
			return err
		}
		if !replay {
			if err := setLedgerStatus(ctx, s.DB, e.ID, LedgerDone, s.nowMS()); err != nil {
				return err
			}
			if err := s.requestFollows(ctx, e, LedgerDone); err != nil {
				return err
			}
			if err := s.completeRequestsFor(ctx, e.AccountID, RequestErasure, e.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: e.OrgID, Action: "privacy.erase.membership", TargetKind: "account", TargetID: e.AccountID,
			Details: map[string]any{"erasure_id": e.ID, "mode": e.Mode, "deleted": res.Deleted, "anonymized": res.Anonymized, "replay": replay}})
	})
	if err != nil {
		return err
	}
	return s.afterErase(ctx, res.blobs)
}

func (s *Service) eraseOrganization(ctx context.Context, e LedgerEntry, replay bool) error {
	held, err := s.orgHeld(ctx, e.OrgID)
	if err != nil {
		return err
	}
	if held {
		if replay {
			return nil
		}
		return s.DB.Tx(ctx, func(ctx context.Context) error {
			return setLedgerStatus(ctx, s.DB, e.ID, LedgerWaitingHold, 0)
		})
	}
	tabs, err := s.tables(ctx)
	if err != nil {
		return err
	}
	var blobs []string
	deleted := map[string]int64{}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		s.mu.RLock()
		oe := append([]OrgEraser(nil), s.orgErase...)
		s.mu.RUnlock()
		for _, x := range oe {
			if err := x.EraseOrg(ctx, e.OrgID); err != nil {
				return fmt.Errorf("org eraser: %w", err)
			}
		}
		for _, t := range tabs {
			r := s.rule(t.Name)
			col := r.OrgColumn
			if col == "" {
				col = "org_id"
			}
			if t.Derived || !t.has[col] || t.Controller != datamap.Organization {
				continue
			}
			args := []any{e.OrgID}
			where := ident(col) + " = $1"
			for _, bc := range r.blobColumns() {
				if t.has[bc] {
					keys, err := s.columnValues(ctx, t, bc, where, args)
					if err != nil {
						return err
					}
					blobs = append(blobs, keys...)
				}
			}
			if err := s.purgeIndex(ctx, t, r, where, args); err != nil {
				return err
			}
			n, err := s.deleteRows(ctx, t, where, args)
			if err != nil {
				return err
			}
			if n > 0 {
				deleted[t.Name] = n
			}
		}
		if err := s.scrubEvents(ctx, []string{e.OrgID}); err != nil {
			return err
		}
		if !replay {
			if err := setLedgerStatus(ctx, s.DB, e.ID, LedgerDone, s.nowMS()); err != nil {
				return err
			}
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: e.OrgID, Action: "privacy.erase.org", TargetKind: "org", TargetID: e.OrgID,
			Details: map[string]any{"erasure_id": e.ID, "deleted": deleted, "replay": replay}})
	})
	if err != nil {
		return err
	}
	if err := s.afterErase(ctx, blobs); err != nil {
		return err
	}
	if s.Keys != nil {
		return s.Keys.Destroy(ctx, e.OrgID)
	}
	return nil
}

// requestFollows moves the erasure's request along with the ledger: an
// account deletion completes when its own entry and every membership entry
// of the same request are done.
func (s *Service) requestFollows(ctx context.Context, e LedgerEntry, status string) error {
	if e.RequestID == "" {
		return nil
	}
	r, err := getRequest(ctx, s.DB, e.RequestID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if status == LedgerWaitingHold {
		if r.Status != StatusWaitingHold {
			return s.setRequestStatus(ctx, r, StatusWaitingHold, "")
		}
		return nil
	}
	all, err := listLedger(ctx, s.DB, ledgerFilter{RequestID: e.RequestID})
	if err != nil {
		return err
	}
	for _, x := range all {
		if x.ID == e.ID {
			continue
		}
		if x.Status == LedgerScheduled || x.Status == LedgerWaitingHold {
			if r.Status != StatusScheduled {
				return s.setRequestStatus(ctx, r, StatusScheduled, "")
			}
			return nil
		}
	}
	return s.setRequestStatus(ctx, r, StatusCompleted, "")
}

// scrubItem clears the content columns of the row id of the table that
// holds items of kind, purges its index entries and marks it deleted.
func (s *Service) scrubItem(ctx context.Context, kind, id string, at int64) error {
	tabs, err := s.tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tabs {
		if t.rule.Holds != kind || !t.has["id"] {
			continue
		}
		args := []any{id}
		where := "id = $1"
		var sets []string
		for col, cat := range t.Columns {
			if cat != datamap.Content {
				continue
			}
			if ci, ok := t.col(col); ok {
				sets = append(sets, ident(col)+" = "+blankFor(ci))
			}
		}
		if dc := t.rule.DeletedAtColumn; dc != "" && t.has[dc] {
			sets = append(sets, ident(dc)+" = CASE WHEN "+ident(dc)+" = 0 THEN "+arg(&args, at)+" ELSE "+ident(dc)+" END")
		}
		sort.Strings(sets)
		err := s.DB.Tx(ctx, func(ctx context.Context) error {
			// The purge uses only the id ($1), not the time added for
			// DeletedAtColumn (PostgreSQL refuses unused arguments).
			if err := s.purgeIndex(ctx, t, t.rule, where, args[:1]); err != nil {
				return err
			}
			if len(sets) == 0 {
				return nil
			}
			_, err := s.execRaw(ctx, "UPDATE "+ident(t.Name)+" SET "+strings.Join(sets, ", ")+" WHERE "+where, args)
			return err
		})
		if err != nil {
			return err
		}
	}
	return s.DB.Checkpoint(ctx)
}

// ReapplyErasures applies again every erasure recorded at or after since
// (unix ms): after a backup is restored, nothing erased since the backup
// comes back. It returns how many entries were applied.
func (s *Service) ReapplyErasures(ctx context.Context, since int64) (int, error) {
	list, err := ledgerSince(ctx, s.DB, since)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range list {
		switch e.Status {
		case LedgerDone:
			if err := s.apply(ctx, e, true); err != nil {
				return n, fmt.Errorf("erasure %s: %w", e.ID, err)
			}
			n++
		case LedgerScheduled, LedgerWaitingHold:
			// Its job may predate the backup: make sure one is queued.
			if s.Jobs != nil {
				if _, err := s.Jobs.Enqueue(ctx, JobErase, erasePayload{LedgerID: e.ID},
					jobs.Options{RunAt: time.UnixMilli(e.DueAt), Key: "reapply:" + e.ID, MaxAttempts: 20}); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}
