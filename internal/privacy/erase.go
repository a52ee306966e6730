package privacy

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
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
	"github.com/atrium-hq/atrium/internal/platform/keyring"
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
		if errors.Is(err, errLedgerExists) && e.JobID != "" {
			// Already scheduled: the job queued above has nothing to do.
			if cerr := s.Jobs.Cancel(ctx, e.JobID); cerr != nil {
				return LedgerEntry{}, cerr
			}
		}
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
		req, err := s.openRequest(ctx, a.AccountID, "", RequestErasure, StatusInProgress, "", "account deletion")
		if err != nil {
			return err
		}
		for _, m := range ms {
			// Leave through the directory's own mechanics (status, groups,
			// sessions, hooks), acting as the person in that org.
			if m.Status == "active" && s.Dir != nil {
				as := actor.With(ctx, &actor.Actor{AccountID: a.AccountID, OrgID: m.OrgID, MemberID: m.MemberID, Via: a.Via})
				if err := s.Dir.QuitOrg(as); err != nil {
					return err
				}
			}
			e, err := s.scheduleLeave(ctx, m.OrgID, a.AccountID, m.MemberID, req.ID)
			if err != nil {
				return err
			}
			if e.ID == "" {
				// Scheduled when they left earlier: tie it to this request.
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
		if errors.Is(err, errLedgerExists) {
			return apperr.Conflict("already_deleting", "this account is already being deleted")
		}
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
			if err := s.Accounts.CloseAccount(ctx, a.AccountID); err != nil {
				return err
			}
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "account.deletion_scheduled", map[string]any{"erasure_id": e.ID}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "privacy.erase.account.request", TargetKind: "account", TargetID: a.AccountID,
			Details: map[string]any{"erasure_id": e.ID, "orgs": len(ms)}})
	})
	if errors.Is(err, keyring.ErrKeyDestroyed) {
		// A request that raced the deletion it duplicates: the account's
		// erasure already ran and shredded its key.
		return DeleteAccountResult{}, apperr.Conflict("already_deleting", "this account is already being deleted")
	}
	if err == nil && s.Jobs != nil {
		s.Jobs.Wake()
	}
	return out, err
}

// scheduleLeave schedules the erasure of a person's data in an org after
// they left it, as the org's policy says. An erasure already scheduled for
// the same membership is kept (returned empty).
func (s *Service) scheduleLeave(ctx context.Context, orgID, accountID, memberID, requestID string) (LedgerEntry, error) {
	return s.scheduleLeaveAt(ctx, orgID, accountID, memberID, requestID, s.now())
}

// scheduleLeaveAt schedules it as of the time the person left.
func (s *Service) scheduleLeaveAt(ctx context.Context, orgID, accountID, memberID, requestID string, now time.Time) (LedgerEntry, error) {
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
	due := now.Add(time.Duration(set.LeavePeriodDays) * 24 * time.Hour).UnixMilli()
	e, err := s.schedule(ctx, LedgerEntry{Kind: EraseMembership, AccountID: accountID, OrgID: orgID, TargetID: memberID,
		Mode: set.LeaveAction, RequestID: requestID, RequestedAt: now.UnixMilli(), DueAt: due})
	if errors.Is(err, errLedgerExists) {
		return LedgerEntry{}, nil // scheduled meanwhile by a concurrent leave
	}
	if err != nil {
		return LedgerEntry{}, err
	}
	return e, audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.erase.membership.schedule", TargetKind: "account", TargetID: accountID,
		Details: map[string]any{"erasure_id": e.ID, "mode": e.Mode, "due_at": e.DueAt}})
}

