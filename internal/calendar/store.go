package calendar

import (
	"context"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of calendar. Every query names the organization, which comes from
// the caller, never from the request (the reminder job reads every
// organization's events).

// calRow is a calendar as stored.
type calRow struct {
	ID, OrgID, Kind, Name, Description, Color, TimeZone string
	OwnerAccountID, OwnerMemberID                       string
	Seq                                                 int64
	CreatedBy                                           string
	CreatedAt, UpdatedAt                                int64
}

const calCols = `id, org_id, kind, name, description, color, time_zone, owner_account_id, owner_member_id, seq, created_by, created_at, updated_at`

func scanCal(r db.Scanner) (calRow, error) {
	var x calRow
	err := r.Scan(&x.ID, &x.OrgID, &x.Kind, &x.Name, &x.Description, &x.Color, &x.TimeZone, &x.OwnerAccountID, &x.OwnerMemberID, &x.Seq,
		&x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func insertCal(ctx context.Context, d *db.DB, x calRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendars (`+calCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		x.ID, x.OrgID, x.Kind, x.Name, x.Description, x.Color, x.TimeZone, x.OwnerAccountID, x.OwnerMemberID, x.Seq, x.CreatedBy, x.CreatedAt, x.UpdatedAt)
	return err
}

func updateCal(ctx context.Context, d *db.DB, x calRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE calendars SET name = $3, description = $4, color = $5, time_zone = $6, updated_at = $7
		WHERE org_id = $1 AND id = $2`, x.OrgID, x.ID, x.Name, x.Description, x.Color, x.TimeZone, x.UpdatedAt)
	return err
}

func getCal(ctx context.Context, d *db.DB, orgID, id string) (calRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanCal, `SELECT `+calCols+` FROM calendars WHERE org_id = $1 AND id = $2`, orgID, id)
}

func personalCal(ctx context.Context, d *db.DB, orgID, memberID string) (calRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanCal, `SELECT `+calCols+` FROM calendars WHERE org_id = $1 AND kind = $2 AND owner_member_id = $3`,
		orgID, KindPersonal, memberID)
}

// orgCals lists the organization's shared calendars.
func orgCals(ctx context.Context, d *db.DB, orgID string) ([]calRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanCal, `SELECT `+calCols+` FROM calendars WHERE org_id = $1 AND kind <> $2 ORDER BY created_at, id`,
		orgID, KindPersonal)
}

func deleteCal(ctx context.Context, d *db.DB, orgID, id string) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_schedule_changes WHERE org_id = $1 AND calendar_id = $2`, orgID, id); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendars WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

// deletePersonalCals deletes a person's personal calendars, with their
// events: in one organization when orgID is set, else in every one.
func deletePersonalCals(ctx context.Context, d *db.DB, orgID, accountID, memberID string, except []string) (int64, error) {
	q, args := `DELETE FROM calendars WHERE kind = $1 AND owner_account_id = $2`, []any{KindPersonal, accountID}
	if orgID != "" {
		q, args = `DELETE FROM calendars WHERE kind = $1 AND org_id = $2 AND (owner_account_id = $3 OR owner_member_id = $4)`,
			[]any{KindPersonal, orgID, accountID, memberID}
	}
	if len(except) > 0 {
		q += ` AND org_id NOT IN (` + db.In(&args, except) + `)`
	}
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_schedule_changes WHERE calendar_id IN (SELECT id `+
		strings.TrimPrefix(q, "DELETE ")+`)`, args...); err != nil {
		return 0, err
	}
	res, err := d.W(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// bumpSeq increments a calendar's change sequence and returns it; on
// PostgreSQL the row stays locked until the transaction ends, which
// orders concurrent changes to one calendar.
func bumpSeq(ctx context.Context, d *db.DB, orgID, calID string, now int64) (int64, error) {
	var seq int64
	err := d.W(ctx).QueryRowContext(ctx, `UPDATE calendars SET seq = seq + 1, updated_at = $3 WHERE org_id = $1 AND id = $2 RETURNING seq`,
		orgID, calID, now).Scan(&seq)
	return seq, err
}

// accessRow is one grant on an organization calendar.
type accessRow struct {
	Kind, SubjectID, Level string
}

func accessOf(ctx context.Context, d *db.DB, calID string) ([]accessRow, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (accessRow, error) {
		var x accessRow
		err := r.Scan(&x.Kind, &x.SubjectID, &x.Level)
		return x, err
	}, `SELECT subject_kind, subject_id, level FROM calendar_access WHERE calendar_id = $1 ORDER BY subject_kind, subject_id`, calID)
}

