package attendance

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Members are whom a group covers: members, and departments with their
// sub-departments.
type Members struct {
	MemberIDs     []string `json:"member_ids"`
	DepartmentIDs []string `json:"department_ids"`
}

// GroupInput creates or replaces a group.
type GroupInput struct {
	Name    string  `json:"name"`
	Members Members `json:"members"`
	Rules   Rules   `json:"rules"`
}

// Group is an attendance group.
type Group struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Members   Members `json:"members"`
	Rules     Rules   `json:"rules"`
	CreatedBy string  `json:"created_by"`
	CreatedAt int64   `json:"created_at"`
	UpdatedAt int64   `json:"updated_at"`
}

// GroupList is the organization's groups.
type GroupList struct {
	Items []Group `json:"items"`
}

func (x groupRow) group() Group {
	g := Group{ID: x.ID, Name: x.Name, CreatedBy: x.CreatedBy, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}
	_ = json.Unmarshal([]byte(x.Members), &g.Members)
	_ = json.Unmarshal([]byte(x.Rules), &g.Rules)
	if g.Members.MemberIDs == nil {
		g.Members.MemberIDs = []string{}
	}
	if g.Members.DepartmentIDs == nil {
		g.Members.DepartmentIDs = []string{}
	}
	return g
}

// check validates in against the organization.
func (s *Service) check(ctx context.Context, orgID string, in *GroupInput) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return apperr.InvalidField("name", "a name of 1 to 100 characters")
	}
	if err := in.Rules.normalize(); err != nil {
		return err
	}
	if len(in.Members.MemberIDs)+len(in.Members.DepartmentIDs) > 0 {
		if _, err := s.Directory.Audience(ctx, orgID, in.Members.MemberIDs, in.Members.DepartmentIDs); err != nil {
			return err
		}
	}
	return nil
}

// CreateGroup stores a new group (manage_attendance).
func (s *Service) CreateGroup(ctx context.Context, in GroupInput) (Group, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Group{}, err
	}
	if err := s.check(ctx, a.OrgID, &in); err != nil {
		return Group{}, err
	}
	m, _ := json.Marshal(in.Members)
	r, _ := json.Marshal(in.Rules)
	now := s.now()
	x := groupRow{ID: ids.New("atg"), OrgID: a.OrgID, Name: in.Name, Members: string(m), Rules: string(r), CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertGroup(ctx, s.DB, x); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "attendance.group.create", "attendance_group", x.ID, nil)
	})
	s.cache.forget(a.OrgID)
	return x.group(), err
}

// UpdateGroup replaces a group's settings (manage_attendance). Days
// already recorded keep the results of the rules in force then.
func (s *Service) UpdateGroup(ctx context.Context, id string, in GroupInput) (Group, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Group{}, err
	}
	x, err := getGroup(ctx, s.DB, a.OrgID, id)
	if err != nil || x.Archived {
		return Group{}, apperr.ErrNotFound
	}
	if err := s.check(ctx, a.OrgID, &in); err != nil {
		return Group{}, err
	}
	m, _ := json.Marshal(in.Members)
	r, _ := json.Marshal(in.Rules)
	x.Name, x.Members, x.Rules, x.UpdatedAt = in.Name, string(m), string(r), s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := updateGroup(ctx, s.DB, x); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "attendance.group.update", "attendance_group", x.ID, nil)
	})
	s.cache.forget(a.OrgID)
	return x.group(), err
}

// ArchiveGroup ends a group (manage_attendance); its days stay.
func (s *Service) ArchiveGroup(ctx context.Context, id string) error {
	a, err := s.manager(ctx)
	if err != nil {
		return err
	}
	if x, err := getGroup(ctx, s.DB, a.OrgID, id); err != nil || x.Archived {
		return apperr.ErrNotFound
	}
	defer s.cache.forget(a.OrgID)
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := archiveGroup(ctx, s.DB, a.OrgID, id, s.now()); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "attendance.group.archive", "attendance_group", id, nil)
	})
}

// ListGroups lists the organization's groups (manage_attendance).
func (s *Service) ListGroups(ctx context.Context) (GroupList, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return GroupList{}, err
	}
	rows, err := listGroups(ctx, s.DB, a.OrgID)
	out := GroupList{Items: []Group{}}
	for _, x := range rows {
		out.Items = append(out.Items, x.group())
	}
	return out, err
}

// GetGroup returns a group (manage_attendance).
func (s *Service) GetGroup(ctx context.Context, id string) (Group, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Group{}, err
	}
	x, err := getGroup(ctx, s.DB, a.OrgID, id)
	if err != nil || x.Archived {
		return Group{}, apperr.ErrNotFound
	}
	return x.group(), nil
}

