package calendar_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func utc(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func list(t *testing.T, p person, from, to string) []calendar.Occurrence {
	t.Helper()
	var l calendar.OccurrenceList
	p.Do(t, "GET", "/api/v1/events?from="+from+"&to="+to, nil, &l).Want(t, http.StatusOK)
	return l.Items
}

// TestHTTPRecurrenceAcrossDST: the real server on both databases — a
// weekly Monday 09:00 meeting in Berlin keeps its wall-clock time across
// the change to summer time (08:00Z, then 07:00Z), with an EXDATE given
// at creation, one occurrence moved and renamed, the series split "this
// and following" with a new title, and one occurrence of the new series
// deleted; then edits and deletion of the whole event.
func TestHTTPRecurrenceAcrossDST(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env)
		o := ps[0]
		var ev calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Standup", "start": "2027-03-08T09:00", "end": "2027-03-08T09:30",
			"time_zone": "Europe/Berlin", "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=7", "exdates": []string{"2027-03-22T09:00"}}, &ev).Want(t, http.StatusCreated)
		if ev.StartAt != utc("2027-03-08T08:00:00Z") || ev.RRule != "FREQ=WEEKLY;COUNT=7;BYDAY=MO" || len(ev.ExDates) != 1 || ev.UID == "" || ev.Revision != 1 {
			t.Fatalf("created: %+v", ev)
		}
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "x", "start": "2027-03-08T09:00", "end": "2027-03-08T08:00"}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "x", "start": "2027-03-08T09:00", "end": "2027-03-08T10:00", "rrule": "FREQ=SOMETIMES"}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "x", "start": "2027-03-08T09:00", "end": "2027-03-08T10:00", "time_zone": "Mars/Olympus"}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")

		got := list(t, o, "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z")
		want := []string{"2027-03-08T08:00:00Z", "2027-03-15T08:00:00Z", "2027-03-29T07:00:00Z", "2027-04-05T07:00:00Z", "2027-04-12T07:00:00Z", "2027-04-19T07:00:00Z"}
		if len(got) != len(want) {
			t.Fatalf("expanded %d occurrences: %+v", len(got), got)
		}
		for i, w := range want {
			if got[i].StartAt != utc(w) || got[i].Start[11:] != "09:00:00" || got[i].RecurrenceID != w || got[i].EndAt-got[i].StartAt != 30*60*1000 {
				t.Fatalf("occurrence %d: %+v, want %s at 09:00 Berlin", i, got[i], w)
			}
		}

		// One occurrence moved an hour later and renamed.
		path := "/api/v1/events/" + ev.ID
		o.Do(t, "PATCH", path+"?scope=this&recurrence_id="+url.QueryEscape("2027-03-15T08:00:00Z"),
			map[string]any{"title": "Moved", "start": "2027-03-15T10:00", "end": "2027-03-15T11:00"}, &ev).Want(t, http.StatusOK)
		if len(ev.Overrides) != 1 || ev.Overrides[0].StartAt != utc("2027-03-15T09:00:00Z") || ev.Revision != 2 {
			t.Fatalf("override: %+v", ev.Overrides)
		}
		o.Do(t, "PATCH", path+"?scope=this&recurrence_id="+url.QueryEscape("2027-03-16T08:00:00Z"), map[string]any{"title": "No"}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		// This and the following: a new series from April 5th.
		var nw calendar.Event
		o.Do(t, "PATCH", path+"?scope=following&recurrence_id="+url.QueryEscape("2027-04-05T07:00:00Z"), map[string]any{"title": "Renamed"}, &nw).
			Want(t, http.StatusOK)
		if nw.ID == ev.ID || nw.UID == ev.UID || nw.Title != "Renamed" || nw.RRule != "FREQ=WEEKLY;COUNT=3;BYDAY=MO" || nw.StartAt != utc("2027-04-05T07:00:00Z") {
			t.Fatalf("split: %+v", nw)
		}
		o.Do(t, "GET", path, nil, &ev).Want(t, http.StatusOK)
		if !strings.Contains(ev.RRule, "UNTIL=20270405T065959Z") || ev.Title != "Standup" {
			t.Fatalf("original after the split: %+v", ev)
		}
		// One occurrence of the new series deleted (an EXDATE).
		o.Do(t, "DELETE", "/api/v1/events/"+nw.ID+"?recurrence_id="+url.QueryEscape("2027-04-12T07:00:00Z"), nil, nil).Want(t, http.StatusNoContent)

		got = list(t, o, "2027-03-01T00:00:00Z", "2027-05-01T00:00:00Z")
		type w struct {
			at, title string
		}
		wants := []w{{"2027-03-08T08:00:00Z", "Standup"}, {"2027-03-15T09:00:00Z", "Moved"}, {"2027-03-29T07:00:00Z", "Standup"},
			{"2027-04-05T07:00:00Z", "Renamed"}, {"2027-04-19T07:00:00Z", "Renamed"}}
		if len(got) != len(wants) {
			t.Fatalf("after the edits %d occurrences: %+v", len(got), got)
		}
		for i, x := range wants {
			if got[i].StartAt != utc(x.at) || got[i].Title != x.title {
				t.Fatalf("occurrence %d: %+v, want %s %s", i, got[i], x.at, x.title)
			}
		}
		if !got[1].Overridden || got[1].RecurrenceID != "2027-03-15T08:00:00Z" {
			t.Fatalf("the moved occurrence: %+v", got[1])
		}

		// The calendar's change sequence tells what changed.
		var ch calendar.Changes
		o.Do(t, "GET", "/api/v1/calendars/personal/changes?since=0", nil, &ch).Want(t, http.StatusOK)
		if len(ch.Changed) != 2 || ch.Seq < 4 {
			t.Fatalf("changes: %+v", ch)
		}
		seq := ch.Seq

		// The whole series edited, then deleted.
		o.Do(t, "PATCH", "/api/v1/events/"+nw.ID, map[string]any{"title": "Weekly", "location": "Room 1"}, &nw).Want(t, http.StatusOK)
		if nw.Title != "Weekly" || nw.Location != "Room 1" || len(nw.ExDates) != 1 {
			t.Fatalf("edited: %+v", nw)
		}
		o.Do(t, "DELETE", "/api/v1/events/"+nw.ID, nil, nil).Want(t, http.StatusNoContent)
		o.Do(t, "GET", "/api/v1/events/"+nw.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		o.Do(t, "GET", "/api/v1/calendars/personal/changes?since="+itoa(seq), nil, &ch).Want(t, http.StatusOK)
		if len(ch.Deleted) != 1 || ch.Deleted[0] != nw.UID {
			t.Fatalf("changes after the deletion: %+v", ch)
		}
		if got = list(t, o, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z"); len(got) != 0 {
			t.Fatalf("deleted series still listed: %+v", got)
		}

		// An all-day event: dates in, dates out.
		var day calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Offsite", "all_day": true, "start": "2027-03-27", "end": "2027-03-29",
			"time_zone": "Europe/Berlin"}, &day).Want(t, http.StatusCreated)
		got = list(t, o, "2027-03-28T00:00:00Z", "2027-03-29T00:00:00Z")
		if len(got) != 1 || !got[0].AllDay || got[0].Start != "2027-03-27" || got[0].End != "2027-03-29" {
			t.Fatalf("all-day: %+v", got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestHTTPRSVPAndFreeBusy: invitations answered with counts; free/busy
// shows titles only of events the caller may see; a member who is not
// invited cannot see the event; "find a time" finds the common gaps in
// working hours.
func TestHTTPRSVPAndFreeBusy(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob", "Carl")
		o, ann, bob, carl := ps[0], ps[1], ps[2], ps[3]
		var board, plan calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Board", "start": "2027-01-11T10:00", "end": "2027-01-11T11:00",
			"time_zone": "Europe/Berlin", "visibility": "private"}, &board).Want(t, http.StatusCreated)
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Planning", "start": "2027-01-11T14:00", "end": "2027-01-11T15:00",
			"time_zone": "Europe/Berlin", "attendees": map[string]any{"member_ids": []string{ann.MemberID, bob.MemberID}, "emails": []string{"Guest <guest@example.com>"}}},
			&plan).Want(t, http.StatusCreated)
		if plan.Counts.Accepted != 1 || plan.Counts.NeedsAction != 3 || len(plan.Attendees) != 4 || plan.Organizer.MemberID != o.MemberID {
			t.Fatalf("invited: %+v", plan)
		}
		ann.Do(t, "PUT", "/api/v1/events/"+plan.ID+"/rsvp", map[string]any{"status": "accepted"}, &plan).Want(t, http.StatusOK)
		bob.Do(t, "PUT", "/api/v1/events/"+plan.ID+"/rsvp", map[string]any{"status": "declined"}, &plan).Want(t, http.StatusOK)
		bob.Do(t, "PUT", "/api/v1/events/"+plan.ID+"/rsvp", map[string]any{"status": "maybe"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		if plan.Counts != (calendar.RSVPCounts{Accepted: 2, Declined: 1, NeedsAction: 1}) || plan.MyRSVP != "declined" || plan.CanEdit {
			t.Fatalf("answers: %+v", plan.Counts)
		}
		carl.Do(t, "GET", "/api/v1/events/"+plan.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		carl.Do(t, "PUT", "/api/v1/events/"+plan.ID+"/rsvp", map[string]any{"status": "accepted"}, nil).WantError(t, http.StatusNotFound, "not_found")
		ann.Do(t, "PATCH", "/api/v1/events/"+plan.ID, map[string]any{"title": "Mine"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		ann.Do(t, "GET", "/api/v1/events/"+board.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		got := list(t, ann, "2027-01-11", "2027-01-12")
		if len(got) != 1 || got[0].Title != "Planning" || got[0].MyRSVP != "accepted" {
			t.Fatalf("ann's week: %+v", got)
		}

		fb := func(p person, ids ...string) calendar.FreeBusy {
			var out calendar.FreeBusy
			p.Do(t, "GET", "/api/v1/freebusy?from=2027-01-11&to=2027-01-12&member_ids="+strings.Join(ids, ","), nil, &out).Want(t, http.StatusOK)
			return out
		}
		// Carl sees Olivia busy twice, titles hidden; Bob declined: free.
		f := fb(carl, o.MemberID, bob.MemberID)
		if len(f.People) != 2 || len(f.People[0].Busy) != 2 || f.People[0].Busy[0].Title != "" || f.People[0].Busy[0].EventID != "" || len(f.People[1].Busy) != 0 {
			t.Fatalf("carl's view: %+v", f)
		}
		if f.People[0].Busy[0].StartAt != utc("2027-01-11T09:00:00Z") {
			t.Fatalf("busy at %+v", f.People[0].Busy[0])
		}
		// Ann sees Planning (invited), not the private board meeting.
		f = fb(ann, o.MemberID)
		if b := f.People[0].Busy; b[0].Title != "" || b[1].Title != "Planning" {
			t.Fatalf("ann's view: %+v", f)
		}
		// Olivia sees both of hers.
		f = fb(o, "me")
		if b := f.People[0].Busy; b[0].Title != "Board" || b[1].Title != "Planning" {
			t.Fatalf("olivia's view: %+v", f)
		}

		var sl calendar.Slots
		o.Do(t, "GET", "/api/v1/find-a-time?member_ids="+o.MemberID+","+ann.MemberID+"&from=2027-01-11&to=2027-01-12&duration_minutes=60&time_zone=Europe/Berlin",
			nil, &sl).Want(t, http.StatusOK)
		wantSlots := []string{"2027-01-11T09:00:00+01:00/2027-01-11T10:00:00+01:00", "2027-01-11T11:00:00+01:00/2027-01-11T14:00:00+01:00",
			"2027-01-11T15:00:00+01:00/2027-01-11T18:00:00+01:00"}
		if len(sl.Slots) != len(wantSlots) {
			t.Fatalf("slots: %+v", sl)
		}
		for i, w := range wantSlots {
			if sl.Slots[i].Start+"/"+sl.Slots[i].End != w {
				t.Fatalf("slot %d: %+v, want %s", i, sl.Slots[i], w)
			}
		}
		// A weekend day has no working hours.
		o.Do(t, "GET", "/api/v1/find-a-time?member_ids=me&from=2027-01-09&to=2027-01-11&duration_minutes=30&time_zone=Europe/Berlin", nil, &sl).Want(t, http.StatusOK)
		if len(sl.Slots) != 0 {
			t.Fatalf("weekend slots: %+v", sl)
		}
		// Out-of-range numbers are refused, including those whose minutes
		// would overflow into a valid-looking duration.
		for _, q := range []string{"duration_minutes=307445740", "duration_minutes=4", "duration_minutes=1441", "duration_minutes=x",
			"duration_minutes=30&limit=101"} {
			o.Do(t, "GET", "/api/v1/find-a-time?member_ids=me&from=2027-01-11&to=2027-01-12&time_zone=Europe/Berlin&"+q, nil, nil).
				WantError(t, http.StatusBadRequest, "invalid_field")
		}
	})
}

// TestHTTPRoomDoubleBooking: of concurrent bookings of one room at the
// same time exactly one succeeds and the others get 409
// room_unavailable; a weekly booking clashing in its third week is
// refused, and so is moving a booked event onto another booking.
func TestHTTPRoomDoubleBooking(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		ann.Do(t, "POST", "/api/v1/rooms", map[string]any{"name": "Lake"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		var room calendar.Room
		o.Do(t, "POST", "/api/v1/rooms", map[string]any{"name": "Lake", "capacity": 8, "location": "3F", "equipment": []string{"screen", "phone"}}, &room).
			Want(t, http.StatusCreated)
		book := func(p person, title, start, end string, extra map[string]any) *servertest.Response {
			in := map[string]any{"title": title, "start": start, "end": end, "time_zone": "Asia/Shanghai", "attendees": map[string]any{"room_ids": []string{room.ID}}}
			for k, v := range extra {
				in[k] = v
			}
			return p.Do(t, "POST", "/api/v1/events", in, nil)
		}
		const n = 8
		codes := make([]*servertest.Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := ps[i%2]
				codes[i] = book(p, "Sync", "2027-02-15T10:00", "2027-02-15T11:00", nil)
			}()
		}
		wg.Wait()
		ok := 0
		for _, r := range codes {
			switch {
			case r.Status == http.StatusCreated:
				ok++
			case r.Status != http.StatusConflict || r.ErrorCode() != "room_unavailable":
				t.Fatalf("booking answered %d %s", r.Status, r.Body)
			}
		}
		if ok != 1 {
			t.Fatalf("%d bookings succeeded", ok)
		}
		// Back to back is fine; a weekly booking meeting it in week 3 is not.
		book(ann, "After", "2027-02-15T11:00", "2027-02-15T12:00", nil).Want(t, http.StatusCreated)
		book(ann, "Weekly", "2027-02-01T10:30", "2027-02-01T11:00", map[string]any{"rrule": "FREQ=WEEKLY"}).WantError(t, http.StatusConflict, "room_unavailable")
		book(ann, "Weekly", "2027-02-01T10:30", "2027-02-01T11:00", map[string]any{"rrule": "FREQ=WEEKLY", "exdates": []string{"2027-02-15T10:30"}}).
			Want(t, http.StatusCreated)
		// Moving a booked event onto another booking is refused.
		var later calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Later", "start": "2027-02-16T10:00", "end": "2027-02-16T11:00", "time_zone": "Asia/Shanghai",
			"attendees": map[string]any{"room_ids": []string{room.ID}}}, &later).Want(t, http.StatusCreated)
		o.Do(t, "PATCH", "/api/v1/events/"+later.ID, map[string]any{"start": "2027-02-15T10:30", "end": "2027-02-15T11:30"}, nil).
			WantError(t, http.StatusConflict, "room_unavailable")
		var bl calendar.BookingList
		ann.Do(t, "GET", "/api/v1/rooms/"+room.ID+"/bookings?from=2027-02-15&to=2027-02-17", nil, &bl).Want(t, http.StatusOK)
		if len(bl.Items) != 3 || bl.Items[1].Title != "After" || bl.Items[2].Title != "" || bl.Items[2].EventID != later.ID {
			t.Fatalf("bookings: %+v", bl.Items)
		}
		// A series that began years ago still holds the room: its
		// occurrences are found however many hours it has walked since.
		book(o, "Old", "2022-01-03T09:00", "2022-01-03T09:15", map[string]any{"rrule": "FREQ=HOURLY;INTERVAL=2"}).Want(t, http.StatusCreated)
		book(ann, "New", "2027-02-17T09:00", "2027-02-17T10:00", nil).WantError(t, http.StatusConflict, "room_unavailable")
		// A series too dense to be checked over the booking horizon is refused.
		book(ann, "Hourly", "2027-03-01T00:00", "2027-03-01T00:30", map[string]any{"rrule": "FREQ=HOURLY"}).WantError(t, http.StatusBadRequest, "invalid_field")
		// A retired room cannot be booked.
		o.Do(t, "DELETE", "/api/v1/rooms/"+room.ID, nil, nil).Want(t, http.StatusNoContent)
		book(o, "Late", "2027-03-01T10:00", "2027-03-01T11:00", nil).WantError(t, http.StatusBadRequest, "invalid_field")
	})
}