// ScanDepartures schedules now (the periodic job does it every ten
// minutes) the erasure of the data of everyone who left an organization —
// quit, removed or deactivated by an admin — under the org's policy, as of
// the time they left, and returns how many it scheduled. The directory says
// who left; privacy decides what happens to the data. The first scan of a
// process looks at every departure, later ones at the last week's.
func (s *Service) ScanDepartures(ctx context.Context) (int, error) {
	if s.Orgs == nil {
		return 0, nil
	}
	s.mu.Lock()
	since := int64(0)
	if s.scanned {
		since = s.now().Add(-7 * 24 * time.Hour).UnixMilli()
	}
	s.mu.Unlock()
	list, err := s.Orgs.Departures(ctx, since)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		prev, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: d.AccountID, OrgID: d.OrgID, Kind: EraseMembership})
		if err != nil {
			return n, err
		}
		handled := false
		for _, p := range prev {
			if p.Status == LedgerScheduled || p.Status == LedgerWaitingHold || p.RequestedAt >= d.LeftAt {
				handled = true
			}
		}
		if handled {
			continue
		}
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			_, err := s.scheduleLeaveAt(ctx, d.OrgID, d.AccountID, d.MemberID, "", time.UnixMilli(d.LeftAt))
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	s.mu.Lock()
	s.scanned = true
	s.mu.Unlock()
	return n, nil
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
		return LedgerEntry{}, actor.ErrNoOrganization
	}
	orgID, memberID := a.OrgID, a.MemberID
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.Dir.QuitOrg(ctx); err != nil {
			return err
		}
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
	if s.Orgs == nil {
		return 0, nil
	}
	list, err := s.Orgs.DisbandedOrgs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range list {
		prev, err := listLedger(ctx, s.DB, ledgerFilter{OrgID: o.OrgID, Kind: EraseOrganization})
		if err != nil {
			return n, err
		}
		if len(prev) > 0 {
			continue
		}
		set, err := s.orgSettings(ctx, o.OrgID)
		if err != nil {
			return n, err
		}
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			due := time.UnixMilli(o.At).Add(time.Duration(set.DisbandGraceDays) * 24 * time.Hour).UnixMilli()
			e, err := s.schedule(ctx, LedgerEntry{Kind: EraseOrganization, OrgID: o.OrgID, TargetID: o.OrgID, Mode: string(ModeDelete), DueAt: due})
			if err != nil {
				return err
			}
			return audit.Record(ctx, s.DB, audit.Entry{OrgID: o.OrgID, Action: "privacy.erase.org.schedule", TargetKind: "org", TargetID: o.OrgID,
				Details: map[string]any{"erasure_id": e.ID, "due_at": e.DueAt}})
		})
		if errors.Is(err, errLedgerExists) {
			continue // another node scheduled it meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// runScan schedules the erasures that follow the directory's changes:
// people who left organizations, organizations disbanded.
func (s *Service) runScan(ctx context.Context, j *jobs.Job) error {
	if _, err := s.ScanDepartures(ctx); err != nil {
		return err
	}
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

// EraseMessage deletes one message for the caller or for everyone: chat
// checks that the caller may see it and may delete it for everyone, then
// whether a legal hold keeps it; recorded in the ledger and the audit log.
// It is the one way to delete a message.
func (s *Service) EraseMessage(ctx context.Context, in EraseMessageInput) (LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	x := s.itemEraser(EraseMessage)
	if x == nil {
		return LedgerEntry{}, apperr.New(apperr.KindUnavailable, "chat_unavailable", "messaging is not available")
	}
	if in.MessageID == "" || in.ConversationID == "" {
		return LedgerEntry{}, apperr.InvalidField("message_id", "conversation_id and message_id are required")
	}
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		res, err := x.EraseItem(ctx, datamap.Item{Kind: EraseMessage, Container: in.ConversationID, ID: in.MessageID, ForEveryone: in.ForEveryone}, s.held)
		if err != nil {
			return err
		}
		out, err = s.recordDone(ctx, LedgerEntry{Kind: EraseMessage, AccountID: a.AccountID, OrgID: res.OrgID, TargetID: in.MessageID, Mode: res.Mode})
		if err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: res.OrgID, Action: "privacy.erase.message", TargetKind: "message", TargetID: in.MessageID,
			Details: map[string]any{"mode": res.Mode, "conversation_id": in.ConversationID}})
	})
	if err == nil && in.ForEveryone {
		_ = s.DB.Checkpoint(ctx)
	}
	return out, err
}

