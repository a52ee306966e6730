package approval

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Requests: filed on a template version the applicant may use, resolved
// to steps at once, seen by the applicant, the flow's approvers, the
// people it was copied to and holders of manage_approvals only.

// PersonRef names a member.
type PersonRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// StepRef names a step.
type StepRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Summary is a request in a list.
type Summary struct {
	ID           string    `json:"id"`
	TemplateID   string    `json:"template_id"`
	TemplateName string    `json:"template_name"`
	Title        string    `json:"title"`
	Applicant    PersonRef `json:"applicant"`
	Status       string    `json:"status"`
	// CurrentStep is the active step (null when none is).
	CurrentStep *StepRef `json:"current_step"`
	SubmittedAt int64    `json:"submitted_at"`
	UpdatedAt   int64    `json:"updated_at"`
}

// Request is one request as the caller sees it.
type Request struct {
	Summary
	Version int `json:"version"`
	// Fields are the fields of its template version the caller may see.
	Fields   Schema      `json:"fields"`
	Form     Values      `json:"form"`
	Steps    []StepView  `json:"steps"`
	CC       []PersonRef `json:"cc"`
	Timeline []Entry     `json:"timeline"`
	Comments []Comment   `json:"comments"`
	Can      Can         `json:"can"`
}

// StepView is a step of a request with the tasks of its current round.
type StepView struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Mode   string     `json:"mode"`
	Status string     `json:"status"`
	Reason string     `json:"reason,omitempty"`
	Tasks  []TaskView `json:"tasks"`
}

// TaskView is one approver's task.
type TaskView struct {
	Approver PersonRef `json:"approver"`
	// OnBehalfOf is the approver a delegate acts for.
	OnBehalfOf *PersonRef `json:"on_behalf_of,omitempty"`
	Status     string     `json:"status"`
	DecidedAt  int64      `json:"decided_at"`
	Comment    string     `json:"comment"`
}

// Entry is one entry of a request's timeline.
type Entry struct {
	At     int64          `json:"at"`
	Actor  *PersonRef     `json:"actor"`
	Action string         `json:"action"`
	StepID string         `json:"step_id"`
	Detail map[string]any `json:"detail"`
	// Comment is what the actor wrote.
	Comment string `json:"comment"`
}

// Can says what the caller may do with a request now.
type Can struct {
	Approve     bool `json:"approve"`
	Reject      bool `json:"reject"`
	Withdraw    bool `json:"withdraw"`
	Return      bool `json:"return"`
	Transfer    bool `json:"transfer"`
	AddApprover bool `json:"add_approver"`
	Urge        bool `json:"urge"`
	Comment     bool `json:"comment"`
}

// SubmitInput is the body of POST /api/v1/approvals.
type SubmitInput struct {
	TemplateID string          `json:"template_id"`
	Form       json.RawMessage `json:"form"`
	// Chosen are the approvers the applicant picks, by step id (for
	// applicant_choice steps).
	Chosen map[string][]string `json:"chosen,omitempty"`
	// ClientID makes retries idempotent: the same applicant and client id
	// return the request filed first.
	ClientID string `json:"client_id,omitempty"`
}

// resolver checks the references of a request's form values and
// collects the files they name.
type resolver struct {
	s     *Service
	orgID string
	files *fileIDs
}

func (r resolver) Members(ctx context.Context, ids []string) error {
	if _, err := r.s.Directory.Audience(ctx, r.orgID, Audience{MemberIDs: ids}); err != nil {
		return apperr.Invalid("invalid_form", "names someone who is not an active member")
	}
	return nil
}

func (r resolver) Departments(ctx context.Context, ids []string) error {
	if _, err := r.s.Directory.Audience(ctx, r.orgID, Audience{DepartmentIDs: ids}); err != nil {
		return apperr.Invalid("invalid_form", "names a department that is not in the organization")
	}
	return nil
}

func (r resolver) Files(_ context.Context, ids []string) error {
	if r.files != nil {
		r.files.add(ids)
	}
	return nil
}