// TestHTTPReminders: reminders fire on the fake clock once per
// occurrence and person, in the app and by email.
func TestHTTPReminders(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := &clock{t: time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)}
		svc := env.App.Calendar()
		svc.Now = c.now
		ps := acme(t, env, "Ann")
		o, ann := ps[0], ps[1]
		var ev calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Daily", "start": "2027-03-01T09:30", "end": "2027-03-01T10:00", "time_zone": "UTC",
			"rrule": "FREQ=DAILY;COUNT=2", "reminders": []map[string]any{{"minutes": 15, "email": true}}, "attendees": map[string]any{"member_ids": []string{ann.MemberID}}},
			&ev).Want(t, http.StatusCreated)
		ctx := context.Background()
		due := func(at time.Time, want int) {
			t.Helper()
			c.set(at)
			n, err := svc.RemindDue(ctx)
			if err != nil || n != want {
				t.Fatalf("at %s: %d reminders sent (%v), want %d", at.Format(time.RFC3339), n, err, want)
			}
		}
		due(time.Date(2027, 3, 1, 9, 14, 59, 0, time.UTC), 0)
		due(time.Date(2027, 3, 1, 9, 15, 0, 0, time.UTC), 2)
		due(time.Date(2027, 3, 1, 9, 16, 0, 0, time.UTC), 0)
		due(time.Date(2027, 3, 1, 9, 45, 0, 0, time.UTC), 0)
		due(time.Date(2027, 3, 2, 9, 20, 0, 0, time.UTC), 2)
		due(time.Date(2027, 3, 3, 9, 20, 0, 0, time.UTC), 0)
		// A reminder at the start goes out on the job's first run after it;
		// an occurrence that started more than a few minutes ago is not
		// announced any more.
		var atStart calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Standup", "start": "2027-03-04T10:00", "end": "2027-03-04T10:15", "time_zone": "UTC",
			"rrule": "FREQ=DAILY;COUNT=2", "reminders": []map[string]any{{"minutes": 0}}, "attendees": map[string]any{"member_ids": []string{ann.MemberID}}},
			&atStart).Want(t, http.StatusCreated)
		due(time.Date(2027, 3, 4, 9, 59, 59, 0, time.UTC), 0)
		due(time.Date(2027, 3, 4, 10, 0, 40, 0, time.UTC), 2)
		due(time.Date(2027, 3, 4, 10, 1, 40, 0, time.UTC), 0)
		due(time.Date(2027, 3, 5, 10, 6, 0, 0, time.UTC), 0)
		evs, err := events.ReadAfter(ctx, env.App.DB, 0, 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Type == "calendar.reminder" && e.ScopeID == ann.AccountID {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("ann got %d in-app reminders", n)
		}
		for i := 0; i < 200 && strings.Count(env.Logs.String(), "to=ann@acme.test subject=\"Reminder: Daily") < 2; i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if k := strings.Count(env.Logs.String(), "to=ann@acme.test subject=\"Reminder: Daily"); k != 2 {
			t.Fatalf("ann got %d reminder emails", k)
		}
	})
}

