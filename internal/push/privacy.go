package push

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is push's side of the privacy contract, through the table-driven
// engine: a person's devices are in their export (name, push service,
// dates; the endpoint and keys withheld as credentials) and are deleted
// when their account is erased.
type Privacy struct {
	*sqlmap.Engine
}

var _ datamap.Contract = (*Privacy)(nil)

var privacyTables = []string{"push_subscriptions", "push_vapid", "push_cursor"}

// Privacy returns push's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	return &Privacy{Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Tables: privacyTables, Log: s.Log})}
}
