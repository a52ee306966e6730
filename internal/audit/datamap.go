package audit

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "audit_log",
		Controller: datamap.Organization,
		Purpose:    "Accountability: who did what to which object, when and from where, in a log that cannot be changed unnoticed",
		Subject:    []string{"actor_account_id", "actor_member_id"},
		Columns: map[string]datamap.Category{
			"actor_account_id": datamap.Identifier,
			"actor_member_id":  datamap.Identifier,
			"ip":               datamap.Logs,
			"target_id":        datamap.Identifier,
			"details":          datamap.Logs,
		},
		Technical: []string{"seq", "created_at", "org_id", "via", "action", "target_kind", "outcome", "request_id", "prev_hash", "hash"},
		Retention: "audit",
		Erasure:   datamap.Keep,
		Reason:    "The audit log is evidence of admin, identity and privacy actions (including erasure itself); its entries are hash-chained, so removing or changing one would break verification. Entries hold ids, not names or content, and become unlinkable once the person's account and member rows are erased.",
	})
	datamap.Register(datamap.Table{
		Name:       "audit_head",
		Controller: datamap.System,
		Purpose:    "The last sequence number and hash of the audit log, to detect a truncated log",
		Technical:  []string{"id", "seq", "hash"},
		Erasure:    datamap.Keep,
		Reason:     "Holds no personal data.",
	})
}
