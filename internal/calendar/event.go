package calendar

import (
	"context"
	"encoding/json"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Attendee kinds, answers and event visibility.
const (
	AttendeeMember   = "member"
	AttendeeExternal = "external"
	AttendeeRoom     = "room"

	RSVPNeedsAction = "needs_action"
	RSVPAccepted    = "accepted"
	RSVPDeclined    = "declined"
	RSVPTentative   = "tentative"

	// VisibilityDefault shows an event to whoever may view its calendar;
	// VisibilityPrivate only to its organizer, attendees and the
	// calendar's editors (the others see busy time).
	VisibilityDefault = "default"
	VisibilityPrivate = "private"

	// Scopes of a change to a recurring event.
	ScopeAll       = "all"
	ScopeThis      = "this"
	ScopeFollowing = "following"
)

// maxReminderMinutes is the longest lead time of a reminder (a week).
const maxReminderMinutes = 7 * 24 * 60

// Reminder fires Minutes before each occurrence: in the app, and by
// email too when Email is set.
type Reminder struct {
	Minutes int  `json:"minutes"`
	Email   bool `json:"email"`
}

// AttendeesInput names who is invited: members, departments (expanded to
// their members when invited), external emails and meeting rooms.
type AttendeesInput struct {
	MemberIDs     []string `json:"member_ids"`
	DepartmentIDs []string `json:"department_ids"`
	Emails        []string `json:"emails"`
	RoomIDs       []string `json:"room_ids"`
}

// EventInput creates an event. Start and End are wall-clock times in
// TimeZone (YYYY-MM-DDTHH:MM[:SS]), or dates for all-day events (End the
// day after the last one, as in iCalendar). RRule is an RFC 5545 rule
// (FREQ=WEEKLY;BYDAY=MO,WE); RDates and ExDates are local starts.
type EventInput struct {
	CalendarID     string         `json:"calendar_id"`
	Title          string         `json:"title"`
	Description    string         `json:"description"`
	Location       string         `json:"location"`
	Start          string         `json:"start"`
	End            string         `json:"end"`
	TimeZone       string         `json:"time_zone"`
	AllDay         bool           `json:"all_day"`
	RRule          string         `json:"rrule"`
	RDates         []string       `json:"rdates"`
	ExDates        []string       `json:"exdates"`
	Visibility     string         `json:"visibility"`
	Reminders      []Reminder     `json:"reminders"`
	Attendees      AttendeesInput `json:"attendees"`
	ConversationID string         `json:"conversation_id"`
	// FileIDs are the attachments: files the caller uploaded
	// (POST /api/v1/calendar-files), in order.
	FileIDs []string `json:"file_ids"`
}

// EventPatch changes an event; absent fields stay. Changing one
// occurrence (scope this) takes only title, description, location,
// start and end.
type EventPatch struct {
	Title       *string         `json:"title,omitempty"`
	Description *string         `json:"description,omitempty"`
	Location    *string         `json:"location,omitempty"`
	Start       *string         `json:"start,omitempty"`
	End         *string         `json:"end,omitempty"`
	TimeZone    *string         `json:"time_zone,omitempty"`
	AllDay      *bool           `json:"all_day,omitempty"`
	RRule       *string         `json:"rrule,omitempty"`
	RDates      *[]string       `json:"rdates,omitempty"`
	ExDates     *[]string       `json:"exdates,omitempty"`
	Visibility  *string         `json:"visibility,omitempty"`
	Reminders   *[]Reminder     `json:"reminders,omitempty"`
	Attendees   *AttendeesInput `json:"attendees,omitempty"`
	// FileIDs replaces the attachments (the whole series only): files
	// already attached or uploaded by the caller; those left out are deleted.
	FileIDs *[]string `json:"file_ids,omitempty"`
}

// RSVPInput answers an invitation.
type RSVPInput struct {
	Status string `json:"status"`
}

// Attendee is one attendee of an event.
type Attendee struct {
	Kind         string `json:"kind"`
	MemberID     string `json:"member_id,omitempty"`
	Name         string `json:"name,omitempty"`
	Email        string `json:"email,omitempty"`
	RoomID       string `json:"room_id,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	RSVP         string `json:"rsvp"`
	Organizer    bool   `json:"organizer"`
}

// RSVPCounts counts the answers of member and external attendees.
type RSVPCounts struct {
	Accepted    int `json:"accepted"`
	Declined    int `json:"declined"`
	Tentative   int `json:"tentative"`
	NeedsAction int `json:"needs_action"`
}

// Override is one occurrence of a series changed.
type Override struct {
	RecurrenceID string `json:"recurrence_id"`
	Title        string `json:"title"`
	Description  string `json:"description"`
	Location     string `json:"location"`
	Start        string `json:"start"`
	End          string `json:"end"`
	StartAt      int64  `json:"start_at"`
	EndAt        int64  `json:"end_at"`
}

// Organizer is who organizes an event.
type Organizer struct {
	MemberID string `json:"member_id"`
	Name     string `json:"name"`
}

// Event is an event (a series when recurring) as the caller sees it.
type Event struct {
	ID             string     `json:"id"`
	UID            string     `json:"uid"`
	CalendarID     string     `json:"calendar_id"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Location       string     `json:"location"`
	TimeZone       string     `json:"time_zone"`
	AllDay         bool       `json:"all_day"`
	Start          string     `json:"start"`
	End            string     `json:"end"`
	StartAt        int64      `json:"start_at"`
	EndAt          int64      `json:"end_at"`
	RRule          string     `json:"rrule"`
	RDates         []string   `json:"rdates"`
	ExDates        []string   `json:"exdates"`
	Overrides      []Override `json:"overrides"`
	Visibility     string     `json:"visibility"`
	Reminders      []Reminder `json:"reminders"`
	Organizer      Organizer  `json:"organizer"`
	Attendees      []Attendee `json:"attendees"`
	Counts         RSVPCounts `json:"counts"`
	MyRSVP         string     `json:"my_rsvp,omitempty"`
	ConversationID string     `json:"conversation_id,omitempty"`
	Attachments    []File     `json:"attachments"`
	CanEdit        bool       `json:"can_edit"`
	// Revision changes with every change to the event (its ETag).
	Revision  int64 `json:"revision"`
	CreatedAt int64 `json:"created_at"`
	UpdatedAt int64 `json:"updated_at"`
}

// Occurrence is one occurrence in a range. BusyOnly occurrences carry
// times only: the caller may not see the event.
type Occurrence struct {
	EventID      string `json:"event_id"`
	CalendarID   string `json:"calendar_id,omitempty"`
	RecurrenceID string `json:"recurrence_id,omitempty"`
	Title        string `json:"title,omitempty"`
	Location     string `json:"location,omitempty"`
	TimeZone     string `json:"time_zone"`
	AllDay       bool   `json:"all_day"`
	Start        string `json:"start"`
	End          string `json:"end"`
	StartAt      int64  `json:"start_at"`
	EndAt        int64  `json:"end_at"`
	Recurring    bool   `json:"recurring"`
	Overridden   bool   `json:"overridden"`
	BusyOnly     bool   `json:"busy_only"`
	MyRSVP       string `json:"my_rsvp,omitempty"`
}

// OccurrenceList is the occurrences in a range, by start.
type OccurrenceList struct {
	Items []Occurrence `json:"items"`
}

// recurrenceID names an occurrence by its original start (RFC 3339, UTC).
func recurrenceID(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }

func parseRecurrenceID(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, apperr.InvalidField("recurrence_id", "an occurrence's original start (RFC 3339)")
	}
	return t.UnixMilli(), nil
}

