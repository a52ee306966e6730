package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/report"
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

// TestPrivacyContract: an author's reports are in their export with their
// content; when they leave, the organization's policy anonymizes them
// (the report stays, the author replaced) or deletes them (with their
// receipts and comments).
func TestPrivacyContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgID := ids.New("org")
		author := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc"), DepartmentID: "dep_1"}
		boss := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		svc := report.New(d, org{people: []report.Person{author}, leaders: []report.Person{boss}}, nil)
		as := func(p report.Person) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
		}
		tp, err := svc.CreateTemplate(as(boss), report.TemplateInput{Name: "Notes", Period: report.PeriodCustom,
			Fields: []report.Field{{ID: "done", Label: "Done", Kind: report.KindText}}, Recipients: report.Recipients{DepartmentLeaders: true}})
		if err != nil {
			t.Fatal(err)
		}
		write := func() report.Report {
			r, err := svc.Write(as(author), report.WriteInput{TemplateID: tp.ID, Values: map[string]json.RawMessage{"done": json.RawMessage(`"secret work"`)}, Submit: true})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		kept, gone := write(), write()
		if _, err := svc.MarkRead(as(boss), kept.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(as(boss), gone.ID, report.CommentInput{Body: "ok"}); err != nil {
			t.Fatal(err)
		}
		p := svc.Privacy()
		subject := datamap.Subject{AccountID: author.AccountID, Members: map[string]string{orgID: author.MemberID}}
		var w sections
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: orgID, MemberID: author.MemberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		sec := w.table("reports")
		if sec == nil || len(sec.Rows) != 2 || sec.Retention != "reports" {
			t.Fatalf("export: %+v", w.s)
		}
		if c, _ := sec.Rows[0]["content"].(string); c == "" || !strings.Contains(c, "secret work") {
			t.Fatalf("exported content: %#v", sec.Rows[0]["content"])
		}
		// The reader's receipt is in the reader's export.
		var wb sections
		bs := datamap.Subject{AccountID: boss.AccountID, Members: map[string]string{orgID: boss.MemberID}}
		if err := p.Export(ctx, datamap.ExportRequest{Subject: bs, Orgs: []datamap.OrgExport{{OrgID: orgID, MemberID: boss.MemberID}}}, &wb); err != nil {
			t.Fatal(err)
		}
		if wb.table("report_recipients") == nil || wb.table("report_comments") == nil || wb.table("report_templates") == nil {
			t.Fatalf("the reader's export: %+v", wb.s)
		}

		// Anonymize: the reports stay, their author replaced.
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: orgID, MemberID: author.MemberID,
			Mode: datamap.ModeAnonymize, Tombstone: "acc_erased"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(as(boss), kept.ID)
		if err != nil || got.AuthorID != "acc_erased" {
			t.Fatalf("after anonymizing: %+v %v", got, err)
		}
		// Delete: a fresh author's reports go, with their receipts and
		// comments.
		author2 := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		svc.Directory = org{people: []report.Person{author2}, leaders: []report.Person{boss}}
		r, err := svc.Write(as(author2), report.WriteInput{TemplateID: tp.ID, Values: map[string]json.RawMessage{"done": json.RawMessage(`"x"`)}, Submit: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddComment(as(boss), r.ID, report.CommentInput{Body: "ok"}); err != nil {
			t.Fatal(err)
		}
		s2 := datamap.Subject{AccountID: author2.AccountID, Members: map[string]string{orgID: author2.MemberID}}
		res, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: s2, OrgID: orgID, MemberID: author2.MemberID,
			Mode: datamap.ModeDelete, Tombstone: "acc_gone"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deleted["reports"] != 1 {
			t.Fatalf("erased: %+v", res)
		}
		if _, err := svc.Get(as(boss), r.ID); err == nil {
			t.Fatal("a deleted report is still readable")
		}
		// The template stays the organization's when its designer goes.
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: bs, OrgID: orgID, MemberID: boss.MemberID,
			Mode: datamap.ModeDelete, Tombstone: "acc_boss"}); err != nil {
			t.Fatal(err)
		}
		if got, err := svc.GetTemplate(as(author), tp.ID); err != nil || got.CreatedBy != "acc_boss" {
			t.Fatalf("template after its designer's erasure: %+v %v", got, err)
		}

		// Retention: the class "reports" sweeps reports older than the
		// cutoff, with their receipts and comments.
		ts, err := p.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		swept := false
		for _, tg := range ts {
			if tg.Table == "reports" && len(tg.Classes) == 1 && tg.Classes[0] == "reports" {
				// Under a hold on someone else, the same reports are due
				// (the held-children condition runs on this database).
				if n, err := p.Sweep(ctx, datamap.SweepRequest{Table: "reports", Class: "reports", OrgID: orgID, Cutoff: time.Now().Add(time.Hour).UnixMilli(),
					Held: []string{"acc_someone_else"}, DryRun: true}); err != nil || n != 2 {
					t.Fatalf("dry run with a hold: %d %v", n, err)
				}
				n, err := p.Sweep(ctx, datamap.SweepRequest{Table: "reports", Class: "reports", OrgID: orgID, Cutoff: time.Now().Add(time.Hour).UnixMilli()})
				if err != nil || n != 2 {
					t.Fatalf("sweep: %d %v", n, err)
				}
				swept = true
			}
		}
		if _, err := svc.Get(as(boss), kept.ID); !swept || err == nil {
			t.Fatalf("retention did not sweep reports (targets %+v)", ts)
		}
	})
}

