package approval

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// The engine: a request's state under its row lock, and the moves that
// change it. A step's tasks form chains by waits_for (a sequential step
// is one chain; adding an approver before or after someone splices them
// in); a task becomes pending when the one it waits for is approved. An
// any-one step closes at the first approval that nobody waits behind; a
// sequential or all-must step closes when no task is open. A rejection
// closes the step and the request.

// Request statuses.
const (
	StatusPending   = "pending"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusWithdrawn = "withdrawn"
	StatusReturned  = "returned"
)

// Step and task statuses.
const (
	StepWaiting  = "waiting"
	StepActive   = "active"
	StepApproved = "approved"
	StepRejected = "rejected"
	StepSkipped  = "skipped"
	StepReturned = "returned"

	TaskPlanned     = "planned"
	TaskWaiting     = "waiting"
	TaskPending     = "pending"
	TaskApproved    = "approved"
	TaskRejected    = "rejected"
	TaskTransferred = "transferred"
	TaskSkipped     = "skipped"
)

// state is a request with its steps, the tasks of its current round and
// its flow, loaded under the request's lock.
type state struct {
	req   reqRow
	steps []stepRow
	tasks []taskRow
	flow  Flow
	// builtin is the key of a built-in template ("" for the
	// organization's own).
	builtin string
	// todo are the accounts whose tasks became pending.
	todo []string
	// decided is set when the request reached a final status.
	decided bool
}

// load locks a request and reads its state (404 when it does not exist).
func (s *Service) load(ctx context.Context, orgID, id string) (*state, error) {
	x, err := lockRequest(ctx, s.DB, orgID, id)
	if err != nil {
		return nil, apperr.MapNotFound(err)
	}
	st := &state{req: x}
	if st.steps, err = listSteps(ctx, s.DB, x.ID); err != nil {
		return nil, err
	}
	if st.tasks, err = listTasks(ctx, s.DB, x.ID, x.Round); err != nil {
		return nil, err
	}
	v, err := getVersion(ctx, s.DB, orgID, x.TemplateID, x.Version)
	if err != nil {
		return nil, err
	}
	st.flow, st.builtin = flowOf(v.Flow), v.Builtin
	return st, nil
}

// active returns the index of the active step, or -1.
func (st *state) active() int {
	return slices.IndexFunc(st.steps, func(s stepRow) bool { return s.Status == StepActive })
}

// stepOf returns the index of a step by its position idx.
func (st *state) stepOf(idx int) *stepRow {
	for i := range st.steps {
		if st.steps[i].Idx == idx {
			return &st.steps[i]
		}
	}
	return nil
}

// task returns a task of the current round by id.
func (st *state) task(id string) *taskRow {
	for i := range st.tasks {
		if st.tasks[i].ID == id {
			return &st.tasks[i]
		}
	}
	return nil
}

// open reports whether a task still needs a decision.
func open(t taskRow) bool { return t.Status == TaskPending || t.Status == TaskWaiting }

// note appends an entry to a request's history, its comment sealed.
func (s *Service) note(ctx context.Context, st *state, actorID, action, stepID, comment string, detail map[string]any) error {
	e := eventRow{ID: ids.New("ape"), RequestID: st.req.ID, OrgID: st.req.OrgID, At: s.now(), ActorID: actorID, Action: action, StepID: stepID, Detail: "{}"}
	if detail != nil {
		b, _ := json.Marshal(detail)
		e.Detail = string(b)
	}
	if comment != "" {
		var err error
		if e.Comment, e.CommentKey, err = s.seal(ctx, st.req.OrgID, eventAAD(e.ID), []byte(comment)); err != nil {
			return err
		}
	}
	return insertEvent(ctx, s.DB, e)
}

