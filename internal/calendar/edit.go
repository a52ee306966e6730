package calendar

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Changes to events: the whole series, one occurrence (an override keyed
// by its original start), or this and the following occurrences (the
// series is split: the original ends before the occurrence, a new event
// with a new uid carries the rest, its attendees and their answers;
// overrides from the split on are dropped).

// editableEvent loads an event the caller may edit (404 when they cannot
// see it, 403 when they only see it).
func (s *Service) editableEvent(ctx context.Context, a *actor.Actor, id string) (eventRow, []attendeeRow, []overrideRow, error) {
	ev, as, ovs, edit, err := s.load(ctx, s.viewer(a), id)
	if err == nil && !edit {
		err = apperr.ErrForbidden
	}
	return ev, as, ovs, err
}

// occurrenceAt checks that recurrenceID names an occurrence of ev.
func occurrenceAt(ev eventRow, sr *series, rid string) (time.Time, error) {
	ms, err := parseRecurrenceID(rid)
	if err != nil {
		return time.Time{}, err
	}
	t := time.UnixMilli(ms).In(sr.loc)
	if !sr.recurring() || !sr.isOccurrence(t) {
		return time.Time{}, apperr.InvalidField("recurrence_id", "an occurrence of the event")
	}
	return t, nil
}

func (s *Service) calKind(ctx context.Context, orgID, calID string) string {
	c, err := getCal(ctx, s.DB, orgID, calID)
	if err != nil {
		return ""
	}
	return c.Kind
}

// UpdateEvent changes an event: the whole series (scope all, the
// default), one occurrence (scope this with recurrence_id) or this and
// the following ones (scope following), which returns the new event.
func (s *Service) UpdateEvent(ctx context.Context, id, rid, scope string, p EventPatch) (Event, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Event{}, err
	}
	ev, as, ovs, err := s.editableEvent(ctx, a, id)
	if err != nil {
		return Event{}, err
	}
	sr, err := ev.series()
	if err != nil {
		return Event{}, err
	}
	if scope == "" {
		scope = ScopeAll
	}
	now := s.now()
	switch scope {
	case ScopeAll:
		if rid != "" {
			return Event{}, apperr.InvalidField("scope", "this or following with recurrence_id")
		}
	case ScopeThis, ScopeFollowing:
		at, err := occurrenceAt(ev, sr, rid)
		if err != nil {
			return Event{}, err
		}
		if scope == ScopeThis {
			return s.updateOccurrence(ctx, a, ev, sr, ovs, at, p, now)
		}
		if !at.Equal(sr.start) {
			if p.FileIDs != nil {
				return Event{}, apperr.InvalidField("file_ids", "attachments belong to the whole series: change them with scope all")
			}
			return s.split(ctx, a, ev, sr, as, at, p, now)
		}
	default:
		return Event{}, apperr.InvalidField("scope", "all, this or following")
	}
	timed := p.Start != nil || p.End != nil || p.TimeZone != nil || p.AllDay != nil || p.RRule != nil || p.RDates != nil || p.ExDates != nil
	if err := applyPatch(&ev, p); err != nil {
		return Event{}, err
	}
	if sr, err = timing(&ev); err != nil {
		return Event{}, err
	}
	ev.Revision++
	ev.UpdatedAt = now
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if ev.Seq, err = bumpSeq(ctx, s.DB, ev.OrgID, ev.CalendarID, now); err != nil {
			return err
		}
		if err := updateEvent(ctx, s.DB, ev); err != nil {
			return err
		}
		if p.FileIDs != nil {
			if err := s.syncFiles(ctx, ev.OrgID, a.AccountID, ev.ID, *p.FileIDs); err != nil {
				return err
			}
		}
		if timed {
			// The occurrences changed: their overrides no longer apply.
			if err := dropOverrides(ctx, s.DB, ev.ID, 0, false); err != nil {
				return err
			}
			ovs = nil
		}
		if p.Attendees != nil {
			invited, err := s.setAttendees(ctx, ev, s.calKind(ctx, ev.OrgID, ev.CalendarID), *p.Attendees, as, now)
			if err != nil {
				return err
			}
			if err := s.notify(ctx, ev.OrgID, "calendar.invited", map[string]string{"event_id": ev.ID}, invited); err != nil {
				return err
			}
		} else if err := s.relockRooms(ctx, ev, as); err != nil {
			return err
		}
		if err := s.checkRooms(ctx, ev, sr, ovs); err != nil {
			return err
		}
		if err := s.notify(ctx, ev.OrgID, "calendar.updated", map[string]string{"event_id": ev.ID}, memberAccounts(as, a.AccountID)); err != nil {
			return err
		}
		s.scheduleTouched(ctx, ev, as)
		return s.record(ctx, ev.OrgID, "calendar.event_updated", "calendar_event", ev.ID, nil)
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, ev.ID)
}

