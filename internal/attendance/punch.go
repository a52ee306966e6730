package attendance

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// Check-in kinds.
const (
	PunchIn  = "in"
	PunchOut = "out"
)

// Day statuses.
const (
	StatusRest     = "rest"     // not a working day for the member
	StatusUpcoming = "upcoming" // a working day still to come
	StatusPending  = "pending"  // today, no check-in yet, the window not over
	StatusWorking  = "working"  // checked in, the window not over
	StatusNormal   = "normal"   // on time in and out
	StatusAbnormal = "abnormal" // late, early leave or a missing check-in or -out
	StatusAbsent   = "absent"   // no check-in at all on a past working day
	StatusLeave    = "leave"    // on approved leave the whole day
	StatusTrip     = "trip"     // on an approved business trip the whole day
)

// PunchInput is a check-in or check-out from a device.
type PunchInput struct {
	// ClientID makes the request idempotent: a retry with the same id
	// returns the first check-in and records nothing more.
	ClientID string `json:"client_id"`
	// Kind is "in", "out" or "" (in when the day has no check-in yet).
	Kind string `json:"kind"`
	// Lat and Lng are the device's position, decimal strings.
	Lat string `json:"lat"`
	Lng string `json:"lng"`
	// BSSID is the Wi-Fi access point the device is connected to.
	BSSID string `json:"bssid"`
	// Note explains an out-of-area check-in, where the group allows it.
	Note string `json:"note"`
}

// Punch is a recorded check-in as its owner and their supervisors see
// it: where it matched, never the raw position.
type Punch struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Day       string `json:"day"`
	At        int64  `json:"at"`
	Method    string `json:"method"`
	InArea    bool   `json:"in_area"`
	DistanceM int    `json:"distance_m"`
	Matched   string `json:"matched"`
}

func (x punchRow) punch() Punch {
	return Punch{ID: x.ID, Kind: x.Kind, Day: x.Day, At: x.At, Method: x.Method, InArea: x.InArea, DistanceM: x.DistanceM, Matched: x.Matched}
}

// Day is a member's day result.
type Day struct {
	Date            string `json:"date"`
	MemberID        string `json:"member_id"`
	Status          string `json:"status"`
	Workday         bool   `json:"workday"`
	ShiftID         string `json:"shift_id"`
	StartAt         int64  `json:"start_at"`
	EndAt           int64  `json:"end_at"`
	FirstIn         int64  `json:"first_in"`
	LastOut         int64  `json:"last_out"`
	Late            bool   `json:"late"`
	LateMinutes     int    `json:"late_minutes"`
	EarlyLeave      bool   `json:"early_leave"`
	EarlyMinutes    int    `json:"early_minutes"`
	MissingIn       bool   `json:"missing_in"`
	MissingOut      bool   `json:"missing_out"`
	OutOfArea       bool   `json:"out_of_area"`
	LeaveType       string `json:"leave_type"`
	LeavePart       string `json:"leave_part"`
	OvertimeMinutes int    `json:"overtime_minutes"`
	Corrected       bool   `json:"corrected"`
}

// settle derives a stored day's status at now.
func (x dayRow) settle(now int64) Day {
	d := Day{Date: x.Day, MemberID: x.MemberID, Workday: x.Workday, ShiftID: x.ShiftID, StartAt: x.StartAt, EndAt: x.EndAt, FirstIn: x.FirstIn,
		LastOut: x.LastOut, LateMinutes: x.LateMinutes, EarlyMinutes: x.EarlyMinutes, OutOfArea: x.OutOfArea, LeaveType: x.LeaveType,
		LeavePart: x.LeavePart, OvertimeMinutes: x.OvertimeMinutes, Corrected: x.Corrected}
	full := func() string {
		if x.LeaveType == "trip" {
			return StatusTrip
		}
		return StatusLeave
	}
	switch {
	case !x.Workday:
		d.Status = StatusRest
	case x.LeavePart == "day":
		d.Status = full()
	case x.FirstIn == 0 && x.LastOut == 0:
		switch {
		case now < x.StartAt:
			d.Status = StatusUpcoming
		case now < x.EndAt:
			d.Status = StatusPending
		case x.LeavePart != "":
			// Half a day on leave and no check-in for the other half.
			d.Status, d.MissingIn, d.MissingOut = StatusAbnormal, true, true
		default:
			d.Status = StatusAbsent
		}
	default:
		d.Late, d.EarlyLeave = x.LateMinutes > 0, x.EarlyMinutes > 0
		d.MissingIn = x.FirstIn == 0
		d.MissingOut = x.LastOut == 0 && now >= x.EndAt
		switch {
		case x.LastOut == 0 && now < x.EndAt:
			d.Status = StatusWorking
		case d.Late || d.EarlyLeave || d.MissingIn || d.MissingOut:
			d.Status = StatusAbnormal
		default:
			d.Status = StatusNormal
		}
	}
	return d
}

