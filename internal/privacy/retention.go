package privacy

import (
	"context"
	"encoding/json"
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

// RetentionClass is a data class an organization sets a retention period for.
type RetentionClass struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// MinDays is the shortest period allowed (0: none).
	MinDays int `json:"min_days,omitempty"`
}

// RetentionClasses lists the classes, in the order the API shows them.
var RetentionClasses = []RetentionClass{
	{ID: "messages.direct", Description: "Messages in direct (one-to-one) conversations"},
	{ID: "messages.internal", Description: "Messages in internal groups (members only)"},
	{ID: "messages.external", Description: "Messages in external groups (with outside contacts)"},
	{ID: "messages.general", Description: "Messages in general groups owned by a person"},
	{ID: "files", Description: "Uploaded files"},
	{ID: "drive.files", Description: "Files of the organization's drive spaces (from their last change; personal spaces are left out)"},
	{ID: "drive.trash", Description: "Drive items in a trash (from when they were deleted)"},
	{ID: "drive.versions", Description: "Earlier versions of drive files (from when they were saved)"},
	{ID: "drive.link_access", Description: "The log of uses of drive links"},
	{ID: "announcements", Description: "Announcements (from their creation) with their read receipts"},
	{ID: "reports", Description: "Work reports (from their creation) with their read receipts and comments"},
	{ID: "approvals", Description: "Approval requests (from their submission) with their steps, decisions, history and comments"},
	{ID: "attendance", Description: "Attendance and check-in records"},
	{ID: "location", Description: "Location records"},
	{ID: "login_history", Description: "Sign-in history"},
	{ID: "audit_log", Description: "Audit log (a minimum: the hash-chained log is never pruned below it)", MinDays: 180},
}

func retentionClass(id string) (RetentionClass, bool) {
	for _, c := range RetentionClasses {
		if c.ID == id {
			return c, true
		}
	}
	return RetentionClass{}, false
}

// Policy is a retention period for one class: rows older than Days are
// deleted. Days 0 means keep.
type Policy struct {
	Class string `json:"class"`
	Days  int    `json:"days"`
}

// Override is a retention period for one conversation, replacing its class's.
type Override struct {
	ConversationID string `json:"conversation_id"`
	Days           int    `json:"days"`
}

// RetentionSettings is an org's retention configuration.
type RetentionSettings struct {
	Classes   []RetentionClass `json:"classes"`
	Policies  []Policy         `json:"policies"`
	Overrides []Override       `json:"overrides"`
}

// GetRetention returns the caller's org's retention settings.
func (s *Service) GetRetention(ctx context.Context) (RetentionSettings, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return RetentionSettings{}, err
	}
	return s.retentionOf(ctx, a.OrgID)
}

func (s *Service) retentionOf(ctx context.Context, orgID string) (RetentionSettings, error) {
	pol, err := listPolicies(ctx, s.DB, orgID)
	if err != nil {
		return RetentionSettings{}, err
	}
	ovr, err := listOverrides(ctx, s.DB, orgID)
	if err != nil {
		return RetentionSettings{}, err
	}
	return RetentionSettings{Classes: RetentionClasses, Policies: nonNil(pol), Overrides: nonNil(ovr)}, nil
}

func validatePolicies(pols []Policy) error {
	seen := map[string]bool{}
	for _, p := range pols {
		c, ok := retentionClass(p.Class)
		if !ok {
			return apperr.InvalidField("class", "unknown retention class").With("class", p.Class)
		}
		if seen[p.Class] {
			return apperr.InvalidField("class", "class given twice").With("class", p.Class)
		}
		seen[p.Class] = true
		if p.Days < 0 || p.Days > 36500 {
			return apperr.InvalidField("days", "days must be from 0 (keep) to 36500").With("class", p.Class)
		}
		if p.Days > 0 && p.Days < c.MinDays {
			return apperr.InvalidField("days", fmt.Sprintf("%s must be kept at least %d days", c.ID, c.MinDays)).With("class", p.Class)
		}
	}
	return nil
}

