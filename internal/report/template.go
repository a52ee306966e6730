package report

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Templates: what a report asks for, who writes it, whom it goes to and
// when it is due. Managers (manage_reports) design them; every member
// reads the active ones to write on them.

// Field kinds. An attachment field's value is a list of files the writer
// uploaded (POST /api/v1/report-files; files.go).
const (
	KindText       = "text"
	KindNumber     = "number"
	KindChoice     = "choice"
	KindDate       = "date"
	KindAttachment = "attachment"
)

// Field is one question of a template. ID is the key of its value in a
// report and stays when the label changes.
type Field struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	Options  []string `json:"options"`
}

// Recipients says whom each report of a template goes to, besides its
// author: their supervisor, the leaders of their departments, and chosen
// members.
type Recipients struct {
	Supervisor        bool     `json:"supervisor"`
	DepartmentLeaders bool     `json:"department_leaders"`
	MemberIDs         []string `json:"member_ids"`
}

// Template is a report template as members see it.
type Template struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Period string  `json:"period"`
	Fields []Field `json:"fields"`
	// Plans adds the "plans for the next period" section.
	Plans bool `json:"plans"`
	// Submitters are the people expected to write on it: reminded, and
	// counted in the statistics.
	Submitters Audience   `json:"submitters"`
	Recipients Recipients `json:"recipients"`
	// Timezone is an IANA name; due times are in it.
	Timezone   string `json:"timezone"`
	DueTime    string `json:"due_time"`
	DueWeekday int    `json:"due_weekday"`
	DueDay     int    `json:"due_day"`
	Workdays   []int  `json:"workdays"`
	// EditWindowMinutes is how long a submitted report can be edited.
	EditWindowMinutes int `json:"edit_window_minutes"`
	// RemindBeforeMinutes is how long before the due time those who have
	// not submitted are reminded (0: at the due time).
	RemindBeforeMinutes int  `json:"remind_before_minutes"`
	Archived            bool `json:"archived"`
	// Expected reports whether the caller is among the submitters: the
	// templates a person is asked to write on.
	Expected bool `json:"expected"`
	// CurrentPeriod and CurrentDueAt are the period a report written now
	// is for, and when it is due ("" and 0 for custom templates).
	CurrentPeriod string `json:"current_period"`
	CurrentDueAt  int64  `json:"current_due_at"`
	CreatedBy     string `json:"created_by"`
	CreatedAt     int64  `json:"created_at"`
	UpdatedAt     int64  `json:"updated_at"`
}

// TemplateInput is the body of POST /api/v1/report-templates and of PUT
// /api/v1/report-templates/{id}, which replaces every setting. Omitted
// settings take their defaults: time zone UTC, due at 18:00, weekly on
// Friday (5), monthly on the last day (0), workdays Monday to Friday,
// editable for a day (1440 minutes) after submitting, submitters the
// whole organization.
type TemplateInput struct {
	Name                string     `json:"name"`
	Period              string     `json:"period"`
	Fields              []Field    `json:"fields"`
	Plans               bool       `json:"plans,omitempty"`
	Submitters          *Audience  `json:"submitters,omitempty"`
	Recipients          Recipients `json:"recipients"`
	Timezone            string     `json:"timezone,omitempty"`
	DueTime             string     `json:"due_time,omitempty"`
	DueWeekday          int        `json:"due_weekday,omitempty"`
	DueDay              int        `json:"due_day,omitempty"`
	Workdays            []int      `json:"workdays,omitempty"`
	EditWindowMinutes   *int       `json:"edit_window_minutes,omitempty"`
	RemindBeforeMinutes int        `json:"remind_before_minutes,omitempty"`
}

// TemplateList is the body of GET /api/v1/report-templates.
type TemplateList struct {
	Items []Template `json:"items"`
}

// Limits of a template.
const (
	MaxName          = 100
	MaxFields        = 50
	MaxOptions       = 50
	MaxLabel         = 200
	MaxEditWindow    = 30 * 24 * 60
	MaxRemindBefore  = 7 * 24 * 60
	defaultEditMins  = 24 * 60
	defaultDueTime   = "18:00"
	defaultTimezone  = "UTC"
	defaultWeekday   = 5
	maxMemberListLen = 200
)

var fieldIDRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// checkFields validates a template's fields.
func checkFields(fs []Field) ([]Field, error) {
	if len(fs) > MaxFields {
		return nil, apperr.InvalidField("fields", "too many fields").With("max", MaxFields)
	}
	out := make([]Field, 0, len(fs))
	seen := map[string]bool{}
	for _, f := range fs {
		if !fieldIDRe.MatchString(f.ID) || seen[f.ID] {
			return nil, apperr.InvalidField("fields", "each field needs a unique id of lower-case letters, digits and _").With("id", f.ID)
		}
		seen[f.ID] = true
		var err error
		if f.Label, err = safetext.Field("label", f.Label, 1, MaxLabel, false); err != nil {
			return nil, err
		}
		switch f.Kind {
		case KindText, KindNumber, KindDate, KindAttachment:
			f.Options = []string{}
		case KindChoice:
			if len(f.Options) == 0 || len(f.Options) > MaxOptions {
				return nil, apperr.InvalidField("options", "a choice field needs from 1 to 50 options").With("id", f.ID)
			}
			opts := make([]string, 0, len(f.Options))
			for _, o := range f.Options {
				if o, err = safetext.Field("options", o, 1, MaxLabel, false); err != nil {
					return nil, err
				}
				if slices.Contains(opts, o) {
					return nil, apperr.InvalidField("options", "options must differ").With("id", f.ID)
				}
				opts = append(opts, o)
			}
			f.Options = opts
		default:
			return nil, apperr.InvalidField("kind", "a field's kind is text, number, choice, date or attachment").With("id", f.ID)
		}
		out = append(out, f)
	}
	return out, nil
}

// templateRow builds the stored row of an input, checked.
func (s *Service) templateRow(ctx context.Context, orgID string, in TemplateInput, x *tmplRow) error {
	var err error
	if x.Name, err = safetext.Field("name", in.Name, 1, MaxName, false); err != nil {
		return err
	}
	fields, err := checkFields(in.Fields)
	if err != nil {
		return err
	}
	x.Period, x.Plans = in.Period, in.Plans
	x.Timezone, x.DueTime, x.DueWeekday, x.DueDay = in.Timezone, in.DueTime, in.DueWeekday, in.DueDay
	if x.Timezone == "" {
		x.Timezone = defaultTimezone
	}
	if x.DueTime == "" {
		x.DueTime = defaultDueTime
	}
	if x.DueWeekday == 0 {
		x.DueWeekday = defaultWeekday
	}
	workdays := in.Workdays
	if len(workdays) == 0 {
		workdays = []int{1, 2, 3, 4, 5}
	}
	slices.Sort(workdays)
	workdays = slices.Compact(workdays)
	if _, err := scheduleOf(x.Period, x.Timezone, x.DueTime, x.DueWeekday, x.DueDay, workdays); err != nil {
		return err
	}
	x.EditWindow = defaultEditMins
	if in.EditWindowMinutes != nil {
		x.EditWindow = *in.EditWindowMinutes
	}
	if x.EditWindow < 0 || x.EditWindow > MaxEditWindow {
		return apperr.InvalidField("edit_window_minutes", "edit_window_minutes is from 0 to 43200 (30 days)")
	}
	x.RemindBefore = in.RemindBeforeMinutes
	if x.RemindBefore < 0 || x.RemindBefore > MaxRemindBefore {
		return apperr.InvalidField("remind_before_minutes", "remind_before_minutes is from 0 to 10080 (7 days)")
	}
	sub := Audience{All: true}
	if in.Submitters != nil {
		sub = *in.Submitters
	}
	if sub.All {
		sub = Audience{All: true}
	} else if !sub.empty() {
		if _, err := s.Directory.Audience(ctx, orgID, sub); err != nil {
			return err
		}
	}
	rc := in.Recipients
	if len(rc.MemberIDs) > maxMemberListLen {
		return apperr.InvalidField("member_ids", "too many recipients").With("max", maxMemberListLen)
	}
	if len(rc.MemberIDs) > 0 {
		if _, err := s.Directory.Audience(ctx, orgID, Audience{MemberIDs: rc.MemberIDs}); err != nil {
			return err
		}
	}
	x.Fields = mustJSON(fields)
	x.Submitters = mustJSON(sub)
	x.Recipients = mustJSON(rc)
	x.Workdays = mustJSON(workdays)
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// viewTemplate turns a stored template into what the member sees.
func (s *Service) viewTemplate(ctx context.Context, orgID, memberID string, x tmplRow) Template {
	t := Template{ID: x.ID, Name: x.Name, Period: x.Period, Plans: x.Plans, Timezone: x.Timezone, DueTime: x.DueTime,
		DueWeekday: x.DueWeekday, DueDay: x.DueDay, EditWindowMinutes: x.EditWindow, RemindBeforeMinutes: x.RemindBefore,
		Archived: x.Archived, CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	_ = json.Unmarshal([]byte(x.Fields), &t.Fields)
	_ = json.Unmarshal([]byte(x.Submitters), &t.Submitters)
	_ = json.Unmarshal([]byte(x.Recipients), &t.Recipients)
	_ = json.Unmarshal([]byte(x.Workdays), &t.Workdays)
	for _, l := range []*[]string{&t.Submitters.DepartmentIDs, &t.Submitters.RoleIDs, &t.Submitters.MemberIDs, &t.Recipients.MemberIDs} {
		if *l == nil {
			*l = []string{}
		}
	}
	if t.Fields == nil {
		t.Fields = []Field{}
	}
	if t.Workdays == nil {
		t.Workdays = []int{}
	}
	if sc, err := x.schedule(); err == nil {
		if cur, ok := sc.current(s.Now()); ok {
			t.CurrentPeriod, t.CurrentDueAt = cur.Key, cur.Due.UnixMilli()
		}
	}
	t.Expected = s.expects(ctx, orgID, memberID, t.Submitters)
	return t
}

// CreateTemplate stores a new template (manage_reports).
func (s *Service) CreateTemplate(ctx context.Context, in TemplateInput) (Template, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Template{}, err
	}
	now := s.now()
	x := tmplRow{ID: ids.New("rpt"), OrgID: a.OrgID, CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	if err := s.templateRow(ctx, a.OrgID, in, &x); err != nil {
		return Template{}, err
	}
	x.RemindedPeriod = s.alreadyPast(x)
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertTemplate(ctx, s.DB, x); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "report_template.create", "report_template", x.ID, map[string]any{"period": x.Period})
	})
	if err != nil {
		return Template{}, err
	}
	return s.viewTemplate(ctx, a.OrgID, a.MemberID, x), nil
}

