package report_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/report"
)

// TestStreamEvents: submitting, reading, editing and commenting tell the
// people a report concerns, with ids only — never its content.
func TestStreamEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgID := ids.New("org")
		author := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		lead := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		svc := report.New(d, org{people: []report.Person{author}, leaders: []report.Person{lead}}, nil)
		as := func(p report.Person) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
		}
		tp, err := svc.CreateTemplate(as(lead), report.TemplateInput{Name: "Notes", Period: report.PeriodCustom,
			Fields: []report.Field{{ID: "done", Label: "Done", Kind: report.KindText}}, Recipients: report.Recipients{DepartmentLeaders: true}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := svc.Write(as(author), report.WriteInput{TemplateID: tp.ID, Values: map[string]json.RawMessage{"done": json.RawMessage(`"secret"`)}, Submit: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MarkRead(as(lead), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MarkRead(as(lead), r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Edit(as(author), r.ID, report.EditInput{Values: map[string]json.RawMessage{"done": json.RawMessage(`"secret too"`)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(as(lead), r.ID, report.CommentInput{Body: "secret reply", Mentions: []string{author.AccountID}}); err != nil {
			t.Fatal(err)
		}
		evs, err := events.ReadAfter(ctx, d, 0, 1<<62, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, e := range evs {
			if e.ScopeKind != events.ScopeAccount || strings.Contains(string(e.Data), "secret") || !strings.Contains(string(e.Data), r.ID) {
				t.Fatalf("event %+v", e)
			}
			got[e.Type] = append(got[e.Type], e.ScopeID)
		}
		want := map[string][]string{
			"report.submitted": {lead.AccountID},
			"report.read":      {author.AccountID}, // once
			"report.updated":   {author.AccountID, lead.AccountID},
			"report.commented": {author.AccountID},
			"report.mentioned": {author.AccountID},
		}
		for typ, accs := range want {
			if strings.Join(got[typ], ",") != strings.Join(accs, ",") {
				t.Errorf("%s went to %v, want %v", typ, got[typ], accs)
			}
		}
	})
}