func replaceAccess(ctx context.Context, d *db.DB, orgID, calID string, as []Access, newID func() string, now int64) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_access WHERE calendar_id = $1`, calID); err != nil {
		return err
	}
	for _, a := range as {
		if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_access (id, org_id, calendar_id, subject_kind, subject_id, level, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(), orgID, calID, a.Kind, a.ID, a.Level, now); err != nil {
			return d.Classify(err)
		}
	}
	return nil
}

// eventRow is an event as stored.
type eventRow struct {
	ID, OrgID, CalendarID, UID             string
	Title, Description, Location, TimeZone string
	AllDay                                 bool
	StartLocal, EndLocal                   string
	StartAt, EndAt, LastEndAt              int64
	RRule, RDates, ExDates                 string
	Visibility, Reminders                  string
	OrganizerAccountID, OrganizerMemberID  string
	ConversationID                         string
	Revision, Seq                          int64
	CreatedAt, UpdatedAt                   int64
}

const eventCols = `id, org_id, calendar_id, uid, title, description, location, time_zone, all_day, start_local, end_local, start_at, end_at,
	last_end_at, rrule, rdates, exdates, visibility, reminders, organizer_account_id, organizer_member_id, conversation_id, revision, seq,
	created_at, updated_at`

func scanEvent(r db.Scanner) (eventRow, error) {
	var x eventRow
	err := r.Scan(&x.ID, &x.OrgID, &x.CalendarID, &x.UID, &x.Title, &x.Description, &x.Location, &x.TimeZone, &x.AllDay, &x.StartLocal,
		&x.EndLocal, &x.StartAt, &x.EndAt, &x.LastEndAt, &x.RRule, &x.RDates, &x.ExDates, &x.Visibility, &x.Reminders,
		&x.OrganizerAccountID, &x.OrganizerMemberID, &x.ConversationID, &x.Revision, &x.Seq, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func insertEvent(ctx context.Context, d *db.DB, x eventRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_events (`+eventCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
		$12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
		x.ID, x.OrgID, x.CalendarID, x.UID, x.Title, x.Description, x.Location, x.TimeZone, x.AllDay, x.StartLocal, x.EndLocal, x.StartAt,
		x.EndAt, x.LastEndAt, x.RRule, x.RDates, x.ExDates, x.Visibility, x.Reminders, x.OrganizerAccountID, x.OrganizerMemberID,
		x.ConversationID, x.Revision, x.Seq, x.CreatedAt, x.UpdatedAt)
	return d.Classify(err)
}

func updateEvent(ctx context.Context, d *db.DB, x eventRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE calendar_events SET title = $3, description = $4, location = $5, time_zone = $6, all_day = $7,
		start_local = $8, end_local = $9, start_at = $10, end_at = $11, last_end_at = $12, rrule = $13, rdates = $14, exdates = $15,
		visibility = $16, reminders = $17, revision = $18, seq = $19, updated_at = $20 WHERE org_id = $1 AND id = $2`,
		x.OrgID, x.ID, x.Title, x.Description, x.Location, x.TimeZone, x.AllDay, x.StartLocal, x.EndLocal, x.StartAt, x.EndAt, x.LastEndAt,
		x.RRule, x.RDates, x.ExDates, x.Visibility, x.Reminders, x.Revision, x.Seq, x.UpdatedAt)
	return err
}

// touchEvent records a change to an event's attendees (an answer).
func touchEvent(ctx context.Context, d *db.DB, id string, seq, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE calendar_events SET revision = revision + 1, seq = $2, updated_at = $3 WHERE id = $1`, id, seq, now)
	return err
}

func getEvent(ctx context.Context, d *db.DB, orgID, id string) (eventRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanEvent, `SELECT `+eventCols+` FROM calendar_events WHERE org_id = $1 AND id = $2`, orgID, id)
}

