package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Field kinds.
const (
	KindText         = "text"
	KindNumber       = "number"
	KindDate         = "date"
	KindSingleChoice = "single_choice"
	KindMultiChoice  = "multi_choice"
)

// Field visibility: who sees a member's value.
const (
	VisibleEveryone = "everyone" // every member of the organization
	VisibleAdmins   = "admins"   // those who manage members, and the member
	VisibleExternal = "external" // everyone in the organization and the member's external contacts
)

// Field is a custom profile field defined by the organization.
type Field struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Options    []string `json:"options"`
	Required   bool     `json:"required"`
	Visibility string   `json:"visibility"`
	// Locked fields can be changed only by admins, not by the member.
	Locked    bool  `json:"locked"`
	SortOrder int   `json:"sort_order"`
	CreatedAt int64 `json:"created_at"`
	UpdatedAt int64 `json:"updated_at"`
}

// FieldRequest creates a field or (with pointer semantics in the update
// handler) changes it.
type FieldRequest struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Options    []string `json:"options,omitempty"`
	Required   bool     `json:"required,omitempty"`
	Visibility string   `json:"visibility,omitempty"`
	Locked     bool     `json:"locked,omitempty"`
	SortOrder  int      `json:"sort_order,omitempty"`
}

// FieldPatch changes a field; its kind cannot change.
type FieldPatch struct {
	Name       *string   `json:"name,omitempty"`
	Options    *[]string `json:"options,omitempty"`
	Required   *bool     `json:"required,omitempty"`
	Visibility *string   `json:"visibility,omitempty"`
	Locked     *bool     `json:"locked,omitempty"`
	SortOrder  *int      `json:"sort_order,omitempty"`
}

// FieldList lists an organization's custom fields.
type FieldList struct {
	Items []Field `json:"items"`
}

func checkField(f Field) (Field, error) {
	var err error
	if f.Name, err = text("name", f.Name, 1, 100); err != nil {
		return f, err
	}
	switch f.Kind {
	case KindText, KindNumber, KindDate:
		f.Options = []string{}
	case KindSingleChoice, KindMultiChoice:
		if len(f.Options) == 0 || len(f.Options) > 200 {
			return f, apperr.InvalidField("options", "a choice field needs between 1 and 200 options")
		}
		seen := []string{}
		for _, o := range f.Options {
			o, err := text("options", o, 1, 100)
			if err != nil {
				return f, err
			}
			if slices.Contains(seen, o) {
				return f, apperr.InvalidField("options", "options must be different").With("option", o)
			}
			seen = append(seen, o)
		}
		f.Options = seen
	default:
		return f, apperr.InvalidField("kind", "kind must be text, number, date, single_choice or multi_choice")
	}
	switch f.Visibility {
	case "":
		f.Visibility = VisibleEveryone
	case VisibleEveryone, VisibleAdmins, VisibleExternal:
	default:
		return f, apperr.InvalidField("visibility", "visibility must be everyone, admins or external")
	}
	return f, nil
}

// ListFields lists the custom fields of the caller's organization.
func (s *Service) ListFields(ctx context.Context) (FieldList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return FieldList{}, err
	}
	fs, err := s.st.listFields(ctx, a.OrgID)
	return FieldList{Items: fs}, err
}

// GetField returns one custom field.
func (s *Service) GetField(ctx context.Context, id string) (Field, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Field{}, err
	}
	return s.st.getField(ctx, a.OrgID, id)
}

// CreateField defines a custom field.
func (s *Service) CreateField(ctx context.Context, req FieldRequest) (Field, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Field{}, err
	}
	if err := s.Authorize(ctx, perm.ManageFields, ""); err != nil {
		return Field{}, err
	}
	now := s.nowMS()
	f, err := checkField(Field{ID: ids.New("fld"), Name: req.Name, Kind: req.Kind, Options: req.Options, Required: req.Required,
		Visibility: req.Visibility, Locked: req.Locked, SortOrder: req.SortOrder, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return Field{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.insertField(ctx, a.OrgID, f); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("field_name_taken", "a field with this name exists")
			}
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "field.created", map[string]any{"field_id": f.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "field.create", "field", f.ID, map[string]any{"name": f.Name, "kind": f.Kind, "locked": f.Locked, "visibility": f.Visibility})
	})
	return f, err
}

