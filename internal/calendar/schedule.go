package calendar

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/emersion/go-ical"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Implicit scheduling (RFC 6638) for calendar apps. An event lives in the
// calendar its organizer put it in; to each member it invites (who has
// not declined) it also shows in their personal calendar over CalDAV,
// under the same UID, with their answer as their ATTENDEE's PARTSTAT. An
// attendee writing the event back with another PARTSTAT for themselves
// answers the invitation (the same RSVP as the app's); changing anything
// else the organizer decides (title, description, place, times,
// recurrence) is refused with 403; deleting it declines. Members are
// recognized in iCalendar by their calendar addresses: mailto: their work
// email in the organization or the email they sign in with, and
// urn:atrium:member:<member id> (used for members without a work email).

// memberURI is the calendar address of a member without a work email.
const memberURI = "urn:atrium:member:"

// addresses returns the calendar addresses of a member, lower-cased.
func (s *Service) addresses(ctx context.Context, orgID, accountID, memberID string) []string {
	out := []string{memberURI + strings.ToLower(memberID)}
	if e := s.memberEmail(ctx, orgID, accountID); e != "" {
		out = append(out, "mailto:"+strings.ToLower(e))
	}
	if s.AccountEmail != nil {
		if e := s.AccountEmail(ctx, accountID); e != "" && !slices.Contains(out, "mailto:"+strings.ToLower(e)) {
			out = append(out, "mailto:"+strings.ToLower(e))
		}
	}
	return out
}

// normAddress lower-cases a calendar address for comparison.
func normAddress(v string) string {
	v = strings.TrimSpace(v)
	if e := calAddress(v); e != "" {
		return "mailto:" + e
	}
	return strings.ToLower(v)
}

// scheduleTouched records, once ctx's transaction commits, a change to an
// event in the personal calendars of its member attendees other than its
// organizer (those of old, before the change, and those after it): each
// calendar's sequence moves on, so that calendar apps syncing it learn of
// the change. Each calendar is bumped in a transaction of its own, after
// the change's, so that two changes never lock calendars in opposite
// orders; a failure is logged (the next full sync corrects it).
func (s *Service) scheduleTouched(ctx context.Context, ev eventRow, old []attendeeRow) {
	old = slices.Clone(old)
	db.AfterCommit(ctx, func() {
		bg := context.Background()
		cur, err := attendeesOf(bg, s.DB, []string{ev.ID})
		if err != nil {
			s.Log.Warn("calendar: scheduling sync", "event_id", ev.ID, "err", err)
			return
		}
		seen := map[string]bool{}
		var ms []string
		for _, x := range append(old, cur[ev.ID]...) {
			if x.Kind == AttendeeMember && x.MemberID != "" && x.MemberID != ev.OrganizerMemberID && !seen[x.MemberID] {
				seen[x.MemberID] = true
				ms = append(ms, x.MemberID)
			}
		}
		sort.Strings(ms)
		for _, m := range ms {
			c, err := personalCal(bg, s.DB, ev.OrgID, m)
			if err != nil || c.ID == ev.CalendarID {
				continue // no personal calendar yet: its first sync lists everything
			}
			now := s.now()
			err = s.DB.Tx(bg, func(ctx context.Context) error {
				seq, err := bumpSeq(ctx, s.DB, ev.OrgID, c.ID, now)
				if err != nil {
					return err
				}
				return putScheduleChange(ctx, s.DB, ids.New("csc"), ev.OrgID, c.ID, ev.ID, ev.UID, seq, now)
			})
			if err != nil {
				s.Log.Warn("calendar: scheduling sync", "event_id", ev.ID, "calendar_id", c.ID, "err", err)
			}
		}
	})
}

// invitesShown reports whether a calendar shows the invitations of the
// actor: their own personal calendar.
func invitesShown(a *actor.Actor, c calRow) bool {
	return c.Kind == KindPersonal && c.OwnerMemberID == a.MemberID
}

// errAttendeeChange refuses an attendee's change to what the organizer
// decides (RFC 6638 3.2.2.1).
var errAttendeeChange = apperr.Forbidden("attendee_change", "only the organizer changes this event; attendees change their answer only")