// Submit files a request on a template version and starts its flow.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (Request, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Request{}, err
	}
	if err := s.seedBuiltins(ctx, a.OrgID); err != nil {
		return Request{}, err
	}
	if in.ClientID, err = safetext.Field("client_id", in.ClientID, 0, 100, false); err != nil {
		return Request{}, err
	}
	if in.ClientID != "" {
		// A client id is the applicant's in one organization: the same one
		// used in another files a new request there.
		if id, err := requestByClientID(ctx, s.DB, a.OrgID, a.AccountID, in.ClientID); err == nil {
			return s.Get(ctx, id)
		} else if !errors.Is(err, db.ErrNotFound) {
			return Request{}, err
		}
	}
	t, err := s.loadTemplate(ctx, a.OrgID, in.TemplateID)
	if err != nil {
		return Request{}, err
	}
	if err := s.mayFile(ctx, a, t); err != nil {
		return Request{}, err
	}
	files := &fileIDs{}
	values, err := schemaOf(t.Fields).Check(ctx, in.Form, resolver{s, a.OrgID, files})
	if err != nil {
		return Request{}, err
	}
	app, err := s.facts(ctx, a)
	if err != nil {
		return Request{}, err
	}
	flow := flowOf(t.Flow)
	steps, err := s.resolve(ctx, a.OrgID, app, flow, schemaOf(t.Fields), values, in.Chosen)
	if err != nil {
		return Request{}, err
	}
	now := s.now()
	x := reqRow{ID: ids.New("apr"), OrgID: a.OrgID, TemplateID: t.ID, Version: t.Version, ApplicantID: a.AccountID, MemberID: a.MemberID,
		Title: t.Name, Status: StatusPending, ClientID: in.ClientID, SubmittedAt: now, UpdatedAt: now}
	if len(app.Departments) > 0 {
		x.DepartmentID = app.Departments[0]
	}
	chosen, _ := json.Marshal(orEmptyMap(in.Chosen))
	x.Chosen = string(chosen)
	form, _ := json.Marshal(values)
	if x.Form, x.FormKey, err = s.seal(ctx, a.OrgID, formAAD(x.ID), form); err != nil {
		return Request{}, err
	}
	var filed *state
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertRequest(ctx, s.DB, x); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("duplicate_client_id", "a request with this client_id is being filed")
			}
			return err
		}
		if err := s.attach(ctx, a.OrgID, a.AccountID, x.ID, files.ids); err != nil {
			return err
		}
		st := &state{req: x, flow: flow, builtin: t.Builtin}
		if err := s.start(ctx, st, steps, a.AccountID, "submitted"); err != nil {
			return err
		}
		filed = st
		return s.record(ctx, a.OrgID, "approval.submit", "approval_request", x.ID, map[string]any{"template_id": t.ID, "version": t.Version})
	})
	if err != nil {
		return Request{}, err
	}
	s.sendCards(ctx, a.AccountID, filed)
	return s.Get(ctx, x.ID)
}

