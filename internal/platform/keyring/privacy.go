package keyring

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy returns the keyring's side of the privacy contract: a person's
// data-key row is exported (the wrapped key withheld as a credential) and
// counted; it is erased only by Destroy, which the privacy center calls
// once the person's rows are gone and no legal hold blocks it.
func (k *Keyring) Privacy() datamap.Contract {
	return sqlmap.New(sqlmap.Config{DB: k.db, Tables: []string{"data_keys", "data_key_tombstones"},
		Rules: []sqlmap.Rule{{Table: "data_keys", ErasedBy: "keyring.Destroy"}}})
}
