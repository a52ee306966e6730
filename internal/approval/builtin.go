package approval

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/atrium-hq/atrium/internal/approval/form"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Built-in templates: leave, overtime, business trip, attendance
// correction, expense, purchase and a general request (form.Builtins),
// seeded for everyone the first time an organization lists or files
// approvals; a built-in added in a later release is seeded the same way
// into organizations that have the others. They are the
// organization's from then on: admins edit them like any other (a new
// version each time). The expense flow's Finance step needs a role id
// the built-in cannot know, so it is left out; admins add it in the
// designer.

// seedBuiltins adds the built-in templates an organization does not have
// yet (archived ones count as had: they stay archived). Two first calls
// at once both try; the unique index lets one win and the other finds
// them seeded.
func (s *Service) seedBuiltins(ctx context.Context, orgID string) error {
	have, err := builtinKeys(ctx, s.DB, orgID)
	if err != nil {
		return err
	}
	var missing []form.Builtin
	for _, b := range form.Builtins() {
		if !slices.Contains(have, b.Key) {
			missing = append(missing, b)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		for _, b := range missing {
			fields, _ := json.Marshal(b.Schema)
			x := tmplRow{ID: ids.New("apt"), OrgID: orgID, Builtin: b.Key, Version: 1, AvailableTo: `{"all":true,"department_ids":[],"role_ids":[]}`,
				CreatedAt: now, UpdatedAt: now, Name: b.Name[form.LangEN], Description: b.Description[form.LangEN], Group: b.Group[form.LangEN],
				Fields: string(fields), Flow: flowOf(string(b.FlowIn(form.LangEN, ""))).json()}
			if err := insertTemplate(ctx, s.DB, x); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, db.ErrConflict) {
		return nil // seeded at the same moment elsewhere
	}
	return err
}
