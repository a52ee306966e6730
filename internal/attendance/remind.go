package attendance

import (
	"context"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Background work: check-in and check-out reminders, and the erasure of
// raw locations whose retention ended.

// EraseExpiredLocations erases the raw locations (position, BSSID,
// address, note) whose group's location retention ended, in batches, and
// returns how many it erased. The check-ins and day results stay, and so
// do the locations of people under a legal hold (Held).
func (s *Service) EraseExpiredLocations(ctx context.Context) (int64, error) {
	const batch = 500
	var total int64
	now := s.now()
	held := map[[2]string]bool{}
	var afterAt int64
	afterID := ""
	for {
		rows, err := expiredLocations(ctx, s.DB, now, afterAt, afterID, batch)
		if err != nil {
			return total, err
		}
		var gone []string
		for _, r := range rows {
			afterAt, afterID = r.expiresAt, r.id
			k := [2]string{r.orgID, r.accountID}
			h, seen := held[k]
			if !seen && s.Held != nil {
				if h, err = s.Held(ctx, r.orgID, r.accountID); err != nil {
					return total, err
				}
				held[k] = h
			}
			if !h {
				gone = append(gone, r.id)
			}
		}
		n, err := deleteLocations(ctx, s.DB, gone)
		total += n
		if err != nil || len(rows) < batch {
			return total, err
		}
	}
}

// remindAfterEnd is how long after the end of a window a missing
// check-out is still worth a reminder.
const remindAfterEnd = 2 * time.Hour

// RemindDue sends the check-in reminders due (remind_before_minutes
// before a member's window starts, when they have not checked in) and the
// check-out reminders (at the end of the window, when they checked in and
// not out), each once, as an in-app notification. It returns how many it
// sent.
func (s *Service) RemindDue(ctx context.Context) (int, error) {
	gs, err := allGroups(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	byOrg := map[string][]groupRow{}
	var orgs []string
	for _, g := range gs {
		if g.group().Rules.RemindBeforeMinutes == 0 {
			continue
		}
		if byOrg[g.OrgID] == nil {
			orgs = append(orgs, g.OrgID)
		}
		byOrg[g.OrgID] = append(byOrg[g.OrgID], g)
	}
	now := s.Now()
	n := 0
	for _, orgID := range orgs {
		// Every group of the organization decides membership, not only
		// those with reminders.
		all, err := listGroups(ctx, s.DB, orgID)
		if err != nil {
			return n, err
		}
		ms, err := s.membersOf(ctx, orgID, all)
		if err != nil {
			return n, err
		}
		for _, m := range ms {
			if m.Rules.RemindBeforeMinutes == 0 {
				continue
			}
			k, err := s.remind(ctx, m, now)
			if err != nil {
				s.Log.WarnContext(ctx, "attendance: remind", "member", m.MemberID, "err", err)
				continue
			}
			n += k
		}
	}
	return n, nil
}

// remind sends a member's due reminder, if any.
func (s *Service) remind(ctx context.Context, m member, now time.Time) (int, error) {
	today := now.In(m.Rules.loc()).Format(time.DateOnly)
	cal, err := s.calendar(ctx, m.Group.OrgID, m, today, today)
	if err != nil {
		return 0, err
	}
	day := m.Rules.dayOf(now, cal)
	p := m.Rules.planFor(day, cal(day))
	if !p.Workday {
		return 0, nil
	}
	kind := ""
	switch before := time.Duration(m.Rules.RemindBeforeMinutes) * time.Minute; {
	case !now.Before(p.Start.Add(-before)) && now.Before(p.Start):
		kind = PunchIn
	case !now.Before(p.End) && now.Before(p.End.Add(remindAfterEnd)):
		kind = PunchOut
	default:
		return 0, nil
	}
	ps, err := punchesOf(ctx, s.DB, m.Group.OrgID, m.MemberID, day, day)
	if err != nil {
		return 0, err
	}
	hasIn, hasOut := false, false
	for _, x := range ps {
		hasIn = hasIn || x.Kind == PunchIn
		hasOut = hasOut || x.Kind == PunchOut
	}
	if (kind == PunchIn && hasIn) || (kind == PunchOut && (!hasIn || hasOut)) {
		return 0, nil
	}
	adjs, err := adjsOf(ctx, s.DB, m.Group.OrgID, m.MemberID, day, day)
	if err != nil {
		return 0, err
	}
	x := dayRow{Day: day}
	for _, a := range adjs {
		applyAdj(&x, a)
	}
	if x.LeavePart == "day" {
		return 0, nil
	}
	sent := 0
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := markReminded(ctx, s.DB, ids.New("atm"), m.Group.OrgID, m.MemberID, day, kind, now.UnixMilli())
		if err != nil || !ok {
			return err
		}
		sent = 1
		return s.notify(ctx, m.Group.OrgID, "attendance.reminder", map[string]string{"day": day, "kind": kind}, []string{m.AccountID})
	})
	return sent, err
}