// occ is one expanded occurrence.
type occ struct {
	recurAt    int64
	start, end time.Time
	ov         *overrideRow
}

// expand returns the occurrences of ev overlapping [from, to), overrides
// applied, at most maxOccurrences.
func expand(ev eventRow, sr *series, ovs []overrideRow, from, to time.Time) []occ {
	byRecur := map[int64]*overrideRow{}
	for i := range ovs {
		byRecur[ovs[i].RecurrenceAt] = &ovs[i]
	}
	var out []occ
	for _, st := range sr.starts(from, to, maxOccurrences) {
		if byRecur[st.UnixMilli()] != nil {
			continue
		}
		out = append(out, occ{recurAt: st.UnixMilli(), start: st, end: sr.endOf(st)})
	}
	for i := range ovs {
		o := &ovs[i]
		if sr.exdates[o.RecurrenceAt] || o.StartAt >= to.UnixMilli() || o.EndAt <= from.UnixMilli() {
			continue
		}
		out = append(out, occ{recurAt: o.RecurrenceAt, start: time.UnixMilli(o.StartAt).In(sr.loc), end: time.UnixMilli(o.EndAt).In(sr.loc), ov: o})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start.Before(out[j].start) })
	return out
}

func (ev eventRow) series() (*series, error) {
	return parseSeries(ev.TimeZone, ev.AllDay, ev.StartLocal, ev.EndLocal, ev.RRule, ev.RDates, ev.ExDates)
}

