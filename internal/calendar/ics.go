package calendar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Export and import of .ics files: a calendar as the caller sees it (busy
// time only for the events they may not see), and events read from a file
// into a calendar they may edit — an event with a UID the calendar has
// already is updated.

// Limits of an import.
const (
	// MaxImportBytes bounds an imported .ics body.
	MaxImportBytes = 5 << 20
	// maxImportEvents bounds the VEVENTs of one import.
	maxImportEvents = 5000
)

// ImportResult counts what an import did, with the reason for each
// object skipped.
type ImportResult struct {
	Imported int         `json:"imported"`
	Updated  int         `json:"updated"`
	Skipped  int         `json:"skipped"`
	Errors   []itemError `json:"errors"`
}

// icalEvents builds the iCalendar view of evs for the viewer.
func (s *Service) icalEvents(ctx context.Context, v *viewer, evs []eventRow) ([]icalEvent, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	idl := make([]string, len(evs))
	for i, e := range evs {
		idl[i] = e.ID
	}
	as, err := attendeesOf(ctx, s.DB, idl)
	if err != nil {
		return nil, err
	}
	ovs, err := overridesOf(ctx, s.DB, idl)
	if err != nil {
		return nil, err
	}
	var files map[string][]fileRow
	if s.BaseURL != "" {
		if files, err = filesOfEvents(ctx, s.DB, idl); err != nil {
			return nil, err
		}
	}
	rooms := map[string]map[string]string{}
	out := make([]icalEvent, 0, len(evs))
	for _, ev := range evs {
		see, _, err := v.rights(ctx, ev, as[ev.ID])
		if err != nil {
			return nil, err
		}
		x := icalEvent{ev: ev, overrides: ovs[ev.ID], busyOnly: !see}
		if see {
			x.organizer = icalPerson{Name: s.Directory.Name(ctx, ev.OrgID, ev.OrganizerAccountID), Email: s.memberEmail(ctx, ev.OrgID, ev.OrganizerAccountID),
				MemberID: ev.OrganizerMemberID}
			for _, a := range as[ev.ID] {
				p := icalPerson{Kind: a.Kind, Email: a.Email, RoomID: a.RoomID, RSVP: a.RSVP, MemberID: a.MemberID}
				switch a.Kind {
				case AttendeeMember:
					p.Name, p.Email = s.Directory.Name(ctx, ev.OrgID, a.AccountID), s.memberEmail(ctx, ev.OrgID, a.AccountID)
				case AttendeeRoom:
					if rooms[ev.OrgID] == nil {
						if rooms[ev.OrgID], err = roomNames(ctx, s.DB, ev.OrgID); err != nil {
							return nil, err
						}
					}
					p.Name = rooms[ev.OrgID][a.RoomID]
				}
				x.attendees = append(x.attendees, p)
			}
			for _, f := range files[ev.ID] {
				x.attach = append(x.attach, icalAttach{URL: strings.TrimRight(s.BaseURL, "/") + "/api/v1/calendar-files/" + f.ID,
					Name: f.Name, ContentType: f.ContentType})
			}
		}
		out = append(out, x)
	}
	return out, nil
}

func (s *Service) memberEmail(ctx context.Context, orgID, accountID string) string {
	if s.MemberEmail == nil || accountID == "" {
		return ""
	}
	return s.MemberEmail(ctx, orgID, accountID)
}

// calendarICS returns a calendar's events as the actor sees them.
func (s *Service) calendarICS(ctx context.Context, a *actor.Actor, c calRow, l string) (*ical.Calendar, error) {
	evs, err := eventsOfCal(ctx, s.DB, c.OrgID, c.ID)
	if err != nil {
		return nil, err
	}
	v := s.viewer(a)
	v.levels[c.ID] = l
	xs, err := s.icalEvents(ctx, v, evs)
	if err != nil {
		return nil, err
	}
	name := c.Name
	if c.Kind == KindPersonal && name == "" {
		name = "Personal"
	}
	return encodeEvents(name, xs), nil
}

// encodeICS writes a VCALENDAR; go-ical refuses an empty one, which is
// written by hand.
func encodeICS(w io.Writer, cal *ical.Calendar) error {
	if len(cal.Children) == 0 {
		cal.Children = append(cal.Children, ical.NewComponent("X-ATRIUM-EMPTY"))
		var buf bytes.Buffer
		if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
			return apperr.Internal(err)
		}
		b := bytes.Replace(buf.Bytes(), []byte("BEGIN:X-ATRIUM-EMPTY\r\nEND:X-ATRIUM-EMPTY\r\n"), nil, 1)
		_, err := w.Write(b)
		return err
	}
	if err := ical.NewEncoder(w).Encode(cal); err != nil {
		return apperr.Internal(err)
	}
	return nil
}

// ExportICS writes a calendar the caller may view as an .ics file.
func (s *Service) ExportICS(ctx context.Context, calID string, w io.Writer) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	c, l, err := s.calendar(ctx, a, calID)
	if err != nil {
		return err
	}
	cal, err := s.calendarICS(ctx, a, c, l)
	if err != nil {
		return err
	}
	return encodeICS(w, cal)
}