func orEmptyMap(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

// start writes a request's resolved steps, records who filed it (action
// submitted or resubmitted) and the skipped steps, copies it at
// submission when the flow says so, and moves it on.
func (s *Service) start(ctx context.Context, st *state, steps []resolvedStep, actorID, action string) error {
	rows := make([]stepRow, len(steps))
	for i, r := range steps {
		rows[i] = stepRow{RequestID: st.req.ID, OrgID: st.req.OrgID, Idx: i, StepID: r.ID, Name: r.Name, Mode: r.Mode,
			Status: StepWaiting, Reason: r.Reason}
		if r.Skipped {
			rows[i].Status = StepSkipped
		}
	}
	if err := insertSteps(ctx, s.DB, rows); err != nil {
		return err
	}
	st.steps = rows
	if err := s.plan(ctx, st, steps, 0); err != nil {
		return err
	}
	if err := s.note(ctx, st, actorID, action, "", "", nil); err != nil {
		return err
	}
	for _, r := range steps {
		switch {
		case r.Skipped:
			if err := s.note(ctx, st, "", "skipped", r.ID, "", map[string]any{"reason": r.Reason}); err != nil {
				return err
			}
		case r.Vacancies > 0:
			if err := s.note(ctx, st, "", "skipped", r.ID, "", map[string]any{"reason": "vacancy", "vacancies": r.Vacancies}); err != nil {
				return err
			}
		case r.Reason == ReasonAdmins:
			if err := s.note(ctx, st, "", "reassigned", r.ID, "", map[string]any{"reason": ReasonAdmins}); err != nil {
				return err
			}
		}
	}
	if st.flow.CC.At != "end" && action == "submitted" {
		if err := s.copyTo(ctx, st); err != nil {
			return err
		}
	}
	if err := s.advance(ctx, st); err != nil {
		return err
	}
	return s.save(ctx, st)
}

// save writes a request's state after a change and tells those it
// concerns.
func (s *Service) save(ctx context.Context, st *state) error {
	st.req.UpdatedAt = s.now()
	if err := updateRequest(ctx, s.DB, st.req); err != nil {
		return err
	}
	data := map[string]string{"id": st.req.ID, "org_id": st.req.OrgID, "status": st.req.Status, "current_step": st.req.CurrentStep}
	if len(st.todo) > 0 {
		if err := s.publish(ctx, st.req.OrgID, "approval.todo", data, st.todo); err != nil {
			return err
		}
	}
	if st.decided {
		if err := s.publish(ctx, st.req.OrgID, "approval.decided", data, []string{st.req.ApplicantID}); err != nil {
			return err
		}
	}
	to := []string{st.req.ApplicantID}
	for _, t := range st.tasks {
		if open(t) || t.DecidedAt >= st.req.UpdatedAt {
			to = append(to, t.ApproverID)
		}
	}
	cc, err := listCC(ctx, s.DB, st.req.ID)
	if err != nil {
		return err
	}
	for _, p := range cc {
		to = append(to, p.AccountID)
	}
	return s.publish(ctx, st.req.OrgID, "approval.updated", data, to)
}

// visible loads a request the caller may see: its applicant, an approver
// of it, someone it was copied to, or a holder of manage_approvals. It
// answers 404 to everyone else, exactly as for an id that does not exist.
func (s *Service) visible(ctx context.Context, a *actor.Actor, id string) (reqRow, error) {
	x, err := getRequest(ctx, s.DB, a.OrgID, id)
	if errors.Is(err, db.ErrNotFound) {
		return reqRow{}, apperr.ErrNotFound
	}
	if err != nil || x.ApplicantID == a.AccountID {
		return x, err
	}
	ok, err := involved(ctx, s.DB, x.ID, a.AccountID)
	if err != nil || ok {
		return x, err
	}
	if ok, err = s.may(ctx); err != nil {
		return reqRow{}, err
	}
	if !ok {
		return reqRow{}, apperr.ErrNotFound
	}
	return x, nil
}

// Get returns a request the caller may see.
func (s *Service) Get(ctx context.Context, id string) (Request, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Request{}, err
	}
	x, err := s.visible(ctx, a, id)
	if err != nil {
		return Request{}, err
	}
	return s.view(ctx, a, x)
}

// namer caches the names of a view.
type namer struct {
	s     *Service
	orgID string
	names map[string]string
}

func (n *namer) ref(accountID, memberID string) PersonRef {
	if _, ok := n.names[accountID]; !ok {
		n.names[accountID] = n.s.Directory.Name(context.Background(), n.orgID, accountID)
	}
	return PersonRef{ID: memberID, Name: n.names[accountID]}
}