// CheckIn is the answer of a check-in: the record and the day so far.
type CheckIn struct {
	Punch Punch `json:"punch"`
	Day   Day   `json:"day"`
}

// callerMember returns the caller in their current organization.
func (s *Service) callerMember(ctx context.Context) (*actor.Actor, error) {
	return actor.Member(ctx)
}

// mayCollect refuses collection before the member acknowledged the
// notice and, where the legal basis is consent, granted the consent.
func (s *Service) mayCollect(ctx context.Context, a *actor.Actor, r Rules) error {
	ok, err := acknowledged(ctx, s.DB, a.OrgID, a.MemberID, NoticeVersion)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Forbidden("notice_required", "acknowledge the attendance notice first (POST /api/v1/attendance/notice)").With("version", NoticeVersion)
	}
	if r.LegalBasis != BasisConsent {
		return nil
	}
	granted := false
	if s.Consents != nil {
		if granted, err = s.Consents.HasConsent(ctx, a.AccountID, PurposeLocation); err != nil {
			return err
		}
	}
	if !granted {
		return apperr.Forbidden("consent_required", "grant the location consent in the privacy center first").With("purpose", PurposeLocation)
	}
	return nil
}

// raw is what attendance_locations seals: only what the device sent and
// the rules used.
type raw struct {
	Lat   string `json:"lat,omitempty"`
	Lng   string `json:"lng,omitempty"`
	BSSID string `json:"bssid,omitempty"`
	IP    string `json:"ip,omitempty"`
	Note  string `json:"note,omitempty"`
}