// viewer holds what the caller may do with events, calendar by calendar.
type viewer struct {
	s      *Service
	a      *actor.Actor
	levels map[string]string
}

func (s *Service) viewer(a *actor.Actor) *viewer {
	return &viewer{s: s, a: a, levels: map[string]string{}}
}

func (v *viewer) level(ctx context.Context, orgID, calID string) (string, error) {
	if l, ok := v.levels[calID]; ok {
		return l, nil
	}
	c, err := getCal(ctx, v.s.DB, orgID, calID)
	if err != nil {
		return "", apperr.MapNotFound(err)
	}
	l, err := v.s.level(ctx, v.a, c)
	v.levels[calID] = l
	return l, err
}

// rights returns whether the caller may see the event's details and edit
// it.
func (v *viewer) rights(ctx context.Context, ev eventRow, as []attendeeRow) (see, edit bool, err error) {
	l, err := v.level(ctx, ev.OrgID, ev.CalendarID)
	if err != nil {
		return false, false, err
	}
	edit = l == LevelEdit || ev.OrganizerMemberID == v.a.MemberID
	see = edit || (l == LevelView && ev.Visibility != VisibilityPrivate) ||
		slices.ContainsFunc(as, func(x attendeeRow) bool { return x.Kind == AttendeeMember && x.MemberID == v.a.MemberID })
	return see, edit, nil
}

// load returns an event the caller may see with its attendees and
// overrides (404 otherwise).
func (s *Service) load(ctx context.Context, v *viewer, id string) (eventRow, []attendeeRow, []overrideRow, bool, error) {
	ev, err := getEvent(ctx, s.DB, v.a.OrgID, id)
	if err != nil {
		return ev, nil, nil, false, apperr.MapNotFound(err)
	}
	as, err := attendeesOf(ctx, s.DB, []string{ev.ID})
	if err != nil {
		return ev, nil, nil, false, err
	}
	see, edit, err := v.rights(ctx, ev, as[ev.ID])
	if err == nil && !see {
		err = apperr.ErrNotFound
	}
	if err != nil {
		return ev, nil, nil, false, err
	}
	ovs, err := overridesOf(ctx, s.DB, []string{ev.ID})
	return ev, as[ev.ID], ovs[ev.ID], edit, err
}

// GetEvent returns an event the caller may see.
func (s *Service) GetEvent(ctx context.Context, id string) (Event, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Event{}, err
	}
	ev, as, ovs, edit, err := s.load(ctx, s.viewer(a), id)
	if err != nil {
		return Event{}, err
	}
	out := s.eventOf(ctx, a, ev, as, ovs, edit)
	if out.Attachments, err = s.attachments(ctx, ev.OrgID, ev.ID); err != nil {
		return Event{}, err
	}
	return out, nil
}