type exported struct {
	sections
	files []datamap.File
}

func (w *exported) AddFile(f datamap.File) { w.files = append(w.files, f) }

// TestPrivacyFiles: the files an author attached are in their export
// with their bytes; erasing them in delete mode deletes the files with
// their reports, bytes included.
func TestPrivacyFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgID := ids.New("org")
		author := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		boss := report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		svc := report.New(d, org{people: []report.Person{author}, leaders: []report.Person{boss}}, nil)
		blobs, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		as := func(p report.Person) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
		}
		tp, err := svc.CreateTemplate(as(boss), report.TemplateInput{Name: "Visits", Period: report.PeriodCustom,
			Fields: []report.Field{{ID: "photos", Label: "Photos", Kind: report.KindAttachment}}, Recipients: report.Recipients{DepartmentLeaders: true}})
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.Upload(as(author), report.UploadInput{Name: "visit.txt", ContentType: "text/plain", Body: strings.NewReader("the visit")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Write(as(author), report.WriteInput{TemplateID: tp.ID, Values: map[string]json.RawMessage{"photos": json.RawMessage(`["` + f.ID + `"]`)},
			Submit: true}); err != nil {
			t.Fatal(err)
		}
		p := svc.Privacy()
		subject := datamap.Subject{AccountID: author.AccountID, Members: map[string]string{orgID: author.MemberID}}
		var w exported
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: orgID, MemberID: author.MemberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		sec := w.table("report_files")
		if sec == nil || len(sec.Rows) != 1 || !strings.Contains(fmt.Sprint(sec.Rows[0]["meta"]), "visit.txt") || len(w.files) != 1 {
			t.Fatalf("export: %+v files %+v", sec, w.files)
		}
		o, err := w.files[0].Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(o)
		o.Close()
		if string(b) != "the visit" || w.files[0].ContentType != "text/plain" {
			t.Fatalf("exported file: %q %+v", b, w.files[0])
		}
		var res datamap.Erased
		err = d.Tx(ctx, func(ctx context.Context) error {
			res, err = p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: orgID, MemberID: author.MemberID,
				Mode: datamap.ModeDelete, Tombstone: "acc_gone"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range res.After {
			if err := fn(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if res.Deleted["report_files"] != 1 || res.Deleted["reports"] != 1 {
			t.Fatalf("erased: %+v", res)
		}
		if _, err := w.files[0].Open(ctx); err == nil {
			t.Fatal("the erased file's bytes are still there")
		}
	})
}
