package attendance

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is attendance's side of the privacy contract: the export,
// erasure, count and retention of its own tables, through the
// table-driven engine. A person's check-ins, raw locations (opened with
// their key), days, adjustments and notice are in their export and go
// when they are erased; groups stay the organization's.
type Privacy struct {
	*sqlmap.Engine
}

var _ datamap.Contract = (*Privacy)(nil)

// privacyTables are attendance's tables in the data map (datamap.go).
var privacyTables = []string{"attendance_groups", "attendance_roster", "attendance_holidays", "attendance_punches", "attendance_locations",
	"attendance_days", "attendance_adjustments", "attendance_reminders", "attendance_notices", "attendance_cursor"}

// Privacy returns attendance's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	var keys sqlmap.Keyring
	if s.Sealer != nil {
		keys = s.Sealer
	}
	return &Privacy{Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Tables: privacyTables, Log: s.Log,
		Rules: []sqlmap.Rule{{Table: "attendance_groups", Shared: true}, {Table: "attendance_days", TimeColumn: "created_at"}}})}
}
