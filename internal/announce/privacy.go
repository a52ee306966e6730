package announce

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is announce's side of the privacy contract: the export, erasure,
// count and retention of its own tables, through the table-driven engine.
// A reader's receipts are in their export and follow the organization's
// leaver policy; announcements stay the organization's when their author
// is erased (they are shared rows other people's receipts hang off), and
// so do their files: an uploader's files are in their export (bytes
// included) and erasing the uploader replaces them.
type Privacy struct {
	*sqlmap.Engine
}

var _ datamap.Contract = (*Privacy)(nil)

// privacyTables are announce's tables in the data map (datamap.go).
var privacyTables = []string{"announcements", "announcement_recipients", "announcement_comments", "announcement_files"}

// Privacy returns announce's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	var keys sqlmap.Keyring
	if s.Sealer != nil {
		keys = s.Sealer
	}
	return &Privacy{Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Files: s.Blobs, Tables: privacyTables, Log: s.Log,
		Rules: []sqlmap.Rule{
			{Table: "announcements", Shared: true, Children: []sqlmap.Child{{Table: "announcement_recipients", Column: "announcement_id"},
				{Table: "announcement_comments", Column: "announcement_id"}}},
			// A file belongs to its announcement, which stays.
			{Table: "announcement_files", Shared: true, TypeColumn: "content_type"},
		}})}
}