// relockRooms locks the rooms an event already books, before checking
// them again after a change of time.
func (s *Service) relockRooms(ctx context.Context, ev eventRow, as []attendeeRow) error {
	for _, x := range as {
		if x.Kind == AttendeeRoom {
			if _, err := lockRoom(ctx, s.DB, ev.OrgID, x.RoomID); err != nil && !apperr.IsNotFound(apperr.MapNotFound(err)) {
				return err
			}
		}
	}
	return nil
}

func memberAccounts(as []attendeeRow, except string) []string {
	var out []string
	for _, x := range as {
		if x.Kind == AttendeeMember && x.AccountID != except && x.AccountID != "" {
			out = append(out, x.AccountID)
		}
	}
	return out
}

func applyPatch(ev *eventRow, p EventPatch) error {
	if p.Title != nil {
		ev.Title = strings.TrimSpace(*p.Title)
	}
	if p.Description != nil {
		ev.Description = *p.Description
	}
	if p.Location != nil {
		ev.Location = *p.Location
	}
	if err := checkText(ev.Title, ev.Description, ev.Location); err != nil {
		return err
	}
	if p.TimeZone != nil {
		ev.TimeZone = *p.TimeZone
	}
	if p.AllDay != nil {
		ev.AllDay = *p.AllDay
	}
	if p.Start != nil {
		ev.StartLocal = *p.Start
	}
	if p.End != nil {
		ev.EndLocal = *p.End
	}
	if p.RRule != nil {
		ev.RRule = *p.RRule
	}
	var err error
	if p.RDates != nil {
		if ev.RDates, err = localList("rdates", *p.RDates, ev.AllDay, ev.TimeZone); err != nil {
			return err
		}
	}
	if p.ExDates != nil {
		if ev.ExDates, err = localList("exdates", *p.ExDates, ev.AllDay, ev.TimeZone); err != nil {
			return err
		}
	}
	if p.Visibility != nil {
		if ev.Visibility, err = checkVisibility(*p.Visibility); err != nil {
			return err
		}
	}
	if p.Reminders != nil {
		if ev.Reminders, err = remindersJSON(*p.Reminders); err != nil {
			return err
		}
	}
	return nil
}