// held answers the domains' question whether a target is under a legal hold.
func (s *Service) held(ctx context.Context, kind, id string) (bool, error) {
	switch kind {
	case HoldConversation:
		return s.conversationHeld(ctx, id)
	case HoldMember:
		hs, err := activeHolds(ctx, s.DB, holdFilter{TargetKind: HoldMember, TargetID: id})
		return len(hs) > 0, err
	}
	return false, nil
}

// EraseConversationInput names a conversation whose history to clear.
type EraseConversationInput struct {
	ConversationID string `json:"conversation_id"`
	ForEveryone    bool   `json:"for_everyone"`
}

// EraseConversation clears a conversation's history for the caller (chat
// refuses it for everyone), recorded in the ledger and the audit log. It is
// the one way to clear a history.
func (s *Service) EraseConversation(ctx context.Context, in EraseConversationInput) (LedgerEntry, error) {
	a, err := caller(ctx)
	if err != nil {
		return LedgerEntry{}, err
	}
	x := s.itemEraser(EraseConversation)
	if x == nil {
		return LedgerEntry{}, apperr.New(apperr.KindUnavailable, "chat_unavailable", "messaging is not available")
	}
	if in.ConversationID == "" {
		return LedgerEntry{}, apperr.InvalidField("conversation_id", "conversation_id is required")
	}
	var out LedgerEntry
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		res, err := x.EraseItem(ctx, datamap.Item{Kind: EraseConversation, ID: in.ConversationID, ForEveryone: in.ForEveryone}, s.held)
		if err != nil {
			return err
		}
		out, err = s.recordDone(ctx, LedgerEntry{Kind: EraseConversation, AccountID: a.AccountID, OrgID: res.OrgID, TargetID: in.ConversationID, Mode: res.Mode})
		if err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: res.OrgID, Action: "privacy.erase.conversation", TargetKind: "conversation", TargetID: in.ConversationID,
			Details: map[string]any{"mode": res.Mode}})
	})
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
	x := s.itemEraser(EraseProfile)
	if x == nil {
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
		if _, err := x.EraseItem(ctx, datamap.Item{Kind: EraseProfile, Fields: in.Fields}, s.held); err != nil {
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
	if e.Status == LedgerCancelled {
		return nil
	}
	if e.Status == LedgerDone {
		// The erasure committed, but what follows its commit (re-sealing
		// what organizations keep, destroying the key) may have failed:
		// the job is retried to finish that.
		return s.finishKeys(ctx, e)
	}
	return s.apply(ctx, e, false)
}

// finishKeys destroys the key of an account or organization whose erasure
// is done, if that did not happen after its commit, unless a legal hold
// now keeps it.
func (s *Service) finishKeys(ctx context.Context, e LedgerEntry) error {
	kd, ok := s.Keys.(interface {
		Destroyed(ctx context.Context, owner string) (bool, error)
	})
	if s.Keys == nil || !ok {
		return nil
	}
	var owner string
	var held bool
	var err error
	switch e.Kind {
	case EraseAccount:
		owner = e.AccountID
		held, err = s.accountHeld(ctx, owner)
	case EraseOrganization:
		owner = e.OrgID
		held, err = s.orgHeld(ctx, owner)
	default:
		return nil
	}
	if err != nil || held {
		return err
	}
	if gone, err := kd.Destroyed(ctx, owner); err != nil || gone {
		return err
	}
	s.Log.WarnContext(ctx, "privacy: finishing an erasure whose key was not destroyed after it committed", "erasure", e.ID, "kind", e.Kind)
	if e.Kind == EraseAccount {
		if err := s.resealKept(ctx, owner); err != nil {
			return err
		}
	}
	return s.Keys.Destroy(ctx, owner)
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
		// Done by the owning domain when requested (these entries are
		// recorded as done); after a restore they are applied again.
		if !replay {
			return nil
		}
		return s.replayItem(ctx, e)
	}
	return jobs.Permanent(fmt.Errorf("unknown erasure kind %q", e.Kind))
}

// replayItem applies a message, conversation or profile erasure again
// after a restore, through the domain that erased it.
func (s *Service) replayItem(ctx context.Context, e LedgerEntry) error {
	x := s.itemEraser(e.Kind)
	if x == nil {
		return nil
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		return x.ReplayItem(ctx, e.Kind, e.Mode, e.AccountID, e.OrgID, e.TargetID, e.RequestedAt)
	})
}