// alreadyPast returns the current period's key when its reminder time
// has passed already: a new template does not remind for a period whose
// reminder time came before it existed.
func (s *Service) alreadyPast(x tmplRow) string {
	sc, err := x.schedule()
	if err != nil {
		return ""
	}
	cur, ok := sc.current(s.Now())
	if ok && !s.Now().Before(remindAt(cur, x.RemindBefore)) {
		return cur.Key
	}
	return ""
}

// loadTemplate returns a template of the caller's organization; archived
// ones only to managers.
func (s *Service) loadTemplate(ctx context.Context, orgID, id string, archived bool) (tmplRow, error) {
	x, err := getTemplate(ctx, s.DB, orgID, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && x.Archived && !archived) {
		return tmplRow{}, apperr.ErrNotFound
	}
	return x, err
}

// GetTemplate returns one template: active ones to every member, archived
// ones to managers.
func (s *Service) GetTemplate(ctx context.Context, id string) (Template, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Template{}, err
	}
	m, err := s.may(ctx, "")
	if err != nil {
		return Template{}, err
	}
	x, err := s.loadTemplate(ctx, a.OrgID, id, m)
	if err != nil {
		return Template{}, err
	}
	return s.viewTemplate(ctx, a.OrgID, a.MemberID, x), nil
}

// expects reports whether the member is among the submitters of a
// template (false when the audience cannot be resolved).
func (s *Service) expects(ctx context.Context, orgID, memberID string, sub Audience) bool {
	if sub.All || slices.Contains(sub.MemberIDs, memberID) {
		return true
	}
	if len(sub.DepartmentIDs) == 0 && len(sub.RoleIDs) == 0 {
		return false
	}
	people, err := s.Directory.Audience(ctx, orgID, sub)
	return err == nil && slices.ContainsFunc(people, func(p Person) bool { return p.MemberID == memberID })
}

// ListTemplates lists the organization's active templates by name;
// managers may ask for the archived ones too.
func (s *Service) ListTemplates(ctx context.Context, archived bool) (TemplateList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return TemplateList{}, err
	}
	if archived {
		if _, err := s.manager(ctx); err != nil {
			return TemplateList{}, err
		}
	}
	rows, err := listTemplates(ctx, s.DB, a.OrgID, archived)
	if err != nil {
		return TemplateList{}, err
	}
	out := TemplateList{Items: make([]Template, 0, len(rows))}
	for _, x := range rows {
		out.Items = append(out.Items, s.viewTemplate(ctx, a.OrgID, a.MemberID, x))
	}
	return out, nil
}

// UpdateTemplate replaces a template's settings (manage_reports). Reports
// already written keep their period, due time and lateness.
func (s *Service) UpdateTemplate(ctx context.Context, id string, in TemplateInput) (Template, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Template{}, err
	}
	var out tmplRow
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, err := s.loadTemplate(ctx, a.OrgID, id, false)
		if err != nil {
			return err
		}
		if err := s.templateRow(ctx, a.OrgID, in, &x); err != nil {
			return err
		}
		x.UpdatedAt = s.now()
		if err := updateTemplate(ctx, s.DB, x); err != nil {
			return err
		}
		out = x
		return s.record(ctx, a.OrgID, "report_template.update", "report_template", id, nil)
	})
	if err != nil {
		return Template{}, err
	}
	return s.viewTemplate(ctx, a.OrgID, a.MemberID, out), nil
}

// ArchiveTemplate retires a template (manage_reports): no new reports,
// no reminders; its reports and statistics stay.
func (s *Service) ArchiveTemplate(ctx context.Context, id string) error {
	a, err := s.manager(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.loadTemplate(ctx, a.OrgID, id, false); err != nil {
			return err
		}
		if err := archiveTemplate(ctx, s.DB, a.OrgID, id, s.now()); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "report_template.archive", "report_template", id, nil)
	})
}