// SetPoliciesInput replaces the org's retention policies.
type SetPoliciesInput struct {
	Policies []Policy `json:"policies"`
}

// SetPolicies replaces the caller's org's retention policies.
func (s *Service) SetPolicies(ctx context.Context, in SetPoliciesInput) (RetentionSettings, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return RetentionSettings{}, err
	}
	if err := validatePolicies(in.Policies); err != nil {
		return RetentionSettings{}, err
	}
	err = s.setPolicies(ctx, a.OrgID, in.Policies)
	if err != nil {
		return RetentionSettings{}, err
	}
	return s.retentionOf(ctx, a.OrgID)
}

// SetDeploymentPolicies sets the operator's retention policies, which apply
// to data that belongs to no organization (direct and general chats
// outside orgs, sign-in history). Operator only (the CLI).
func (s *Service) SetDeploymentPolicies(ctx context.Context, pols []Policy) error {
	if err := validatePolicies(pols); err != nil {
		return err
	}
	return s.setPolicies(ctx, "", pols)
}

func (s *Service) setPolicies(ctx context.Context, orgID string, pols []Policy) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := replacePolicies(ctx, s.DB, orgID, pols, s.nowMS()); err != nil {
			return err
		}
		det := map[string]any{}
		for _, p := range pols {
			det[p.Class] = p.Days
		}
		if _, err := events.Append(ctx, s.DB, orgID, events.ScopeOrg, orgID, "retention.updated", map[string]any{"policies": pols}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.retention.set", TargetKind: "org", TargetID: orgID, Details: det})
	})
}

// SetOverride sets (days ≥ 0) a conversation's own retention period.
func (s *Service) SetOverride(ctx context.Context, o Override) (RetentionSettings, error) {
	a, err := s.adminOver(ctx, PermManageRetention)
	if err != nil {
		return RetentionSettings{}, err
	}
	if o.Days < 0 || o.Days > 36500 {
		return RetentionSettings{}, apperr.InvalidField("days", "days must be from 0 (keep) to 36500")
	}
	if _, ok, err := s.holdTarget(ctx, a.OrgID, HoldConversation, o.ConversationID); !ok || err != nil {
		return RetentionSettings{}, apperr.ErrNotFound
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := putOverride(ctx, s.DB, a.OrgID, o, s.nowMS()); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.retention.override", TargetKind: "conversation", TargetID: o.ConversationID,
			Details: map[string]any{"days": o.Days}})
	})
	if err != nil {
		return RetentionSettings{}, err
	}
	return s.retentionOf(ctx, a.OrgID)
}

// DeleteOverride removes a conversation's own retention period.
func (s *Service) DeleteOverride(ctx context.Context, conversationID string) error {
	a, err := s.adminOver(ctx, PermManageRetention)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		n, err := deleteOverride(ctx, s.DB, a.OrgID, conversationID)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.ErrNotFound
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.retention.override_delete", TargetKind: "conversation", TargetID: conversationID})
	})
}

// ---- plans ------------------------------------------------------------------

// step is one statement of a retention plan: rows of Table of Class older
// than Cutoff, in one conversation (Conv) or outside the overridden ones.
type step struct {
	Table   string   `json:"table"`
	Class   string   `json:"class"`
	Cutoff  int64    `json:"cutoff"`
	Conv    string   `json:"conv,omitempty"`
	Exclude []string `json:"exclude,omitempty"` // conversations with overrides or holds
	Held    []string `json:"held,omitempty"`    // held subject ids
}

type plan struct {
	OrgID string `json:"org_id"`
	Now   int64  `json:"now"`
	Steps []step `json:"steps"`
}

// target is a table of a domain that holds rows of retention classes the
// organization can set.
type target struct {
	c       datamap.Contract
	table   string
	classes []string
	perConv bool
}

