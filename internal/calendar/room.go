package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Meeting rooms. A room is booked by adding it to an event; it cannot be
// double-booked. The check runs in the event's write transaction after
// the room's row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's
// single writer already runs one write transaction at a time), so of two
// concurrent bookings of the same time exactly one commits and the other
// is answered 409 room_unavailable. A recurring booking is checked over
// its occurrences within the booking horizon: from its first occurrence
// to its last, or for at most a year (366 days) when it never ends or
// ends later — occurrences beyond the horizon are not checked.

// BookingHorizon bounds how far a recurring booking is checked.
const BookingHorizon = 366 * 24 * time.Hour

// Room is a meeting room.
type Room struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Capacity  int      `json:"capacity"`
	Location  string   `json:"location"`
	Equipment []string `json:"equipment"`
	CreatedAt int64    `json:"created_at"`
	UpdatedAt int64    `json:"updated_at"`
}

// RoomList is the organization's rooms by name.
type RoomList struct {
	Items []Room `json:"items"`
}

// RoomInput creates or replaces a room.
type RoomInput struct {
	Name      string   `json:"name"`
	Capacity  int      `json:"capacity"`
	Location  string   `json:"location"`
	Equipment []string `json:"equipment"`
}

// Booking is one occurrence of an event booking a room; Title is empty
// when the caller may not see the event.
type Booking struct {
	EventID      string `json:"event_id"`
	RecurrenceID string `json:"recurrence_id,omitempty"`
	Title        string `json:"title,omitempty"`
	StartAt      int64  `json:"start_at"`
	EndAt        int64  `json:"end_at"`
	Start        string `json:"start"`
	End          string `json:"end"`
}

// BookingList is a room's bookings in a range, by start.
type BookingList struct {
	Items []Booking `json:"items"`
}

func roomOf(r roomRow) Room {
	out := Room{ID: r.ID, Name: r.Name, Capacity: r.Capacity, Location: r.Location, Equipment: []string{}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	_ = json.Unmarshal([]byte(r.Equipment), &out.Equipment)
	return out
}

func checkRoom(in *RoomInput) (string, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		return "", apperr.InvalidField("name", "1 to 200 characters")
	}
	if in.Capacity < 0 || in.Capacity > 100000 {
		return "", apperr.InvalidField("capacity", "0 to 100000")
	}
	if len(in.Location) > 500 || len(in.Equipment) > 50 {
		return "", apperr.InvalidField("equipment", "at most 50 items")
	}
	eq := []string{}
	for _, e := range in.Equipment {
		if e = strings.TrimSpace(e); e != "" && len(e) <= 100 {
			eq = append(eq, e)
		}
	}
	b, _ := json.Marshal(eq)
	return string(b), nil
}

// ListRooms lists the organization's rooms.
func (s *Service) ListRooms(ctx context.Context) (RoomList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return RoomList{}, err
	}
	rs, err := listRooms(ctx, s.DB, a.OrgID)
	out := RoomList{Items: []Room{}}
	for _, r := range rs {
		out.Items = append(out.Items, roomOf(r))
	}
	return out, err
}

// GetRoom returns a room.
func (s *Service) GetRoom(ctx context.Context, id string) (Room, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Room{}, err
	}
	r, err := getRoom(ctx, s.DB, a.OrgID, id)
	if err == nil && r.Archived {
		return Room{}, apperr.ErrNotFound
	}
	return roomOf(r), apperr.MapNotFound(err)
}

// CreateRoom adds a room (manage_calendars).
func (s *Service) CreateRoom(ctx context.Context, in RoomInput) (Room, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Room{}, err
	}
	eq, err := checkRoom(&in)
	if err != nil {
		return Room{}, err
	}
	now := s.now()
	r := roomRow{ID: ids.New("room"), OrgID: a.OrgID, Name: in.Name, Capacity: in.Capacity, Location: in.Location, Equipment: eq,
		CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertRoom(ctx, s.DB, r); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "calendar.room_created", "calendar_room", r.ID, nil)
	})
	return roomOf(r), err
}

// UpdateRoom replaces a room's details (manage_calendars).
func (s *Service) UpdateRoom(ctx context.Context, id string, in RoomInput) (Room, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Room{}, err
	}
	if err := s.Directory.Authorize(ctx, PermManage, ""); err != nil {
		return Room{}, err
	}
	r, err := getRoom(ctx, s.DB, a.OrgID, id)
	if err != nil || r.Archived {
		return Room{}, apperr.ErrNotFound
	}
	eq, err := checkRoom(&in)
	if err != nil {
		return Room{}, err
	}
	r.Name, r.Capacity, r.Location, r.Equipment, r.UpdatedAt = in.Name, in.Capacity, in.Location, eq, s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := updateRoom(ctx, s.DB, r); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "calendar.room_updated", "calendar_room", r.ID, nil)
	})
	return roomOf(r), err
}

