package calendar

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// iCalendar (RFC 5545) conversion through go-ical: an event with its
// overrides becomes one VEVENT for the series and one per changed
// occurrence (RECURRENCE-ID), with TZID and a VTIMEZONE for each zone used
// (UTC times in UTC form, all-day dates as VALUE=DATE); and back. The same
// conversion serves .ics export and import, the ICS feed and CalDAV.

// prodID names Atrium as the producer of the calendars it writes.
const prodID = "-//Atrium//Calendar//EN"

// roomURI is the calendar address of a meeting room, which has no email.
const roomURI = "urn:atrium:room:"

// icalPerson is an organizer or attendee as iCalendar shows them.
type icalPerson struct {
	Kind, Name, Email, RoomID, RSVP string
	// MemberID names a member without a work email (urn:atrium:member:).
	MemberID string
}

// icalEvent is an event with what its iCalendar form needs besides the
// stored rows: the names and addresses of its people, and whether the
// reader sees only busy time.
type icalEvent struct {
	ev        eventRow
	overrides []overrideRow
	organizer icalPerson
	attendees []icalPerson
	busyOnly  bool
	// attach are the links to the event's files (ATTACH), for those who
	// see it.
	attach []icalAttach
}

// icalAttach is a link to an attachment: where a signed-in person
// downloads it, its name and type.
type icalAttach struct {
	URL, Name, ContentType string
}

var partstat = map[string]string{RSVPAccepted: "ACCEPTED", RSVPDeclined: "DECLINED", RSVPTentative: "TENTATIVE", RSVPNeedsAction: "NEEDS-ACTION"}

// newVCalendar returns an empty VCALENDAR with its required properties.
func newVCalendar(name string) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, prodID)
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	if name != "" {
		p := ical.NewProp("X-WR-CALNAME")
		p.SetText(name)
		p.Params.Del(ical.ParamValue)
		cal.Props.Set(p)
	}
	return cal
}

// encodeEvents returns the VCALENDAR holding evs, with a VTIMEZONE for
// each time zone they use.
func encodeEvents(name string, evs []icalEvent) *ical.Calendar {
	cal := newVCalendar(name)
	zones := map[string]time.Time{}
	for _, e := range evs {
		cal.Children = append(cal.Children, encodeEvent(e)...)
		if !e.ev.AllDay && e.ev.TimeZone != "" && e.ev.TimeZone != "UTC" {
			if t, ok := zones[e.ev.TimeZone]; !ok || time.UnixMilli(e.ev.StartAt).Before(t) {
				zones[e.ev.TimeZone] = time.UnixMilli(e.ev.StartAt)
			}
		}
	}
	names := make([]string, 0, len(zones))
	for z := range zones {
		names = append(names, z)
	}
	sort.Strings(names)
	var tzs []*ical.Component
	for _, z := range names {
		if loc, err := loadZone("time_zone", z); err == nil {
			tzs = append(tzs, vtimezone(loc, zones[z]))
		}
	}
	cal.Children = append(tzs, cal.Children...)
	return cal
}

// setTime writes a DTSTART-like property: a date for all-day events, UTC
// form in UTC, otherwise local time with TZID.
func setTime(props ical.Props, name string, t time.Time, allDay bool) {
	p := ical.NewProp(name)
	switch {
	case allDay:
		p.SetDate(t)
	case t.Location() == time.UTC || t.Location().String() == "UTC":
		p.SetDateTime(t.UTC())
	default:
		p.SetDateTime(t)
	}
	props.Add(p)
}

func setTextIf(props ical.Props, name, v string) {
	if v != "" {
		props.SetText(name, v)
	}
}

func utcProp(props ical.Props, name string, ms int64) {
	p := ical.NewProp(name)
	p.SetDateTime(time.UnixMilli(ms).UTC())
	props.Set(p)
}

