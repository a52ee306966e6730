package approval_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/approval/form"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// TestBuiltinsAndEvents: the built-in templates are seeded once; an
// approved leave is announced to other domains with its form, addressed
// to the applicant only; every change reaches the stream as ids, never
// the form's content.
func TestBuiltinsAndEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgID := ids.New("org")
		applicant, boss := newPerson(), newPerson()
		svc := approval.New(d, &org{people: []approval.Person{applicant}, boss: boss}, nil)
		as := func(p approval.Person) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
		}
		l, err := svc.ListTemplates(as(applicant), false)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := svc.ListTemplates(as(boss), false); err != nil || len(again.Items) != len(l.Items) {
			t.Fatalf("seeded twice: %d then %d (%v)", len(l.Items), len(again.Items), err)
		}
		// An organization seeded before a built-in existed gets it the
		// next time it lists templates, and only that one.
		if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM approval_templates WHERE org_id = $1 AND builtin = 'correction'`, orgID); err != nil {
			t.Fatal(err)
		}
		if l, err = svc.ListTemplates(as(applicant), false); err != nil || len(l.Items) != len(form.Builtins()) {
			t.Fatalf("after a new built-in: %d templates (%v)", len(l.Items), err)
		}
		keys := map[string]string{}
		for _, tp := range l.Items {
			keys[tp.Builtin] = tp.ID
		}
		for _, k := range []string{"leave", "overtime", "trip", "correction", "expense", "purchase", "general"} {
			if keys[k] == "" {
				t.Fatalf("no built-in %s: %+v", k, keys)
			}
		}
		r, err := svc.Submit(as(applicant), approval.SubmitInput{TemplateID: keys["leave"], Form: json.RawMessage(
			`{"type":"Sick","period":{"start":"2026-12-07","end":"2026-12-08","start_half":"pm","end_half":"am"},"reason":"secret flu"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(as(boss), r.ID, approval.DecisionInput{}); err != nil {
			t.Fatal(err)
		}
		evs, err := events.ReadAfter(ctx, d, 0, 1<<62, 1000)
		if err != nil {
			t.Fatal(err)
		}
		approved := 0
		for _, e := range evs {
			if e.ScopeKind != events.ScopeAccount {
				t.Fatalf("event %+v", e)
			}
			if e.Type == "approval.approved" {
				approved++
				if e.ScopeID != applicant.AccountID || !strings.Contains(string(e.Data), `"builtin":"leave"`) || !strings.Contains(string(e.Data), `"duration":"1"`) {
					t.Fatalf("approval.approved: %s to %s", e.Data, e.ScopeID)
				}
				continue
			}
			if strings.Contains(string(e.Data), "secret") {
				t.Fatalf("event carries the form: %+v", e)
			}
		}
		if approved != 1 {
			t.Fatalf("approval.approved sent %d times", approved)
		}
	})
}