// attendeeWrite handles an attendee's PUT of an event they are invited
// to: their PARTSTAT is their answer (RSVP); other changes to the
// organizer's fields are refused. Their alarms, other attendees' answers
// and changed occurrences are ignored.
func (s *Service) attendeeWrite(ctx context.Context, a *actor.Actor, ev eventRow, cal *ical.Calendar, it importedEvent) (eventRow, error) {
	mine := s.addresses(ctx, ev.OrgID, a.AccountID, a.MemberID)
	status := ""
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent || c.Props.Get(ical.PropRecurrenceID) != nil || strings.TrimSpace(textOf(c, ical.PropUID)) != ev.UID {
			continue
		}
		for _, p := range c.Props.Values(ical.PropAttendee) {
			if slices.Contains(mine, normAddress(p.Value)) {
				status = strings.ToUpper(p.Params.Get(ical.ParamParticipationStatus))
			}
		}
	}
	in := it.In
	x := eventRow{TimeZone: in.TimeZone, AllDay: in.AllDay, StartLocal: in.Start, EndLocal: in.End, RRule: in.RRule, RDates: "[]", ExDates: "[]"}
	if _, err := timing(&x); err != nil {
		return ev, errAttendeeChange
	}
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	sameTime := x.StartAt == ev.StartAt && x.EndAt == ev.EndAt
	if ev.AllDay {
		// Dates, whatever zone the attendee's calendar reads them in.
		sameTime = x.StartLocal == ev.StartLocal && x.EndLocal == ev.EndLocal
	}
	if norm(in.Title) != norm(ev.Title) || norm(in.Description) != norm(ev.Description) || norm(in.Location) != norm(ev.Location) ||
		!sameTime || x.AllDay != ev.AllDay || !sameRule(x.RRule, ev.RRule) {
		return ev, errAttendeeChange
	}
	if r := rsvpOf[status]; r != "" {
		as, err := attendeesOf(ctx, s.DB, []string{ev.ID})
		if err != nil {
			return ev, err
		}
		if slices.ContainsFunc(as[ev.ID], func(x attendeeRow) bool {
			return x.Kind == AttendeeMember && x.MemberID == a.MemberID && x.RSVP != r
		}) {
			if _, err := s.RSVP(ctx, ev.ID, RSVPInput{Status: r}); err != nil {
				return ev, err
			}
		}
	}
	nev, err := getEvent(ctx, s.DB, ev.OrgID, ev.ID)
	if err != nil {
		return ev, apperr.MapNotFound(err)
	}
	return nev, nil
}

// sameRule compares two RRULEs part by part, in any order.
func sameRule(a, b string) bool {
	split := func(r string) []string {
		ps := strings.Split(strings.ToUpper(strings.TrimSpace(r)), ";")
		ps = slices.DeleteFunc(ps, func(p string) bool { return p == "" || p == "WKST=MO" })
		sort.Strings(ps)
		return ps
	}
	return slices.Equal(split(a), split(b))
}

// attendeeDelete declines an invitation deleted in a calendar app: the
// event leaves the attendee's calendar.
func (s *Service) attendeeDelete(ctx context.Context, ev eventRow) error {
	_, err := s.RSVP(ctx, ev.ID, RSVPInput{Status: RSVPDeclined})
	return err
}

// memberOfAddress returns the member of an organization a calendar
// address names ("" for none).
func (s *Service) memberOfAddress(ctx context.Context, orgID, v string) string {
	v = strings.TrimSpace(v)
	if len(v) > len(memberURI) && strings.EqualFold(v[:len(memberURI)], memberURI) {
		id := v[len(memberURI):]
		ps, err := s.Directory.Audience(ctx, orgID, []string{id}, nil, nil)
		if err == nil && len(ps) == 1 {
			return ps[0].MemberID
		}
		return ""
	}
	if e := calAddress(v); e != "" && s.MemberByEmail != nil {
		return s.MemberByEmail(ctx, orgID, e)
	}
	return ""
}