// TestHTTPEventFromChat: an event created from a group invites its
// members and sends an invitation card into it; someone outside the
// group cannot use it.
func TestHTTPEventFromChat(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Carl")
		o, ann, carl := ps[0], ps[1], ps[2]
		var conv struct {
			ID string `json:"id"`
		}
		o.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{ann.AccountID}}, &conv).
			Want(t, http.StatusCreated)
		in := map[string]any{"title": "Retro", "start": "2027-01-12T15:00", "end": "2027-01-12T16:00", "time_zone": "UTC", "conversation_id": conv.ID}
		carl.Do(t, "POST", "/api/v1/events", in, nil).WantError(t, http.StatusNotFound, "not_found")
		var ev calendar.Event
		o.Do(t, "POST", "/api/v1/events", in, &ev).Want(t, http.StatusCreated)
		if len(ev.Attendees) != 2 || ev.ConversationID != conv.ID {
			t.Fatalf("attendees: %+v", ev.Attendees)
		}
		var seen calendar.Event
		ann.Do(t, "GET", "/api/v1/events/"+ev.ID, nil, &seen).Want(t, http.StatusOK)
		if seen.MyRSVP != "needs_action" {
			t.Fatalf("ann: %+v", seen)
		}
		r := ann.Do(t, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, nil).Want(t, http.StatusOK)
		if !strings.Contains(string(r.Body), "/calendar/events/"+ev.ID) {
			t.Fatalf("no invitation card: %s", r.Body)
		}
		evs, err := events.ReadAfter(context.Background(), env.App.DB, 0, 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		invited := false
		for _, e := range evs {
			invited = invited || (e.Type == "calendar.invited" && e.ScopeID == ann.AccountID && strings.Contains(string(e.Data), ev.ID))
		}
		if !invited {
			t.Fatal("ann was not notified")
		}
	})
}