// Punch records a check-in or check-out of the caller. The server
// decides whether it was in the area (the nearest place's distance, a
// listed Wi-Fi or an office address range) and which work day it
// belongs to; a retry with the same client id changes nothing.
func (s *Service) Punch(ctx context.Context, in PunchInput) (CheckIn, error) {
	a, err := s.callerMember(ctx)
	if err != nil {
		return CheckIn{}, err
	}
	in.ClientID = strings.TrimSpace(in.ClientID)
	if in.ClientID == "" || len(in.ClientID) > 100 {
		return CheckIn{}, apperr.InvalidField("client_id", "a client id of 1 to 100 characters makes retries safe")
	}
	if in.Kind != "" && in.Kind != PunchIn && in.Kind != PunchOut {
		return CheckIn{}, apperr.InvalidField("kind", "in, out or empty")
	}
	if len(in.Note) > 500 || len(in.BSSID) > 64 {
		return CheckIn{}, apperr.InvalidField("note", "a note of at most 500 characters")
	}
	var lat, lng *float64
	if in.Lat != "" || in.Lng != "" {
		la, ok1 := coord(in.Lat, 90)
		ln, ok2 := coord(in.Lng, 180)
		if !ok1 || !ok2 {
			return CheckIn{}, apperr.InvalidField("lat", "lat and lng are decimal strings within ±90 and ±180")
		}
		lat, lng = &la, &ln
	}
	m, err := s.memberOf(ctx, a.OrgID, a.MemberID)
	if err != nil {
		return CheckIn{}, err
	}
	if old, err := punchByClient(ctx, s.DB, a.OrgID, a.MemberID, in.ClientID); err == nil {
		return s.answer(ctx, m, old)
	}
	if err := s.mayCollect(ctx, a, m.Rules); err != nil {
		return CheckIn{}, err
	}
	ip := ""
	if len(m.Rules.Networks.CIDRs) > 0 {
		ip = reqctx.From(ctx).ClientIP
	}
	ar := m.Rules.decide(lat, lng, in.BSSID, ip)
	if !ar.InArea {
		if m.Rules.OutOfArea == OutOfAreaRefuse {
			return CheckIn{}, apperr.Forbidden("out_of_area", "you are outside every place and network of your attendance group").With("distance_m", ar.DistanceM)
		}
		if strings.TrimSpace(in.Note) == "" {
			return CheckIn{}, apperr.InvalidField("note", "a check-in outside the area needs a note")
		}
	}
	now := s.Now()
	var x punchRow
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		cal, err := s.calendar(ctx, a.OrgID, m, now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly))
		if err != nil {
			return err
		}
		day := m.Rules.dayOf(now, cal)
		kind := in.Kind
		if kind == "" {
			kind = PunchIn
			ps, err := punchesOf(ctx, s.DB, a.OrgID, a.MemberID, day, day)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.Kind == PunchIn {
					kind = PunchOut
				}
			}
		}
		x = punchRow{ID: ids.New("atp"), OrgID: a.OrgID, GroupID: m.Group.ID, MemberID: a.MemberID, AccountID: a.AccountID, ClientID: in.ClientID,
			Kind: kind, Day: day, At: now.UnixMilli(), Method: ar.Method, InArea: ar.InArea, DistanceM: ar.DistanceM, Matched: ar.Matched,
			CreatedAt: now.UnixMilli()}
		if err := insertPunch(ctx, s.DB, x); err != nil {
			return err
		}
		rw := raw{Lat: in.Lat, Lng: in.Lng, BSSID: strings.ToLower(strings.TrimSpace(in.BSSID)), IP: ip, Note: strings.TrimSpace(in.Note)}
		if rw != (raw{}) {
			if err := s.sealLocation(ctx, x, rw, m.Rules.LocationDays); err != nil {
				return err
			}
		}
		_, err = s.recompute(ctx, m, day, cal)
		return err
	})
	if apperr.KindOf(err) == apperr.KindConflict {
		// A concurrent retry won the race: answer with its record.
		if old, err2 := punchByClient(ctx, s.DB, a.OrgID, a.MemberID, in.ClientID); err2 == nil {
			return s.answer(ctx, m, old)
		}
	}
	if err != nil {
		return CheckIn{}, err
	}
	return s.answer(ctx, m, x)
}

// sealLocation stores a check-in's raw values sealed with the person's
// key.
func (s *Service) sealLocation(ctx context.Context, x punchRow, rw raw, days int) error {
	b, _ := json.Marshal(rw)
	key := ""
	if s.Sealer != nil {
		box, err := s.Sealer.Seal(ctx, x.AccountID, locationAAD(x.ID), b)
		if err != nil {
			return err
		}
		b, key = box, x.AccountID
	}
	expires := time.UnixMilli(x.CreatedAt).AddDate(0, 0, days).UnixMilli()
	return insertLocation(ctx, s.DB, x.ID, x.OrgID, x.MemberID, x.AccountID, b, key, x.CreatedAt, expires)
}

func locationAAD(id string) string { return "attendance_locations.raw:" + id }

// answer returns a check-in with its day.
func (s *Service) answer(ctx context.Context, m member, x punchRow) (CheckIn, error) {
	ds, err := daysOf(ctx, s.DB, x.OrgID, []string{x.MemberID}, x.Day, x.Day)
	if err != nil {
		return CheckIn{}, err
	}
	out := CheckIn{Punch: x.punch()}
	if len(ds) == 1 {
		out.Day = ds[0].settle(s.now())
	}
	return out, nil
}