// member is a person in their group.
type member struct {
	Person
	Group groupRow
	Rules Rules
}

// membersTTL is how long a resolution of the groups' members is reused:
// a check-in asks for its caller's group, and resolving departments of
// thousands of people for each would dominate it. Changes to a group
// take effect at once; changes in the directory within membersTTL.
const membersTTL = 30 * time.Second

// memberCache holds the recent resolutions, per organization.
type memberCache struct {
	mu   sync.Mutex
	orgs map[string]cachedMembers
}

type cachedMembers struct {
	at time.Time
	ms []member
}

// forget drops an organization's resolution after its groups changed.
func (c *memberCache) forget(orgID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.orgs, orgID)
}

// members resolves every active group of orgID to its members; a person
// in several groups counts in the first created.
func (s *Service) members(ctx context.Context, orgID string) ([]member, error) {
	c := &s.cache
	c.mu.Lock()
	hit, ok := c.orgs[orgID]
	c.mu.Unlock()
	if ok && time.Since(hit.at) < membersTTL {
		return hit.ms, nil
	}
	gs, err := listGroups(ctx, s.DB, orgID)
	if err != nil {
		return nil, err
	}
	ms, err := s.membersOf(ctx, orgID, gs)
	if err != nil || db.InTx(ctx) {
		// Inside a transaction the groups may yet roll back.
		return ms, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil {
		c.orgs = map[string]cachedMembers{}
	}
	c.orgs[orgID] = cachedMembers{at: time.Now(), ms: ms}
	return ms, nil
}

func (s *Service) membersOf(ctx context.Context, orgID string, gs []groupRow) ([]member, error) {
	seen := map[string]bool{}
	var out []member
	for _, x := range gs {
		g := x.group()
		if len(g.Members.MemberIDs)+len(g.Members.DepartmentIDs) == 0 {
			continue
		}
		ps, err := s.audience(ctx, orgID, g.Members)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !seen[p.MemberID] {
				seen[p.MemberID] = true
				out = append(out, member{Person: p, Group: x, Rules: g.Rules})
			}
		}
	}
	return out, nil
}

// audience resolves a group's members. When one of them has since left
// (or a department was deleted), the others still count: each id is then
// resolved alone and those naming nothing are skipped.
func (s *Service) audience(ctx context.Context, orgID string, m Members) ([]Person, error) {
	ps, err := s.Directory.Audience(ctx, orgID, m.MemberIDs, m.DepartmentIDs)
	if apperr.KindOf(err) != apperr.KindInvalid {
		return ps, err
	}
	ps = nil
	one := func(members, depts []string) error {
		got, err := s.Directory.Audience(ctx, orgID, members, depts)
		if apperr.KindOf(err) == apperr.KindInvalid {
			return nil
		}
		ps = append(ps, got...)
		return err
	}
	for _, id := range m.MemberIDs {
		if err := one([]string{id}, nil); err != nil {
			return nil, err
		}
	}
	for _, id := range m.DepartmentIDs {
		if err := one(nil, []string{id}); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// memberOf returns the group of one member (404 no_group when none).
func (s *Service) memberOf(ctx context.Context, orgID, memberID string) (member, error) {
	ms, err := s.members(ctx, orgID)
	if err != nil {
		return member{}, err
	}
	for _, m := range ms {
		if m.MemberID == memberID {
			return m, nil
		}
	}
	return member{}, apperr.New(apperr.KindNotFound, "no_attendance_group", "you are in no attendance group")
}

// RosterInput sets shifts: each entry a member's shift on a day ("" for
// a rest day).
type RosterInput struct {
	Entries []RosterEntry `json:"entries"`
}

// Roster is a group's roster for a month.
type Roster struct {
	Month   string        `json:"month"`
	Entries []RosterEntry `json:"entries"`
}

// SetRoster sets entries of a shift group's roster (manage_attendance).
func (s *Service) SetRoster(ctx context.Context, groupID string, in RosterInput) error {
	a, err := s.manager(ctx)
	if err != nil {
		return err
	}
	x, err := getGroup(ctx, s.DB, a.OrgID, groupID)
	if err != nil || x.Archived {
		return apperr.ErrNotFound
	}
	g := x.group()
	if g.Rules.Kind != KindShifts {
		return apperr.Invalid("not_a_shift_group", "only shift groups have a roster")
	}
	if len(in.Entries) > 5000 {
		return apperr.InvalidField("entries", "at most 5000 entries at a time")
	}
	ms, err := s.membersOf(ctx, a.OrgID, []groupRow{x})
	if err != nil {
		return err
	}
	inGroup := map[string]bool{}
	for _, m := range ms {
		inGroup[m.MemberID] = true
	}
	shifts := map[string]bool{"": true}
	for _, sh := range g.Rules.Shifts {
		shifts[sh.ID] = true
	}
	for _, e := range in.Entries {
		if !inGroup[e.MemberID] {
			return apperr.InvalidField("entries", "member_id is not in the group")
		}
		if err := validDay(e.Day); err != nil {
			return err
		}
		if !shifts[e.ShiftID] {
			return apperr.InvalidField("entries", "shift_id names no shift of the group")
		}
	}
	now := s.now()
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		for _, e := range in.Entries {
			if err := putRoster(ctx, s.DB, ids.New("atr"), a.OrgID, groupID, e.MemberID, e.Day, e.ShiftID, now); err != nil {
				return err
			}
		}
		return s.record(ctx, a.OrgID, "attendance.roster.set", "attendance_group", groupID, map[string]any{"entries": len(in.Entries)})
	})
}