// afterErase runs what the domains left for after the commit (deleting
// file bodies), deletes export files and folds the WAL back so that erased
// bytes leave the database files.
func (s *Service) afterErase(ctx context.Context, res datamap.Erased, exportBlobs []string) error {
	for _, fn := range res.After {
		if err := fn(ctx); err != nil {
			return err
		}
	}
	if s.Blobs != nil {
		for _, k := range exportBlobs {
			if err := s.Blobs.Delete(ctx, k); err != nil {
				return err
			}
		}
	}
	return s.DB.Checkpoint(ctx)
}

// lockPerson serializes, until ctx's transaction ends, the erasures of one
// person: deleting an account leaves its organizations, whose leaver
// policy then erases the membership, and both jobs may start together.
// Run side by side they each lock rows the other needs (the cache
// generations the deleted account and members bump, the person's
// requests), so PostgreSQL aborted one of them as a deadlock after it had
// rewritten every message, and the job did it all again. SQLite's one
// writer already serializes them.
func (s *Service) lockPerson(ctx context.Context, accountID string) error {
	h := fnv.New64a()
	h.Write([]byte("privacy.erase:" + accountID))
	q := s.DB.Dialect.XactLock(int64(h.Sum64()))
	if q == "" {
		return nil
	}
	_, err := s.DB.W(ctx).ExecContext(ctx, q)
	return err
}

// EventErased is appended with every erasure: the stream's hubs then stop
// replaying from memory the events before it, which may carry what was
// erased, opened (events.SetRevoking).
const EventErased = "privacy.erased"

func init() { events.SetRevoking(EventErased) }

// appendErased records an erasure in the event log (ids only).
func appendErased(ctx context.Context, d *db.DB, scope, scopeID, erasureID string) error {
	_, err := events.Append(ctx, d, "", scope, scopeID, EventErased, map[string]any{"erasure_id": erasureID})
	return err
}

// eraseAll asks every domain to erase r, in ctx's transaction.
func (s *Service) eraseAll(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	res := datamap.Erased{Deleted: map[string]int64{}, Anonymized: map[string]int64{}}
	for _, c := range s.Contracts() {
		x, err := c.Erase(ctx, r)
		if err != nil {
			return res, fmt.Errorf("erase %v: %w", c.Tables(), err)
		}
		res.Merge(x)
	}
	return res, nil
}

