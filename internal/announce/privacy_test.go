package announce_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

type sections struct{ s []datamap.Section }

func (w *sections) AddSection(s datamap.Section) { w.s = append(w.s, s) }
func (w *sections) AddFile(datamap.File)         {}

// TestPrivacyContract: a reader's receipts are in their export and are
// anonymized by their leaving under the organization's policy, while the
// announcement stays the organization's even when its author's data is
// deleted.
func TestPrivacyContract(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org := ids.New("org")
		author := announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		reader := announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc"), DepartmentID: "dep_1"}
		svc := announce.New(d, bigOrg{rs: []announce.Recipient{author, reader}}, nil)
		as := func(r announce.Recipient) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: r.AccountID, OrgID: org, MemberID: r.MemberID})
		}
		a, err := svc.Create(as(author), announce.CreateInput{Title: "T", Body: "B", Audience: announce.Audience{All: true}, Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MarkRead(as(reader), a.ID); err != nil {
			t.Fatal(err)
		}
		p := svc.Privacy()
		// Retention keeps an announcement a held reader has read: deleting
		// it would delete their receipt.
		sweep := func(held []string) int64 {
			n, err := p.Sweep(ctx, datamap.SweepRequest{Table: "announcements", Class: "announcements", OrgID: org, Cutoff: time.Now().Add(time.Hour).UnixMilli(),
				Held: held, DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if held, free := sweep([]string{reader.AccountID, reader.MemberID}), sweep([]string{"acc_someone_else"}); held != 0 || free != 1 {
			t.Fatalf("announcements due with the reader held: %d, with someone else held: %d", held, free)
		}
		subject := datamap.Subject{AccountID: reader.AccountID, Members: map[string]string{org: reader.MemberID}}
		var w sections
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: org, MemberID: reader.MemberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		if len(w.s) != 1 || w.s[0].Table != "announcement_recipients" || len(w.s[0].Rows) != 1 || w.s[0].Rows[0]["read_at"] == int64(0) {
			t.Fatalf("export: %+v", w.s)
		}
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: org, MemberID: reader.MemberID,
			Mode: datamap.ModeAnonymize, Tombstone: "acc_erased"}); err != nil {
			t.Fatal(err)
		}
		rc, err := svc.Receipts(as(author), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rc.Total != 2 || rc.Read != 1 {
			t.Fatalf("receipts after anonymizing: %+v", rc)
		}
		for _, dpt := range rc.Departments {
			for _, r := range dpt.People {
				if r.AccountID == reader.AccountID || r.MemberID == reader.MemberID {
					t.Fatalf("the reader is still named: %+v", r)
				}
			}
		}
		// The author leaves under a delete policy: the announcement stays.
		as2 := datamap.Subject{AccountID: author.AccountID, Members: map[string]string{org: author.MemberID}}
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: as2, OrgID: org, MemberID: author.MemberID,
			Mode: datamap.ModeDelete, Tombstone: "acc_gone"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(as(reader), a.ID)
		if err != nil {
			t.Fatalf("announcement after its author's erasure: %v", err)
		}
		if got.AuthorID != "acc_gone" || got.Title != "T" {
			t.Fatalf("announcement after its author's erasure: %+v", got)
		}
	})
}

type withFiles struct {
	sections
	files []datamap.File
}

func (w *withFiles) AddFile(f datamap.File) { w.files = append(w.files, f) }

// TestPrivacyContractFiles: an uploader's files are in their export with
// their bytes; erasing the uploader, even under a delete policy, replaces
// them and leaves the file with its announcement.
func TestPrivacyContractFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org := ids.New("org")
		author := announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		reader := announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
		svc := announce.New(d, bigOrg{rs: []announce.Recipient{author, reader}}, nil)
		blobs, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		as := func(r announce.Recipient) context.Context {
			return actor.With(ctx, &actor.Actor{AccountID: r.AccountID, OrgID: org, MemberID: r.MemberID})
		}
		f, err := svc.Upload(as(author), announce.UploadInput{Name: "minutes.txt", ContentType: "text/plain", Body: strings.NewReader("minutes")})
		if err != nil {
			t.Fatal(err)
		}
		a, err := svc.Create(as(author), announce.CreateInput{Title: "T", Audience: announce.Audience{All: true}, FileIDs: []string{f.ID}, Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		p := svc.Privacy()
		subject := datamap.Subject{AccountID: author.AccountID, Members: map[string]string{org: author.MemberID}}
		var w withFiles
		if err := p.Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: org, MemberID: author.MemberID}}}, &w); err != nil {
			t.Fatal(err)
		}
		if len(w.files) != 1 || w.files[0].Table != "announcement_files" || w.files[0].RowID != f.ID {
			t.Fatalf("exported files: %+v", w.files)
		}
		rc, err := w.files[0].Open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "minutes" {
			t.Fatalf("exported bytes: %q", b)
		}
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: org, MemberID: author.MemberID,
			Mode: datamap.ModeDelete, Tombstone: "acc_gone"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(as(reader), a.ID)
		if err != nil || len(got.Attachments) != 1 || got.Attachments[0].Name != "minutes.txt" {
			t.Fatalf("attachments after the uploader's erasure: %+v %v", got.Attachments, err)
		}
		_, o, err := svc.OpenFile(as(reader), f.ID)
		if err != nil {
			t.Fatalf("the file after its uploader's erasure: %v", err)
		}
		o.Close()
	})
}
