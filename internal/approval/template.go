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

// Templates: designed by holders of manage_approvals, filed by the
// members they are available to. Every edit writes a new version; requests
// keep the version they were filed with, so an edit never changes them.

// Template is a template at its current version.
type Template struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Group       string   `json:"group"`
	Builtin     string   `json:"builtin"`
	Version     int      `json:"version"`
	Fields      Schema   `json:"fields"`
	Flow        Flow     `json:"flow"`
	AvailableTo Audience `json:"available_to"`
	Archived    bool     `json:"archived"`
	CreatedAt   int64    `json:"created_at"`
	UpdatedAt   int64    `json:"updated_at"`
}

// TemplateList is the answer of GET /api/v1/approval-templates.
type TemplateList struct {
	Items []Template `json:"items"`
}

// TemplateInput is the body that creates or replaces a template.
type TemplateInput struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Group       string    `json:"group"`
	Fields      Schema    `json:"fields"`
	Flow        *Flow     `json:"flow"`
	AvailableTo *Audience `json:"available_to"`
}

// check validates and normalizes a template input into x.
func (in TemplateInput) check(x *tmplRow) error {
	var err error
	if x.Name, err = safetext.Field("name", in.Name, 1, 100, false); err != nil {
		return err
	}
	if x.Description, err = safetext.Field("description", in.Description, 0, 2000, true); err != nil {
		return err
	}
	if x.Group, err = safetext.Field("group", in.Group, 0, 50, false); err != nil {
		return err
	}
	fields := in.Fields
	if len(fields) == 0 || string(fields) == "null" {
		fields = Schema(`[]`)
	}
	if err := validateSchema(fields); err != nil {
		return err
	}
	x.Fields = string(fields)
	f := defaultFlow()
	if in.Flow != nil {
		f = *in.Flow
	}
	if err := f.validate(fields); err != nil {
		return err
	}
	x.Flow = f.json()
	au := Audience{All: true}
	if in.AvailableTo != nil {
		au = *in.AvailableTo
	}
	au.DepartmentIDs, au.RoleIDs, au.MemberIDs = orEmpty(au.DepartmentIDs), orEmpty(au.RoleIDs), nil
	b, _ := json.Marshal(au)
	x.AvailableTo = string(b)
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// view turns a stored template into what the API shows.
func (x tmplRow) view() Template {
	t := Template{ID: x.ID, Name: x.Name, Description: x.Description, Group: x.Group, Builtin: x.Builtin, Version: x.Version,
		Fields: Schema(x.Fields), Flow: flowOf(x.Flow), Archived: x.Archived, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	_ = json.Unmarshal([]byte(x.AvailableTo), &t.AvailableTo)
	t.AvailableTo.DepartmentIDs, t.AvailableTo.RoleIDs = orEmpty(t.AvailableTo.DepartmentIDs), orEmpty(t.AvailableTo.RoleIDs)
	if t.Flow.Steps == nil {
		t.Flow.Steps = []Step{}
	}
	t.Flow.CC.MemberIDs, t.Flow.CC.RoleIDs = orEmpty(t.Flow.CC.MemberIDs), orEmpty(t.Flow.CC.RoleIDs)
	return t
}

// availableTo reports whether a member may file a template.
func (x tmplRow) availableTo(f Facts) bool {
	var au Audience
	_ = json.Unmarshal([]byte(x.AvailableTo), &au)
	if au.All {
		return true
	}
	for _, d := range au.DepartmentIDs {
		if slices.Contains(f.WithAncestors, d) {
			return true
		}
	}
	for _, r := range au.RoleIDs {
		if slices.Contains(f.Roles, r) {
			return true
		}
	}
	return false
}

// loadTemplate returns a template of orgID at its current version, or 404.
func (s *Service) loadTemplate(ctx context.Context, orgID, id string) (tmplRow, error) {
	x, err := getTemplate(ctx, s.DB, orgID, id)
	if errors.Is(err, db.ErrNotFound) {
		return tmplRow{}, apperr.ErrNotFound
	}
	return x, err
}

// facts returns the caller's departments and roles.
func (s *Service) facts(ctx context.Context, a *actor.Actor) (Facts, error) {
	f, err := s.Directory.Facts(ctx, a.OrgID, a.MemberID)
	if err != nil {
		return Facts{}, apperr.MapNotFound(err)
	}
	return f, nil
}

// ListTemplates lists the templates the caller may file, by group and
// name; with all, holders of manage_approvals get every template,
// archived ones too.
func (s *Service) ListTemplates(ctx context.Context, all bool) (TemplateList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return TemplateList{}, err
	}
	if all {
		if _, err := s.manager(ctx); err != nil {
			return TemplateList{}, err
		}
	}
	if err := s.seedBuiltins(ctx, a.OrgID); err != nil {
		return TemplateList{}, err
	}
	rows, err := listTemplates(ctx, s.DB, a.OrgID, all)
	if err != nil {
		return TemplateList{}, err
	}
	f, err := s.facts(ctx, a)
	if err != nil {
		return TemplateList{}, err
	}
	out := TemplateList{Items: []Template{}}
	for _, x := range rows {
		if all || x.availableTo(f) {
			out.Items = append(out.Items, x.view())
		}
	}
	return out, nil
}

// GetTemplate returns a template at its current version: one the caller
// may file, or any for holders of manage_approvals.
func (s *Service) GetTemplate(ctx context.Context, id string) (Template, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Template{}, err
	}
	x, err := s.loadTemplate(ctx, a.OrgID, id)
	if err != nil {
		return Template{}, err
	}
	if err := s.mayFile(ctx, a, x); err != nil {
		if ok, merr := s.may(ctx); merr != nil || !ok {
			return Template{}, err
		}
	}
	return x.view(), nil
}

