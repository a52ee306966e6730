package datamap_test

import (
	"context"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
)

// notesDomain is a made-up domain whose contract forgets things: it owns a
// table of notes with a personal column it neither exports nor erases, and
// attachments whose files it never touches.
type notesDomain struct{ cov []datamap.Coverage }

func (n notesDomain) Tables() []string                                { return []string{"notes"} }
func (n notesDomain) Coverage() []datamap.Coverage                    { return n.cov }
func (notesDomain) Targets(context.Context) ([]datamap.Target, error) { return nil, nil }
func (notesDomain) Export(context.Context, datamap.ExportRequest, datamap.ExportWriter) error {
	return nil
}
func (notesDomain) Erase(context.Context, datamap.EraseRequest) (datamap.Erased, error) {
	return datamap.Erased{}, nil
}
func (notesDomain) Count(context.Context, datamap.Subject) ([]datamap.Held, error) { return nil, nil }
func (notesDomain) Sweep(context.Context, datamap.SweepRequest) (int64, error)     { return 0, nil }

var notes = datamap.Table{
	Name: "notes", Controller: datamap.Person, Purpose: "Notes.", Subject: []string{"author_id"},
	Columns: map[string]datamap.Category{"author_id": datamap.Identifier, "body": datamap.Content, "file_key": datamap.Content},
	Files:   []string{"file_key"}, Erasure: datamap.Delete,
}

// CheckCoverage fails a contract that leaves a registered personal column
// or file kind out of its export or its erasure, a table nobody owns, and
// a table owned but not registered; it passes a complete one.
func TestCheckCoverageCatchesGaps(t *testing.T) {
	all := []string{"author_id", "body", "file_key"}
	complete := notesDomain{cov: []datamap.Coverage{{Table: "notes", Exported: all, Erased: all, Files: []string{"file_key"}}}}
	if got := datamap.CheckCoverage([]datamap.Table{notes}, []datamap.Contract{complete}); len(got) != 0 {
		t.Fatalf("a complete contract fails: %q", got)
	}
	gappy := notesDomain{cov: []datamap.Coverage{{Table: "notes", Exported: []string{"author_id", "file_key"}, Erased: []string{"author_id", "body", "file_key"}}}}
	got := strings.Join(datamap.CheckCoverage([]datamap.Table{notes}, []datamap.Contract{gappy}), "\n")
	for _, want := range []string{"notes.body (content) is not exported", "files in notes.file_key are not exported and erased"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
	orphan := notes
	orphan.Name = "orphans"
	got = strings.Join(datamap.CheckCoverage([]datamap.Table{orphan}, []datamap.Contract{complete}), "\n")
	for _, want := range []string{"table orphans holds personal data but no domain's contract owns it", "a contract owns table notes, which the data map does not register"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
	anon := notes
	anon.Subject, anon.Files = nil, nil
	got = strings.Join(datamap.CheckCoverage([]datamap.Table{anon}, []datamap.Contract{complete}), "\n")
	if !strings.Contains(got, "table notes holds personal data, names no subject and has no retention class") {
		t.Errorf("problems %q lack the unreachable table", got)
	}
	anon.Retention = "notes"
	if got := datamap.CheckCoverage([]datamap.Table{anon}, []datamap.Contract{complete}); len(got) != 0 {
		t.Errorf("a short-lived table naming no subject fails: %q", got)
	}
	keep := notes
	keep.Erasure, keep.Reason = datamap.Keep, "a record the law requires"
	keepCov := notesDomain{cov: []datamap.Coverage{{Table: "notes", Exported: all, Files: []string{"file_key"}}}}
	if got := datamap.CheckCoverage([]datamap.Table{keep}, []datamap.Contract{keepCov}); len(got) != 0 {
		t.Fatalf("a kept table needs no erasure, yet: %q", got)
	}
}
