package calendar

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of implicit scheduling (schedule.go): the events a member is
// invited to as they show in their personal calendar, and the changes to
// them in that calendar's sequence.

// invitedWhere selects the events a member attends, has not declined and
// does not organize, outside their personal calendar ($1 org, $2 member,
// $3 calendar).
const invitedWhere = `e.org_id = $1 AND e.organizer_member_id <> $2 AND e.calendar_id <> $3
	AND e.id IN (SELECT a.event_id FROM calendar_attendees a WHERE a.kind = 'member' AND a.member_id = $2 AND a.rsvp <> 'declined')`

// eventsInvited lists the events member is invited to (see invitedWhere)
// that may overlap [from, to); every one when to is 0.
func eventsInvited(ctx context.Context, d *db.DB, orgID, memberID, calID string, from, to int64) ([]eventRow, error) {
	q, args := `SELECT `+prefixed("e.", eventCols)+` FROM calendar_events e WHERE `+invitedWhere, []any{orgID, memberID, calID}
	if to != 0 {
		q += ` AND e.start_at < $4 AND (e.last_end_at = 0 OR e.last_end_at > $5)`
		args = append(args, to, from)
	}
	return db.QueryAll(ctx, d.R(ctx), scanEvent, q+` ORDER BY e.start_at, e.id`, args...)
}

// invitedByUID returns the event with uid member is invited to (the
// oldest when several have it).
func invitedByUID(ctx context.Context, d *db.DB, orgID, memberID, calID, uid string) (eventRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanEvent, `SELECT `+prefixed("e.", eventCols)+` FROM calendar_events e WHERE `+invitedWhere+
		` AND e.uid = $4 ORDER BY e.created_at, e.id LIMIT 1`, orgID, memberID, calID, uid)
}

// invitedByID returns an event member is invited to, by id.
func invitedByID(ctx context.Context, d *db.DB, orgID, memberID, calID, id string) (eventRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanEvent, `SELECT `+prefixed("e.", eventCols)+` FROM calendar_events e WHERE `+invitedWhere+
		` AND e.id = $4`, orgID, memberID, calID, id)
}

// putScheduleChange records that an event changed in an attendee's
// personal calendar at seq.
func putScheduleChange(ctx context.Context, d *db.DB, id, orgID, calID, eventID, uid string, seq, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_schedule_changes (id, org_id, calendar_id, event_id, uid, seq, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (calendar_id, event_id) DO UPDATE SET uid = excluded.uid, seq = excluded.seq`,
		id, orgID, calID, eventID, uid, seq, now)
	return err
}

// scheduleChange is an invited event changed in a personal calendar.
type scheduleChange struct {
	EventID, UID string
}

// scheduleChangesSince lists the invited events changed in a personal
// calendar after seq.
func scheduleChangesSince(ctx context.Context, d *db.DB, orgID, calID string, seq int64) ([]scheduleChange, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (scheduleChange, error) {
		var x scheduleChange
		err := r.Scan(&x.EventID, &x.UID)
		return x, err
	}, `SELECT event_id, uid FROM calendar_schedule_changes WHERE org_id = $1 AND calendar_id = $2 AND seq > $3 ORDER BY seq, id`, orgID, calID, seq)
}
