package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Reports: written, saved as drafts, submitted (late ones marked) and
// edited within the template's window by their author; read by their
// recipients. Nobody else sees them.

// Report statuses.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
)

// Report is one report as the caller sees it.
type Report struct {
	ID           string `json:"id"`
	TemplateID   string `json:"template_id"`
	AuthorID     string `json:"author_id"`
	MemberID     string `json:"member_id"`
	DepartmentID string `json:"department_id"`
	// Period is the key of the period it reports on (2026-12-04,
	// 2026-W49, 2026-12; the report's id for custom templates).
	Period string `json:"period"`
	DueAt  int64  `json:"due_at"`
	Status string `json:"status"`
	// Values holds each field's value by field id: a string (text,
	// choice, date as YYYY-MM-DD), a number, or a list of file ids
	// (attachment).
	Values map[string]any `json:"values"`
	// Files describes the files the attachment fields name (in the answer
	// for one report, not in lists).
	Files []File `json:"files,omitempty"`
	// Plans is the "plans for the next period" section.
	Plans       string `json:"plans"`
	SubmittedAt int64  `json:"submitted_at"`
	Late        bool   `json:"late"`
	// EditedAt is when a submitted report was last edited (0: never).
	EditedAt int64 `json:"edited_at"`
	// EditableUntil is when its author can no longer edit it (0 for
	// drafts, which stay editable).
	EditableUntil int64 `json:"editable_until"`
	// ReadAt is the caller's own read time as a recipient (0: not yet).
	ReadAt int64 `json:"read_at"`
	// Readers is shown to the author only: who received it and when each
	// read it.
	Readers   []Reader `json:"readers,omitempty"`
	CreatedAt int64    `json:"created_at"`
	UpdatedAt int64    `json:"updated_at"`
}

// Reader is one recipient of a report and when they read it (0: not yet).
type Reader struct {
	AccountID string `json:"account_id"`
	MemberID  string `json:"member_id"`
	ReadAt    int64  `json:"read_at"`
}

// WriteInput is the body of POST /api/v1/reports: a draft, or a
// submitted report with submit. Period defaults to the template's
// current one.
type WriteInput struct {
	TemplateID string                     `json:"template_id"`
	Period     string                     `json:"period,omitempty"`
	Values     map[string]json.RawMessage `json:"values"`
	Plans      string                     `json:"plans,omitempty"`
	Submit     bool                       `json:"submit,omitempty"`
}

// EditInput is the body of PATCH /api/v1/reports/{id}: values replace
// the report's values when given; submit submits a draft.
type EditInput struct {
	Values map[string]json.RawMessage `json:"values,omitempty"`
	Plans  *string                    `json:"plans,omitempty"`
	Submit bool                       `json:"submit,omitempty"`
}

// Limits of a report.
const (
	MaxText  = 20_000
	MaxPlans = 20_000
)

// content is what is sealed: the values and the plans.
type content struct {
	Values map[string]any `json:"values"`
	Plans  string         `json:"plans"`
}

// checkValues validates values against a template's fields; on submit,
// required fields must be filled.
func checkValues(fields []Field, in map[string]json.RawMessage, submit bool) (map[string]any, error) {
	out := map[string]any{}
	for id := range in {
		if !slices.ContainsFunc(fields, func(f Field) bool { return f.ID == id }) {
			return nil, apperr.InvalidField("values", "the template has no such field").With("id", id)
		}
	}
	for _, f := range fields {
		raw, ok := in[f.ID]
		if ok && string(raw) != "null" {
			v, err := checkValue(f, raw)
			if err != nil {
				return nil, err
			}
			if v != "" {
				out[f.ID] = v
			}
		}
		if _, has := out[f.ID]; submit && f.Required && !has {
			return nil, apperr.InvalidField("values", "a required field is empty").With("id", f.ID)
		}
	}
	return out, nil
}

func checkValue(f Field, raw json.RawMessage) (any, error) {
	bad := func(msg string) error { return apperr.InvalidField("values", msg).With("id", f.ID) }
	if f.Kind == KindAttachment {
		l, err := checkFileIDs(f, raw)
		if err != nil || len(l) == 0 {
			return "", err // an empty list is no value
		}
		return l, nil
	}
	if f.Kind == KindNumber {
		var n float64
		if err := json.Unmarshal(raw, &n); err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, bad("a number field takes a number")
		}
		return n, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, bad("this field takes a string")
	}
	switch f.Kind {
	case KindText:
		t, err := safetext.Field("values", v, 0, MaxText, true)
		if err != nil {
			return nil, bad("a text field is at most 20000 characters, without control characters")
		}
		return t, nil
	case KindChoice:
		if v != "" && !slices.Contains(f.Options, v) {
			return nil, bad("not one of the field's options")
		}
	case KindDate:
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			return nil, bad("a date field takes YYYY-MM-DD")
		}
	}
	return v, nil
}