func personProp(name string, x icalPerson) *ical.Prop {
	p := ical.NewProp(name)
	switch {
	case x.Kind == AttendeeRoom:
		p.Value = roomURI + x.RoomID
		p.Params.Set("CUTYPE", "ROOM")
	case x.Email != "":
		p.Value = "mailto:" + x.Email
	case x.MemberID != "":
		p.Value = memberURI + x.MemberID
	default:
		p.Value = "urn:atrium:unknown"
	}
	if x.Name != "" {
		p.Params.Set(ical.ParamCommonName, x.Name)
	}
	if name == ical.PropAttendee {
		if x.Kind != AttendeeRoom {
			p.Params.Set("CUTYPE", "INDIVIDUAL")
		}
		p.Params.Set(ical.ParamRole, "REQ-PARTICIPANT")
		if ps := partstat[x.RSVP]; ps != "" {
			p.Params.Set(ical.ParamParticipationStatus, ps)
		}
	}
	return p
}

// encodeEvent returns the VEVENTs of one event: the series, then one per
// override.
func encodeEvent(e icalEvent) []*ical.Component {
	ev := e.ev
	sr, err := ev.series()
	if err != nil {
		return nil
	}
	base := func() *ical.Component {
		c := ical.NewComponent(ical.CompEvent)
		c.Props.SetText(ical.PropUID, ev.UID)
		utcProp(c.Props, ical.PropDateTimeStamp, ev.UpdatedAt)
		utcProp(c.Props, ical.PropCreated, ev.CreatedAt)
		utcProp(c.Props, ical.PropLastModified, ev.UpdatedAt)
		p := ical.NewProp(ical.PropSequence)
		p.Value = strconv.FormatInt(max(ev.Revision-1, 0), 10)
		c.Props.Set(p)
		return c
	}
	people := func(c *ical.Component) {
		if e.busyOnly {
			return
		}
		if e.organizer.Email != "" || e.organizer.Name != "" {
			c.Props.Set(personProp(ical.PropOrganizer, e.organizer))
		}
		for _, x := range e.attendees {
			c.Props.Add(personProp(ical.PropAttendee, x))
		}
	}
	text := func(c *ical.Component, title, desc, loc string) {
		if e.busyOnly {
			c.Props.SetText(ical.PropSummary, "Busy")
			c.Props.SetText(ical.PropClass, "CONFIDENTIAL")
			return
		}
		setTextIf(c.Props, ical.PropSummary, title)
		setTextIf(c.Props, ical.PropDescription, desc)
		setTextIf(c.Props, ical.PropLocation, loc)
		if ev.Visibility == VisibilityPrivate {
			c.Props.SetText(ical.PropClass, "PRIVATE")
		}
		for _, f := range e.attach {
			p := ical.NewProp(ical.PropAttach)
			p.Value = f.URL
			p.Params.Set(ical.ParamFormatType, f.ContentType)
			p.Params.Set("FILENAME", f.Name) // RFC 8607
			c.Props.Add(p)
		}
	}
	m := base()
	setTime(m.Props, ical.PropDateTimeStart, sr.start, ev.AllDay)
	setTime(m.Props, ical.PropDateTimeEnd, sr.end, ev.AllDay)
	if ev.RRule != "" {
		p := ical.NewProp(ical.PropRecurrenceRule)
		p.Value = ev.RRule
		if ev.AllDay {
			p.Value = dateUntil(ev.RRule, sr.loc)
		}
		m.Props.Set(p)
	}
	for _, t := range sr.rdates {
		setTime(m.Props, ical.PropRecurrenceDates, t, ev.AllDay)
	}
	exs := make([]time.Time, 0, len(sr.exdates))
	for ms := range sr.exdates {
		exs = append(exs, time.UnixMilli(ms).In(sr.loc))
	}
	sort.Slice(exs, func(i, j int) bool { return exs[i].Before(exs[j]) })
	for _, t := range exs {
		setTime(m.Props, ical.PropExceptionDates, t, ev.AllDay)
	}
	text(m, ev.Title, ev.Description, ev.Location)
	m.Props.SetText(ical.PropTransparency, "OPAQUE")
	people(m)
	if !e.busyOnly {
		var rs []Reminder
		_ = json.Unmarshal([]byte(ev.Reminders), &rs)
		for _, r := range rs {
			a := ical.NewComponent(ical.CompAlarm)
			a.Props.SetText(ical.PropAction, "DISPLAY")
			a.Props.SetText(ical.PropDescription, ev.Title)
			tr := ical.NewProp(ical.PropTrigger)
			tr.Value = "-PT" + strconv.Itoa(r.Minutes) + "M"
			a.Props.Set(tr)
			if r.Email {
				x := ical.NewProp("X-ATRIUM-EMAIL")
				x.Value = "TRUE"
				a.Props.Set(x)
			}
			m.Children = append(m.Children, a)
		}
	}
	out := []*ical.Component{m}
	for _, o := range e.overrides {
		if sr.exdates[o.RecurrenceAt] {
			continue
		}
		c := base()
		setTime(c.Props, ical.PropRecurrenceID, time.UnixMilli(o.RecurrenceAt).In(sr.loc), ev.AllDay)
		st, err1 := parseLocal("start", o.StartLocal, ev.AllDay, sr.loc)
		en, err2 := parseLocal("end", o.EndLocal, ev.AllDay, sr.loc)
		if err1 != nil || err2 != nil {
			continue
		}
		setTime(c.Props, ical.PropDateTimeStart, st, ev.AllDay)
		setTime(c.Props, ical.PropDateTimeEnd, en, ev.AllDay)
		text(c, o.Title, o.Description, o.Location)
		c.Props.SetText(ical.PropTransparency, "OPAQUE")
		people(c)
		out = append(out, c)
	}
	return out
}

