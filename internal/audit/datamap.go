package audit

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "audit_log",
		Title:      datamap.Text{En: "Audit log entries", Zh: "审计日志记录"},
		Why:        datamap.Text{Zh: "问责：谁在何时、从何处对什么做了什么，记录在防篡改的日志中。"},
		Controller: datamap.Organization,
		Purpose:    "Accountability: who did what to which object, when and from where, in a log that cannot be changed unnoticed",
		Subject:    []string{"actor_account_id", "actor_member_id"},
		Columns: map[string]datamap.Category{
			"actor_account_id": datamap.Identifier,
			"actor_member_id":  datamap.Identifier,
			"ip":               datamap.Logs,
			"target_id":        datamap.Identifier,
			"details":          datamap.Logs,
			"details_sealed":   datamap.Logs,
		},
		Sealed: map[string]datamap.Seal{
			"details_sealed": {AAD: "audit_log.details:", IDColumn: "seq", OwnerColumn: "org_id",
				Owner: "the organization's key, for its entries (details is '{}' in sealed rows)"},
		},
		Technical: []string{"seq", "created_at", "org_id", "via", "action", "target_kind", "outcome", "request_id", "prev_hash", "hash"},
		Retention: "audit",
		Erasure:   datamap.Keep,
		Reason:    "The audit log is evidence of admin, identity and privacy actions (including erasure itself); its entries are hash-chained, so removing or changing one would break verification. Entries hold ids, not content, and become unlinkable once the person's account and member rows are erased. The details of an organization's entries (which may name the organization, its departments or groups) are sealed with the organization's key: a disbanded organization's entries stay in the chain, and erasing it destroys the key that opens their details.",
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