func (s *Service) targets(ctx context.Context) ([]target, error) {
	var out []target
	for _, c := range s.Contracts() {
		ts, err := c.Targets(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			var classes []string
			for _, cl := range t.Classes {
				if _, ok := retentionClass(cl); ok && cl != "audit_log" {
					classes = append(classes, cl)
				}
			}
			if len(classes) > 0 {
				out = append(out, target{c: c, table: t.Table, classes: classes, perConv: t.PerConversation})
			}
		}
	}
	return out, nil
}

// makePlan computes the statements that apply pols and ovs at now.
func (s *Service) makePlan(ctx context.Context, orgID string, pols []Policy, ovs []Override, now int64) (plan, error) {
	tgs, err := s.targets(ctx)
	if err != nil {
		return plan{}, err
	}
	heldConvs, heldSubjects, err := s.heldIn(ctx, orgID)
	if err != nil {
		return plan{}, err
	}
	p := plan{OrgID: orgID, Now: now}
	var overridden []string
	for _, o := range ovs {
		overridden = append(overridden, o.ConversationID)
	}
	exclude := append(append([]string(nil), overridden...), heldConvs...)
	sort.Strings(exclude)
	day := int64(24 * time.Hour / time.Millisecond)
	for _, tg := range tgs {
		for _, pol := range pols {
			if pol.Days <= 0 || !slices.Contains(tg.classes, pol.Class) {
				continue
			}
			st := step{Table: tg.table, Class: pol.Class, Cutoff: now - int64(pol.Days)*day, Held: heldSubjects}
			if tg.perConv {
				st.Exclude = exclude
			}
			p.Steps = append(p.Steps, st)
		}
		if !tg.perConv {
			continue
		}
		for _, o := range ovs {
			if o.Days <= 0 || contains(heldConvs, o.ConversationID) {
				continue
			}
			p.Steps = append(p.Steps, step{Table: tg.table, Class: "override", Cutoff: now - int64(o.Days)*day, Conv: o.ConversationID, Held: heldSubjects})
		}
	}
	return p, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sweep runs (or, dryRun, counts) one step of a plan through the domain
// that owns its table, at most limit rows (0: all).
func (s *Service) sweep(ctx context.Context, orgID string, st step, dryRun bool, limit int) (int64, error) {
	tgs, err := s.targets(ctx)
	if err != nil {
		return 0, err
	}
	for _, tg := range tgs {
		if tg.table == st.Table {
			return tg.c.Sweep(ctx, datamap.SweepRequest{Table: st.Table, Class: st.Class, OrgID: orgID, Cutoff: st.Cutoff,
				Only: st.Conv, Except: st.Exclude, Held: st.Held, Limit: limit, DryRun: dryRun})
		}
	}
	return 0, fmt.Errorf("retention: table %s is not a retention target", st.Table)
}

// PreviewInput is a policy change to try; empty fields mean "as now".
type PreviewInput struct {
	Policies  []Policy   `json:"policies"`
	Overrides []Override `json:"overrides"`
}

// PreviewCount is how many items one class would lose.
type PreviewCount struct {
	Class string `json:"class"`
	Table string `json:"table"`
	Count int64  `json:"count"`
}

// Preview is the result of a dry run.
type Preview struct {
	Now    int64          `json:"now"`
	Total  int64          `json:"total"`
	Counts []PreviewCount `json:"counts"`
}

// PreviewRetention counts, without deleting, what the given (or current)
// policies would delete now in the caller's org.
func (s *Service) PreviewRetention(ctx context.Context, in PreviewInput) (Preview, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return Preview{}, err
	}
	return s.preview(ctx, a.OrgID, in)
}

func (s *Service) preview(ctx context.Context, orgID string, in PreviewInput) (Preview, error) {
	cur, err := s.retentionOf(ctx, orgID)
	if err != nil {
		return Preview{}, err
	}
	pols, ovs := cur.Policies, cur.Overrides
	if in.Policies != nil {
		if err := validatePolicies(in.Policies); err != nil {
			return Preview{}, err
		}
		pols = in.Policies
	}
	if in.Overrides != nil {
		ovs = in.Overrides
	}
	now := s.nowMS()
	p, err := s.makePlan(ctx, orgID, pols, ovs, now)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{Now: now, Counts: []PreviewCount{}}
	for _, st := range p.Steps {
		n, err := s.sweep(ctx, orgID, st, true, 0)
		if err != nil {
			return Preview{}, err
		}
		out.Counts = append(out.Counts, PreviewCount{Class: st.Class, Table: st.Table, Count: n})
		out.Total += n
	}
	return out, nil
}