// view builds what the caller sees of a request.
func (s *Service) view(ctx context.Context, a *actor.Actor, x reqRow) (Request, error) {
	steps, err := listSteps(ctx, s.DB, x.ID)
	if err != nil {
		return Request{}, err
	}
	all, err := listTasks(ctx, s.DB, x.ID, -1)
	if err != nil {
		return Request{}, err
	}
	evs, err := listEvents(ctx, s.DB, x.ID)
	if err != nil {
		return Request{}, err
	}
	cc, err := listCC(ctx, s.DB, x.ID)
	if err != nil {
		return Request{}, err
	}
	v, err := getVersion(ctx, s.DB, x.OrgID, x.TemplateID, x.Version)
	if err != nil {
		return Request{}, err
	}
	n := &namer{s: s, orgID: x.OrgID, names: map[string]string{}}
	members := map[string]string{x.ApplicantID: x.MemberID}
	for _, t := range all {
		members[t.ApproverID] = t.MemberID
	}
	for _, p := range cc {
		members[p.AccountID] = p.MemberID
	}
	r := Request{Summary: s.summary(n, x, steps), Version: x.Version, Steps: []StepView{}, CC: []PersonRef{}, Timeline: []Entry{}, Comments: []Comment{}}
	var hidden []string
	for _, sr := range steps {
		sv := StepView{ID: sr.StepID, Name: sr.Name, Mode: sr.Mode, Status: sr.Status, Reason: sr.Reason, Tasks: []TaskView{}}
		for _, t := range all {
			if t.Round != x.Round || t.StepIdx != sr.Idx {
				continue
			}
			status := t.Status
			if status == TaskPlanned {
				status = TaskWaiting
				if x.Status != StatusPending {
					status = TaskSkipped
				}
			}
			tv := TaskView{Approver: n.ref(t.ApproverID, t.MemberID), Status: status, DecidedAt: t.DecidedAt,
				Comment: string(s.open(ctx, t.CommentKey, taskAAD(t.ID), t.Comment))}
			if t.OnBehalfOf != "" {
				ref := n.ref(t.OnBehalfOf, s.Directory.Member(ctx, x.OrgID, t.OnBehalfOf))
				tv.OnBehalfOf = &ref
			}
			sv.Tasks = append(sv.Tasks, tv)
		}
		r.Steps = append(r.Steps, sv)
	}
	for _, p := range cc {
		r.CC = append(r.CC, n.ref(p.AccountID, p.MemberID))
	}
	for _, e := range evs {
		en := Entry{At: e.At, Action: e.Action, StepID: e.StepID, Detail: map[string]any{},
			Comment: string(s.open(ctx, e.CommentKey, eventAAD(e.ID), e.Comment))}
		_ = json.Unmarshal([]byte(e.Detail), &en.Detail)
		if e.ActorID != "" {
			m, ok := members[e.ActorID]
			if !ok {
				m = s.Directory.Member(ctx, x.OrgID, e.ActorID)
				members[e.ActorID] = m
			}
			ref := n.ref(e.ActorID, m)
			en.Actor = &ref
		}
		r.Timeline = append(r.Timeline, en)
	}
	manager := false
	if x.ApplicantID != a.AccountID {
		if manager, err = s.may(ctx); err != nil {
			return Request{}, err
		}
		hidden = hiddenFor(flowOf(v.Flow), steps, all, a.AccountID)
	}
	if manager {
		hidden = nil
	}
	form := Values{}
	_ = json.Unmarshal(s.open(ctx, x.FormKey, formAAD(x.ID), x.Form), &form)
	r.Fields, r.Form = visibleFields(schemaOf(v.Fields), form, hidden)
	r.Can = can(x, all, a.AccountID, s.now())
	comments, err := s.comments(ctx, n, x)
	if err != nil {
		return Request{}, err
	}
	r.Comments = comments
	return r, nil
}

// summary is a request as lists show it.
func (s *Service) summary(n *namer, x reqRow, steps []stepRow) Summary {
	sm := Summary{ID: x.ID, TemplateID: x.TemplateID, TemplateName: x.Title, Title: x.Title, Applicant: n.ref(x.ApplicantID, x.MemberID),
		Status: x.Status, SubmittedAt: x.SubmittedAt, UpdatedAt: x.UpdatedAt}
	if x.TemplateName != "" {
		sm.TemplateName = x.TemplateName
	}
	for _, sr := range steps {
		if sr.Status == StepActive {
			sm.CurrentStep = &StepRef{ID: sr.StepID, Name: sr.Name}
		}
	}
	return sm
}

// hiddenFor lists the fields the steps an approver is on hide from them;
// someone who is on no step hiding a field sees it.
func hiddenFor(f Flow, steps []stepRow, tasks []taskRow, accountID string) []string {
	var out []string
	for _, sr := range steps {
		if !slices.ContainsFunc(tasks, func(t taskRow) bool { return t.StepIdx == sr.Idx && t.ApproverID == accountID }) {
			continue
		}
		for _, fs := range f.Steps {
			if fs.ID == sr.StepID {
				out = append(out, fs.HiddenFields...)
			}
		}
	}
	return out
}

// visibleFields drops hidden fields from a schema and the values.
func visibleFields(s Schema, v Values, hidden []string) (Schema, Values) {
	kept := Schema{}
	for _, f := range s {
		if slices.Contains(hidden, f.ID) {
			delete(v, f.ID)
			continue
		}
		kept = append(kept, f)
	}
	return kept, v
}

// urgeEvery is how often an applicant may urge.
const urgeEvery = 3_600_000

// can says what an account may do with a request now.
func can(x reqRow, tasks []taskRow, accountID string, now int64) Can {
	mine := slices.ContainsFunc(tasks, func(t taskRow) bool {
		return t.Round == x.Round && t.ApproverID == accountID && t.Status == TaskPending
	})
	turn := x.Status == StatusPending && mine
	applicant := x.ApplicantID == accountID
	return Can{Approve: turn, Reject: turn, Return: turn, Transfer: turn, AddApprover: turn,
		Withdraw: applicant && (x.Status == StatusPending || x.Status == StatusReturned),
		Urge:     applicant && x.Status == StatusPending && now-x.UrgedAt >= urgeEvery,
		Comment:  true}
}
