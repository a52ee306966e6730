package calendar

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Free/busy and "find a time". A person is busy during the occurrences
// of the events they attend and have not declined (the organizer attends
// their own events). Whoever may not see an event gets its busy time
// only, never its title.

// Busy is a busy block; EventID and Title are set only for events the
// caller may see.
type Busy struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	StartAt int64  `json:"start_at"`
	EndAt   int64  `json:"end_at"`
	EventID string `json:"event_id,omitempty"`
	Title   string `json:"title,omitempty"`
}

// PersonBusy is one member's busy blocks, by start.
type PersonBusy struct {
	MemberID string `json:"member_id"`
	Busy     []Busy `json:"busy"`
}

// FreeBusy is the busy time of several members over a range.
type FreeBusy struct {
	From   int64        `json:"from"`
	To     int64        `json:"to"`
	People []PersonBusy `json:"people"`
}

// FindTimeQuery asks for common free time: the members (and a room) must
// all be free for Duration within working hours (DayStart to DayEnd on
// Weekdays, in TimeZone) between From and To.
type FindTimeQuery struct {
	MemberIDs []string
	RoomID    string
	From, To  time.Time
	Duration  time.Duration
	TimeZone  string
	DayStart  string // HH:MM, default 09:00
	DayEnd    string // HH:MM, default 18:00
	Weekdays  []time.Weekday
	Limit     int
}

// Slot is a common free window at least as long as the duration asked.
type Slot struct {
	Start   string `json:"start"`
	End     string `json:"end"`
	StartAt int64  `json:"start_at"`
	EndAt   int64  `json:"end_at"`
}

// Slots are the free windows found, by start.
type Slots struct {
	TimeZone string `json:"time_zone"`
	Slots    []Slot `json:"slots"`
}

// maxPeople bounds a free/busy or find-a-time query.
const maxPeople = 200

func (s *Service) people(ctx context.Context, a *actor.Actor, memberIDs []string) ([]string, error) {
	orgID := a.OrgID
	memberIDs = slices.Clone(memberIDs)
	for i, m := range memberIDs {
		if m == "me" {
			memberIDs[i] = a.MemberID
		}
	}
	if len(memberIDs) == 0 || len(memberIDs) > maxPeople {
		return nil, apperr.InvalidField("member_ids", "1 to 200 members")
	}
	ps, err := s.Directory.Audience(ctx, orgID, memberIDs, nil, nil)
	if err != nil {
		return nil, fieldErr(err, "member_ids")
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.MemberID
	}
	return out, nil
}

// FreeBusy returns the busy blocks of members over [from, to).
func (s *Service) FreeBusy(ctx context.Context, memberIDs []string, from, to time.Time) (FreeBusy, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return FreeBusy{}, err
	}
	if err := checkRange(from, to); err != nil {
		return FreeBusy{}, err
	}
	ms, err := s.people(ctx, a, memberIDs)
	if err != nil {
		return FreeBusy{}, err
	}
	byMember, err := s.busyOf(ctx, a, ms, from, to, true)
	if err != nil {
		return FreeBusy{}, err
	}
	out := FreeBusy{From: from.UnixMilli(), To: to.UnixMilli(), People: []PersonBusy{}}
	for _, m := range ms {
		bs := byMember[m]
		if bs == nil {
			bs = []Busy{}
		}
		sort.SliceStable(bs, func(i, j int) bool { return bs[i].StartAt < bs[j].StartAt })
		out.People = append(out.People, PersonBusy{MemberID: m, Busy: bs})
	}
	return out, nil
}

// busyOf returns each member's busy blocks, with titles where the caller
// may see the event when titles is set.
func (s *Service) busyOf(ctx context.Context, a *actor.Actor, members []string, from, to time.Time, titles bool) (map[string][]Busy, error) {
	evs, err := eventsAttended(ctx, s.DB, a.OrgID, members, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, m := range members {
		want[m] = true
	}
	v := s.viewer(a)
	out := map[string][]Busy{}
	seeByEvent := map[string]bool{}
	err = s.eachOccurrence(ctx, evs, from, to, func(ev eventRow, _ *series, as []attendeeRow, o occ) error {
		see, ok := seeByEvent[ev.ID]
		if !ok && titles {
			var err error
			if see, _, err = v.rights(ctx, ev, as); err != nil {
				return err
			}
			seeByEvent[ev.ID] = see
		}
		b := Busy{Start: o.start.UTC().Format(time.RFC3339), End: o.end.UTC().Format(time.RFC3339), StartAt: o.start.UnixMilli(), EndAt: o.end.UnixMilli()}
		if see {
			b.EventID, b.Title = ev.ID, ev.Title
			if o.ov != nil {
				b.Title = o.ov.Title
			}
		}
		for _, x := range as {
			if x.Kind == AttendeeMember && x.RSVP != RSVPDeclined && want[x.MemberID] {
				out[x.MemberID] = append(out[x.MemberID], b)
			}
		}
		return nil
	})
	return out, err
}

func parseClock(field, s, def string) (int, error) {
	if s == "" {
		s = def
	}
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, apperr.InvalidField(field, "a time of day (HH:MM)")
	}
	return hh*60 + mm, nil
}