// ---- the job ------------------------------------------------------------------

type retentionPayload struct {
	OrgID string `json:"org_id"`
	RunID string `json:"run_id"`
}

type retentionCheckpoint struct {
	Plan    plan             `json:"plan"`
	Step    int              `json:"step"`
	Deleted map[string]int64 `json:"deleted"`
}

// RetentionBatch is how many rows one transaction deletes.
var RetentionBatch = 500

// RetentionRun is one run of the retention job.
type RetentionRun struct {
	ID         string           `json:"id"`
	OrgID      string           `json:"org_id,omitempty"`
	JobID      string           `json:"job_id"`
	State      string           `json:"state"`
	Progress   int              `json:"progress"`
	StartedAt  int64            `json:"started_at"`
	FinishedAt int64            `json:"finished_at,omitempty"`
	Planned    map[string]int64 `json:"planned"`
	Deleted    map[string]int64 `json:"deleted"`
}

// StartRetention starts a retention run for the caller's org now.
func (s *Service) StartRetention(ctx context.Context) (RetentionRun, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return RetentionRun{}, err
	}
	return s.startRetention(ctx, a.OrgID, "")
}

func (s *Service) startRetention(ctx context.Context, orgID, key string) (RetentionRun, error) {
	if s.Jobs == nil {
		return RetentionRun{}, apperr.New(apperr.KindUnavailable, "jobs_unavailable", "background jobs are not running")
	}
	run := RetentionRun{ID: ids.New("ret"), OrgID: orgID, StartedAt: s.nowMS(), State: jobs.Queued, Planned: map[string]int64{}, Deleted: map[string]int64{}}
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		jid, err := s.Jobs.Enqueue(ctx, JobRetention, retentionPayload{OrgID: orgID, RunID: run.ID}, jobs.Options{Key: key, MaxAttempts: 20})
		if err != nil {
			return err
		}
		// The day's run exists already (the schedule ran again, or another
		// node ran it): that one, not a second row for the same job.
		if key != "" {
			if cur, err := runOfJob(ctx, s.DB, jid); err == nil {
				run = cur
				return nil
			} else if !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
		run.JobID = jid
		if err := insertRun(ctx, s.DB, run); err != nil {
			return err
		}
		if actor.From(ctx) != nil {
			return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.retention.run", TargetKind: "retention_run", TargetID: run.ID})
		}
		return nil
	})
	return run, err
}

// RetentionRuns lists the caller's org's recent runs.
func (s *Service) RetentionRuns(ctx context.Context) ([]RetentionRun, error) {
	a, err := s.admin(ctx, PermManageRetention)
	if err != nil {
		return nil, err
	}
	runs, err := listRuns(ctx, s.DB, a.OrgID)
	if err != nil {
		return nil, err
	}
	for i := range runs {
		if info, err := s.Jobs.Get(ctx, runs[i].JobID); err == nil {
			runs[i].State, runs[i].Progress = info.State, info.Progress
		}
	}
	return nonNil(runs), nil
}

