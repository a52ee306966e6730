package calendar

import (
	"context"
	"slices"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Calendar kinds.
const (
	KindPersonal   = "personal"
	KindTeam       = "team"
	KindDepartment = "department"
	KindHolidays   = "holidays"
)

// Access levels and subjects of an organization calendar.
const (
	LevelView = "view"
	LevelEdit = "edit"

	SubjectMember     = "member"
	SubjectDepartment = "department"
	SubjectRole       = "role"
)

// Access grants members, a department (with its sub-departments) or a
// role the right to view or edit an organization calendar.
type Access struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Level string `json:"level"`
}

// Calendar is a calendar as the caller sees it.
type Calendar struct {
	ID            string   `json:"id"`
	Kind          string   `json:"kind"`
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Color         string   `json:"color"`
	TimeZone      string   `json:"time_zone"`
	OwnerMemberID string   `json:"owner_member_id,omitempty"`
	Access        []Access `json:"access"`
	// MyAccess is the caller's level: edit or view.
	MyAccess string `json:"my_access"`
	// HasFeed is whether the caller has an ICS feed of the calendar
	// (GET of one calendar only).
	HasFeed bool `json:"has_feed"`
	// Seq is the change sequence (a sync token's basis).
	Seq       int64 `json:"seq"`
	CreatedAt int64 `json:"created_at"`
	UpdatedAt int64 `json:"updated_at"`
}

// CalendarList is the calendars the caller may see, their personal one
// first.
type CalendarList struct {
	Items []Calendar `json:"items"`
}