// updateOccurrence changes one occurrence: an override row.
func (s *Service) updateOccurrence(ctx context.Context, a *actor.Actor, ev eventRow, sr *series, ovs []overrideRow, at time.Time, p EventPatch, now int64) (Event, error) {
	if p.TimeZone != nil || p.AllDay != nil || p.RRule != nil || p.RDates != nil || p.ExDates != nil || p.Visibility != nil || p.Reminders != nil || p.Attendees != nil ||
		p.FileIDs != nil {
		return Event{}, apperr.InvalidField("scope", "one occurrence takes only title, description, location, start and end")
	}
	o := overrideRow{ID: ids.New("cov"), EventID: ev.ID, RecurrenceAt: at.UnixMilli(), Title: ev.Title, Description: ev.Description,
		Location: ev.Location, StartLocal: formatLocal(at, ev.AllDay), EndLocal: formatLocal(sr.endOf(at), ev.AllDay)}
	for _, x := range ovs {
		if x.RecurrenceAt == o.RecurrenceAt {
			o = x
		}
	}
	if p.Title != nil {
		o.Title = strings.TrimSpace(*p.Title)
	}
	if p.Description != nil {
		o.Description = *p.Description
	}
	if p.Location != nil {
		o.Location = *p.Location
	}
	if p.Start != nil {
		o.StartLocal = *p.Start
	}
	if p.End != nil {
		o.EndLocal = *p.End
	}
	if err := checkText(o.Title, o.Description, o.Location); err != nil {
		return Event{}, err
	}
	st, err := parseLocal("start", o.StartLocal, ev.AllDay, sr.loc)
	if err != nil {
		return Event{}, err
	}
	en, err := parseLocal("end", o.EndLocal, ev.AllDay, sr.loc)
	if err != nil {
		return Event{}, err
	}
	if !en.After(st) {
		return Event{}, apperr.InvalidField("end", "after the start")
	}
	o.StartLocal, o.EndLocal, o.StartAt, o.EndAt = formatLocal(st, ev.AllDay), formatLocal(en, ev.AllDay), st.UnixMilli(), en.UnixMilli()
	// An occurrence moved after the series' last end keeps it in range.
	if ev.LastEndAt != 0 && o.EndAt > ev.LastEndAt {
		ev.LastEndAt = o.EndAt
	}
	if o.StartAt < ev.StartAt {
		return Event{}, apperr.InvalidField("start", "not before the series' first occurrence")
	}
	ev.Revision++
	ev.UpdatedAt = now
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if ev.Seq, err = bumpSeq(ctx, s.DB, ev.OrgID, ev.CalendarID, now); err != nil {
			return err
		}
		if err := updateEvent(ctx, s.DB, ev); err != nil {
			return err
		}
		if err := putOverride(ctx, s.DB, ev.OrgID, o, now); err != nil {
			return err
		}
		as, err := attendeesOf(ctx, s.DB, []string{ev.ID})
		if err != nil {
			return err
		}
		if err := s.relockRooms(ctx, ev, as[ev.ID]); err != nil {
			return err
		}
		all, err := overridesOf(ctx, s.DB, []string{ev.ID})
		if err != nil {
			return err
		}
		if err := s.checkRooms(ctx, ev, sr, all[ev.ID]); err != nil {
			return err
		}
		s.scheduleTouched(ctx, ev, nil)
		return s.record(ctx, ev.OrgID, "calendar.occurrence_updated", "calendar_event", ev.ID, map[string]any{"recurrence_id": recurrenceID(o.RecurrenceAt)})
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, ev.ID)
}

// cutRule returns the original rule ended before at, and the rule of the
// rest (COUNT reduced by the occurrences before at).
func cutRule(ev eventRow, sr *series, at time.Time) (before, after string, err error) {
	if ev.RRule == "" {
		return "", "", nil
	}
	o, err := rrule.StrToROptionInLocation(ev.RRule, sr.loc)
	if err != nil {
		return "", "", apperr.Internal(err)
	}
	if before, err = untilBefore(ev.RRule, sr.loc, at); err != nil {
		return "", "", err
	}
	if o.Count > 0 {
		n := len(sr.rule.Between(sr.start, at, true))
		if at.Equal(sr.rule.After(at.Add(-time.Second), true)) {
			n-- // at itself is counted by Between's inclusive end
		}
		o.Count -= n
		if o.Count < 1 {
			o.Count = 1
		}
	}
	o.Dtstart = time.Time{}
	return before, o.RRuleString(), nil
}

