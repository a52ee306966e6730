package report

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is report's side of the privacy contract: the export, erasure,
// count and retention of its own tables, through the table-driven engine.
// An author's reports, a reader's receipts and a commenter's comments are
// in their export and follow the organization's leaver policy; templates
// stay the organization's when their designer is erased. An author's files
// are in their export (bytes included) and follow their reports.
type Privacy struct {
	*sqlmap.Engine
}

var _ datamap.Contract = (*Privacy)(nil)

// privacyTables are report's tables in the data map (datamap.go).
var privacyTables = []string{"report_templates", "reports", "report_recipients", "report_comments", "report_files"}

// Privacy returns report's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	var keys sqlmap.Keyring
	if s.Sealer != nil {
		keys = s.Sealer
	}
	return &Privacy{Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Files: s.Blobs, Tables: privacyTables, Log: s.Log,
		Rules: []sqlmap.Rule{
			{Table: "report_templates", Shared: true},
			{Table: "reports", Children: []sqlmap.Child{{Table: "report_recipients", Column: "report_id"}, {Table: "report_comments", Column: "report_id"}}},
			{Table: "report_files", TypeColumn: "content_type"},
		}})}
}