// newTask adds a task to the current round.
func (s *Service) newTask(ctx context.Context, st *state, idx, seq int, p Person, status, waitsFor, origin string) (*taskRow, error) {
	now := s.now()
	t := taskRow{ID: ids.New("apk"), RequestID: st.req.ID, OrgID: st.req.OrgID, StepIdx: idx, Round: st.req.Round, Seq: seq,
		ApproverID: p.AccountID, MemberID: p.MemberID, Status: status, WaitsFor: waitsFor, Origin: origin, CreatedAt: now}
	if status == TaskPending {
		t.ActivatedAt = now
		st.todo = append(st.todo, p.AccountID)
	}
	if err := insertTask(ctx, s.DB, t); err != nil {
		return nil, err
	}
	st.tasks = append(st.tasks, t)
	return &st.tasks[len(st.tasks)-1], nil
}

// openStep activates a step: its planned approvers who are still active
// get tasks (those who left go to their supervisor, or the approval
// admins), all pending, or one after another for a sequential step.
func (s *Service) openStep(ctx context.Context, st *state, sr *stepRow) error {
	now := s.now()
	sr.Status, sr.ActivatedAt = StepActive, now
	st.req.CurrentStep = sr.StepID
	prev, taken := "", map[string]bool{}
	for i := range st.tasks {
		t := &st.tasks[i]
		if t.StepIdx != sr.Idx || t.Status != TaskPlanned {
			continue
		}
		if len(s.activeMembers(ctx, st.req.OrgID, []string{t.MemberID})) == 0 {
			sub, err := s.substitute(ctx, st.req.OrgID, Person{MemberID: t.MemberID, AccountID: t.ApproverID})
			if err != nil {
				return err
			}
			if err := s.note(ctx, st, "", "reassigned", sr.StepID, "", map[string]any{"from": t.MemberID, "to": sub.MemberID, "reason": "inactive"}); err != nil {
				return err
			}
			t.ApproverID, t.MemberID, t.Origin = sub.AccountID, sub.MemberID, "reassigned"
		}
		if t.ApproverID != "" {
			d, ok, err := s.delegate(ctx, st.req.OrgID, t.ApproverID)
			if err != nil {
				return err
			}
			// A delegate does not approve their own request: it stays with
			// the approver they stand in for.
			if ok && d.AccountID != st.req.ApplicantID {
				if err := s.note(ctx, st, "", "reassigned", sr.StepID, "", map[string]any{"from": t.MemberID, "to": d.MemberID, "reason": "delegation"}); err != nil {
					return err
				}
				t.OnBehalfOf, t.ApproverID, t.MemberID = t.ApproverID, d.AccountID, d.MemberID
			}
		}
		if t.ApproverID == "" || taken[t.ApproverID] {
			if _, err := decideTask(ctx, s.DB, t.ID, TaskSkipped, []string{TaskPlanned}, nil, "", now); err != nil {
				return err
			}
			t.Status, t.DecidedAt = TaskSkipped, now
			continue
		}
		taken[t.ApproverID] = true
		t.Status, t.ActivatedAt = TaskPending, now
		if sr.Mode == ModeSequential && prev != "" {
			t.Status, t.WaitsFor, t.ActivatedAt = TaskWaiting, prev, 0
		}
		if err := planTask(ctx, s.DB, *t); err != nil {
			return err
		}
		if err := s.setDue(ctx, st, t); err != nil {
			return err
		}
		if t.Status == TaskPending {
			st.todo = append(st.todo, t.ApproverID)
		}
		prev = t.ID
	}
	if err := setStep(ctx, s.DB, *sr); err != nil {
		return err
	}
	if !slices.ContainsFunc(st.tasks, func(t taskRow) bool { return t.StepIdx == sr.Idx && open(t) }) {
		// Everyone left and nobody stands in: the step cannot be decided.
		sr.Status, sr.Reason, sr.DecidedAt = StepSkipped, ReasonNoApprover, now
		if err := setStep(ctx, s.DB, *sr); err != nil {
			return err
		}
		return s.note(ctx, st, "", "skipped", sr.StepID, "", map[string]any{"reason": ReasonNoApprover})
	}
	return nil
}

