package push

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is push's side of the privacy contract, through the table-driven
// engine: a person's devices are in their export (name, push service,
// dates; the endpoint and keys withheld as credentials) and are deleted
// when their account is erased; so are their status and notification
// settings (status text and keywords opened for the export).
type Privacy struct {
	*sqlmap.Engine
}

var _ datamap.Contract = (*Privacy)(nil)

var privacyTables = []string{"notify_settings", "push_subscriptions", "push_vapid", "push_cursor"}

// Privacy returns push's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	return &Privacy{Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: s.Keys, Tables: privacyTables, Log: s.Log})}
}
