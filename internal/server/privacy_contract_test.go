package server_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// visitorDomain is a domain added the wrong way: it registers a table of
// visits with a personal column (the place) and attachments, and a
// contract that exports and erases neither.
type visitorDomain struct{}

var visitorRecords = datamap.Table{
	Name: "visitor_records", Controller: datamap.Organization, Purpose: "Visits.", Subject: []string{"organizer_id"},
	Columns: map[string]datamap.Category{"organizer_id": datamap.Identifier, "title": datamap.Content, "place": datamap.Location,
		"attachment_key": datamap.Content},
	Files: []string{"attachment_key"}, Erasure: datamap.Delete,
}

func (visitorDomain) Tables() []string { return []string{"visitor_records"} }
func (visitorDomain) Coverage() []datamap.Coverage {
	done := []string{"attachment_key", "organizer_id", "title"}
	return []datamap.Coverage{{Table: "visitor_records", Exported: done, Erased: done}}
}
func (visitorDomain) Targets(context.Context) ([]datamap.Target, error) { return nil, nil }
func (visitorDomain) Export(context.Context, datamap.ExportRequest, datamap.ExportWriter) error {
	return nil
}
func (visitorDomain) Erase(context.Context, datamap.EraseRequest) (datamap.Erased, error) {
	return datamap.Erased{}, nil
}
func (visitorDomain) Count(context.Context, datamap.Subject) ([]datamap.Held, error) {
	return nil, nil
}
func (visitorDomain) Sweep(context.Context, datamap.SweepRequest) (int64, error) { return 0, nil }

// TestPrivacyContractCoversTheDataMap: every table of the data map that
// holds personal data or files is owned by exactly one domain's contract,
// as the running server registers them, and that contract exports and
// erases every personal column and file kind the map lists. A domain that
// registers a column or a file kind its contract leaves out fails it — the
// made-up visitor domain shows the check failing.
func TestPrivacyContractCoversTheDataMap(t *testing.T) {
	env := servertest.Start(t, db.SQLite)
	contracts := env.App.Privacy().Contracts()
	if problems := datamap.CheckCoverage(datamap.All(), contracts); len(problems) > 0 {
		t.Errorf("the privacy contracts do not cover the data map:\n%s", strings.Join(problems, "\n"))
	}
	// Every table shown to a person has the words its domain gives it,
	// in English and Chinese.
	if problems := datamap.CheckTexts(datamap.All()); len(problems) > 0 {
		t.Errorf("the data map lacks words for people:\n%s", strings.Join(problems, "\n"))
	}
	var owned []string
	for _, c := range contracts {
		owned = append(owned, c.Tables()...)
	}
	for _, want := range []string{"accounts", "members", "messages", "chat_files", "audit_log", "event_log", "data_keys", "privacy_requests"} {
		if !slices.Contains(owned, want) {
			t.Errorf("no registered contract owns %s", want)
		}
	}

	problems := datamap.CheckCoverage(append(datamap.All(), visitorRecords), append(contracts, visitorDomain{}))
	got := strings.Join(problems, "\n")
	for _, want := range []string{
		"visitor_records.place (location) is not exported by its contract",
		"visitor_records.place (location) is not erased by its contract",
		"files in visitor_records.attachment_key are not exported and erased by its contract",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the check misses %q; it found:\n%s", want, got)
		}
	}
	if len(problems) != 3 {
		t.Errorf("the check found %d problems, want the visitor domain's 3:\n%s", len(problems), got)
	}
}
