package audit

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy returns the audit log's side of the privacy contract: a person's
// audit entries are exported and counted; they are kept on erasure (the
// data map says why) and deleted with a disbanded organization.
func (s *Service) Privacy() datamap.Contract {
	return sqlmap.New(sqlmap.Config{DB: s.DB, Tables: []string{"audit_log", "audit_head"}})
}