// evaluate computes a member's day from its check-ins and adjustments.
func (s *Service) evaluate(m member, day string, cal func(string) Calendar, ps []punchRow, adjs []adjRow) dayRow {
	p := m.Rules.planFor(day, cal(day))
	if p.Workday && p.End.UnixMilli() <= m.Group.CreatedAt {
		// Before the group existed its rules did not apply.
		p = plan{}
	}
	now := s.now()
	x := dayRow{ID: ids.New("atd"), OrgID: m.Group.OrgID, GroupID: m.Group.ID, MemberID: m.MemberID, AccountID: m.AccountID,
		DepartmentID: m.DepartmentID, Day: day, Workday: p.Workday, ShiftID: p.ShiftID, CreatedAt: now, UpdatedAt: now}
	if p.Workday {
		x.StartAt, x.EndAt = p.Start.UnixMilli(), p.End.UnixMilli()
	}
	for _, pu := range ps {
		if pu.Day != day {
			continue
		}
		switch pu.Kind {
		case PunchIn:
			if x.FirstIn == 0 || pu.At < x.FirstIn {
				x.FirstIn = pu.At
			}
		case PunchOut:
			if pu.At > x.LastOut {
				x.LastOut = pu.At
			}
		}
		x.OutOfArea = x.OutOfArea || !pu.InArea
		x.Corrected = x.Corrected || pu.Method == MethodCorrection
	}
	f := m.Rules.judge(p, x.FirstIn, x.LastOut)
	x.LateMinutes, x.EarlyMinutes = f.LateMinutes, f.EarlyMinutes
	for _, ad := range adjs {
		applyAdj(&x, ad)
	}
	switch x.LeavePart {
	case "day":
		x.LateMinutes, x.EarlyMinutes = 0, 0
	case "am":
		x.LateMinutes = 0
	case "pm":
		x.EarlyMinutes = 0
	}
	return x
}

// recompute writes a member's day from its check-ins and adjustments, in
// ctx's transaction.
func (s *Service) recompute(ctx context.Context, m member, day string, cal func(string) Calendar) (dayRow, error) {
	ps, err := punchesOf(ctx, s.DB, m.Group.OrgID, m.MemberID, day, day)
	if err != nil {
		return dayRow{}, err
	}
	adjs, err := adjsOf(ctx, s.DB, m.Group.OrgID, m.MemberID, day, day)
	if err != nil {
		return dayRow{}, err
	}
	x := s.evaluate(m, day, cal, ps, adjs)
	return x, upsertDay(ctx, s.DB, x)
}

// Month is a member's month: each day's result and check-ins.
type Month struct {
	Month    string  `json:"month"`
	MemberID string  `json:"member_id"`
	GroupID  string  `json:"group_id"`
	Timezone string  `json:"timezone"`
	Days     []Day   `json:"days"`
	Punches  []Punch `json:"punches"`
}

// MyMonth returns the caller's month ("" for the current one).
func (s *Service) MyMonth(ctx context.Context, month string) (Month, error) {
	a, err := s.callerMember(ctx)
	if err != nil {
		return Month{}, err
	}
	m, err := s.memberOf(ctx, a.OrgID, a.MemberID)
	if err != nil {
		return Month{}, err
	}
	return s.month(ctx, m, month)
}

// month computes a member's month: stored days as recorded, the others
// from the rules now in force.
func (s *Service) month(ctx context.Context, m member, month string) (Month, error) {
	if month == "" {
		month = s.Now().In(m.Rules.loc()).Format("2006-01")
	}
	days, err := monthDays(month)
	if err != nil {
		return Month{}, err
	}
	from, to := days[0], days[len(days)-1]
	out := Month{Month: month, MemberID: m.MemberID, GroupID: m.Group.ID, Timezone: m.Rules.Timezone, Days: []Day{}, Punches: []Punch{}}
	stored, err := daysOf(ctx, s.DB, m.Group.OrgID, []string{m.MemberID}, from, to)
	if err != nil {
		return Month{}, err
	}
	cal, err := s.calendar(ctx, m.Group.OrgID, m, from, to)
	if err != nil {
		return Month{}, err
	}
	adjs, err := adjsOf(ctx, s.DB, m.Group.OrgID, m.MemberID, from, to)
	if err != nil {
		return Month{}, err
	}
	out.Days = s.settleDays(m, days, stored, cal, adjs)
	ps, err := punchesOf(ctx, s.DB, m.Group.OrgID, m.MemberID, from, to)
	for _, p := range ps {
		out.Punches = append(out.Punches, p.punch())
	}
	return out, err
}