func (s *Service) eventOf(ctx context.Context, a *actor.Actor, ev eventRow, as []attendeeRow, ovs []overrideRow, edit bool) Event {
	out := Event{ID: ev.ID, UID: ev.UID, CalendarID: ev.CalendarID, Title: ev.Title, Description: ev.Description, Location: ev.Location,
		TimeZone: ev.TimeZone, AllDay: ev.AllDay, Start: ev.StartLocal, End: ev.EndLocal, StartAt: ev.StartAt, EndAt: ev.EndAt,
		RRule: ev.RRule, RDates: []string{}, ExDates: []string{}, Overrides: []Override{}, Visibility: ev.Visibility, Reminders: []Reminder{},
		Organizer: Organizer{MemberID: ev.OrganizerMemberID, Name: s.Directory.Name(ctx, ev.OrgID, ev.OrganizerAccountID)},
		Attendees: []Attendee{}, ConversationID: ev.ConversationID, CanEdit: edit, Revision: ev.Revision, CreatedAt: ev.CreatedAt,
		UpdatedAt: ev.UpdatedAt}
	_ = json.Unmarshal([]byte(ev.RDates), &out.RDates)
	_ = json.Unmarshal([]byte(ev.ExDates), &out.ExDates)
	_ = json.Unmarshal([]byte(ev.Reminders), &out.Reminders)
	for _, o := range ovs {
		out.Overrides = append(out.Overrides, Override{RecurrenceID: recurrenceID(o.RecurrenceAt), Title: o.Title, Description: o.Description,
			Location: o.Location, Start: o.StartLocal, End: o.EndLocal, StartAt: o.StartAt, EndAt: o.EndAt})
	}
	for _, x := range as {
		at := Attendee{Kind: x.Kind, MemberID: x.MemberID, Email: x.Email, RoomID: x.RoomID, DepartmentID: x.DepartmentID, RSVP: x.RSVP,
			Organizer: x.Kind == AttendeeMember && x.MemberID == ev.OrganizerMemberID}
		if x.Kind == AttendeeMember {
			at.Name = s.Directory.Name(ctx, ev.OrgID, x.AccountID)
			if x.MemberID == a.MemberID {
				out.MyRSVP = x.RSVP
			}
		}
		if x.Kind != AttendeeRoom {
			switch x.RSVP {
			case RSVPAccepted:
				out.Counts.Accepted++
			case RSVPDeclined:
				out.Counts.Declined++
			case RSVPTentative:
				out.Counts.Tentative++
			default:
				out.Counts.NeedsAction++
			}
		}
		out.Attendees = append(out.Attendees, at)
	}
	return out
}

// timing validates and fills an event's timing from its local fields.
func timing(ev *eventRow) (*series, error) {
	loc, err := loadZone("time_zone", ev.TimeZone)
	if err != nil {
		return nil, err
	}
	if ev.RRule, err = normalizeRule(ev.RRule, loc); err != nil {
		return nil, err
	}
	sr, err := ev.series()
	if err != nil {
		return nil, err
	}
	ev.StartLocal, ev.EndLocal = formatLocal(sr.start, ev.AllDay), formatLocal(sr.end, ev.AllDay)
	ev.StartAt, ev.EndAt = sr.start.UnixMilli(), sr.end.UnixMilli()
	if sr.recurring() {
		ev.LastEndAt = sr.lastEnd()
	} else {
		ev.LastEndAt = ev.EndAt
	}
	return sr, nil
}

func checkText(title, description, location string) error {
	if len(title) > 500 {
		return apperr.InvalidField("title", "at most 500 characters")
	}
	if len(description) > 20000 {
		return apperr.InvalidField("description", "at most 20000 characters")
	}
	if len(location) > 500 {
		return apperr.InvalidField("location", "at most 500 characters")
	}
	return nil
}

func localList(field string, xs []string, allDay bool, tz string) (string, error) {
	loc, err := loadZone("time_zone", tz)
	if err != nil {
		return "", err
	}
	out := []string{}
	for _, x := range xs {
		t, err := parseLocal(field, x, allDay, loc)
		if err != nil {
			return "", err
		}
		out = append(out, formatLocal(t, allDay))
	}
	if len(out) > 1000 {
		return "", apperr.InvalidField(field, "at most 1000 dates")
	}
	b, _ := json.Marshal(out)
	return string(b), nil
}

func remindersJSON(rs []Reminder) (string, error) {
	if rs == nil {
		rs = []Reminder{}
	}
	if len(rs) > 5 {
		return "", apperr.InvalidField("reminders", "at most 5")
	}
	for _, r := range rs {
		if r.Minutes < 0 || r.Minutes > maxReminderMinutes {
			return "", apperr.InvalidField("reminders", "0 to 10080 minutes before")
		}
	}
	b, _ := json.Marshal(rs)
	return string(b), nil
}