// ArchiveRoom retires a room: it can no longer be booked; existing
// bookings stay on their events (manage_calendars).
func (s *Service) ArchiveRoom(ctx context.Context, id string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	if err := s.Directory.Authorize(ctx, PermManage, ""); err != nil {
		return err
	}
	r, err := getRoom(ctx, s.DB, a.OrgID, id)
	if err != nil || r.Archived {
		return apperr.ErrNotFound
	}
	r.Archived, r.UpdatedAt = true, s.now()
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := updateRoom(ctx, s.DB, r); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "calendar.room_archived", "calendar_room", r.ID, nil)
	})
}

// RoomBookings lists a room's bookings overlapping [from, to).
func (s *Service) RoomBookings(ctx context.Context, id string, from, to time.Time) (BookingList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return BookingList{}, err
	}
	if _, err := s.GetRoom(ctx, id); err != nil {
		return BookingList{}, err
	}
	if err := checkRange(from, to); err != nil {
		return BookingList{}, err
	}
	evs, err := eventsOfRoom(ctx, s.DB, a.OrgID, id, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return BookingList{}, err
	}
	out := BookingList{Items: []Booking{}}
	v := s.viewer(a)
	err = s.eachOccurrence(ctx, evs, from, to, func(ev eventRow, sr *series, as []attendeeRow, o occ) error {
		see, _, err := v.rights(ctx, ev, as)
		if err != nil {
			return err
		}
		b := Booking{EventID: ev.ID, StartAt: o.start.UnixMilli(), EndAt: o.end.UnixMilli(), Start: o.start.Format(time.RFC3339), End: o.end.Format(time.RFC3339)}
		if sr.recurring() {
			b.RecurrenceID = recurrenceID(o.recurAt)
		}
		if see {
			b.Title = ev.Title
			if o.ov != nil {
				b.Title = o.ov.Title
			}
		}
		out.Items = append(out.Items, b)
		return nil
	})
	return out, err
}

// eachOccurrence calls fn for every occurrence in [from, to) of evs, with
// each event's attendees.
func (s *Service) eachOccurrence(ctx context.Context, evs []eventRow, from, to time.Time, fn func(ev eventRow, sr *series, as []attendeeRow, o occ) error) error {
	idl := make([]string, len(evs))
	for i, e := range evs {
		idl[i] = e.ID
	}
	as, err := attendeesOf(ctx, s.DB, idl)
	if err != nil {
		return err
	}
	ovs, err := overridesOf(ctx, s.DB, idl)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		sr, err := ev.series()
		if err != nil {
			continue
		}
		for _, o := range expand(ev, sr, ovs[ev.ID], from, to) {
			if err := fn(ev, sr, as[ev.ID], o); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRooms refuses the event when a room it books is taken by another
// event at one of its occurrences within the horizon (409
// room_unavailable). The rooms must already be locked in ctx's
// transaction (setAttendees, relockRooms).
func (s *Service) checkRooms(ctx context.Context, ev eventRow, sr *series, ovs []overrideRow) error {
	as, err := attendeesOf(ctx, s.DB, []string{ev.ID})
	if err != nil {
		return err
	}
	var rooms []string
	for _, x := range as[ev.ID] {
		if x.Kind == AttendeeRoom {
			rooms = append(rooms, x.RoomID)
		}
	}
	if len(rooms) == 0 {
		return nil
	}
	from := time.UnixMilli(ev.StartAt)
	to := from.Add(BookingHorizon)
	if ev.LastEndAt != 0 && ev.LastEndAt < to.UnixMilli() {
		to = time.UnixMilli(ev.LastEndAt)
	}
	for _, o := range ovs {
		if t := time.UnixMilli(o.EndAt); t.After(to) {
			to = t
		}
	}
	mine := expand(ev, sr, ovs, from, to)
	if len(mine) == 0 {
		return nil
	}
	// An expansion stops at maxOccurrences: a series with more within the
	// horizon (hourly for a year) could not be checked to its end, nor
	// could other bookings be checked against it.
	if len(mine) >= maxOccurrences {
		return apperr.InvalidField("rrule", fmt.Sprintf("fewer than %d occurrences within a year when booking a room", maxOccurrences))
	}
	for _, room := range rooms {
		others, err := eventsOfRoom(ctx, s.DB, ev.OrgID, room, from.UnixMilli(), to.UnixMilli())
		if err != nil {
			return err
		}
		var clash *occ
		err = s.eachOccurrence(ctx, others, from, to, func(other eventRow, _ *series, _ []attendeeRow, o occ) error {
			if other.ID == ev.ID || clash != nil {
				return nil
			}
			for i := range mine {
				if mine[i].start.Before(o.end) && o.start.Before(mine[i].end) {
					clash = &mine[i]
					return nil
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if clash != nil {
			return apperr.Conflict("room_unavailable", "the room is already booked at that time").
				With("room_id", room).With("start_at", clash.start.UnixMilli())
		}
	}
	return nil
}