// TestHTTPOtherOrganization: another organization's calendars, events and
// rooms answer exactly like missing ones.
func TestHTTPOtherOrganization(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		o := acme(t, env)[0]
		var cal calendar.Calendar
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "holidays", "name": "Holidays"}, &cal).Want(t, http.StatusCreated)
		var room calendar.Room
		o.Do(t, "POST", "/api/v1/rooms", map[string]any{"name": "Lake"}, &room).Want(t, http.StatusCreated)
		var ev calendar.Event
		o.Do(t, "POST", "/api/v1/events", map[string]any{"calendar_id": cal.ID, "title": "New year", "all_day": true, "start": "2027-01-01",
			"end": "2027-01-02", "attendees": map[string]any{"room_ids": []string{room.ID}}}, &ev).Want(t, http.StatusCreated)
		// Olivia founds Globex and switches to it.
		o.Do(t, "POST", "/api/v1/orgs", map[string]any{"name": "Globex"}, nil).Want(t, http.StatusCreated)
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/calendars/" + cal.ID}, {"PATCH", "/api/v1/calendars/" + cal.ID}, {"DELETE", "/api/v1/calendars/" + cal.ID},
			{"GET", "/api/v1/events/" + ev.ID}, {"PATCH", "/api/v1/events/" + ev.ID}, {"DELETE", "/api/v1/events/" + ev.ID},
			{"PUT", "/api/v1/events/" + ev.ID + "/rsvp"}, {"GET", "/api/v1/rooms/" + room.ID}, {"PUT", "/api/v1/rooms/" + room.ID},
			{"GET", "/api/v1/rooms/" + room.ID + "/bookings?from=2027-01-01&to=2027-01-02"},
		} {
			var body any
			switch {
			case strings.HasSuffix(r.path, "/rsvp"):
				body = map[string]any{"status": "accepted"}
			case strings.Contains(r.path, "/events/"):
				body = map[string]any{"title": "x"}
			case r.method == "PATCH" || r.method == "PUT":
				body = map[string]any{"name": "x"}
			}
			o.Do(t, r.method, r.path, body, nil).WantError(t, http.StatusNotFound, "not_found")
		}
		if got := list(t, o, "2027-01-01", "2027-01-02"); len(got) != 0 {
			t.Fatalf("Acme's events listed in Globex: %+v", got)
		}
		// Booking Acme's room from Globex is refused as a room it does not have.
		o.Do(t, "POST", "/api/v1/events", map[string]any{"title": "x", "start": "2027-01-01T10:00", "end": "2027-01-01T11:00",
			"attendees": map[string]any{"room_ids": []string{room.ID}}}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
	})
}