// mayFile refuses (404) a template the caller may not file.
func (s *Service) mayFile(ctx context.Context, a *actor.Actor, x tmplRow) error {
	if x.Archived {
		return apperr.ErrNotFound
	}
	f, err := s.facts(ctx, a)
	if err != nil {
		return err
	}
	if !x.availableTo(f) {
		return apperr.ErrNotFound
	}
	return nil
}

// CreateTemplate designs a new template at version 1.
func (s *Service) CreateTemplate(ctx context.Context, in TemplateInput) (Template, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Template{}, err
	}
	now := s.now()
	x := tmplRow{ID: ids.New("apt"), OrgID: a.OrgID, Version: 1, CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	if err := in.check(&x); err != nil {
		return Template{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertTemplate(ctx, s.DB, x); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "approval.template.create", "approval_template", x.ID, map[string]any{"version": 1})
	})
	if err != nil {
		return Template{}, err
	}
	return x.view(), nil
}

// UpdateTemplate writes a new version of a template. Requests filed
// before keep theirs.
func (s *Service) UpdateTemplate(ctx context.Context, id string, in TemplateInput) (Template, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Template{}, err
	}
	var out tmplRow
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		x, err := s.loadTemplate(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		from := x.Version
		if err := in.check(&x); err != nil {
			return err
		}
		x.Version, x.UpdatedAt, x.CreatedBy = from+1, s.now(), a.AccountID
		ok, err := bumpTemplate(ctx, s.DB, a.OrgID, id, from, x.AvailableTo, x.UpdatedAt)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("template_changed", "the template was changed meanwhile: load it again")
		}
		if err := insertVersion(ctx, s.DB, x); err != nil {
			return err
		}
		out = x
		return s.record(ctx, a.OrgID, "approval.template.update", "approval_template", id, map[string]any{"version": x.Version})
	})
	if err != nil {
		return Template{}, err
	}
	return out.view(), nil
}

// ArchiveTemplate stops (archived) or resumes new requests on a template;
// requests already filed go on.
func (s *Service) ArchiveTemplate(ctx context.Context, id string, archived bool) error {
	a, err := s.manager(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := setArchived(ctx, s.DB, a.OrgID, id, archived, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.ErrNotFound
		}
		action := "approval.template.restore"
		if archived {
			action = "approval.template.archive"
		}
		return s.record(ctx, a.OrgID, action, "approval_template", id, nil)
	})
}

// seedBuiltins adds the built-in templates to an organization the first
// time it lists or files approvals.
func (s *Service) seedBuiltins(context.Context, string) error { return nil }