// runRetentionSchedule starts a run for every org (and the deployment)
// that has policies or overrides.
func (s *Service) runRetentionSchedule(ctx context.Context, j *jobs.Job) error {
	orgs, err := orgsWithRetention(ctx, s.DB)
	if err != nil {
		return err
	}
	day := s.now().UTC().Format("2006-01-02")
	for _, o := range orgs {
		if _, err := s.startRetention(ctx, o, "daily:"+o+":"+day); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) runRetention(ctx context.Context, j *jobs.Job) error {
	var p retentionPayload
	if err := j.Decode(&p); err != nil {
		return jobs.Permanent(err)
	}
	var cp retentionCheckpoint
	if j.Checkpoint != "" {
		if err := json.Unmarshal([]byte(j.Checkpoint), &cp); err != nil {
			return jobs.Permanent(err)
		}
	} else {
		// First attempt: fix the plan (cutoffs, overrides, holds) now, so
		// that a resumed run deletes exactly what this one planned.
		cur, err := s.retentionOf(ctx, p.OrgID)
		if err != nil {
			return err
		}
		pl, err := s.makePlan(ctx, p.OrgID, cur.Policies, cur.Overrides, s.nowMS())
		if err != nil {
			return err
		}
		cp = retentionCheckpoint{Plan: pl, Deleted: map[string]int64{}}
		planned := map[string]int64{}
		for _, st := range pl.Steps {
			n, err := s.sweep(ctx, p.OrgID, st, true, 0)
			if err != nil {
				return err
			}
			planned[st.Class] += n
		}
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			if err := setRunPlanned(ctx, s.DB, p.RunID, planned); err != nil {
				return err
			}
			b, _ := json.Marshal(cp)
			return j.Save(ctx, string(b), 1)
		})
		if err != nil {
			return err
		}
	}
	for cp.Step < len(cp.Plan.Steps) {
		if err := ctx.Err(); err != nil {
			return err
		}
		st := cp.Plan.Steps[cp.Step]
		n := 0
		err := s.DB.Tx(ctx, func(ctx context.Context) error {
			deleted, err := s.sweep(ctx, p.OrgID, st, false, RetentionBatch)
			if err != nil {
				return err
			}
			n = int(deleted)
			cp.Deleted[st.Class] += deleted
			if n < RetentionBatch {
				cp.Step++
			}
			b, _ := json.Marshal(cp)
			return j.Save(ctx, string(b), 1+cp.Step*98/max(1, len(cp.Plan.Steps)))
		})
		if err != nil {
			return err
		}
	}
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := finishRun(ctx, s.DB, p.RunID, cp.Deleted, s.nowMS()); err != nil {
			return err
		}
		det := map[string]any{"run_id": p.RunID, "deleted": cp.Deleted, "steps": len(cp.Plan.Steps), "cutoff_now": cp.Plan.Now}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: p.OrgID, Action: "privacy.retention.summary", TargetKind: "retention_run", TargetID: p.RunID, Details: det})
	})
	if err != nil {
		return err
	}
	return s.DB.Checkpoint(ctx)
}

// GetRun returns a run of the caller's org.
func (s *Service) GetRun(ctx context.Context, id string) (RetentionRun, error) {
	a, err := s.adminOver(ctx, PermManageRetention)
	if err != nil {
		return RetentionRun{}, err
	}
	r, err := getRun(ctx, s.DB, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && r.OrgID != a.OrgID) {
		return RetentionRun{}, apperr.ErrNotFound
	}
	if err == nil && s.Jobs != nil {
		if info, err := s.Jobs.Get(ctx, r.JobID); err == nil {
			r.State, r.Progress = info.State, info.Progress
		}
	}
	return r, err
}

// ---- legal holds ----------------------------------------------------------------

// Hold targets.
const (
	HoldMember       = "member"
	HoldConversation = "conversation"
)

// Hold is a legal hold.
type Hold struct {
	ID         string `json:"id"`
	OrgID      string `json:"org_id"`
	TargetKind string `json:"target_kind"`
	TargetID   string `json:"target_id"`
	// TargetName is the target's name where its domain names it (a
	// group's); members are named by the directory.
	TargetName string `json:"target_name,omitempty"`
	AccountID  string `json:"account_id,omitempty"`
	Reason     string `json:"reason"`
	CreatedBy  string `json:"created_by"`
	CreatedAt  int64  `json:"created_at"`
	ReleasedAt int64  `json:"released_at,omitempty"`
	ReleasedBy string `json:"released_by,omitempty"`
}

// NewHold places a hold: on a member (by member id) or a conversation.
type NewHold struct {
	TargetKind string `json:"target_kind"`
	TargetID   string `json:"target_id"`
	Reason     string `json:"reason"`
}