// CalendarInput creates an organization calendar or changes a calendar
// (kind and access only for organization calendars).
type CalendarInput struct {
	Kind        string   `json:"kind"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Color       string   `json:"color"`
	TimeZone    string   `json:"time_zone"`
	Access      []Access `json:"access"`
}

// Change is an event changed since a sequence.
type Change struct {
	EventID  string `json:"event_id"`
	UID      string `json:"uid"`
	Revision int64  `json:"revision"`
	Seq      int64  `json:"seq"`
}

// Changes is what changed in a calendar after a sequence: the events
// created or changed, and the uids of those deleted.
type Changes struct {
	Seq     int64    `json:"seq"`
	Changed []Change `json:"changed"`
	Deleted []string `json:"deleted"`
}

// level returns the caller's access to a calendar: edit, view or "".
func (s *Service) level(ctx context.Context, a *actor.Actor, c calRow) (string, error) {
	if c.Kind == KindPersonal {
		if c.OwnerMemberID == a.MemberID {
			return LevelEdit, nil
		}
		return "", nil
	}
	mgr, err := s.isManager(ctx)
	if err != nil || mgr {
		return LevelEdit, err
	}
	as, err := accessOf(ctx, s.DB, c.ID)
	if err != nil {
		return "", err
	}
	best := ""
	for _, g := range as {
		if best == LevelEdit || (best == LevelView && g.Level == LevelView) {
			continue
		}
		ok := g.Kind == SubjectMember && g.SubjectID == a.MemberID
		if !ok && g.Kind != SubjectMember {
			var ps []Person
			if g.Kind == SubjectDepartment {
				ps, err = s.Directory.Audience(ctx, c.OrgID, nil, []string{g.SubjectID}, nil)
			} else {
				ps, err = s.Directory.Audience(ctx, c.OrgID, nil, nil, []string{g.SubjectID})
			}
			if apperr.KindOf(err) == apperr.KindInvalid {
				continue // a department or role deleted since
			}
			if err != nil {
				return "", err
			}
			ok = slices.ContainsFunc(ps, func(p Person) bool { return p.MemberID == a.MemberID })
		}
		if ok {
			best = g.Level
		}
	}
	return best, nil
}

// personal returns the caller's personal calendar, creating it on first
// use.
func (s *Service) personal(ctx context.Context, a *actor.Actor) (calRow, error) {
	c, err := personalCal(ctx, s.DB, a.OrgID, a.MemberID)
	if err == nil || !apperr.IsNotFound(apperr.MapNotFound(err)) {
		return c, err
	}
	now := s.now()
	c = calRow{ID: ids.New("cal"), OrgID: a.OrgID, Kind: KindPersonal, Name: "", TimeZone: "UTC", OwnerAccountID: a.AccountID,
		OwnerMemberID: a.MemberID, CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error { return insertCal(ctx, s.DB, c) })
	if err != nil && s.DB.Dialect.IsUniqueViolation(err) {
		// Created meanwhile by a concurrent first use.
		return personalCal(ctx, s.DB, a.OrgID, a.MemberID)
	}
	return c, err
}

func (s *Service) calendarOf(ctx context.Context, c calRow, level string) (Calendar, error) {
	out := Calendar{ID: c.ID, Kind: c.Kind, Name: c.Name, Description: c.Description, Color: c.Color, TimeZone: c.TimeZone,
		OwnerMemberID: c.OwnerMemberID, Access: []Access{}, MyAccess: level, Seq: c.Seq, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.Kind != KindPersonal {
		as, err := accessOf(ctx, s.DB, c.ID)
		if err != nil {
			return out, err
		}
		for _, g := range as {
			out.Access = append(out.Access, Access{Kind: g.Kind, ID: g.SubjectID, Level: g.Level})
		}
	}
	return out, nil
}

// visibleCalendars returns the calendars the caller may view, with their
// level, the personal one first.
func (s *Service) visibleCalendars(ctx context.Context, a *actor.Actor) ([]calRow, []string, error) {
	p, err := s.personal(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	cs, err := orgCals(ctx, s.DB, a.OrgID)
	if err != nil {
		return nil, nil, err
	}
	rows, levels := []calRow{p}, []string{LevelEdit}
	for _, c := range cs {
		l, err := s.level(ctx, a, c)
		if err != nil {
			return nil, nil, err
		}
		if l != "" {
			rows, levels = append(rows, c), append(levels, l)
		}
	}
	return rows, levels, nil
}

// ListCalendars lists the calendars the caller may see.
func (s *Service) ListCalendars(ctx context.Context) (CalendarList, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return CalendarList{}, err
	}
	rows, levels, err := s.visibleCalendars(ctx, a)
	if err != nil {
		return CalendarList{}, err
	}
	out := CalendarList{Items: []Calendar{}}
	for i, c := range rows {
		x, err := s.calendarOf(ctx, c, levels[i])
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, x)
	}
	return out, nil
}

// calendar returns a calendar the caller may view, with their level
// (404 otherwise, like another organization's).
func (s *Service) calendar(ctx context.Context, a *actor.Actor, id string) (calRow, string, error) {
	if id == "" || id == "personal" {
		c, err := s.personal(ctx, a)
		return c, LevelEdit, err
	}
	c, err := getCal(ctx, s.DB, a.OrgID, id)
	if err != nil {
		return c, "", apperr.MapNotFound(err)
	}
	l, err := s.level(ctx, a, c)
	if err == nil && l == "" {
		err = apperr.ErrNotFound
	}
	return c, l, err
}

// GetCalendar returns a calendar the caller may view ("personal" names
// their own).
func (s *Service) GetCalendar(ctx context.Context, id string) (Calendar, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Calendar{}, err
	}
	c, l, err := s.calendar(ctx, a, id)
	if err != nil {
		return Calendar{}, err
	}
	out, err := s.calendarOf(ctx, c, l)
	if err != nil {
		return out, err
	}
	out.HasFeed, err = hasFeed(ctx, s.DB, c.ID, a.MemberID)
	return out, err
}

func (s *Service) checkCalendarInput(ctx context.Context, orgID string, in *CalendarInput, personal bool) error {
	in.Name = strings.TrimSpace(in.Name)
	if !personal && in.Name == "" {
		return apperr.InvalidField("name", "required")
	}
	if len(in.Name) > 200 || len(in.Description) > 4000 || len(in.Color) > 32 {
		return apperr.InvalidField("name", "at most 200 characters (description 4000)")
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if _, err := loadZone("time_zone", in.TimeZone); err != nil {
		return err
	}
	if personal {
		return nil
	}
	if !slices.Contains([]string{KindTeam, KindDepartment, KindHolidays}, in.Kind) {
		return apperr.InvalidField("kind", "team, department or holidays")
	}
	seen := map[string]bool{}
	for _, g := range in.Access {
		if g.Level != LevelView && g.Level != LevelEdit {
			return apperr.InvalidField("access", "level view or edit")
		}
		if seen[g.Kind+"\x00"+g.ID] {
			return apperr.InvalidField("access", "each subject once")
		}
		seen[g.Kind+"\x00"+g.ID] = true
		var err error
		switch g.Kind {
		case SubjectMember:
			_, err = s.Directory.Audience(ctx, orgID, []string{g.ID}, nil, nil)
		case SubjectDepartment:
			_, err = s.Directory.Audience(ctx, orgID, nil, []string{g.ID}, nil)
		case SubjectRole:
			_, err = s.Directory.Audience(ctx, orgID, nil, nil, []string{g.ID})
		default:
			return apperr.InvalidField("access", "kind member, department or role")
		}
		if err != nil {
			if apperr.KindOf(err) == apperr.KindInvalid {
				return apperr.InvalidField("access", "members, departments and roles of the organization")
			}
			return err
		}
	}
	return nil
}

// CreateCalendar creates an organization calendar (manage_calendars).
func (s *Service) CreateCalendar(ctx context.Context, in CalendarInput) (Calendar, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Calendar{}, err
	}
	if err := s.checkCalendarInput(ctx, a.OrgID, &in, false); err != nil {
		return Calendar{}, err
	}
	now := s.now()
	c := calRow{ID: ids.New("cal"), OrgID: a.OrgID, Kind: in.Kind, Name: in.Name, Description: in.Description, Color: in.Color,
		TimeZone: in.TimeZone, CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertCal(ctx, s.DB, c); err != nil {
			return err
		}
		if err := replaceAccess(ctx, s.DB, a.OrgID, c.ID, in.Access, func() string { return ids.New("cac") }, now); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "calendar.created", "calendar", c.ID, map[string]any{"kind": c.Kind})
	})
	if err != nil {
		return Calendar{}, err
	}
	return s.calendarOf(ctx, c, LevelEdit)
}

// UpdateCalendar changes a calendar: the owner their personal one (name,
// color, time zone), manage_calendars holders an organization's (also
// its access).
func (s *Service) UpdateCalendar(ctx context.Context, id string, in CalendarInput) (Calendar, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Calendar{}, err
	}
	c, l, err := s.calendar(ctx, a, id)
	if err != nil {
		return Calendar{}, err
	}
	personal := c.Kind == KindPersonal
	if !personal {
		if mgr, err := s.isManager(ctx); err != nil || !mgr {
			if err == nil {
				err = apperr.ErrForbidden
			}
			return Calendar{}, err
		}
		in.Kind = c.Kind
	}
	if err := s.checkCalendarInput(ctx, a.OrgID, &in, personal); err != nil {
		return Calendar{}, err
	}
	c.Name, c.Description, c.Color, c.TimeZone, c.UpdatedAt = in.Name, in.Description, in.Color, in.TimeZone, s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := updateCal(ctx, s.DB, c); err != nil {
			return err
		}
		if !personal {
			if err := replaceAccess(ctx, s.DB, a.OrgID, c.ID, in.Access, func() string { return ids.New("cac") }, c.UpdatedAt); err != nil {
				return err
			}
			return s.record(ctx, a.OrgID, "calendar.updated", "calendar", c.ID, nil)
		}
		return nil
	})
	if err != nil {
		return Calendar{}, err
	}
	return s.calendarOf(ctx, c, l)
}

// DeleteCalendar deletes an organization calendar and its events
// (manage_calendars). A personal calendar cannot be deleted.
func (s *Service) DeleteCalendar(ctx context.Context, id string) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	c, _, err := s.calendar(ctx, a, id)
	if err != nil {
		return err
	}
	if c.Kind == KindPersonal {
		return apperr.Invalid("personal_calendar", "a personal calendar cannot be deleted")
	}
	if mgr, err := s.isManager(ctx); err != nil || !mgr {
		if err == nil {
			err = apperr.ErrForbidden
		}
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		keys, err := deleteCalendarFiles(ctx, s.DB, a.OrgID, c.ID)
		if err != nil {
			return err
		}
		s.dropAfterCommit(ctx, keys)
		if err := deleteCal(ctx, s.DB, a.OrgID, c.ID); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "calendar.deleted", "calendar", c.ID, map[string]any{"kind": c.Kind})
	})
}

// CalendarChanges lists what changed in a calendar after seq.
func (s *Service) CalendarChanges(ctx context.Context, id string, since int64) (Changes, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Changes{}, err
	}
	c, _, err := s.calendar(ctx, a, id)
	if err != nil {
		return Changes{}, err
	}
	ch, del, err := changedSince(ctx, s.DB, a.OrgID, c.ID, since)
	if err != nil {
		return Changes{}, err
	}
	if ch == nil {
		ch = []Change{}
	}
	if del == nil {
		del = []string{}
	}
	return Changes{Seq: c.Seq, Changed: ch, Deleted: del}, nil
}
