package outbox

import (
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Privacy returns the outbox's side of the privacy contract. Its rows name
// no account (only an address), are deleted once delivered and are swept
// by the "outbox" retention class.
func Privacy(d *db.DB) datamap.Contract {
	return sqlmap.New(sqlmap.Config{DB: d, Tables: []string{"outbox"}})
}