// plan writes the planned tasks of a round's steps from their resolved
// approvers.
func (s *Service) plan(ctx context.Context, st *state, steps []resolvedStep, from int) error {
	for i, r := range steps {
		if i < from || r.Skipped {
			continue
		}
		for seq, p := range r.People {
			if _, err := s.newTask(ctx, st, i, seq, p, TaskPlanned, "", ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// substitute is who takes over from an approver who left: their active
// supervisor, or else the first of the organization's approval admins.
func (s *Service) substitute(ctx context.Context, orgID string, p Person) (Person, error) {
	chain, err := s.Directory.Supervisors(ctx, orgID, p.MemberID)
	if err != nil {
		return Person{}, err
	}
	for _, l := range chain {
		if l.Active && l.AccountID != p.AccountID {
			return l.Person, nil
		}
	}
	admins, err := s.admins(ctx, orgID)
	if err != nil {
		return Person{}, err
	}
	for _, a := range admins {
		if a.AccountID != p.AccountID {
			return a, nil
		}
	}
	return Person{}, nil
}

// advance moves a request on as far as it goes by itself: it opens the
// next step when none is active, approves the tasks the flow approves by
// itself, and approves the request when no step is left.
func (s *Service) advance(ctx context.Context, st *state) error {
	for range 1000 {
		i := st.active()
		if i < 0 {
			next := slices.IndexFunc(st.steps, func(s stepRow) bool { return s.Status == StepWaiting })
			if next < 0 {
				return s.finish(ctx, st, StatusApproved)
			}
			if err := s.openStep(ctx, st, &st.steps[next]); err != nil {
				return err
			}
			continue
		}
		t := s.autoTask(st, st.steps[i])
		if t == nil {
			return nil
		}
		detail := map[string]any{"approver": t.MemberID}
		if err := s.note(ctx, st, t.ApproverID, "auto_approved", st.steps[i].StepID, "", detail); err != nil {
			return err
		}
		if err := s.approve(ctx, st, t, TaskApproved, ""); err != nil {
			return err
		}
	}
	return apperr.Internalf("approval: request %s does not settle", st.req.ID)
}

// autoTask returns a pending task of the step that the flow approves by
// itself: its approver is the applicant, or approved an earlier step of
// this round.
func (s *Service) autoTask(st *state, sr stepRow) *taskRow {
	aa := st.flow.AutoApprove
	for i := range st.tasks {
		t := &st.tasks[i]
		if t.StepIdx != sr.Idx || t.Status != TaskPending {
			continue
		}
		if aa.Applicant && t.ApproverID == st.req.ApplicantID {
			return t
		}
		if aa.Repeated && slices.ContainsFunc(st.tasks, func(o taskRow) bool {
			return o.StepIdx < sr.Idx && o.ApproverID == t.ApproverID && o.Status == TaskApproved
		}) {
			return t
		}
	}
	return nil
}

// approve records a task's approval (409 step_closed when someone closed
// it first), wakes the tasks waiting for it, and closes its step when it
// is done.
func (s *Service) approve(ctx context.Context, st *state, t *taskRow, status, comment string) error {
	box, key, err := s.sealComment(ctx, st.req.OrgID, taskAAD(t.ID), comment)
	if err != nil {
		return err
	}
	now := s.now()
	ok, err := decideTask(ctx, s.DB, t.ID, status, []string{TaskPending}, box, key, now)
	if err != nil {
		return err
	}
	if !ok {
		return errStepClosed
	}
	t.Status, t.DecidedAt = status, now
	sr := st.stepOf(t.StepIdx)
	if status == TaskRejected {
		return s.closeStep(ctx, st, sr, StepRejected)
	}
	woke := false
	for i := range st.tasks {
		w := &st.tasks[i]
		if w.Status == TaskWaiting && w.WaitsFor == t.ID {
			if err := activateTask(ctx, s.DB, w.ID, now); err != nil {
				return err
			}
			w.Status, w.ActivatedAt, woke = TaskPending, now, true
			st.todo = append(st.todo, w.ApproverID)
		}
	}
	done := sr.Mode == ModeAny && !woke
	if !done {
		done = !slices.ContainsFunc(st.tasks, func(o taskRow) bool { return o.StepIdx == sr.Idx && open(o) })
	}
	if done {
		return s.closeStep(ctx, st, sr, StepApproved)
	}
	return nil
}

// closeStep ends a step: its open tasks are skipped; a rejected step ends
// the request.
func (s *Service) closeStep(ctx context.Context, st *state, sr *stepRow, status string) error {
	now := s.now()
	for i := range st.tasks {
		o := &st.tasks[i]
		if o.StepIdx == sr.Idx && open(*o) {
			if _, err := decideTask(ctx, s.DB, o.ID, TaskSkipped, []string{TaskPending, TaskWaiting}, nil, "", now); err != nil {
				return err
			}
			o.Status, o.DecidedAt = TaskSkipped, now
		}
	}
	sr.Status, sr.DecidedAt = status, now
	if err := setStep(ctx, s.DB, *sr); err != nil {
		return err
	}
	if status == StepRejected {
		return s.finish(ctx, st, StatusRejected)
	}
	return nil
}

// finish gives a request its final status: open tasks are skipped, the
// end's copies go out, and the applicant is told.
func (s *Service) finish(ctx context.Context, st *state, status string) error {
	now := s.now()
	if err := closeOpenTasks(ctx, s.DB, st.req.ID, st.req.Round, now); err != nil {
		return err
	}
	for i := range st.tasks {
		if open(st.tasks[i]) {
			st.tasks[i].Status, st.tasks[i].DecidedAt = TaskSkipped, now
		}
	}
	st.req.Status, st.req.FinishedAt, st.req.CurrentStep, st.decided = status, now, "", true
	if status == StatusApproved {
		if err := s.note(ctx, st, "", "approved", "", "", map[string]any{"final": true}); err != nil {
			return err
		}
		if err := s.announceApproved(ctx, st); err != nil {
			return err
		}
	}
	if status != StatusWithdrawn && st.flow.CC.At == "end" {
		if err := s.copyTo(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// copyTo copies a request to the flow's CC recipients.
func (s *Service) copyTo(ctx context.Context, st *state) error {
	cc := st.flow.CC
	people := s.activeMembers(ctx, st.req.OrgID, cc.MemberIDs)
	for _, r := range cc.RoleIDs {
		ps, err := s.Directory.Audience(ctx, st.req.OrgID, Audience{RoleIDs: []string{r}})
		if err == nil {
			people = append(people, ps...)
		}
	}
	if cc.Supervisor {
		chain, err := s.Directory.Supervisors(ctx, st.req.OrgID, st.req.MemberID)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(chain, func(l Link) bool { return l.Active }); i >= 0 {
			people = append(people, chain[i].Person)
		}
	}
	var added []string
	for _, p := range dedupe(people) {
		if p.AccountID == st.req.ApplicantID {
			continue
		}
		ok, err := insertCC(ctx, s.DB, st.req.ID, st.req.OrgID, p, s.now())
		if err != nil {
			return err
		}
		if ok {
			added = append(added, p.MemberID)
			if err := s.publish(ctx, st.req.OrgID, "approval.cc", map[string]string{"id": st.req.ID, "org_id": st.req.OrgID}, []string{p.AccountID}); err != nil {
				return err
			}
		}
	}
	if len(added) == 0 {
		return nil
	}
	return s.note(ctx, st, "", "cc", "", "", map[string]any{"member_ids": added})
}

var (
	errStepClosed  = apperr.Conflict("step_closed", "this step was already decided")
	errNotYourTurn = apperr.Forbidden("not_your_turn", "this request is not waiting for you")
	errNotPending  = apperr.Conflict("not_pending", "this request is no longer pending")
)