func checkVisibility(v string) (string, error) {
	switch v {
	case "":
		return VisibilityDefault, nil
	case VisibilityDefault, VisibilityPrivate:
		return v, nil
	}
	return "", apperr.InvalidField("visibility", "default or private")
}

// editable returns the calendar an event goes in, which the caller must
// be able to edit (404 when they cannot see it, 403 when only view).
func (s *Service) editable(ctx context.Context, a *actor.Actor, calID string) (calRow, error) {
	c, l, err := s.calendar(ctx, a, calID)
	if err == nil && l != LevelEdit {
		err = apperr.ErrForbidden
	}
	return c, err
}

// CreateEvent creates an event in a calendar the caller may edit (their
// personal one by default). With conversation_id, the conversation's
// members (the caller must be one) are invited too, and an invitation
// card is sent into it.
func (s *Service) CreateEvent(ctx context.Context, in EventInput) (Event, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Event{}, err
	}
	c, err := s.editable(ctx, a, in.CalendarID)
	if err != nil {
		return Event{}, err
	}
	if in.ConversationID != "" {
		if s.Chat == nil || s.MemberOfAccount == nil {
			return Event{}, apperr.InvalidField("conversation_id", "chat is not available")
		}
		accs, err := s.Chat.ConversationMembers(ctx, in.ConversationID)
		if err != nil {
			return Event{}, err
		}
		for _, acc := range accs {
			if m := s.MemberOfAccount(ctx, a.OrgID, acc); m != "" {
				in.Attendees.MemberIDs = append(in.Attendees.MemberIDs, m)
			}
		}
	}
	if in.TimeZone == "" {
		in.TimeZone = c.TimeZone
	}
	now := s.now()
	ev := eventRow{ID: ids.New("evt"), OrgID: a.OrgID, CalendarID: c.ID, Title: strings.TrimSpace(in.Title), Description: in.Description,
		Location: in.Location, TimeZone: in.TimeZone, AllDay: in.AllDay, StartLocal: in.Start, EndLocal: in.End, RRule: in.RRule,
		OrganizerAccountID: a.AccountID, OrganizerMemberID: a.MemberID, ConversationID: in.ConversationID, Revision: 1,
		CreatedAt: now, UpdatedAt: now}
	ev.UID = ev.ID + "@atrium"
	if err := checkText(ev.Title, ev.Description, ev.Location); err != nil {
		return Event{}, err
	}
	if ev.Visibility, err = checkVisibility(in.Visibility); err != nil {
		return Event{}, err
	}
	if ev.Reminders, err = remindersJSON(in.Reminders); err != nil {
		return Event{}, err
	}
	if ev.RDates, err = localList("rdates", in.RDates, in.AllDay, in.TimeZone); err != nil {
		return Event{}, err
	}
	if ev.ExDates, err = localList("exdates", in.ExDates, in.AllDay, in.TimeZone); err != nil {
		return Event{}, err
	}
	sr, err := timing(&ev)
	if err != nil {
		return Event{}, err
	}
	var invited []string
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if ev.Seq, err = bumpSeq(ctx, s.DB, a.OrgID, c.ID, now); err != nil {
			return err
		}
		if err := insertEvent(ctx, s.DB, ev); err != nil {
			return err
		}
		if invited, err = s.setAttendees(ctx, ev, c.Kind, in.Attendees, nil, now); err != nil {
			return err
		}
		if err := s.syncFiles(ctx, ev.OrgID, a.AccountID, ev.ID, in.FileIDs); err != nil {
			return err
		}
		if err := s.checkRooms(ctx, ev, sr, nil); err != nil {
			return err
		}
		if err := s.notify(ctx, a.OrgID, "calendar.invited", map[string]string{"event_id": ev.ID}, invited); err != nil {
			return err
		}
		s.scheduleTouched(ctx, ev, nil)
		return s.record(ctx, a.OrgID, "calendar.event_created", "calendar_event", ev.ID, nil)
	})
	if err != nil {
		return Event{}, err
	}
	if ev.ConversationID != "" {
		desc := "Invitation · 邀请 — " + ev.StartLocal + " (" + ev.TimeZone + ")"
		title := ev.Title
		if title == "" {
			title = "Event · 日程"
		}
		if err := s.Chat.SendCard(ctx, ev.ConversationID, "cal:"+ev.ID, Card{URL: "/calendar/events/" + ev.ID, Title: title, Description: desc}); err != nil {
			s.Log.WarnContext(ctx, "calendar: invitation card not sent", "event_id", ev.ID, "err", err)
		}
	}
	return s.GetEvent(ctx, ev.ID)
}