func (s *Service) eraseAccount(ctx context.Context, e LedgerEntry, replay bool) error {
	p, _, err := s.person(ctx, e.AccountID)
	if err != nil {
		return err
	}
	heldOrgs, err := s.heldOrgsOf(ctx, e.AccountID)
	if err != nil {
		return err
	}
	held := len(heldOrgs) > 0
	var res datamap.Erased
	var exportBlobs []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.lockPerson(ctx, e.AccountID); err != nil {
			return err
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
		// Personal data everywhere, and company rows that belong to no
		// organization; each org's rows follow its leave policy.
		// Organizations holding the person keep what they hold of them,
		// personal data included, until the hold is released (the entry
		// then waits, and runs again).
		res, err = s.eraseAll(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount, Subject: p, Mode: ModeScrub, Tombstone: e.TombstoneID, HeldOrgs: heldOrgs})
		if err != nil {
			return err
		}
		if err := deleteExportsOf(ctx, s.DB, e.AccountID); err != nil {
			return err
		}
		if err := appendErased(ctx, s.DB, events.ScopeAccount, e.AccountID, e.ID); err != nil {
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
	if err := s.afterErase(ctx, res, exportBlobs); err != nil {
		return err
	}
	if !held && s.Keys != nil {
		if err := s.resealKept(ctx, e.AccountID); err != nil {
			return err
		}
		if err := s.Keys.Destroy(ctx, e.AccountID); err != nil {
			return err
		}
	}
	return nil
}

// resealKept asks the domains (datamap.Resealer) to move what each
// organization the person belonged to keeps under its leaver policy
// ("anonymize") from the person's key to the organization's, before the
// person's key is destroyed. Organizations whose policy deletes a leaver's
// data lose it with the key, as they would with the membership erasure.
func (s *Service) resealKept(ctx context.Context, accountID string) error {
	ms, err := s.memberships(ctx, accountID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		set, err := s.orgSettings(ctx, m.OrgID)
		if err != nil {
			return err
		}
		if set.LeaveAction != string(ModeAnonymize) {
			continue
		}
		for _, c := range s.Contracts() {
			r, ok := c.(datamap.Resealer)
			if !ok {
				continue
			}
			n, err := r.Reseal(ctx, m.OrgID, accountID)
			if err != nil {
				return fmt.Errorf("reseal %v for %s: %w", c.Tables(), m.OrgID, err)
			}
			if n > 0 {
				s.Log.InfoContext(ctx, "privacy: re-sealed an organization's records before shredding a key", "org", m.OrgID, "values", n)
			}
		}
	}
	return nil
}

func (s *Service) eraseMembership(ctx context.Context, e LedgerEntry, replay bool) error {
	deleting, err := listLedger(ctx, s.DB, ledgerFilter{AccountID: e.AccountID, Kind: EraseAccount})
	if err != nil {
		return err
	}
	// Back in the organization (re-joined or reactivated): nothing to do,
	// unless the whole account is being deleted. The directory checks it
	// again under a lock in the erasure's transaction (OnlyIfGone), for a
	// reactivation that races this one.
	onlyIfGone := !replay && len(deleting) == 0
	cancel := func() error {
		return s.DB.Tx(ctx, func(ctx context.Context) error {
			return setLedgerStatus(ctx, s.DB, e.ID, LedgerCancelled, s.nowMS())
		})
	}
	if onlyIfGone {
		ms, err := s.memberships(ctx, e.AccountID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.OrgID == e.OrgID && m.Status == "active" {
				return cancel()
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
	p := datamap.Subject{AccountID: e.AccountID, Members: map[string]string{e.OrgID: e.TargetID}}
	var res datamap.Erased
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.lockPerson(ctx, e.AccountID); err != nil {
			return err
		}
		var err error
		res, err = s.eraseAll(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: p, OrgID: e.OrgID, MemberID: e.TargetID,
			Mode: Mode(e.Mode), Tombstone: e.TombstoneID, OnlyIfGone: onlyIfGone})
		if err != nil {
			return err
		}
		if err := appendErased(ctx, s.DB, events.ScopeAccount, e.AccountID, e.ID); err != nil {
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
	if errors.Is(err, datamap.ErrMemberActive) {
		return cancel()
	}
	if err != nil {
		return err
	}
	return s.afterErase(ctx, res, nil)
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
	var res datamap.Erased
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.eraseAll(ctx, datamap.EraseRequest{Scope: datamap.ScopeOrganization, OrgID: e.OrgID, Mode: ModeDelete, Tombstone: e.TombstoneID})
		if err != nil {
			return err
		}
		if err := appendErased(ctx, s.DB, events.ScopeOrg, e.OrgID, e.ID); err != nil {
			return err
		}
		if !replay {
			if err := setLedgerStatus(ctx, s.DB, e.ID, LedgerDone, s.nowMS()); err != nil {
				return err
			}
		}
		// Ids and counts only: the record of the erasure stays readable
		// after the organization's key is destroyed below.
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: e.OrgID, Action: "privacy.erase.org", TargetKind: "org", TargetID: e.OrgID,
			Details: map[string]any{"erasure_id": e.ID, "deleted": res.Deleted, "replay": replay}, Unsealed: true})
	})
	if err != nil {
		return err
	}
	if err := s.afterErase(ctx, res, nil); err != nil {
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

// ReapplyErasures applies again every erasure recorded at or after since
// (unix ms): after a backup is restored, nothing erased since the backup
// comes back. It returns how many entries were applied.
func (s *Service) ReapplyErasures(ctx context.Context, since int64) (int, error) {
	list, err := ledgerSince(ctx, s.DB, since)
	if err != nil {
		return 0, err
	}
	defer func() { _ = s.DB.Checkpoint(ctx) }()
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
