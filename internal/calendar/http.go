package calendar

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a request body (an event with many attendees).
const maxBody = 1 << 20

// instant reads a query parameter: RFC 3339 or a date (midnight UTC).
func instant(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, apperr.InvalidField(name, "an instant (RFC 3339) or a date")
}

func span(r *http.Request) (time.Time, time.Time, error) {
	from, err := instant(r, "from")
	if err != nil {
		return from, from, err
	}
	to, err := instant(r, "to")
	return from, to, err
}

func list(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// HandleListCalendars lists the calendars the caller may see.
func (s *Service) HandleListCalendars(w http.ResponseWriter, r *http.Request) error {
	l, err := s.ListCalendars(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateCalendar creates an organization calendar.
func (s *Service) HandleCreateCalendar(w http.ResponseWriter, r *http.Request) error {
	var in CalendarInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	c, err := s.CreateCalendar(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, c)
}

// HandleGetCalendar returns a calendar.
func (s *Service) HandleGetCalendar(w http.ResponseWriter, r *http.Request) error {
	c, err := s.GetCalendar(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleUpdateCalendar changes a calendar.
func (s *Service) HandleUpdateCalendar(w http.ResponseWriter, r *http.Request) error {
	var in CalendarInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	c, err := s.UpdateCalendar(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleDeleteCalendar deletes an organization calendar.
func (s *Service) HandleDeleteCalendar(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteCalendar(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleCalendarChanges lists what changed in a calendar after a sequence.
func (s *Service) HandleCalendarChanges(w http.ResponseWriter, r *http.Request) error {
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return apperr.InvalidField("since", "a sequence number")
		}
		since = n
	}
	c, err := s.CalendarChanges(r.Context(), r.PathValue("id"), since)
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleListEvents lists the occurrences in a range.
func (s *Service) HandleListEvents(w http.ResponseWriter, r *http.Request) error {
	from, to, err := span(r)
	if err != nil {
		return err
	}
	l, err := s.ListEvents(r.Context(), from, to, list(r, "calendar_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateEvent creates an event.
func (s *Service) HandleCreateEvent(w http.ResponseWriter, r *http.Request) error {
	var in EventInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	e, err := s.CreateEvent(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, e)
}

// HandleGetEvent returns an event.
func (s *Service) HandleGetEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := s.GetEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleUpdateEvent changes an event, one occurrence or the following.
func (s *Service) HandleUpdateEvent(w http.ResponseWriter, r *http.Request) error {
	var in EventPatch
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	q := r.URL.Query()
	e, err := s.UpdateEvent(r.Context(), r.PathValue("id"), q.Get("recurrence_id"), q.Get("scope"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleDeleteEvent deletes an event, one occurrence or the following.
func (s *Service) HandleDeleteEvent(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := s.DeleteEvent(r.Context(), r.PathValue("id"), q.Get("recurrence_id"), q.Get("scope")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleRSVP records the caller's answer.
func (s *Service) HandleRSVP(w http.ResponseWriter, r *http.Request) error {
	var in RSVPInput
	if err := httpx.DecodeJSONLimit(w, r, &in, 4<<10); err != nil {
		return err
	}
	e, err := s.RSVP(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, e)
}

// HandleListRooms lists the rooms.
func (s *Service) HandleListRooms(w http.ResponseWriter, r *http.Request) error {
	l, err := s.ListRooms(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateRoom adds a room.
func (s *Service) HandleCreateRoom(w http.ResponseWriter, r *http.Request) error {
	var in RoomInput
	if err := httpx.DecodeJSONLimit(w, r, &in, 64<<10); err != nil {
		return err
	}
	x, err := s.CreateRoom(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, x)
}

// HandleGetRoom returns a room.
func (s *Service) HandleGetRoom(w http.ResponseWriter, r *http.Request) error {
	x, err := s.GetRoom(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, x)
}

// HandleUpdateRoom replaces a room's details.
func (s *Service) HandleUpdateRoom(w http.ResponseWriter, r *http.Request) error {
	var in RoomInput
	if err := httpx.DecodeJSONLimit(w, r, &in, 64<<10); err != nil {
		return err
	}
	x, err := s.UpdateRoom(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, x)
}

// HandleArchiveRoom retires a room.
func (s *Service) HandleArchiveRoom(w http.ResponseWriter, r *http.Request) error {
	if err := s.ArchiveRoom(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleRoomBookings lists a room's bookings in a range.
func (s *Service) HandleRoomBookings(w http.ResponseWriter, r *http.Request) error {
	from, to, err := span(r)
	if err != nil {
		return err
	}
	l, err := s.RoomBookings(r.Context(), r.PathValue("id"), from, to)
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleFreeBusy returns members' busy blocks over a range.
func (s *Service) HandleFreeBusy(w http.ResponseWriter, r *http.Request) error {
	from, to, err := span(r)
	if err != nil {
		return err
	}
	fb, err := s.FreeBusy(r.Context(), list(r, "member_ids"), from, to)
	if err != nil {
		return err
	}
	return httpx.OK(w, fb)
}

var weekdays = map[string]time.Weekday{"SU": time.Sunday, "MO": time.Monday, "TU": time.Tuesday, "WE": time.Wednesday, "TH": time.Thursday,
	"FR": time.Friday, "SA": time.Saturday}

// HandleFindTime suggests common free windows.
func (s *Service) HandleFindTime(w http.ResponseWriter, r *http.Request) error {
	from, to, err := span(r)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	q := FindTimeQuery{MemberIDs: list(r, "member_ids"), RoomID: qs.Get("room_id"), From: from, To: to, TimeZone: qs.Get("time_zone"),
		DayStart: qs.Get("day_start"), DayEnd: qs.Get("day_end")}
	// Checked as numbers before they become durations: a huge count would
	// overflow into a valid-looking one.
	d, err := strconv.Atoi(qs.Get("duration_minutes"))
	if err != nil || d < 5 || d > 1440 {
		return apperr.InvalidField("duration_minutes", "5 to 1440 minutes")
	}
	q.Duration = time.Duration(d) * time.Minute
	if v := qs.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 || q.Limit > 100 {
			return apperr.InvalidField("limit", "1 to 100")
		}
	}
	for _, x := range list(r, "weekdays") {
		wd, ok := weekdays[strings.ToUpper(x)]
		if !ok {
			return apperr.InvalidField("weekdays", "MO,TU,WE,TH,FR,SA,SU")
		}
		q.Weekdays = append(q.Weekdays, wd)
	}
	sl, err := s.FindTime(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, sl)
}