// setAttendees makes an event's attendees those of in (the organizer
// always attends, except in a holidays calendar), keeping the answers of
// those who stay, and returns the accounts newly invited. Rooms are
// locked (PostgreSQL) for checkRooms.
func (s *Service) setAttendees(ctx context.Context, ev eventRow, calKind string, in AttendeesInput, old []attendeeRow, now int64) ([]string, error) {
	if len(in.MemberIDs)+len(in.DepartmentIDs)+len(in.Emails)+len(in.RoomIDs) > 2000 {
		return nil, apperr.InvalidField("attendees", "at most 2000")
	}
	key := func(x attendeeRow) string { return x.Kind + "\x00" + x.MemberID + x.Email + x.RoomID }
	wanted := map[string]attendeeRow{}
	var order []string
	add := func(x attendeeRow) {
		k := key(x)
		if _, ok := wanted[k]; !ok {
			wanted[k] = x
			order = append(order, k)
		}
	}
	if calKind != KindHolidays {
		add(attendeeRow{Kind: AttendeeMember, MemberID: ev.OrganizerMemberID, AccountID: ev.OrganizerAccountID, RSVP: RSVPAccepted})
	}
	if len(in.MemberIDs) > 0 {
		ps, err := s.Directory.Audience(ctx, ev.OrgID, in.MemberIDs, nil, nil)
		if err != nil {
			return nil, fieldErr(err, "attendees")
		}
		for _, p := range ps {
			add(attendeeRow{Kind: AttendeeMember, MemberID: p.MemberID, AccountID: p.AccountID, RSVP: RSVPNeedsAction})
		}
	}
	for _, d := range in.DepartmentIDs {
		ps, err := s.Directory.Audience(ctx, ev.OrgID, nil, []string{d}, nil)
		if err != nil {
			return nil, fieldErr(err, "attendees")
		}
		for _, p := range ps {
			add(attendeeRow{Kind: AttendeeMember, MemberID: p.MemberID, AccountID: p.AccountID, DepartmentID: d, RSVP: RSVPNeedsAction})
		}
	}
	for _, e := range in.Emails {
		addr, err := mail.ParseAddress(strings.TrimSpace(e))
		if err != nil || len(addr.Address) > 320 {
			return nil, apperr.InvalidField("attendees", "valid email addresses")
		}
		add(attendeeRow{Kind: AttendeeExternal, Email: strings.ToLower(addr.Address), RSVP: RSVPNeedsAction})
	}
	rooms := slices.Clone(in.RoomIDs)
	slices.Sort(rooms)
	for _, r := range slices.Compact(rooms) {
		// Lock in a fixed order, so that two bookings of the same rooms
		// never wait for each other.
		if _, err := lockRoom(ctx, s.DB, ev.OrgID, r); err != nil {
			if apperr.IsNotFound(apperr.MapNotFound(err)) {
				return nil, apperr.InvalidField("attendees", "rooms of the organization")
			}
			return nil, err
		}
		add(attendeeRow{Kind: AttendeeRoom, RoomID: r, RSVP: RSVPAccepted})
	}
	have := map[string]bool{}
	for _, x := range old {
		k := key(x)
		if _, ok := wanted[k]; ok {
			have[k] = true
			continue
		}
		if err := deleteAttendee(ctx, s.DB, x.ID); err != nil {
			return nil, err
		}
	}
	var invited []string
	for _, k := range order {
		if have[k] {
			continue
		}
		x := wanted[k]
		x.ID, x.EventID = ids.New("cat"), ev.ID
		if err := insertAttendee(ctx, s.DB, ev.OrgID, x, now); err != nil {
			return nil, err
		}
		if x.Kind == AttendeeMember && x.AccountID != ev.OrganizerAccountID {
			invited = append(invited, x.AccountID)
		}
	}
	return invited, nil
}

