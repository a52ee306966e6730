package identity

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// privacyTables are identity's tables in the data map (datamap.go).
var privacyTables = []string{"accounts", "sessions", "verification_codes", "recovery_codes", "login_history", "known_clients",
	"account_notices", "rate_limits", "login_throttle", "app_passwords"}

// Privacy returns identity's side of the privacy contract: its tables are
// exported, erased, counted and swept from their data-map entries (sealed
// phone numbers and birth dates are opened with the person's key for the
// export; credentials are withheld). The account's key itself is destroyed
// by the privacy center through the keyring, which honours legal holds.
func (s *Service) Privacy() datamap.Contract {
	var keys sqlmap.Keyring
	if s.Keys != nil {
		keys = s.Keys
	}
	return sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Tables: privacyTables, Log: s.Log})
}