// GetRoster returns a group's roster for a month (manage_attendance).
func (s *Service) GetRoster(ctx context.Context, groupID, month string) (Roster, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Roster{}, err
	}
	if x, err := getGroup(ctx, s.DB, a.OrgID, groupID); err != nil || x.Archived {
		return Roster{}, apperr.ErrNotFound
	}
	days, err := monthDays(month)
	if err != nil {
		return Roster{}, err
	}
	es, err := rosterOf(ctx, s.DB, a.OrgID, groupID, "", days[0], days[len(days)-1])
	return Roster{Month: month, Entries: es}, err
}

// HolidayInput replaces the organization's holidays of a year.
type HolidayInput struct {
	Days []Holiday `json:"days"`
}

// HolidayList is the organization's holidays of a year.
type HolidayList struct {
	Year int       `json:"year"`
	Days []Holiday `json:"days"`
}

// SetHolidays replaces the holidays and make-up workdays of a year
// (manage_attendance).
func (s *Service) SetHolidays(ctx context.Context, year int, in HolidayInput) (HolidayList, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return HolidayList{}, err
	}
	if year < 2000 || year > 2100 {
		return HolidayList{}, apperr.InvalidField("year", "a year from 2000 to 2100")
	}
	seen := map[string]bool{}
	for i, h := range in.Days {
		t, err := time.Parse(time.DateOnly, h.Day)
		if err != nil || t.Year() != year {
			return HolidayList{}, apperr.InvalidField("days", "each day is a date YYYY-MM-DD of the year")
		}
		if seen[h.Day] {
			return HolidayList{}, apperr.InvalidField("days", "a day is listed twice")
		}
		seen[h.Day] = true
		if h.Kind != "holiday" && h.Kind != "workday" {
			return HolidayList{}, apperr.InvalidField("days", "kind is holiday or workday")
		}
		in.Days[i].Name = strings.TrimSpace(h.Name)
	}
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := replaceHolidays(ctx, s.DB, a.OrgID, from, to, in.Days, func() string { return ids.New("ath") }, s.now()); err != nil {
			return err
		}
		return s.record(ctx, a.OrgID, "attendance.holidays.set", "organization", a.OrgID, map[string]any{"year": year, "days": len(in.Days)})
	})
	if err != nil {
		return HolidayList{}, err
	}
	return s.Holidays(ctx, year)
}

// Holidays lists the organization's holidays of a year (every member).
func (s *Service) Holidays(ctx context.Context, year int) (HolidayList, error) {
	a, err := s.callerMember(ctx)
	if err != nil {
		return HolidayList{}, err
	}
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	hs, err := holidaysOf(ctx, s.DB, a.OrgID, from, to)
	return HolidayList{Year: year, Days: hs}, err
}

// calendar loads the holidays and a member's roster of days from..to.
func (s *Service) calendar(ctx context.Context, orgID string, m member, from, to string) (func(day string) Calendar, error) {
	// A day before and after: night shifts and time zones reach them.
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	from, to = f.AddDate(0, 0, -1).Format(time.DateOnly), t.AddDate(0, 0, 1).Format(time.DateOnly)
	hs, err := holidaysOf(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	cal := Calendar{Holidays: map[string]string{}, Roster: map[string]string{}}
	for _, h := range hs {
		cal.Holidays[h.Day] = h.Kind
	}
	if m.Rules.Kind == KindShifts {
		es, err := rosterOf(ctx, s.DB, orgID, m.Group.ID, m.MemberID, from, to)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			cal.Roster[e.Day] = e.ShiftID
		}
	}
	return func(string) Calendar { return cal }, nil
}
