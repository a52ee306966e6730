package calendar

import (
	"context"
	"encoding/json"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Reminders. The job (calendar.remind_due, every minute) sends each
// reminder that is due — Minutes before an occurrence's start, as long as
// the occurrence started less than reminderGrace ago (so a reminder "at
// the start" goes out on the job's first run after the start) — to every
// member attending and not
// declined: in the app through the event stream (calendar.reminder), and
// by email through the outbox when the reminder asks for it. Each
// reminder goes once per occurrence and person (calendar_reminders).

// reminderGrace is how long after an occurrence's start its reminders may
// still go out: the job runs every minute, so a reminder due at the start
// (Minutes 0), or one of an event created moments before it starts, is
// sent on the next run instead of never; an occurrence that started
// longer ago is not announced any more.
const reminderGrace = 5 * time.Minute

// RemindDue sends the reminders due now and returns how many it sent.
func (s *Service) RemindDue(ctx context.Context) (int, error) {
	now := s.Now()
	from := now.Add(-reminderGrace)
	horizon := now.Add(maxReminderMinutes * time.Minute)
	evs, err := eventsWithReminders(ctx, s.DB, from.UnixMilli(), horizon.UnixMilli())
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.eachOccurrence(ctx, evs, from, horizon, func(ev eventRow, _ *series, as []attendeeRow, o occ) error {
		if !o.start.After(from) {
			return nil
		}
		var rs []Reminder
		_ = json.Unmarshal([]byte(ev.Reminders), &rs)
		for _, r := range rs {
			if o.start.Add(-time.Duration(r.Minutes) * time.Minute).After(now) {
				continue
			}
			for _, x := range as {
				if x.Kind != AttendeeMember || x.RSVP == RSVPDeclined || x.AccountID == "" {
					continue
				}
				k, err := s.remind(ctx, ev, o, r, x.AccountID, now)
				if err != nil {
					s.Log.WarnContext(ctx, "calendar: reminder", "event_id", ev.ID, "err", err)
					continue
				}
				n += k
			}
		}
		return nil
	})
	return n, err
}

func (s *Service) remind(ctx context.Context, ev eventRow, o occ, r Reminder, accountID string, now time.Time) (int, error) {
	sent := 0
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := markReminded(ctx, s.DB, ids.New("crm"), ev.OrgID, ev.ID, accountID, o.recurAt, r.Minutes, now.UnixMilli())
		if err != nil || !ok {
			return err
		}
		sent = 1
		data := map[string]string{"event_id": ev.ID, "start": o.start.Format(time.RFC3339)}
		if err := s.notify(ctx, ev.OrgID, "calendar.reminder", data, []string{accountID}); err != nil {
			return err
		}
		if r.Email && s.Mail != nil {
			title := ev.Title
			if o.ov != nil {
				title = o.ov.Title
			}
			body := title + "\n" + o.start.Format("Mon 2 Jan 2006 15:04 MST") + "\n\n/calendar/events/" + ev.ID + "\n"
			return s.Mail(ctx, accountID, "Reminder: "+title, body)
		}
		return nil
	})
	return sent, err
}
