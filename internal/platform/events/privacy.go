package events

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Privacy returns the event log's side of the privacy contract. The event
// log is a replay buffer: events addressed to a person are exported and
// counted, and an erasure deletes every event addressed to, or mentioning,
// the erased ids, so that erased data does not linger in it.
func Privacy(d *db.DB) datamap.Contract {
	return eventsPrivacy{Engine: sqlmap.New(sqlmap.Config{DB: d, Tables: []string{"event_log"}}), d: d}
}

type eventsPrivacy struct {
	*sqlmap.Engine
	d *db.DB
}

func (p eventsPrivacy) Erase(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	res, err := p.Engine.Erase(ctx, r)
	if err != nil {
		return res, err
	}
	var ids []string
	switch r.Scope {
	case datamap.ScopeAccount:
		ids = []string{r.Subject.AccountID}
	case datamap.ScopeMembership:
		ids = []string{r.Subject.AccountID, r.MemberID}
	case datamap.ScopeOrganization:
		ids = []string{r.OrgID}
	}
	for _, id := range ids {
		if id == "" {
			continue
		}
		n, err := scrub(ctx, p.d, id)
		if err != nil {
			return res, err
		}
		if n > 0 {
			res.Deleted["event_log"] += n
		}
	}
	return res, nil
}

// scrub deletes the events addressed to id, of its organization, or that
// mention it.
func scrub(ctx context.Context, d *db.DB, id string) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM event_log WHERE scope_id = $1 OR org_id = $1 OR data LIKE $2`, id, "%"+id+"%")
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