func deleteEvent(ctx context.Context, d *db.DB, orgID, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_events WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

func insertTombstone(ctx context.Context, d *db.DB, id, orgID, calID, uid string, seq, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_tombstones (id, org_id, calendar_id, uid, seq, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, orgID, calID, uid, seq, now)
	return err
}

// eventsIn lists the events of calendars that may overlap [from, to).
func eventsIn(ctx context.Context, d *db.DB, orgID string, calIDs []string, from, to int64) ([]eventRow, error) {
	if len(calIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID, to, from}
	q := `SELECT ` + prefixed("e.", eventCols) + ` FROM calendar_events e WHERE e.org_id = $1 AND e.start_at < $2 AND (e.last_end_at = 0 OR e.last_end_at > $3)
		AND e.calendar_id IN (` + db.In(&args, calIDs) + `) ORDER BY e.start_at, e.id`
	return db.QueryAll(ctx, d.R(ctx), scanEvent, q, args...)
}

// eventsAttended lists the events that may overlap [from, to) which any of
// the members attends (not declined) — their busy time.
func eventsAttended(ctx context.Context, d *db.DB, orgID string, memberIDs []string, from, to int64) ([]eventRow, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID, to, from, AttendeeMember, RSVPDeclined}
	q := `SELECT ` + prefixed("e.", eventCols) + ` FROM calendar_events e WHERE e.org_id = $1 AND e.start_at < $2 AND (e.last_end_at = 0 OR e.last_end_at > $3)
		AND e.id IN (SELECT a.event_id FROM calendar_attendees a WHERE a.kind = $4 AND a.rsvp <> $5 AND a.member_id IN (` + db.In(&args, memberIDs) + `))
		ORDER BY e.start_at, e.id`
	return db.QueryAll(ctx, d.R(ctx), scanEvent, q, args...)
}

// eventsOfRoom lists the events booking a room that may overlap [from, to).
func eventsOfRoom(ctx context.Context, d *db.DB, orgID, roomID string, from, to int64) ([]eventRow, error) {
	q := `SELECT ` + prefixed("e.", eventCols) + ` FROM calendar_events e WHERE e.org_id = $1 AND e.start_at < $2 AND (e.last_end_at = 0 OR e.last_end_at > $3)
		AND e.id IN (SELECT a.event_id FROM calendar_attendees a WHERE a.kind = $4 AND a.room_id = $5) ORDER BY e.start_at, e.id`
	return db.QueryAll(ctx, d.R(ctx), scanEvent, q, orgID, to, from, AttendeeRoom, roomID)
}

// eventsWithReminders lists every organization's events with reminders
// that may have an occurrence starting in (from, to].
func eventsWithReminders(ctx context.Context, d *db.DB, from, to int64) ([]eventRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanEvent, `SELECT `+prefixed("e.", eventCols)+` FROM calendar_events e
		WHERE e.reminders <> '[]' AND e.start_at <= $1 AND (e.last_end_at = 0 OR e.last_end_at > $2) ORDER BY e.org_id, e.id`, to, from)
}

func prefixed(p, cols string) string {
	out := []byte(p)
	for i := 0; i < len(cols); i++ {
		out = append(out, cols[i])
		if cols[i] == ',' {
			for i+1 < len(cols) && (cols[i+1] == ' ' || cols[i+1] == '\n' || cols[i+1] == '\t') {
				i++
			}
			out = append(out, ' ')
			out = append(out, p...)
		}
	}
	return string(out)
}

// overrideRow is one occurrence of a series changed.
type overrideRow struct {
	ID, EventID                  string
	RecurrenceAt                 int64
	Title, Description, Location string
	StartLocal, EndLocal         string
	StartAt, EndAt               int64
}

const overrideCols = `id, event_id, recurrence_at, title, description, location, start_local, end_local, start_at, end_at`

func scanOverride(r db.Scanner) (overrideRow, error) {
	var x overrideRow
	err := r.Scan(&x.ID, &x.EventID, &x.RecurrenceAt, &x.Title, &x.Description, &x.Location, &x.StartLocal, &x.EndLocal, &x.StartAt, &x.EndAt)
	return x, err
}

