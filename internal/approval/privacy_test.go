package approval_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

type sections struct{ s []datamap.Section }

func (w *sections) AddSection(s datamap.Section) { w.s = append(w.s, s) }
func (w *sections) AddFile(datamap.File)         {}

func (w *sections) table(name string) *datamap.Section {
	for i := range w.s {
		if w.s[i].Table == name {
			return &w.s[i]
		}
	}
	return nil
}

func newPerson() approval.Person {
	return approval.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
}

// TestPrivacyContract: an applicant's requests are in their export with
// their form; an approver's decisions in theirs. When the applicant
// leaves, the organization's policy anonymizes their requests (they stay,
// the applicant replaced) or deletes them with their steps, tasks and
// history; the retention class "approvals" sweeps old requests.
func TestPrivacyContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgID := ids.New("org")
		applicant, boss := newPerson(), newPerson()
		dir := &org{people: []approval.Person{applicant}, boss: boss}
		svc := approval.New(d, dir, nil)
		as := func(p approval.Person) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
		}
		tp, err := svc.CreateTemplate(as(boss), approval.TemplateInput{Name: "Leave", Fields: approval.Schema{{ID: "reason", Type: "text", Label: "Reason"}}})
		if err != nil {
			t.Fatal(err)
		}
		fileOne := func(p approval.Person) approval.Request {
			r, err := svc.Submit(as(p), approval.SubmitInput{TemplateID: tp.ID, Form: json.RawMessage(`{"reason":"secret surgery"}`)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		kept, other := fileOne(applicant), fileOne(applicant)
		if _, err := svc.Approve(as(boss), kept.ID, approval.DecisionInput{Comment: "get well"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(as(boss), other.ID, approval.CommentInput{Body: "ok"}); err != nil {
			t.Fatal(err)
		}
		p := svc.Privacy()
		subject := datamap.Subject{AccountID: applicant.AccountID, Members: map[string]string{orgID: applicant.MemberID}}
		var w sections
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: orgID, MemberID: applicant.MemberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		sec := w.table("approval_requests")
		if sec == nil || len(sec.Rows) != 2 || sec.Retention != "approvals" {
			t.Fatalf("export: %+v", w.s)
		}
		if f, _ := sec.Rows[0]["form"].(string); !strings.Contains(f, "secret surgery") {
			t.Fatalf("exported form: %#v", sec.Rows[0]["form"])
		}
		var wb sections
		bs := datamap.Subject{AccountID: boss.AccountID, Members: map[string]string{orgID: boss.MemberID}}
		if err := p.Export(ctx, datamap.ExportRequest{Subject: bs, Orgs: []datamap.OrgExport{{OrgID: orgID, MemberID: boss.MemberID}}}, &wb); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"approval_tasks", "approval_events", "approval_comments", "approval_templates"} {
			if wb.table(table) == nil {
				t.Fatalf("the approver's export has no %s: %+v", table, wb.s)
			}
		}
		if c, _ := wb.table("approval_tasks").Rows[0]["comment"].(string); c != "get well" {
			t.Fatalf("exported decision comment: %#v", wb.table("approval_tasks").Rows)
		}

		// Anonymize: the requests stay, their applicant replaced.
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: orgID, MemberID: applicant.MemberID,
			Mode: datamap.ModeAnonymize, Tombstone: "acc_erased"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(as(boss), kept.ID)
		if err != nil || got.Status != approval.StatusApproved {
			t.Fatalf("after anonymizing: %+v %v", got.Summary, err)
		}
		var mine approval.Page
		if mine, err = svc.List(as(applicant), approval.Query{Box: approval.BoxMine}); err != nil || len(mine.Items) != 0 {
			t.Fatalf("the erased applicant still has requests: %+v %v", mine, err)
		}

		// Delete: a fresh applicant's requests go, with their tasks and history.
		a2 := newPerson()
		dir.people = append(dir.people, a2)
		r := fileOne(a2)
		s2 := datamap.Subject{AccountID: a2.AccountID, Members: map[string]string{orgID: a2.MemberID}}
		res, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: s2, OrgID: orgID, MemberID: a2.MemberID,
			Mode: datamap.ModeDelete, Tombstone: "acc_gone"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted["approval_requests"] != 1 {
			t.Fatalf("erased: %+v", res)
		}
		if _, err := svc.Get(as(boss), r.ID); err == nil {
			t.Fatal("a deleted request is still readable")
		}

		// Retention: a request on which a held person decided or commented
		// stays (deleting it would delete their decision), counted or not.
		held := []string{boss.AccountID, boss.MemberID}
		for _, dry := range []bool{true, false} {
			n, err := p.Sweep(ctx, datamap.SweepRequest{Table: "approval_requests", Class: "approvals", OrgID: orgID, Cutoff: time.Now().Add(time.Hour).UnixMilli(),
				Held: held, DryRun: dry})
			if err != nil || n != 0 {
				t.Fatalf("sweep with the approver held (dry run %v): %d %v", dry, n, err)
			}
		}
		// The class "approvals" sweeps old requests.
		n, err := p.Sweep(ctx, datamap.SweepRequest{Table: "approval_requests", Class: "approvals", OrgID: orgID, Cutoff: time.Now().Add(time.Hour).UnixMilli()})
		if err != nil || n != 2 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if _, err := svc.Get(as(boss), kept.ID); err == nil {
			t.Fatal("retention did not sweep the request")
		}
	})
}

// A client id makes a retried submission return the first request — in
// the applicant's organization. The same client id used in another
// organization files a request there.
func TestClientIDIsPerOrganization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		applicant, boss := newPerson(), newPerson()
		svc := approval.New(d, &org{people: []approval.Person{applicant}, boss: boss}, nil)
		in := func(orgID string, p approval.Person) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
		}
		submit := func(orgID, templateID string) approval.Request {
			r, err := svc.Submit(in(orgID, applicant), approval.SubmitInput{TemplateID: templateID, ClientID: "retry-1", Form: json.RawMessage(`{"reason":"x"}`)})
			if err != nil {
				t.Fatalf("submit in %s: %v", orgID, err)
			}
			return r
		}
		var firsts []approval.Request
		for _, orgID := range []string{ids.New("org"), ids.New("org")} {
			tp, err := svc.CreateTemplate(in(orgID, boss), approval.TemplateInput{Name: "Leave", Fields: approval.Schema{{ID: "reason", Type: "text", Label: "Reason"}}})
			if err != nil {
				t.Fatal(err)
			}
			first := submit(orgID, tp.ID)
			if again := submit(orgID, tp.ID); again.ID != first.ID {
				t.Fatalf("a retried submission filed %s, want %s", again.ID, first.ID)
			}
			firsts = append(firsts, first)
		}
		if firsts[0].ID == firsts[1].ID {
			t.Fatal("the same client id in a second organization returned the first organization's request")
		}
	})
}
