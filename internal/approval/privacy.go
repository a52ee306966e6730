package approval

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is approval's side of the privacy contract: the export,
// erasure, count and retention of its own tables, through the
// table-driven engine. An applicant's requests, an approver's tasks, an
// actor's history entries, a recipient's copies and a commenter's
// comments are in their export and follow the organization's leaver
// policy; templates and their versions stay the organization's when their
// designer is erased.
type Privacy struct {
	*sqlmap.Engine
}

var _ datamap.Contract = (*Privacy)(nil)

// privacyTables are approval's tables in the data map (datamap.go).
var privacyTables = []string{"approval_templates", "approval_template_versions", "approval_requests", "approval_steps", "approval_tasks",
	"approval_events", "approval_cc", "approval_comments", "approval_delegations", "approval_files"}

// Privacy returns approval's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	var keys sqlmap.Keyring
	if s.Sealer != nil {
		keys = s.Sealer
	}
	return &Privacy{Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Files: s.Blobs, Tables: privacyTables, Log: s.Log,
		Rules: []sqlmap.Rule{
			{Table: "approval_templates", Shared: true},
			{Table: "approval_template_versions", Shared: true},
			{Table: "approval_requests", TimeColumn: "submitted_at", Children: []sqlmap.Child{{Table: "approval_tasks", Column: "request_id"},
				{Table: "approval_events", Column: "request_id"}, {Table: "approval_cc", Column: "request_id"}, {Table: "approval_comments", Column: "request_id"}}},
			{Table: "approval_events", TimeColumn: "at"},
			{Table: "approval_files", TypeColumn: "content_type"},
		}})}
}