// overridesOf returns the overrides of events, by event id.
func overridesOf(ctx context.Context, d *db.DB, eventIDs []string) (map[string][]overrideRow, error) {
	out := map[string][]overrideRow{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var args []any
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		x, err := scanOverride(r)
		if err == nil {
			out[x.EventID] = append(out[x.EventID], x)
		}
		return err
	}, `SELECT `+overrideCols+` FROM calendar_overrides WHERE event_id IN (`+db.In(&args, eventIDs)+`) ORDER BY recurrence_at`, args...)
	return out, err
}

func putOverride(ctx context.Context, d *db.DB, orgID string, x overrideRow, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_overrides (id, org_id, event_id, recurrence_at, title, description, location,
		start_local, end_local, start_at, end_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (event_id, recurrence_at) DO UPDATE SET title = excluded.title, description = excluded.description,
		location = excluded.location, start_local = excluded.start_local, end_local = excluded.end_local, start_at = excluded.start_at,
		end_at = excluded.end_at, updated_at = excluded.updated_at`,
		x.ID, orgID, x.EventID, x.RecurrenceAt, x.Title, x.Description, x.Location, x.StartLocal, x.EndLocal, x.StartAt, x.EndAt, now)
	return err
}

// dropOverrides deletes an event's overrides at or after from (all with 0).
func dropOverrides(ctx context.Context, d *db.DB, eventID string, from int64, exact bool) error {
	op := ">="
	if exact {
		op = "="
	}
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_overrides WHERE event_id = $1 AND recurrence_at `+op+` $2`, eventID, from)
	return err
}

// attendeeRow is an attendee as stored.
type attendeeRow struct {
	ID, EventID, Kind, MemberID, AccountID, Email, RoomID, DepartmentID, RSVP string
}

const attendeeCols = `id, event_id, kind, member_id, account_id, email, room_id, department_id, rsvp`

func scanAttendee(r db.Scanner) (attendeeRow, error) {
	var x attendeeRow
	err := r.Scan(&x.ID, &x.EventID, &x.Kind, &x.MemberID, &x.AccountID, &x.Email, &x.RoomID, &x.DepartmentID, &x.RSVP)
	return x, err
}

// attendeesOf returns the attendees of events, by event id.
func attendeesOf(ctx context.Context, d *db.DB, eventIDs []string) (map[string][]attendeeRow, error) {
	out := map[string][]attendeeRow{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var args []any
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		x, err := scanAttendee(r)
		if err == nil {
			out[x.EventID] = append(out[x.EventID], x)
		}
		return err
	}, `SELECT `+attendeeCols+` FROM calendar_attendees WHERE event_id IN (`+db.In(&args, eventIDs)+`) ORDER BY created_at, id`, args...)
	return out, err
}

func insertAttendee(ctx context.Context, d *db.DB, orgID string, x attendeeRow, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_attendees (`+attendeeCols+`, org_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
		x.ID, x.EventID, x.Kind, x.MemberID, x.AccountID, x.Email, x.RoomID, x.DepartmentID, x.RSVP, orgID, now)
	return err
}

func deleteAttendee(ctx context.Context, d *db.DB, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_attendees WHERE id = $1`, id)
	return err
}

func setRSVP(ctx context.Context, d *db.DB, id, rsvp string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE calendar_attendees SET rsvp = $2, updated_at = $3 WHERE id = $1`, id, rsvp, now)
	return err
}

// roomRow is a meeting room as stored.
type roomRow struct {
	ID, OrgID, Name      string
	Capacity             int
	Location, Equipment  string
	Archived             bool
	CreatedBy            string
	CreatedAt, UpdatedAt int64
}

const roomCols = `id, org_id, name, capacity, location, equipment, archived, created_by, created_at, updated_at`