// vtimezone describes loc from the year of from on: a STANDARD and a
// DAYLIGHT observance with yearly rules when the zone changes its clocks
// that year, one STANDARD observance otherwise. Clients that know the
// IANA name (most do) use their own rules; the others use these.
func vtimezone(loc *time.Location, from time.Time) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	year := from.In(loc).Year()
	start := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	var trans []time.Time
	for t := start; t.Before(end); {
		next := t.Add(24 * time.Hour)
		if _, o1 := t.Zone(); true {
			if _, o2 := next.Zone(); o1 != o2 {
				// Find the instant of the change to the second.
				lo, hi := t, next
				for hi.Sub(lo) > time.Second {
					mid := lo.Add(hi.Sub(lo) / 2)
					if _, om := mid.Zone(); om == o1 {
						lo = mid
					} else {
						hi = mid
					}
				}
				trans = append(trans, hi)
			}
		}
		t = next
	}
	offset := func(sec int) string {
		sign := "+"
		if sec < 0 {
			sign, sec = "-", -sec
		}
		return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	}
	if len(trans) == 0 {
		name, off := start.Zone()
		c := ical.NewComponent(ical.CompTimezoneStandard)
		p := ical.NewProp(ical.PropDateTimeStart)
		p.Value = "19700101T000000"
		c.Props.Set(p)
		c.Props.SetText(ical.PropTimezoneName, name)
		for _, n := range []string{ical.PropTimezoneOffsetFrom, ical.PropTimezoneOffsetTo} {
			q := ical.NewProp(n)
			q.Value = offset(off)
			c.Props.Set(q)
		}
		tz.Children = append(tz.Children, c)
		return tz
	}
	for _, t := range trans {
		_, before := t.Add(-time.Second).Zone()
		name, after := t.Zone()
		kind := ical.CompTimezoneStandard
		if after > before {
			kind = ical.CompTimezoneDaylight
		}
		c := ical.NewComponent(kind)
		// DTSTART is the local time of the change in the offset before it.
		local := t.UTC().Add(time.Duration(before) * time.Second)
		p := ical.NewProp(ical.PropDateTimeStart)
		p.Value = local.Format("20060102T150405")
		c.Props.Set(p)
		c.Props.SetText(ical.PropTimezoneName, name)
		q := ical.NewProp(ical.PropTimezoneOffsetFrom)
		q.Value = offset(before)
		c.Props.Set(q)
		q = ical.NewProp(ical.PropTimezoneOffsetTo)
		q.Value = offset(after)
		c.Props.Set(q)
		n := (local.Day()-1)/7 + 1
		if local.Day()+7 > daysIn(local.Month(), local.Year()) {
			n = -1
		}
		r := ical.NewProp(ical.PropRecurrenceRule)
		r.Value = fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(local.Month()), n, strings.ToUpper(local.Weekday().String()[:2]))
		c.Props.Set(r)
		tz.Children = append(tz.Children, c)
	}
	return tz
}