// FindTime returns the windows within working hours where every member
// (and the room) is free for at least the duration.
func (s *Service) FindTime(ctx context.Context, q FindTimeQuery) (Slots, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Slots{}, err
	}
	if err := checkRange(q.From, q.To); err != nil {
		return Slots{}, err
	}
	if q.To.Sub(q.From) > 62*24*time.Hour {
		return Slots{}, apperr.InvalidField("to", "at most 62 days after from")
	}
	if q.Duration < 5*time.Minute || q.Duration > 24*time.Hour {
		return Slots{}, apperr.InvalidField("duration_minutes", "5 to 1440 minutes")
	}
	if q.TimeZone == "" {
		p, err := s.personal(ctx, a)
		if err != nil {
			return Slots{}, err
		}
		q.TimeZone = p.TimeZone
	}
	loc, err := loadZone("time_zone", q.TimeZone)
	if err != nil {
		return Slots{}, err
	}
	ds, err := parseClock("day_start", q.DayStart, "09:00")
	if err != nil {
		return Slots{}, err
	}
	de, err := parseClock("day_end", q.DayEnd, "18:00")
	if err != nil {
		return Slots{}, err
	}
	if de <= ds {
		return Slots{}, apperr.InvalidField("day_end", "after day_start")
	}
	if len(q.Weekdays) == 0 {
		q.Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	ms, err := s.people(ctx, a, q.MemberIDs)
	if err != nil {
		return Slots{}, err
	}
	byMember, err := s.busyOf(ctx, a, ms, q.From, q.To, false)
	if err != nil {
		return Slots{}, err
	}
	var busy [][2]int64
	for _, bs := range byMember {
		for _, b := range bs {
			busy = append(busy, [2]int64{b.StartAt, b.EndAt})
		}
	}
	if q.RoomID != "" {
		if _, err := s.GetRoom(ctx, q.RoomID); err != nil {
			return Slots{}, err
		}
		evs, err := eventsOfRoom(ctx, s.DB, a.OrgID, q.RoomID, q.From.UnixMilli(), q.To.UnixMilli())
		if err != nil {
			return Slots{}, err
		}
		err = s.eachOccurrence(ctx, evs, q.From, q.To, func(_ eventRow, _ *series, _ []attendeeRow, o occ) error {
			busy = append(busy, [2]int64{o.start.UnixMilli(), o.end.UnixMilli()})
			return nil
		})
		if err != nil {
			return Slots{}, err
		}
	}
	sort.Slice(busy, func(i, j int) bool { return busy[i][0] < busy[j][0] })
	out := Slots{TimeZone: loc.String(), Slots: []Slot{}}
	day := time.Date(q.From.In(loc).Year(), q.From.In(loc).Month(), q.From.In(loc).Day(), 0, 0, 0, 0, loc)
	for ; day.Before(q.To) && len(out.Slots) < q.Limit; day = day.AddDate(0, 0, 1) {
		if !slices.Contains(q.Weekdays, day.Weekday()) {
			continue
		}
		ws := time.Date(day.Year(), day.Month(), day.Day(), ds/60, ds%60, 0, 0, loc)
		we := time.Date(day.Year(), day.Month(), day.Day(), de/60, de%60, 0, 0, loc)
		if ws.Before(q.From) {
			ws = q.From
		}
		if we.After(q.To) {
			we = q.To
		}
		cur := ws.UnixMilli()
		emit := func(end int64) {
			if end-cur >= q.Duration.Milliseconds() && len(out.Slots) < q.Limit {
				st, en := time.UnixMilli(cur).In(loc), time.UnixMilli(end).In(loc)
				out.Slots = append(out.Slots, Slot{Start: st.Format(time.RFC3339), End: en.Format(time.RFC3339), StartAt: cur, EndAt: end})
			}
		}
		for _, b := range busy {
			if b[1] <= cur || b[0] >= we.UnixMilli() {
				continue
			}
			if b[0] > cur {
				emit(b[0])
			}
			if b[1] > cur {
				cur = b[1]
			}
		}
		if cur < we.UnixMilli() {
			emit(we.UnixMilli())
		}
	}
	return out, nil
}