func fieldErr(err error, field string) error {
	if apperr.KindOf(err) == apperr.KindInvalid {
		return apperr.InvalidField(field, "members and departments of the organization")
	}
	return err
}

// ListEvents lists the occurrences overlapping [from, to) of the
// calendars the caller may view (those of calendarIDs when given) and of
// the events they attend; busy-only for events they may not see.
func (s *Service) ListEvents(ctx context.Context, from, to time.Time, calendarIDs []string) (OccurrenceList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return OccurrenceList{}, err
	}
	if err := checkRange(from, to); err != nil {
		return OccurrenceList{}, err
	}
	rows, levels, err := s.visibleCalendars(ctx, a)
	if err != nil {
		return OccurrenceList{}, err
	}
	v := s.viewer(a)
	var cals []string
	for i, c := range rows {
		v.levels[c.ID] = levels[i]
		if len(calendarIDs) == 0 || slices.Contains(calendarIDs, c.ID) || (c.Kind == KindPersonal && slices.Contains(calendarIDs, "personal")) {
			cals = append(cals, c.ID)
		}
	}
	for _, id := range calendarIDs {
		if _, ok := v.levels[id]; !ok && id != "personal" {
			return OccurrenceList{}, apperr.ErrNotFound
		}
	}
	evs, err := eventsIn(ctx, s.DB, a.OrgID, cals, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return OccurrenceList{}, err
	}
	if len(calendarIDs) == 0 {
		more, err := eventsAttended(ctx, s.DB, a.OrgID, []string{a.MemberID}, from.UnixMilli(), to.UnixMilli())
		if err != nil {
			return OccurrenceList{}, err
		}
		evs = append(evs, more...)
	}
	evs = dedupe(evs)
	idl := make([]string, len(evs))
	for i, e := range evs {
		idl[i] = e.ID
	}
	as, err := attendeesOf(ctx, s.DB, idl)
	if err != nil {
		return OccurrenceList{}, err
	}
	ovs, err := overridesOf(ctx, s.DB, idl)
	if err != nil {
		return OccurrenceList{}, err
	}
	out := OccurrenceList{Items: []Occurrence{}}
	for _, ev := range evs {
		see, _, err := v.rights(ctx, ev, as[ev.ID])
		if err != nil {
			return out, err
		}
		sr, err := ev.series()
		if err != nil {
			s.Log.WarnContext(ctx, "calendar: unreadable event", "event_id", ev.ID, "err", err)
			continue
		}
		my := ""
		for _, x := range as[ev.ID] {
			if x.Kind == AttendeeMember && x.MemberID == a.MemberID {
				my = x.RSVP
			}
		}
		for _, o := range expand(ev, sr, ovs[ev.ID], from, to) {
			out.Items = append(out.Items, occurrenceOf(ev, sr, o, see, my))
		}
	}
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].StartAt < out.Items[j].StartAt })
	return out, nil
}

func occurrenceOf(ev eventRow, sr *series, o occ, see bool, my string) Occurrence {
	x := Occurrence{EventID: ev.ID, TimeZone: ev.TimeZone, AllDay: ev.AllDay, Start: formatLocal(o.start, ev.AllDay), End: formatLocal(o.end, ev.AllDay),
		StartAt: o.start.UnixMilli(), EndAt: o.end.UnixMilli(), Recurring: sr.recurring(), Overridden: o.ov != nil, BusyOnly: !see}
	if sr.recurring() {
		x.RecurrenceID = recurrenceID(o.recurAt)
	}
	if see {
		x.CalendarID, x.Title, x.Location, x.MyRSVP = ev.CalendarID, ev.Title, ev.Location, my
		if o.ov != nil {
			x.Title, x.Location = o.ov.Title, o.ov.Location
		}
	}
	return x
}

func dedupe(evs []eventRow) []eventRow {
	seen := map[string]bool{}
	out := evs[:0]
	for _, e := range evs {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
}

// maxRange is the longest range one listing expands.
const maxRange = 366 * 24 * time.Hour

func checkRange(from, to time.Time) error {
	if !to.After(from) {
		return apperr.InvalidField("to", "after from")
	}
	if to.Sub(from) > maxRange+48*time.Hour {
		return apperr.InvalidField("to", "at most 366 days after from")
	}
	return nil
}