// PlaceHold places a legal hold in the caller's org.
func (s *Service) PlaceHold(ctx context.Context, in NewHold) (Hold, error) {
	a, err := s.admin(ctx, PermManageLegalHolds)
	if err != nil {
		return Hold{}, err
	}
	if len(in.Reason) > 2000 {
		return Hold{}, apperr.InvalidField("reason", "the reason is longer than 2000 characters")
	}
	h := Hold{ID: ids.New("hld"), OrgID: a.OrgID, TargetKind: in.TargetKind, TargetID: in.TargetID, Reason: in.Reason,
		CreatedBy: a.AccountID, CreatedAt: s.nowMS()}
	switch in.TargetKind {
	case HoldMember, HoldConversation:
		acc, ok, err := s.holdTarget(ctx, a.OrgID, in.TargetKind, in.TargetID)
		if !ok || err != nil {
			return Hold{}, apperr.ErrNotFound
		}
		h.AccountID = acc
	default:
		return Hold{}, apperr.InvalidField("target_kind", "target_kind must be member or conversation")
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertHold(ctx, s.DB, h); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.hold.place", TargetKind: in.TargetKind, TargetID: in.TargetID,
			Details: map[string]any{"hold_id": h.ID}})
	})
	return h, err
}

// ReleaseHold releases a hold; erasures that waited on it run now.
func (s *Service) ReleaseHold(ctx context.Context, id string) (Hold, error) {
	a, err := s.adminOver(ctx, PermManageLegalHolds)
	if err != nil {
		return Hold{}, err
	}
	var h Hold
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		h, err = getHold(ctx, s.DB, id)
		if errors.Is(err, db.ErrNotFound) || (err == nil && h.OrgID != a.OrgID) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if h.ReleasedAt != 0 {
			return apperr.Conflict("hold_released", "this hold is already released")
		}
		h.ReleasedAt, h.ReleasedBy = s.nowMS(), a.AccountID
		if err := releaseHold(ctx, s.DB, id, h.ReleasedAt, h.ReleasedBy); err != nil {
			return err
		}
		// Wake the erasures that waited.
		waiting, err := listLedger(ctx, s.DB, ledgerFilter{Status: LedgerWaitingHold})
		if err != nil {
			return err
		}
		for _, e := range waiting {
			if e.OrgID != "" && e.OrgID != h.OrgID && e.Kind != EraseAccount {
				continue
			}
			if err := setLedgerStatus(ctx, s.DB, e.ID, LedgerScheduled, 0); err != nil {
				return err
			}
			if s.Jobs != nil {
				if _, err := s.Jobs.Enqueue(ctx, JobErase, erasePayload{LedgerID: e.ID}, jobs.Options{MaxAttempts: 20}); err != nil {
					return err
				}
			}
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: a.OrgID, Action: "privacy.hold.release", TargetKind: h.TargetKind, TargetID: h.TargetID,
			Details: map[string]any{"hold_id": h.ID}})
	})
	return h, err
}

// Holds lists the caller's org's holds.
func (s *Service) Holds(ctx context.Context) ([]Hold, error) {
	a, err := s.admin(ctx, PermManageLegalHolds)
	if err != nil {
		return nil, err
	}
	list, err := listHolds(ctx, s.DB, a.OrgID)
	for i := range list {
		if n := s.holdNamer(list[i].TargetKind); n != nil {
			list[i].TargetName = n.HoldTargetName(ctx, a.OrgID, list[i].TargetKind, list[i].TargetID)
		}
	}
	return nonNil(list), err
}

// MaxHoldTargets bounds one answer of FindHoldTargets.
const MaxHoldTargets = 20

