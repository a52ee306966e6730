package audit

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy returns the audit log's side of the privacy contract: a person's
// audit entries are exported (sealed details opened with keys) and
// counted; they are kept on erasure (the data map says why). A disbanded
// organization's entries are kept too — deleting them would break the
// chain — and erased by destroying the organization's key, which opens
// their sealed details (sealed.go).
func (s *Service) Privacy() datamap.Contract {
	return sqlmap.New(sqlmap.Config{DB: s.DB, Keys: s.Keys, Tables: []string{"audit_log", "audit_head"},
		Rules: []sqlmap.Rule{{Table: "audit_log", ErasedBy: "the organization's data key, destroyed when it is erased"}}})
}