// dateUntil writes a rule's UNTIL as a date, as RFC 5545 wants it when
// DTSTART is one (the rule is stored with UNTIL as a UTC instant).
func dateUntil(rule string, loc *time.Location) string {
	parts := strings.Split(rule, ";")
	for i, p := range parts {
		if v, ok := strings.CutPrefix(p, "UNTIL="); ok {
			if t, err := time.Parse("20060102T150405Z", v); err == nil {
				parts[i] = "UNTIL=" + t.In(loc).Format("20060102")
			}
		}
	}
	return strings.Join(parts, ";")
}

func daysIn(m time.Month, y int) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// importedEvent is one event read from iCalendar: the series' fields in
// an EventInput (local times in its time zone), its overrides and the
// answers of its attendees by address.
type importedEvent struct {
	UID       string
	In        EventInput
	Overrides []importedOverride
	// Answers maps an attendee's email to their answer.
	Answers map[string]string
}

type importedOverride struct {
	RecurrenceID time.Time
	Cancelled    bool
	Title        string
	Description  string
	Location     string
	Start, End   time.Time
}

// itemError is why one calendar object could not be imported.
type itemError struct {
	UID   string `json:"uid"`
	Error string `json:"error"`
}

// icalTime reads a date or date-time property: its time, whether it is a
// date, and the time zone it names ("" for UTC or floating times).
func icalTime(p *ical.Prop, floating *time.Location) (time.Time, bool, string, error) {
	if p == nil {
		return time.Time{}, false, "", fmt.Errorf("missing")
	}
	v := strings.TrimSpace(p.Value)
	if p.ValueType() == ical.ValueDate || (p.ValueType() == ical.ValueDefault && len(v) == 8) {
		t, err := time.ParseInLocation("20060102", v, time.UTC)
		return t, true, "", err
	}
	if strings.HasSuffix(v, "Z") {
		t, err := time.ParseInLocation("20060102T150405Z", v, time.UTC)
		return t, false, "", err
	}
	loc, tzid := floating, ""
	if id := strings.TrimSpace(p.Params.Get(ical.PropTimezoneID)); id != "" {
		l, err := loadZone("time_zone", strings.TrimPrefix(id, "/"))
		if err != nil {
			return time.Time{}, false, "", fmt.Errorf("unknown time zone %q", id)
		}
		loc, tzid = l, l.String()
	}
	t, err := time.ParseInLocation("20060102T150405", v, loc)
	return t, false, tzid, err
}

