package privacy

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// ownTables are the privacy center's own tables in the data map (datamap.go).
var ownTables = []string{"privacy_exports", "privacy_org_settings", "retention_policies", "retention_overrides", "retention_runs",
	"legal_holds", "erasure_ledger", "privacy_requests", "privacy_request_events", "policy_documents", "policy_acceptances",
	"consents", "consent_events", "age_gates", "guardian_consents", "security_notices", "security_notice_recipients", "guardian_requests"}

// ownContract is the privacy center's side of its own contract: its tables
// are exported, erased and counted from their data-map entries like any
// domain's (the export files themselves are deleted with the account).
func (s *Service) ownContract() datamap.Contract {
	var keys sqlmap.Keyring
	if s.Keys != nil {
		keys = s.Keys
	}
	return sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Tables: ownTables, Log: s.Log})
}