// settleDays returns a member's days: stored ones as recorded, the
// others evaluated now.
func (s *Service) settleDays(m member, days []string, stored []dayRow, cal func(string) Calendar, adjs []adjRow) []Day {
	byDay := map[string]dayRow{}
	for _, d := range stored {
		if d.MemberID == m.MemberID {
			byDay[d.Day] = d
		}
	}
	now := s.now()
	out := make([]Day, 0, len(days))
	for _, day := range days {
		x, ok := byDay[day]
		if !ok {
			x = s.evaluate(m, day, cal, nil, adjs)
		}
		out = append(out, x.settle(now))
	}
	return out
}

// Today returns the caller's day so far, with their group's places and
// networks by name (what a check-in screen shows).
func (s *Service) Today(ctx context.Context) (Today, error) {
	a, err := s.callerMember(ctx)
	if err != nil {
		return Today{}, err
	}
	m, err := s.memberOf(ctx, a.OrgID, a.MemberID)
	if err != nil {
		return Today{}, err
	}
	now := s.Now()
	cal, err := s.calendar(ctx, a.OrgID, m, now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly))
	if err != nil {
		return Today{}, err
	}
	day := m.Rules.dayOf(now, cal)
	stored, err := daysOf(ctx, s.DB, a.OrgID, []string{a.MemberID}, day, day)
	if err != nil {
		return Today{}, err
	}
	adjs, err := adjsOf(ctx, s.DB, a.OrgID, a.MemberID, day, day)
	if err != nil {
		return Today{}, err
	}
	out := Today{GroupID: m.Group.ID, GroupName: m.Group.Name, Timezone: m.Rules.Timezone, OutOfArea: m.Rules.OutOfArea,
		Day: s.settleDays(m, []string{day}, stored, cal, adjs)[0], Places: []string{}, Punches: []Punch{}}
	for _, p := range m.Rules.Places {
		out.Places = append(out.Places, p.Name)
	}
	out.Networks = len(m.Rules.Networks.BSSIDs)+len(m.Rules.Networks.CIDRs) > 0
	out.NoticeAcknowledged, err = acknowledged(ctx, s.DB, a.OrgID, a.MemberID, NoticeVersion)
	if err != nil {
		return Today{}, err
	}
	ps, err := punchesOf(ctx, s.DB, a.OrgID, a.MemberID, day, day)
	for _, p := range ps {
		out.Punches = append(out.Punches, p.punch())
	}
	return out, err
}

// Today is the caller's check-in screen.
type Today struct {
	GroupID            string   `json:"group_id"`
	GroupName          string   `json:"group_name"`
	Timezone           string   `json:"timezone"`
	OutOfArea          string   `json:"out_of_area"`
	Places             []string `json:"places"`
	Networks           bool     `json:"networks"`
	NoticeAcknowledged bool     `json:"notice_acknowledged"`
	Day                Day      `json:"day"`
	Punches            []Punch  `json:"punches"`
}

// Notice is the attendance notice a member acknowledges.
type Notice struct {
	Version      string `json:"version"`
	Acknowledged bool   `json:"acknowledged"`
}

// AcknowledgeNotice records that the caller was told what attendance
// collects, who sees it and for how long (docs/attendance.md).
func (s *Service) AcknowledgeNotice(ctx context.Context) (Notice, error) {
	a, err := s.callerMember(ctx)
	if err != nil {
		return Notice{}, err
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		return acknowledge(ctx, s.DB, ids.New("atn"), a.OrgID, a.MemberID, a.AccountID, NoticeVersion, s.now())
	})
	return Notice{Version: NoticeVersion, Acknowledged: err == nil}, err
}