// split ends the series before at and creates a new one from at with the
// patch applied.
func (s *Service) split(ctx context.Context, a *actor.Actor, ev eventRow, sr *series, as []attendeeRow, at time.Time, p EventPatch, now int64) (Event, error) {
	before, after, err := cutRule(ev, sr, at)
	if err != nil {
		return Event{}, err
	}
	var rd []string
	_ = json.Unmarshal([]byte(ev.RDates), &rd)
	var keep, move []string
	for _, x := range rd {
		t, err := parseLocal("rdates", x, ev.AllDay, sr.loc)
		if err == nil && t.Before(at) {
			keep = append(keep, x)
		} else {
			move = append(move, x)
		}
	}
	var ex, exBefore, exAfter []string
	_ = json.Unmarshal([]byte(ev.ExDates), &ex)
	for _, x := range ex {
		if t, err := parseLocal("exdates", x, ev.AllDay, sr.loc); err == nil && t.Before(at) {
			exBefore = append(exBefore, x)
		} else {
			exAfter = append(exAfter, x)
		}
	}
	nw := ev
	nw.ID = ids.New("evt")
	nw.UID = nw.ID + "@atrium"
	nw.StartLocal, nw.EndLocal = formatLocal(at, ev.AllDay), formatLocal(sr.endOf(at), ev.AllDay)
	nw.RRule = after
	b, _ := json.Marshal(orEmpty(move))
	nw.RDates = string(b)
	b, _ = json.Marshal(orEmpty(exAfter))
	nw.ExDates = string(b)
	nw.Revision, nw.CreatedAt, nw.UpdatedAt = 1, now, now
	nw.OrganizerAccountID, nw.OrganizerMemberID = ev.OrganizerAccountID, ev.OrganizerMemberID
	if err := applyPatch(&nw, p); err != nil {
		return Event{}, err
	}
	nsr, err := timing(&nw)
	if err != nil {
		return Event{}, err
	}
	ev.RRule = before
	b, _ = json.Marshal(orEmpty(keep))
	ev.RDates = string(b)
	b, _ = json.Marshal(orEmpty(exBefore))
	ev.ExDates = string(b)
	if _, err := timing(&ev); err != nil {
		return Event{}, err
	}
	ev.Revision++
	ev.UpdatedAt = now
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		seq, err := bumpSeq(ctx, s.DB, ev.OrgID, ev.CalendarID, now)
		if err != nil {
			return err
		}
		ev.Seq, nw.Seq = seq, seq
		if err := updateEvent(ctx, s.DB, ev); err != nil {
			return err
		}
		if err := dropOverrides(ctx, s.DB, ev.ID, at.UnixMilli(), false); err != nil {
			return err
		}
		if err := insertEvent(ctx, s.DB, nw); err != nil {
			return err
		}
		if p.Attendees != nil {
			invited, err := s.setAttendees(ctx, nw, s.calKind(ctx, ev.OrgID, ev.CalendarID), *p.Attendees, nil, now)
			if err != nil {
				return err
			}
			if err := s.notify(ctx, ev.OrgID, "calendar.invited", map[string]string{"event_id": nw.ID}, invited); err != nil {
				return err
			}
		} else {
			if err := s.relockRooms(ctx, nw, as); err != nil {
				return err
			}
			for _, x := range as {
				x.ID, x.EventID = ids.New("cat"), nw.ID
				if err := insertAttendee(ctx, s.DB, ev.OrgID, x, now); err != nil {
					return err
				}
			}
		}
		if err := s.checkRooms(ctx, nw, nsr, nil); err != nil {
			return err
		}
		if err := s.notify(ctx, ev.OrgID, "calendar.updated", map[string]string{"event_id": ev.ID, "new_event_id": nw.ID}, memberAccounts(as, a.AccountID)); err != nil {
			return err
		}
		s.scheduleTouched(ctx, ev, as)
		s.scheduleTouched(ctx, nw, nil)
		return s.record(ctx, ev.OrgID, "calendar.event_split", "calendar_event", ev.ID, map[string]any{"new_event_id": nw.ID})
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, nw.ID)
}