func scanRoom(r db.Scanner) (roomRow, error) {
	var x roomRow
	err := r.Scan(&x.ID, &x.OrgID, &x.Name, &x.Capacity, &x.Location, &x.Equipment, &x.Archived, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func insertRoom(ctx context.Context, d *db.DB, x roomRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_rooms (`+roomCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ID, x.OrgID, x.Name, x.Capacity, x.Location, x.Equipment, x.Archived, x.CreatedBy, x.CreatedAt, x.UpdatedAt)
	return err
}

func updateRoom(ctx context.Context, d *db.DB, x roomRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE calendar_rooms SET name = $3, capacity = $4, location = $5, equipment = $6, archived = $7,
		updated_at = $8 WHERE org_id = $1 AND id = $2`, x.OrgID, x.ID, x.Name, x.Capacity, x.Location, x.Equipment, x.Archived, x.UpdatedAt)
	return err
}

func getRoom(ctx context.Context, d *db.DB, orgID, id string) (roomRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanRoom, `SELECT `+roomCols+` FROM calendar_rooms WHERE org_id = $1 AND id = $2`, orgID, id)
}

// lockRoom reads an active room and, on PostgreSQL, locks its row until
// the transaction ends: bookings of one room take turns.
func lockRoom(ctx context.Context, d *db.DB, orgID, id string) (roomRow, error) {
	return db.QueryOne(ctx, d.W(ctx), scanRoom, `SELECT `+roomCols+` FROM calendar_rooms WHERE org_id = $1 AND id = $2 AND archived = $3`+
		d.Dialect.ForUpdate(), orgID, id, false)
}

func listRooms(ctx context.Context, d *db.DB, orgID string) ([]roomRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanRoom, `SELECT `+roomCols+` FROM calendar_rooms WHERE org_id = $1 AND archived = $2 ORDER BY name, id`,
		orgID, false)
}

// markReminded records a reminder as sent; false when it already was.
func markReminded(ctx context.Context, d *db.DB, id, orgID, eventID, accountID string, occurrenceAt int64, minutes int, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_reminders (id, org_id, event_id, account_id, occurrence_at, minutes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, occurrence_at, minutes, account_id) DO NOTHING`,
		id, orgID, eventID, accountID, occurrenceAt, minutes, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// changedSince lists a calendar's events changed after seq, and the uids
// deleted after it.
func changedSince(ctx context.Context, d *db.DB, orgID, calID string, seq int64) ([]Change, []string, error) {
	ch, err := db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Change, error) {
		var x Change
		err := r.Scan(&x.EventID, &x.UID, &x.Revision, &x.Seq)
		return x, err
	}, `SELECT id, uid, revision, seq FROM calendar_events WHERE org_id = $1 AND calendar_id = $2 AND seq > $3 ORDER BY seq, id`, orgID, calID, seq)
	if err != nil {
		return nil, nil, err
	}
	del, err := db.QueryAll(ctx, d.R(ctx), db.Value[string],
		`SELECT uid FROM calendar_tombstones WHERE org_id = $1 AND calendar_id = $2 AND seq > $3 ORDER BY seq, id`, orgID, calID, seq)
	return ch, del, err
}

// eventsOfCal lists every event of a calendar.
func eventsOfCal(ctx context.Context, d *db.DB, orgID, calID string) ([]eventRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanEvent, `SELECT `+eventCols+` FROM calendar_events WHERE org_id = $1 AND calendar_id = $2
		ORDER BY start_at, id`, orgID, calID)
}

// eventByUID returns the event of a calendar with uid.
func eventByUID(ctx context.Context, d *db.DB, orgID, calID, uid string) (eventRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanEvent, `SELECT `+eventCols+` FROM calendar_events WHERE org_id = $1 AND calendar_id = $2 AND uid = $3`,
		orgID, calID, uid)
}

// calOrg returns the organization of a calendar.
func calOrg(ctx context.Context, d *db.DB, id string) (string, error) {
	return db.QueryOne(ctx, d.R(ctx), db.Value[string], `SELECT org_id FROM calendars WHERE id = $1`, id)
}

// roomNames returns the names of an organization's rooms, archived ones
// included, by id.
func roomNames(ctx context.Context, d *db.DB, orgID string) (map[string]string, error) {
	out := map[string]string{}
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		var id, name string
		err := r.Scan(&id, &name)
		out[id] = name
		return err
	}, `SELECT id, name FROM calendar_rooms WHERE org_id = $1`, orgID)
	return out, err
}
