package outbox

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "outbox",
		Controller: datamap.System,
		Purpose:    "Emails waiting to be sent (verification codes, security notices); each row is deleted as soon as it is delivered.",
		Columns: map[string]datamap.Category{
			"to_addr": datamap.Contact,
			"subject": datamap.Content,
			"body":    datamap.Content,
		},
		Technical: []string{"id", "created_at", "attempts", "next_attempt_at", "last_error"},
		Retention: "outbox",
		Erasure:   datamap.Delete,
		Transient: true,
	})
}