// UpdateField changes a custom field.
func (s *Service) UpdateField(ctx context.Context, id string, p FieldPatch) (Field, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Field{}, err
	}
	var f Field
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.Authorize(ctx, perm.ManageFields, ""); err != nil {
			return err
		}
		var err error
		if f, err = s.st.getField(ctx, a.OrgID, id); err != nil {
			return err
		}
		if p.Name != nil {
			f.Name = *p.Name
		}
		if p.Options != nil {
			f.Options = *p.Options
		}
		if p.Required != nil {
			f.Required = *p.Required
		}
		if p.Visibility != nil {
			f.Visibility = *p.Visibility
		}
		if p.Locked != nil {
			f.Locked = *p.Locked
		}
		if p.SortOrder != nil {
			f.SortOrder = *p.SortOrder
		}
		if f, err = checkField(f); err != nil {
			return err
		}
		f.UpdatedAt = s.nowMS()
		if err := s.st.updateField(ctx, a.OrgID, f); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("field_name_taken", "a field with this name exists")
			}
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "field.updated", map[string]any{"field_id": f.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "field.update", "field", f.ID, map[string]any{"name": f.Name, "locked": f.Locked, "visibility": f.Visibility, "required": f.Required})
	})
	return f, err
}

// DeleteField deletes a custom field and every member's value of it.
func (s *Service) DeleteField(ctx context.Context, id string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.Authorize(ctx, perm.ManageFields, ""); err != nil {
			return err
		}
		f, err := s.st.getField(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := s.st.deleteField(ctx, a.OrgID, f.ID); err != nil {
			return err
		}
		if err := s.orgEvent(ctx, a.OrgID, "field.deleted", map[string]any{"field_id": f.ID}); err != nil {
			return err
		}
		return s.audit(ctx, a.OrgID, "field.delete", "field", f.ID, map[string]any{"name": f.Name})
	})
}

// fieldValue checks a value for f and returns its canonical JSON; nil
// means "clear".
func fieldValue(f Field, raw json.RawMessage) ([]byte, error) {
	bad := func(msg string) error {
		return apperr.InvalidField("fields", msg).With("field_id", f.ID)
	}
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		if f.Required {
			return nil, apperr.New(apperr.KindInvalid, "field_required", "this field is required").With("field_id", f.ID)
		}
		return nil, nil
	}
	switch f.Kind {
	case KindText:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, bad(f.Name + " must be text")
		}
		if utf8.RuneCountInString(s) > 1000 {
			return nil, bad(f.Name + " is too long")
		}
		return json.Marshal(s)
	case KindNumber:
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return nil, bad(f.Name + " must be a number")
		}
		return json.Marshal(n)
	case KindDate:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, bad(f.Name + " must be a date (YYYY-MM-DD)")
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return nil, bad(f.Name + " must be a date (YYYY-MM-DD)")
		}
		return json.Marshal(s)
	case KindSingleChoice:
		var s string
		if json.Unmarshal(raw, &s) != nil || !slices.Contains(f.Options, s) {
			return nil, bad(f.Name + " must be one of its options")
		}
		return json.Marshal(s)
	case KindMultiChoice:
		var ss []string
		if json.Unmarshal(raw, &ss) != nil {
			return nil, bad(f.Name + " must be a list of its options")
		}
		out := []string{}
		for _, s := range ss {
			if !slices.Contains(f.Options, s) {
				return nil, bad(f.Name + " must be a list of its options")
			}
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		if len(out) == 0 && f.Required {
			return nil, apperr.New(apperr.KindInvalid, "field_required", "this field is required").With("field_id", f.ID)
		}
		return json.Marshal(out)
	}
	return nil, bad("unknown field kind")
}

// setFieldValues checks and stores custom field values of r. A member
// changing a locked field of their own gets 403 field_locked.
func (s *Service) setFieldValues(ctx context.Context, r *memberRow, vals map[string]json.RawMessage, admin bool) ([]string, error) {
	var changed []string
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	now := s.nowMS()
	for _, id := range keys {
		f, err := s.st.getField(ctx, r.OrgID, id)
		if err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return nil, apperr.InvalidField("fields", "no such field").With("field_id", id)
			}
			return nil, err
		}
		if f.Locked && !admin {
			return nil, apperr.Forbidden("field_locked", "the organization does not allow members to change "+f.Name).With("field_id", f.ID)
		}
		v, err := fieldValue(f, vals[id])
		if err != nil {
			return nil, err
		}
		if v == nil {
			err = s.st.deleteFieldValue(ctx, r.ID, f.ID)
		} else {
			err = s.setFieldValue(ctx, r, f.ID, v, now)
		}
		if err != nil {
			return nil, err
		}
		changed = append(changed, "fields."+f.ID)
	}
	return changed, nil
}