func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// DeleteEvent deletes an event (scope all), one occurrence (scope this:
// an EXDATE) or this and the following ones (scope following).
func (s *Service) DeleteEvent(ctx context.Context, id, rid, scope string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	ev, as, _, err := s.editableEvent(ctx, a, id)
	if err != nil {
		return err
	}
	sr, err := ev.series()
	if err != nil {
		return err
	}
	if scope == "" {
		scope = ScopeAll
		if rid != "" {
			scope = ScopeThis
		}
	}
	now := s.now()
	var at time.Time
	switch scope {
	case ScopeAll:
	case ScopeThis, ScopeFollowing:
		if at, err = occurrenceAt(ev, sr, rid); err != nil {
			return err
		}
		if scope == ScopeFollowing && at.Equal(sr.start) {
			scope = ScopeAll
		}
	default:
		return apperr.InvalidField("scope", "all, this or following")
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		seq, err := bumpSeq(ctx, s.DB, ev.OrgID, ev.CalendarID, now)
		if err != nil {
			return err
		}
		s.scheduleTouched(ctx, ev, as)
		switch scope {
		case ScopeAll:
			keys, err := deleteEventFiles(ctx, s.DB, ev.OrgID, ev.ID)
			if err != nil {
				return err
			}
			s.dropAfterCommit(ctx, keys)
			if err := deleteEvent(ctx, s.DB, ev.OrgID, ev.ID); err != nil {
				return err
			}
			if err := insertTombstone(ctx, s.DB, ids.New("cts"), ev.OrgID, ev.CalendarID, ev.UID, seq, now); err != nil {
				return err
			}
			if err := s.notify(ctx, ev.OrgID, "calendar.cancelled", map[string]string{"event_id": ev.ID}, memberAccounts(as, a.AccountID)); err != nil {
				return err
			}
			return s.record(ctx, ev.OrgID, "calendar.event_deleted", "calendar_event", ev.ID, nil)
		case ScopeThis:
			var ex []string
			_ = json.Unmarshal([]byte(ev.ExDates), &ex)
			ex = append(ex, formatLocal(at, ev.AllDay))
			b, _ := json.Marshal(ex)
			ev.ExDates = string(b)
			if err := dropOverrides(ctx, s.DB, ev.ID, at.UnixMilli(), true); err != nil {
				return err
			}
		case ScopeFollowing:
			before, _, err := cutRule(ev, sr, at)
			if err != nil {
				return err
			}
			ev.RRule = before
			var rd, keep []string
			_ = json.Unmarshal([]byte(ev.RDates), &rd)
			for _, x := range rd {
				if t, err := parseLocal("rdates", x, ev.AllDay, sr.loc); err == nil && t.Before(at) {
					keep = append(keep, x)
				}
			}
			b, _ := json.Marshal(orEmpty(keep))
			ev.RDates = string(b)
			if err := dropOverrides(ctx, s.DB, ev.ID, at.UnixMilli(), false); err != nil {
				return err
			}
		}
		if _, err := timing(&ev); err != nil {
			return err
		}
		ev.Revision++
		ev.Seq, ev.UpdatedAt = seq, now
		if err := updateEvent(ctx, s.DB, ev); err != nil {
			return err
		}
		if err := s.notify(ctx, ev.OrgID, "calendar.updated", map[string]string{"event_id": ev.ID}, memberAccounts(as, a.AccountID)); err != nil {
			return err
		}
		return s.record(ctx, ev.OrgID, "calendar.occurrences_deleted", "calendar_event", ev.ID, map[string]any{"recurrence_id": rid, "scope": scope})
	})
}

// RSVP records the caller's answer to an invitation (403 not_invited when
// they are not an attendee).
func (s *Service) RSVP(ctx context.Context, id string, in RSVPInput) (Event, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Event{}, err
	}
	switch in.Status {
	case RSVPAccepted, RSVPDeclined, RSVPTentative:
	default:
		return Event{}, apperr.InvalidField("status", "accepted, declined or tentative")
	}
	ev, as, _, _, err := s.load(ctx, s.viewer(a), id)
	if err != nil {
		return Event{}, err
	}
	var mine *attendeeRow
	for i := range as {
		if as[i].Kind == AttendeeMember && as[i].MemberID == a.MemberID {
			mine = &as[i]
		}
	}
	if mine == nil {
		return Event{}, apperr.Forbidden("not_invited", "you are not invited to this event")
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := setRSVP(ctx, s.DB, mine.ID, in.Status, now); err != nil {
			return err
		}
		seq, err := bumpSeq(ctx, s.DB, ev.OrgID, ev.CalendarID, now)
		if err != nil {
			return err
		}
		if err := touchEvent(ctx, s.DB, ev.ID, seq, now); err != nil {
			return err
		}
		s.scheduleTouched(ctx, ev, nil)
		if ev.OrganizerAccountID != a.AccountID {
			return s.notify(ctx, ev.OrgID, "calendar.rsvp", map[string]string{"event_id": ev.ID, "status": in.Status}, []string{ev.OrganizerAccountID})
		}
		return nil
	})
	if err != nil {
		return Event{}, err
	}
	return s.GetEvent(ctx, ev.ID)
}