// FindHoldTargets finds what a legal hold can be placed on by name:
// kind "conversation" (the default) searches the organization's groups.
// Members are found with the directory's member search.
func (s *Service) FindHoldTargets(ctx context.Context, kind, q string) ([]datamap.NamedTarget, error) {
	a, err := s.admin(ctx, PermManageLegalHolds)
	if err != nil {
		return nil, err
	}
	if kind == "" {
		kind = HoldConversation
	}
	n := s.holdNamer(kind)
	if n == nil {
		return nil, apperr.InvalidField("kind", "kind must be conversation (find members with GET /api/v1/members)")
	}
	if len(q) > 200 {
		return nil, apperr.InvalidField("q", "q is longer than 200 characters")
	}
	return n.FindHoldTargets(ctx, a.OrgID, kind, q, MaxHoldTargets)
}

// holdNamer returns the contract that names hold targets of kind, or nil.
func (s *Service) holdNamer(kind string) datamap.HoldNamer {
	for _, c := range s.Contracts() {
		t, ok := c.(datamap.HoldTargets)
		if !ok || !slices.Contains(t.HoldKinds(), kind) {
			continue
		}
		if n, ok := c.(datamap.HoldNamer); ok {
			return n
		}
	}
	return nil
}

// heldIn returns the conversations and subject ids held in an org.
func (s *Service) heldIn(ctx context.Context, orgID string) (convs, subjects []string, err error) {
	hs, err := activeHolds(ctx, s.DB, holdFilter{OrgID: orgID})
	if err != nil {
		return nil, nil, err
	}
	for _, h := range hs {
		switch h.TargetKind {
		case HoldConversation:
			convs = append(convs, h.TargetID)
		case HoldMember:
			subjects = append(subjects, h.TargetID)
			if h.AccountID != "" {
				subjects = append(subjects, h.AccountID)
			}
		}
	}
	sort.Strings(convs)
	sort.Strings(subjects)
	return convs, subjects, nil
}

// heldOrgsOf lists the organizations where a legal hold is on the person.
func (s *Service) heldOrgsOf(ctx context.Context, accountID string) ([]string, error) {
	hs, err := activeHolds(ctx, s.DB, holdFilter{AccountID: accountID})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range hs {
		if h.OrgID != "" && !slices.Contains(out, h.OrgID) {
			out = append(out, h.OrgID)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *Service) accountHeld(ctx context.Context, accountID string) (bool, error) {
	hs, err := activeHolds(ctx, s.DB, holdFilter{AccountID: accountID})
	return len(hs) > 0, err
}

// MemberHeld reports whether a person is under a legal hold in an
// organization, for domains that delete on a schedule of their own (the
// drive's trash period).
func (s *Service) MemberHeld(ctx context.Context, orgID, accountID string) (bool, error) {
	return s.memberHeld(ctx, orgID, accountID, "")
}

func (s *Service) memberHeld(ctx context.Context, orgID, accountID, memberID string) (bool, error) {
	hs, err := activeHolds(ctx, s.DB, holdFilter{OrgID: orgID})
	if err != nil {
		return false, err
	}
	for _, h := range hs {
		if h.TargetKind == HoldMember && (h.AccountID == accountID || (memberID != "" && h.TargetID == memberID)) {
			return true, nil
		}
	}
	return false, nil
}

func (s *Service) orgHeld(ctx context.Context, orgID string) (bool, error) {
	hs, err := activeHolds(ctx, s.DB, holdFilter{OrgID: orgID})
	return len(hs) > 0, err
}

func (s *Service) conversationHeld(ctx context.Context, convID string) (bool, error) {
	if convID == "" {
		return false, nil
	}
	hs, err := activeHolds(ctx, s.DB, holdFilter{TargetKind: HoldConversation, TargetID: convID})
	return len(hs) > 0, err
}

// UnderLegalHold implements keyring.HoldChecker: a person's key is held
// while any of their memberships is, an organization's while anything in it
// is.
func (s *Service) UnderLegalHold(ctx context.Context, owner string) (bool, error) {
	switch {
	case strings.HasPrefix(owner, "acc_"):
		return s.accountHeld(ctx, owner)
	case strings.HasPrefix(owner, "org_"):
		return s.orgHeld(ctx, owner)
	}
	return false, nil
}
