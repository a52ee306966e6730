package fresh

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "cache_generations",
		Controller: datamap.System,
		Purpose:    "Tell every server node when an answer it keeps in memory (sessions, memberships, the privacy gate) has changed",
		Technical:  []string{"id", "sessions", "members", "conversations", "policies"},
		Erasure:    datamap.Keep,
		Reason:     "Holds one row of counters, no personal data.",
	})
}
