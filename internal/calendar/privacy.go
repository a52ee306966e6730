package calendar

import (
	"context"
	"fmt"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Privacy is calendar's side of the privacy contract, through the
// table-driven engine. A personal calendar is its owner's: it is in their
// export, and it goes — with its events, their attendees and overrides —
// when the person is erased, or leaves the organization whatever its
// policy says. The organization's calendars and rooms stay the
// organization's: their creator is replaced. The events a person
// organized in an organization calendar stay on it for the others, the
// organizer replaced by the "former member" tombstone, and their own
// answers (RSVPs) are anonymized or deleted as the organization's leave
// policy says. Their feed links are deleted with their membership or
// their account.
type Privacy struct {
	*sqlmap.Engine
	s     *Service
	db    *db.DB
	blobs blob.Store
}

var _ datamap.Contract = (*Privacy)(nil)

// privacyTables are calendar's tables in the data map (datamap.go).
var privacyTables = []string{"calendars", "calendar_access", "calendar_events", "calendar_overrides", "calendar_attendees", "calendar_rooms",
	"calendar_reminders", "calendar_tombstones", "calendar_files", "calendar_feeds"}

// Privacy returns calendar's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	return &Privacy{s: s, db: s.DB, blobs: s.Blobs, Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Files: s.Blobs, Tables: privacyTables, Log: s.Log,
		Rules: []sqlmap.Rule{
			{Table: "calendars", Shared: true},
			{Table: "calendar_events", Shared: true},
			{Table: "calendar_rooms", Shared: true},
			{Table: "calendar_files", NameColumn: "name", TypeColumn: "content_type"},
		}})}
}

// Erase deletes the person's personal calendars in the request's scope
// (every organization's for an account, one organization's for a
// membership), then lets the engine erase the rest.
func (p *Privacy) Erase(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	var n, feeds int64
	var keys []string
	err := p.db.Tx(ctx, func(ctx context.Context) error {
		orgID, memberID := "", ""
		switch r.Scope {
		case datamap.ScopeAccount:
		case datamap.ScopeMembership:
			orgID, memberID = r.OrgID, r.MemberID
		default:
			return nil
		}
		// The attendees' calendar apps learn, once this commits, that the
		// events of those calendars are gone (scheduling sync).
		evs, err := personalCalEventRows(ctx, p.db, orgID, r.Subject.AccountID, memberID, r.HeldOrgs)
		if err != nil {
			return err
		}
		ids := make([]string, len(evs))
		for i, ev := range evs {
			ids[i] = ev.ID
		}
		as, err := attendeesOf(ctx, p.db, ids)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			p.s.scheduleTouched(ctx, ev, as[ev.ID])
		}
		// Organizations holding the person keep their personal calendars.
		if keys, err = deletePersonalCalFiles(ctx, p.db, orgID, r.Subject.AccountID, memberID, r.HeldOrgs); err != nil {
			return err
		}
		if n, err = deletePersonalCals(ctx, p.db, orgID, r.Subject.AccountID, memberID, r.HeldOrgs); err != nil {
			return err
		}
		if r.Scope == datamap.ScopeAccount {
			// Feed links are credentials: none outlives its person.
			feeds, err = deleteFeedsOf(ctx, p.db, "", r.Subject.AccountID)
		}
		return err
	})
	if err != nil {
		return datamap.Erased{}, err
	}
	out, err := p.Engine.Erase(ctx, r)
	if err != nil {
		return out, err
	}
	// The bytes of the files of those calendars' events go once the
	// erasure's transaction has committed (it may still roll back here),
	// and a failure to delete them fails the erasure's job, to be retried.
	if len(keys) > 0 && p.blobs != nil {
		out.After = append(out.After, func(ctx context.Context) error {
			for _, k := range keys {
				if err := p.blobs.Delete(ctx, k); err != nil {
					return fmt.Errorf("calendar: delete a file's bytes: %w", err)
				}
			}
			return nil
		})
	}
	if n > 0 || feeds > 0 {
		if out.Deleted == nil {
			out.Deleted = map[string]int64{}
		}
		out.Deleted["calendars"] += n
		out.Deleted["calendar_feeds"] += feeds
	}
	return out, nil
}