// TestHTTPOrgCalendarAccess: an organization calendar shared with a
// department to view and with a member to edit; a department invited to
// an event is expanded to its members, each remembered as invited through
// it; people outside the sharing do not see the calendar.
func TestHTTPOrgCalendarAccess(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		ps := acme(t, env, "Ann", "Bob", "Carl")
		o, ann, bob, carl := ps[0], ps[1], ps[2], ps[3]
		var dept struct {
			ID string `json:"id"`
		}
		o.Do(t, "POST", "/api/v1/departments", map[string]any{"name": "Sales"}, &dept).Want(t, http.StatusCreated)
		for _, p := range []person{ann, bob} {
			o.Do(t, "PATCH", "/api/v1/members/"+p.MemberID, map[string]any{"department_ids": []string{dept.ID}}, nil).Want(t, http.StatusOK)
		}
		var cal calendar.Calendar
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "department", "name": "Sales", "time_zone": "Asia/Shanghai",
			"access": []map[string]any{{"kind": "department", "id": dept.ID, "level": "view"}, {"kind": "member", "id": bob.MemberID, "level": "edit"}}}, &cal).
			Want(t, http.StatusCreated)
		o.Do(t, "POST", "/api/v1/calendars", map[string]any{"kind": "team", "name": "x", "access": []map[string]any{{"kind": "department", "id": "dep_nothing", "level": "view"}}}, nil).
			WantError(t, http.StatusBadRequest, "invalid_field")
		var got calendar.Calendar
		ann.Do(t, "GET", "/api/v1/calendars/"+cal.ID, nil, &got).Want(t, http.StatusOK)
		if got.MyAccess != "view" || len(got.Access) != 2 {
			t.Fatalf("ann's access: %+v", got)
		}
		bob.Do(t, "GET", "/api/v1/calendars/"+cal.ID, nil, &got).Want(t, http.StatusOK)
		if got.MyAccess != "edit" {
			t.Fatalf("bob's access: %+v", got)
		}
		carl.Do(t, "GET", "/api/v1/calendars/"+cal.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var cl calendar.CalendarList
		carl.Do(t, "GET", "/api/v1/calendars", nil, &cl).Want(t, http.StatusOK)
		if len(cl.Items) != 1 || cl.Items[0].Kind != "personal" {
			t.Fatalf("carl's calendars: %+v", cl)
		}
		in := map[string]any{"calendar_id": cal.ID, "title": "Kickoff", "start": "2027-01-04T10:00", "end": "2027-01-04T11:00",
			"attendees": map[string]any{"department_ids": []string{dept.ID}}}
		ann.Do(t, "POST", "/api/v1/events", in, nil).WantError(t, http.StatusForbidden, "forbidden")
		carl.Do(t, "POST", "/api/v1/events", in, nil).WantError(t, http.StatusNotFound, "not_found")
		var ev calendar.Event
		bob.Do(t, "POST", "/api/v1/events", in, &ev).Want(t, http.StatusCreated)
		if ev.TimeZone != "Asia/Shanghai" || ev.StartAt != utc("2027-01-04T02:00:00Z") {
			t.Fatalf("the calendar's time zone: %+v", ev)
		}
		through := 0
		for _, a := range ev.Attendees {
			if a.DepartmentID == dept.ID {
				through++
			}
		}
		if len(ev.Attendees) != 2 || through != 1 { // Bob organizes; Ann invited through Sales
			t.Fatalf("attendees: %+v", ev.Attendees)
		}
		// Ann views the calendar: she sees the event and may not change it.
		ann.Do(t, "GET", "/api/v1/events/"+ev.ID, nil, &ev).Want(t, http.StatusOK)
		if ev.CanEdit {
			t.Fatal("ann may edit")
		}
		// The owner manages every organization calendar.
		o.Do(t, "PATCH", "/api/v1/events/"+ev.ID, map[string]any{"title": "Kick-off"}, &ev).Want(t, http.StatusOK)
		ann.Do(t, "PATCH", "/api/v1/calendars/"+cal.ID, map[string]any{"name": "Mine"}, nil).WantError(t, http.StatusForbidden, "forbidden")
		ann.Do(t, "PATCH", "/api/v1/calendars/personal", map[string]any{"name": "Ann's", "time_zone": "Europe/Paris"}, &got).Want(t, http.StatusOK)
		if got.TimeZone != "Europe/Paris" || got.Kind != "personal" {
			t.Fatalf("ann's personal calendar: %+v", got)
		}
		ann.Do(t, "DELETE", "/api/v1/calendars/personal", nil, nil).WantError(t, http.StatusBadRequest, "personal_calendar")
		o.Do(t, "DELETE", "/api/v1/calendars/"+cal.ID, nil, nil).Want(t, http.StatusNoContent)
		ann.Do(t, "GET", "/api/v1/events/"+ev.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
	})
}
