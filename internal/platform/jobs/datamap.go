package jobs

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "jobs",
		Controller: datamap.System,
		Purpose:    "Run background work (exports, erasures, retention) safely across server nodes.",
		Technical: []string{"id", "kind", "dedupe_key", "payload", "state", "run_at", "attempts", "max_attempts",
			"lease_owner", "lease_until", "progress", "checkpoint", "result", "last_error", "created_at", "updated_at", "finished_at"},
		Retention: "jobs",
		Erasure:   datamap.Keep,
		Reason:    "holds ids and counters only, no personal data; finished jobs are pruned after 30 days",
	})
}