func contentAAD(id string) string { return "reports.content:" + id }

// seal stores c in x, sealed with the organization's key.
func (s *Service) seal(ctx context.Context, orgID, aad string, c any) ([]byte, string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, "", err
	}
	if s.Sealer == nil {
		return b, "", nil
	}
	box, err := s.Sealer.Seal(ctx, orgID, aad, b)
	if err != nil {
		return nil, "", fmt.Errorf("report: seal: %w", err)
	}
	return box, orgID, nil
}

// open opens sealed content into v; it stays empty when its key is gone.
func (s *Service) open(ctx context.Context, key, aad string, box []byte, v any) {
	b := box
	if key != "" {
		if s.Sealer == nil {
			return
		}
		var err error
		if b, err = s.Sealer.Open(ctx, key, aad, box); err != nil {
			s.Log.DebugContext(ctx, "report: content not readable", "aad", aad, "err", err)
			return
		}
	}
	_ = json.Unmarshal(b, v)
}

// view turns a stored report into what the caller sees.
func (s *Service) view(ctx context.Context, x repRow, editWindow int) Report {
	var c content
	s.open(ctx, x.ContentKey, contentAAD(x.ID), x.Content, &c)
	if c.Values == nil {
		c.Values = map[string]any{}
	}
	r := Report{ID: x.ID, TemplateID: x.TemplateID, AuthorID: x.AuthorID, MemberID: x.MemberID, DepartmentID: x.DepartmentID,
		Period: x.Period, DueAt: x.DueAt, Status: x.Status, Values: c.Values, Plans: c.Plans, SubmittedAt: x.SubmittedAt,
		Late: x.Late, EditedAt: x.EditedAt, ReadAt: x.ReadAt, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	if x.Status == StatusSubmitted {
		r.EditableUntil = x.SubmittedAt + int64(editWindow)*60_000
	}
	return r
}

// Write stores a new report: a draft, or submitted at once.
func (s *Service) Write(ctx context.Context, in WriteInput) (Report, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Report{}, err
	}
	// Another organization's template, an archived one and a missing one
	// are all 404.
	t, err := s.loadTemplate(ctx, a.OrgID, in.TemplateID, false)
	if err != nil {
		return Report{}, err
	}
	now := s.now()
	x := repRow{ID: ids.New("rep"), OrgID: a.OrgID, TemplateID: t.ID, AuthorID: a.AccountID, MemberID: a.MemberID,
		Status: StatusDraft, CreatedAt: now, UpdatedAt: now}
	sc, err := t.schedule()
	if err != nil {
		return Report{}, err
	}
	if t.Period == PeriodCustom {
		x.Period = x.ID
	} else {
		sl, ok := sc.current(s.Now())
		if in.Period != "" {
			if sl, err = sc.parse(in.Period); err != nil {
				return Report{}, err
			}
		} else if !ok {
			return Report{}, apperr.InvalidField("period", "the template has no current period")
		}
		x.Period, x.DueAt = sl.Key, sl.Due.UnixMilli()
	}
	var fields []Field
	_ = json.Unmarshal([]byte(t.Fields), &fields)
	vals, err := checkValues(fields, in.Values, in.Submit)
	if err != nil {
		return Report{}, err
	}
	c := content{Values: vals}
	if t.Plans {
		if c.Plans, err = safetext.Field("plans", in.Plans, 0, MaxPlans, true); err != nil {
			return Report{}, err
		}
	}
	if x.Content, x.ContentKey, err = s.seal(ctx, a.OrgID, contentAAD(x.ID), c); err != nil {
		return Report{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if x.DepartmentID, err = s.departmentOf(ctx, a.OrgID, a.MemberID); err != nil {
			return err
		}
		exists := func(id string) error {
			return apperr.Conflict("report_exists", "you have a report for this period already: edit it").With("id", id)
		}
		if id, err := reportFor(ctx, s.DB, t.ID, a.MemberID, x.Period); err == nil {
			return exists(id)
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if err := insertReport(ctx, s.DB, x); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return exists("") // written at the same moment elsewhere
			}
			return err
		}
		if _, err := s.syncFiles(ctx, a.OrgID, a.AccountID, x.ID, attachments(fields, vals)); err != nil {
			return err
		}
		if in.Submit {
			return s.submit(ctx, t, x)
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return s.Get(ctx, x.ID)
}

// departmentOf is the department a member's reports are counted under.
func (s *Service) departmentOf(ctx context.Context, orgID, memberID string) (string, error) {
	ps, err := s.Directory.Audience(ctx, orgID, Audience{MemberIDs: []string{memberID}})
	if err != nil || len(ps) == 0 {
		return "", err
	}
	return ps[0].DepartmentID, nil
}

// submit marks a stored draft submitted (late after its due time),
// records its recipients and tells them, in ctx's transaction.
func (s *Service) submit(ctx context.Context, t tmplRow, x repRow) error {
	now := s.now()
	late := x.DueAt != 0 && now > x.DueAt
	ok, err := markSubmitted(ctx, s.DB, x.OrgID, x.ID, now, late)
	if err != nil || !ok {
		return err
	}
	rs, err := s.recipientsOf(ctx, t, x)
	if err != nil {
		return err
	}
	if err := insertRecipients(ctx, s.DB, x.ID, x.OrgID, rs, now); err != nil {
		return err
	}
	accounts := make([]string, len(rs))
	for i, r := range rs {
		accounts[i] = r.AccountID
	}
	return s.notify(ctx, x.OrgID, "report.submitted", map[string]string{"id": x.ID}, accounts)
}

// recipientsOf resolves a template's recipients for an author: their
// supervisor, their departments' leaders and the chosen members, without
// the author, each once.
func (s *Service) recipientsOf(ctx context.Context, t tmplRow, x repRow) ([]Person, error) {
	var rc Recipients
	_ = json.Unmarshal([]byte(t.Recipients), &rc)
	var all []Person
	if rc.Supervisor {
		ps, err := s.Directory.Supervisor(ctx, x.OrgID, x.MemberID)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	if rc.DepartmentLeaders {
		ps, err := s.Directory.Leaders(ctx, x.OrgID, x.MemberID)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	if len(rc.MemberIDs) > 0 {
		ps, err := s.Directory.Audience(ctx, x.OrgID, Audience{MemberIDs: rc.MemberIDs})
		if apperr.KindOf(err) == apperr.KindInvalid {
			// A chosen member has left since: the others still receive it.
			ps, err = nil, nil
			for _, id := range rc.MemberIDs {
				one, e := s.Directory.Audience(ctx, x.OrgID, Audience{MemberIDs: []string{id}})
				if e == nil {
					ps = append(ps, one...)
				}
			}
		}
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	out := make([]Person, 0, len(all))
	seen := map[string]bool{x.AuthorID: true}
	for _, p := range all {
		if !seen[p.AccountID] {
			seen[p.AccountID] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// load returns a report of the caller's organization with the caller's
// receipt, or 404.
func (s *Service) load(ctx context.Context, orgID, id, accountID string) (repRow, error) {
	x, err := getReport(ctx, s.DB, orgID, id, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return repRow{}, apperr.ErrNotFound
	}
	return x, err
}

// visible loads a report the caller wrote or received (submitted); 404
// for anyone else, exactly as for an id that does not exist.
func (s *Service) visible(ctx context.Context, id string) (repRow, bool, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return repRow{}, false, err
	}
	x, err := s.load(ctx, a.OrgID, id, a.AccountID)
	if err != nil {
		return repRow{}, false, err
	}
	author := x.AuthorID == a.AccountID
	if !author && !(x.Recipient && x.Status == StatusSubmitted) {
		return repRow{}, false, apperr.ErrNotFound
	}
	return x, author, nil
}

// Get returns a report the caller wrote or received. Its author also
// sees who received it and who read it.
func (s *Service) Get(ctx context.Context, id string) (Report, error) {
	x, author, err := s.visible(ctx, id)
	if err != nil {
		return Report{}, err
	}
	t, err := getTemplate(ctx, s.DB, x.OrgID, x.TemplateID)
	if err != nil {
		return Report{}, err
	}
	r := s.view(ctx, x, t.EditWindow)
	if r.Files, err = s.filesView(ctx, x.OrgID, x.ID); err != nil {
		return Report{}, err
	}
	if author {
		rs, err := readersOf(ctx, s.DB, x.OrgID, x.ID)
		if err != nil {
			return Report{}, err
		}
		r.Readers = rs
	}
	return r, nil
}

// Edit changes the author's draft, or their submitted report within the
// template's edit window (409 edit_window_closed after it); recipients of
// a submitted one are told.
func (s *Service) Edit(ctx context.Context, id string, in EditInput) (Report, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Report{}, err
	}
	var gone []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		gone = nil
		x, err := s.load(ctx, a.OrgID, id, a.AccountID)
		if err != nil {
			return err
		}
		if x.AuthorID != a.AccountID {
			return apperr.ErrNotFound
		}
		if x.Status == StatusSubmitted && in.Values == nil && in.Plans == nil {
			return nil // submitting again, or an empty edit: nothing changes
		}
		t, err := getTemplate(ctx, s.DB, x.OrgID, x.TemplateID)
		if err != nil {
			return err
		}
		now := s.now()
		if x.Status == StatusSubmitted && now > x.SubmittedAt+int64(t.EditWindow)*60_000 {
			return apperr.Conflict("edit_window_closed", "the time to edit this report is over").
				With("editable_until", x.SubmittedAt+int64(t.EditWindow)*60_000)
		}
		if in.Submit && x.Status == StatusDraft && t.Archived {
			return apperr.Conflict("template_archived", "the template of this draft was archived")
		}
		var c content
		s.open(ctx, x.ContentKey, contentAAD(x.ID), x.Content, &c)
		var fields []Field
		_ = json.Unmarshal([]byte(t.Fields), &fields)
		raw := in.Values
		if raw == nil {
			// Keep the stored values, checked again (a submit needs the
			// required ones).
			raw = map[string]json.RawMessage{}
			for k, v := range c.Values {
				if slices.ContainsFunc(fields, func(f Field) bool { return f.ID == k }) {
					raw[k], _ = json.Marshal(v)
				}
			}
		}
		submitting := in.Submit && x.Status == StatusDraft
		if c.Values, err = checkValues(fields, raw, submitting || x.Status == StatusSubmitted); err != nil {
			return err
		}
		if in.Plans != nil && t.Plans {
			if c.Plans, err = safetext.Field("plans", *in.Plans, 0, MaxPlans, true); err != nil {
				return err
			}
		}
		if x.Content, x.ContentKey, err = s.seal(ctx, x.OrgID, contentAAD(x.ID), c); err != nil {
			return err
		}
		edited := x.EditedAt
		if x.Status == StatusSubmitted {
			edited = now
		}
		if err := updateContent(ctx, s.DB, x.OrgID, x.ID, x.Content, x.ContentKey, now, edited); err != nil {
			return err
		}
		if gone, err = s.syncFiles(ctx, x.OrgID, a.AccountID, x.ID, attachments(fields, c.Values)); err != nil {
			return err
		}
		if submitting {
			return s.submit(ctx, t, x)
		}
		if x.Status == StatusSubmitted {
			return s.tell(ctx, x, "report.updated", "")
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	s.dropBlobs(ctx, gone)
	return s.Get(ctx, id)
}

// Submit submits the author's draft.
func (s *Service) Submit(ctx context.Context, id string) (Report, error) {
	return s.Edit(ctx, id, EditInput{Submit: true})
}

// tell notifies everyone a report concerns — its author and recipients —
// but skip.
func (s *Service) tell(ctx context.Context, x repRow, typ, skip string) error {
	rs, err := readersOf(ctx, s.DB, x.OrgID, x.ID)
	if err != nil {
		return err
	}
	accounts := []string{}
	for _, acc := range append([]string{x.AuthorID}, accountsOf(rs)...) {
		if acc != skip && !slices.Contains(accounts, acc) {
			accounts = append(accounts, acc)
		}
	}
	return s.notify(ctx, x.OrgID, typ, map[string]string{"id": x.ID}, accounts)
}

func accountsOf(rs []Reader) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.AccountID
	}
	return out
}

// Delete deletes the author's draft (409 report_submitted for a
// submitted report), with its files.
func (s *Service) Delete(ctx context.Context, id string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	var gone []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		gone = nil
		x, err := s.load(ctx, a.OrgID, id, a.AccountID)
		if err != nil {
			return err
		}
		if x.AuthorID != a.AccountID {
			return apperr.ErrNotFound
		}
		ok, err := deleteDraft(ctx, s.DB, a.OrgID, id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("report_submitted", "a submitted report cannot be deleted")
		}
		gone, err = s.syncFiles(ctx, a.OrgID, a.AccountID, id, nil)
		return err
	})
	if err != nil {
		return err
	}
	s.dropBlobs(ctx, gone)
	return nil
}

// MarkRead records that the caller, a recipient, read a report, and
// tells its author.
func (s *Service) MarkRead(ctx context.Context, id string) (Report, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Report{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, _, err := s.visible(ctx, id)
		if err != nil {
			return err
		}
		if !x.Recipient {
			// The author reads their own report: nothing to record.
			return nil
		}
		first, err := markRead(ctx, s.DB, id, a.AccountID, s.now())
		if err != nil || !first {
			return err
		}
		return s.notify(ctx, x.OrgID, "report.read", map[string]string{"id": x.ID}, []string{x.AuthorID})
	})
	if err != nil {
		return Report{}, err
	}
	return s.Get(ctx, id)
}