// icalTimes reads a list property (RDATE, EXDATE) that may repeat and hold
// comma-separated values.
func icalTimes(props []ical.Prop, floating *time.Location) ([]time.Time, error) {
	var out []time.Time
	for _, p := range props {
		if p.ValueType() == ical.ValuePeriod {
			return nil, fmt.Errorf("RDATE periods are not supported")
		}
		for _, v := range strings.Split(p.Value, ",") {
			q := p
			q.Value = v
			t, _, _, err := icalTime(&q, floating)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", p.Name, err)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

func textOf(c *ical.Component, name string) string {
	p := c.Props.Get(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		return p.Value
	}
	return s
}

// calAddress returns the email of a mailto: calendar address.
func calAddress(v string) string {
	v = strings.TrimSpace(v)
	if len(v) < 7 || !strings.EqualFold(v[:7], "mailto:") {
		return ""
	}
	a, err := mail.ParseAddress(v[7:])
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address)
}

var rsvpOf = map[string]string{"ACCEPTED": RSVPAccepted, "DECLINED": RSVPDeclined, "TENTATIVE": RSVPTentative}

// decodeEvents reads the events of a VCALENDAR, grouped by UID (a series
// and its overrides), in the order of their first VEVENT. Times without
// a zone are taken in floating. What cannot be read is reported by UID.
func decodeEvents(cal *ical.Calendar, floating *time.Location) ([]importedEvent, []itemError) {
	type group struct {
		master    *ical.Component
		overrides []*ical.Component
	}
	groups := map[string]*group{}
	var order []string
	var errs []itemError
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		uid := strings.TrimSpace(textOf(c, ical.PropUID))
		if uid == "" || len(uid) > 255 {
			errs = append(errs, itemError{UID: uid, Error: "a VEVENT needs a UID (at most 255 characters)"})
			continue
		}
		g := groups[uid]
		if g == nil {
			g = &group{}
			groups[uid] = g
			order = append(order, uid)
		}
		if c.Props.Get(ical.PropRecurrenceID) != nil {
			g.overrides = append(g.overrides, c)
		} else if g.master == nil {
			g.master = c
		} else {
			errs = append(errs, itemError{UID: uid, Error: "two VEVENTs with this UID and no RECURRENCE-ID"})
		}
	}
	var out []importedEvent
	for _, uid := range order {
		g := groups[uid]
		if g.master == nil {
			errs = append(errs, itemError{UID: uid, Error: "changed occurrences without their series (no VEVENT without RECURRENCE-ID)"})
			continue
		}
		ie, err := decodeEvent(uid, g.master, g.overrides, floating)
		if err != nil {
			errs = append(errs, itemError{UID: uid, Error: err.Error()})
			continue
		}
		out = append(out, ie)
	}
	return out, errs
}

func decodeEvent(uid string, m *ical.Component, ovs []*ical.Component, floating *time.Location) (importedEvent, error) {
	ie := importedEvent{UID: uid, Answers: map[string]string{}}
	st, allDay, tzid, err := icalTime(m.Props.Get(ical.PropDateTimeStart), floating)
	if err != nil {
		return ie, fmt.Errorf("DTSTART: %v", err)
	}
	loc := floating
	if tzid != "" {
		loc, _ = loadZone("time_zone", tzid)
	} else if !allDay && st.Location() == time.UTC {
		loc = time.UTC
	}
	if allDay {
		loc = floating
		st = time.Date(st.Year(), st.Month(), st.Day(), 0, 0, 0, 0, loc)
	}
	st = st.In(loc)
	var en time.Time
	switch {
	case m.Props.Get(ical.PropDateTimeEnd) != nil:
		t, _, _, err := icalTime(m.Props.Get(ical.PropDateTimeEnd), loc)
		if err != nil {
			return ie, fmt.Errorf("DTEND: %v", err)
		}
		if allDay {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		}
		en = t.In(loc)
	case m.Props.Get(ical.PropDuration) != nil:
		d, err := m.Props.Get(ical.PropDuration).Duration()
		if err != nil {
			return ie, fmt.Errorf("DURATION: %v", err)
		}
		if allDay {
			en = st.AddDate(0, 0, int(d/(24*time.Hour)))
		} else {
			en = st.Add(d)
		}
	case allDay:
		en = st.AddDate(0, 0, 1)
	default:
		en = st
	}
	if !en.After(st) {
		// An instant (no length): Atrium events last at least a minute.
		if allDay {
			en = st.AddDate(0, 0, 1)
		} else {
			en = st.Add(time.Minute)
		}
	}
	in := EventInput{Title: strings.TrimSpace(textOf(m, ical.PropSummary)), Description: textOf(m, ical.PropDescription),
		Location: textOf(m, ical.PropLocation), Start: formatLocal(st, allDay), End: formatLocal(en, allDay), TimeZone: loc.String(),
		AllDay: allDay, Visibility: VisibilityDefault}
	if allDay {
		in.TimeZone = floating.String()
	}
	switch strings.ToUpper(textOf(m, ical.PropClass)) {
	case "PRIVATE", "CONFIDENTIAL":
		in.Visibility = VisibilityPrivate
	}
	if rs := m.Props.Values(ical.PropRecurrenceRule); len(rs) > 1 {
		return ie, fmt.Errorf("more than one RRULE")
	} else if len(rs) == 1 {
		in.RRule = rs[0].Value
	}
	rd, err := icalTimes(m.Props.Values(ical.PropRecurrenceDates), loc)
	if err != nil {
		return ie, err
	}
	ex, err := icalTimes(m.Props.Values(ical.PropExceptionDates), loc)
	if err != nil {
		return ie, err
	}
	local := func(t time.Time) string {
		if allDay {
			return formatLocal(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), true)
		}
		return formatLocal(t.In(loc), false)
	}
	for _, t := range rd {
		in.RDates = append(in.RDates, local(t))
	}
	for _, t := range ex {
		in.ExDates = append(in.ExDates, local(t))
	}
	for _, a := range m.Props.Values(ical.PropAttendee) {
		cu := strings.ToUpper(a.Params.Get("CUTYPE"))
		if v := strings.TrimSpace(a.Value); len(v) > len(memberURI) && strings.EqualFold(v[:len(memberURI)], memberURI) {
			in.Attendees.MemberIDs = append(in.Attendees.MemberIDs, v[len(memberURI):])
			continue
		}
		if strings.HasPrefix(a.Value, roomURI) {
			in.Attendees.RoomIDs = append(in.Attendees.RoomIDs, strings.TrimPrefix(a.Value, roomURI))
			continue
		}
		if cu == "ROOM" || cu == "RESOURCE" {
			continue // a room of another system: not ours to book
		}
		email := calAddress(a.Value)
		if email == "" {
			continue
		}
		in.Attendees.Emails = append(in.Attendees.Emails, email)
		if r := rsvpOf[strings.ToUpper(a.Params.Get(ical.ParamParticipationStatus))]; r != "" {
			ie.Answers[email] = r
		}
	}
	for _, al := range m.Children {
		if al.Name != ical.CompAlarm || len(in.Reminders) == 5 {
			continue
		}
		tr := al.Props.Get(ical.PropTrigger)
		if tr == nil || strings.EqualFold(tr.Params.Get("RELATED"), "END") || tr.ValueType() == ical.ValueDateTime {
			continue
		}
		d, err := tr.Duration()
		if err != nil || d > 0 || -d > maxReminderMinutes*time.Minute {
			continue
		}
		email := strings.EqualFold(textOf(al, ical.PropAction), "EMAIL") || strings.EqualFold(textOf(al, "X-ATRIUM-EMAIL"), "TRUE")
		in.Reminders = append(in.Reminders, Reminder{Minutes: int(-d / time.Minute), Email: email})
	}
	ie.In = in
	for _, o := range ovs {
		rid, _, _, err := icalTime(o.Props.Get(ical.PropRecurrenceID), loc)
		if err != nil {
			return ie, fmt.Errorf("RECURRENCE-ID: %v", err)
		}
		if allDay {
			rid = time.Date(rid.Year(), rid.Month(), rid.Day(), 0, 0, 0, 0, loc)
		}
		x := importedOverride{RecurrenceID: rid.In(loc), Title: strings.TrimSpace(textOf(o, ical.PropSummary)),
			Description: textOf(o, ical.PropDescription), Location: textOf(o, ical.PropLocation)}
		if strings.EqualFold(textOf(o, ical.PropStatus), "CANCELLED") {
			x.Cancelled = true
			ie.Overrides = append(ie.Overrides, x)
			continue
		}
		os, _, _, err := icalTime(o.Props.Get(ical.PropDateTimeStart), loc)
		if err != nil {
			return ie, fmt.Errorf("DTSTART of an occurrence: %v", err)
		}
		if allDay {
			os = time.Date(os.Year(), os.Month(), os.Day(), 0, 0, 0, 0, loc)
		}
		x.Start = os.In(loc)
		x.End = x.Start.Add(en.Sub(st))
		if allDay {
			x.End = x.Start.AddDate(0, 0, int(civilDays(st, en)))
		}
		if p := o.Props.Get(ical.PropDateTimeEnd); p != nil {
			oe, _, _, err := icalTime(p, loc)
			if err != nil {
				return ie, fmt.Errorf("DTEND of an occurrence: %v", err)
			}
			if allDay {
				oe = time.Date(oe.Year(), oe.Month(), oe.Day(), 0, 0, 0, 0, loc)
			}
			if oe.After(x.Start) {
				x.End = oe.In(loc)
			}
		}
		ie.Overrides = append(ie.Overrides, x)
	}
	return ie, nil
}

// errICS is the error of an unreadable iCalendar body.
func errICS(err error) error {
	return apperr.Invalid("invalid_ics", "not a readable iCalendar (.ics) file").Wrap(err)
}