// parseICS reads an iCalendar body.
func parseICS(r io.Reader) (cal *ical.Calendar, err error) {
	defer func() {
		if p := recover(); p != nil {
			cal, err = nil, errICS(errors.New("unreadable"))
		}
	}()
	cal, err = ical.NewDecoder(r).Decode()
	if err != nil {
		return nil, errICS(err)
	}
	n := 0
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent {
			n++
		}
	}
	if n > maxImportEvents {
		return nil, apperr.Invalid("too_many_events", "at most 5000 events in one file")
	}
	return cal, nil
}

// ImportICS reads an .ics file into a calendar the caller may edit:
// events with a new UID are created, those with a UID the calendar has
// are updated (when the caller may edit them), the others are skipped
// with the reason.
func (s *Service) ImportICS(ctx context.Context, calID string, body io.Reader) (ImportResult, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return ImportResult{}, err
	}
	c, err := s.editable(ctx, a, calID)
	if err != nil {
		return ImportResult{}, err
	}
	cal, err := parseICS(body)
	if err != nil {
		return ImportResult{}, err
	}
	floating, err := loadZone("time_zone", c.TimeZone)
	if err != nil {
		floating = time.UTC
	}
	items, errs := decodeEvents(cal, floating)
	out := ImportResult{Errors: []itemError{}}
	out.Errors = append(out.Errors, errs...)
	for _, it := range items {
		_, created, err := s.saveImported(ctx, a, c, it, nil, false)
		switch {
		case err != nil:
			out.Errors = append(out.Errors, itemError{UID: it.UID, Error: publicMessage(err)})
		case created:
			out.Imported++
		default:
			out.Updated++
		}
	}
	out.Skipped = len(out.Errors)
	if out.Imported+out.Updated > 0 {
		if err := s.DB.Tx(ctx, func(ctx context.Context) error {
			return s.record(ctx, a.OrgID, "calendar.imported", "calendar", c.ID, map[string]any{"imported": out.Imported, "updated": out.Updated,
				"skipped": out.Skipped})
		}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// publicMessage is what an item error may tell the caller.
func publicMessage(err error) string {
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind != apperr.KindInternal {
		msg := e.Message
		if f, ok := e.Details["field"].(string); ok && f != "" {
			msg = f + ": " + msg
		}
		return msg
	}
	return "internal error"
}

// putCheck is a condition on the event being written (CalDAV's If-Match
// and If-None-Match): called with the stored event, nil when there is none.
type putCheck func(old *eventRow) error

// saveImported creates or updates (by UID) one event read from
// iCalendar in calendar c, which the caller may edit; it reports whether
// the event was created. Attendees are matched to the organization's
// members by calendar address (email or urn:atrium:member:), the others
// are external. An import notifies no one; a calendar app's write
// (scheduling) invites and notifies as the app does, and takes no
// member's answer from the organizer's data.
func (s *Service) saveImported(ctx context.Context, a *actor.Actor, c calRow, it importedEvent, check putCheck, scheduling bool) (eventRow, bool, error) {
	in := it.In
	if err := checkText(in.Title, in.Description, in.Location); err != nil {
		return eventRow{}, false, err
	}
	var att AttendeesInput
	att.RoomIDs = in.Attendees.RoomIDs
	for _, m := range in.Attendees.MemberIDs {
		if id := s.memberOfAddress(ctx, c.OrgID, memberURI+m); id != "" {
			att.MemberIDs = append(att.MemberIDs, id)
		}
	}
	members := map[string]string{} // member id → email
	for _, e := range in.Attendees.Emails {
		if s.MemberByEmail != nil {
			if m := s.MemberByEmail(ctx, c.OrgID, e); m != "" {
				att.MemberIDs = append(att.MemberIDs, m)
				members[m] = e
				continue
			}
		}
		att.Emails = append(att.Emails, e)
	}
	now := s.now()
	var created bool
	var ev eventRow
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		old, err := eventByUID(ctx, s.DB, c.OrgID, c.ID, it.UID)
		var oldAs []attendeeRow
		switch {
		case err == nil:
			if check != nil {
				if err := check(&old); err != nil {
					return err
				}
			}
			ev = old
			ev.Revision++
			ev.UpdatedAt = now
			as, err := attendeesOf(ctx, s.DB, []string{old.ID})
			if err != nil {
				return err
			}
			oldAs = as[old.ID]
			if old.OrganizerMemberID != a.MemberID {
				if l, err := s.level(ctx, a, c); err != nil || l != LevelEdit {
					if err == nil {
						err = apperr.ErrForbidden
					}
					return err
				}
			}
		case errors.Is(err, db.ErrNotFound) || apperr.IsNotFound(apperr.MapNotFound(err)):
			if check != nil {
				if err := check(nil); err != nil {
					return err
				}
			}
			created = true
			ev = eventRow{ID: ids.New("evt"), OrgID: c.OrgID, CalendarID: c.ID, UID: it.UID, OrganizerAccountID: a.AccountID,
				OrganizerMemberID: a.MemberID, Revision: 1, CreatedAt: now, UpdatedAt: now}
		default:
			return err
		}
		ev.Title, ev.Description, ev.Location, ev.TimeZone, ev.AllDay = in.Title, in.Description, in.Location, in.TimeZone, in.AllDay
		ev.StartLocal, ev.EndLocal, ev.RRule = in.Start, in.End, in.RRule
		if ev.Visibility, err = checkVisibility(in.Visibility); err != nil {
			return err
		}
		if ev.Reminders, err = remindersJSON(in.Reminders); err != nil {
			return err
		}
		if ev.RDates, err = localList("rdates", in.RDates, in.AllDay, in.TimeZone); err != nil {
			return err
		}
		if ev.ExDates, err = localList("exdates", in.ExDates, in.AllDay, in.TimeZone); err != nil {
			return err
		}
		// Cancelled occurrences are EXDATEs.
		var ex []string
		_ = json.Unmarshal([]byte(ev.ExDates), &ex)
		for _, o := range it.Overrides {
			if o.Cancelled {
				ex = append(ex, formatLocal(o.RecurrenceID, ev.AllDay))
			}
		}
		if ev.ExDates, err = localList("exdates", ex, in.AllDay, in.TimeZone); err != nil {
			return err
		}
		sr, err := timing(&ev)
		if err != nil {
			return err
		}
		var ovs []overrideRow
		for _, o := range it.Overrides {
			if o.Cancelled {
				continue
			}
			if !sr.recurring() || !sr.isOccurrence(o.RecurrenceID) {
				return apperr.InvalidField("recurrence_id", "RECURRENCE-ID "+formatLocal(o.RecurrenceID, ev.AllDay)+" is not an occurrence of the event")
			}
			if err := checkText(o.Title, o.Description, o.Location); err != nil {
				return err
			}
			if o.Start.UnixMilli() < ev.StartAt {
				return apperr.InvalidField("start", "an occurrence may not start before the series' first")
			}
			ov := overrideRow{ID: ids.New("cov"), EventID: ev.ID, RecurrenceAt: o.RecurrenceID.UnixMilli(), Title: o.Title,
				Description: o.Description, Location: o.Location, StartLocal: formatLocal(o.Start, ev.AllDay), EndLocal: formatLocal(o.End, ev.AllDay),
				StartAt: o.Start.UnixMilli(), EndAt: o.End.UnixMilli()}
			if ev.LastEndAt != 0 && ov.EndAt > ev.LastEndAt {
				ev.LastEndAt = ov.EndAt
			}
			ovs = append(ovs, ov)
		}
		if ev.Seq, err = bumpSeq(ctx, s.DB, c.OrgID, c.ID, now); err != nil {
			return err
		}
		if created {
			err = insertEvent(ctx, s.DB, ev)
		} else {
			err = updateEvent(ctx, s.DB, ev)
		}
		if err != nil {
			return err
		}
		if err := dropOverrides(ctx, s.DB, ev.ID, 0, false); err != nil {
			return err
		}
		for _, o := range ovs {
			if err := putOverride(ctx, s.DB, c.OrgID, o, now); err != nil {
				return err
			}
		}
		invited, err := s.setAttendees(ctx, ev, c.Kind, att, oldAs, now)
		if err != nil {
			return err
		}
		if scheduling {
			if err := s.notify(ctx, c.OrgID, "calendar.invited", map[string]string{"event_id": ev.ID}, invited); err != nil {
				return err
			}
			if !created {
				if err := s.notify(ctx, c.OrgID, "calendar.updated", map[string]string{"event_id": ev.ID},
					slices.DeleteFunc(memberAccounts(oldAs, a.AccountID), func(acc string) bool { return slices.Contains(invited, acc) })); err != nil {
					return err
				}
			}
		}
		s.scheduleTouched(ctx, ev, oldAs)
		// The answers the file carries, for attendees with none yet.
		as, err := attendeesOf(ctx, s.DB, []string{ev.ID})
		if err != nil {
			return err
		}
		for _, x := range as[ev.ID] {
			email := x.Email
			if x.Kind == AttendeeMember {
				email = members[x.MemberID]
			}
			if scheduling && x.Kind == AttendeeMember {
				continue // a member answers for themselves
			}
			if r := it.Answers[email]; r != "" && x.RSVP == RSVPNeedsAction && email != "" {
				if err := setRSVP(ctx, s.DB, x.ID, r, now); err != nil {
					return err
				}
			}
		}
		if err := s.checkRooms(ctx, ev, sr, ovs); err != nil {
			return err
		}
		action := "calendar.event_updated"
		if created {
			action = "calendar.event_created"
		}
		via := "ics"
		if scheduling {
			via = "caldav"
		}
		return s.record(ctx, c.OrgID, action, "calendar_event", ev.ID, map[string]any{"via": via})
	})
	return ev, created, err
}
