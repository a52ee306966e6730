package attendance

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Schedule kinds.
const (
	KindFixed    = "fixed"    // the same hours every working day
	KindFlexible = "flexible" // core hours and a total to work
	KindShifts   = "shifts"   // the roster says each member's shift each day
)

// Out-of-area policies.
const (
	OutOfAreaRefuse = "refuse" // a check-in outside every place and network is refused
	OutOfAreaNote   = "note"   // it is accepted with a note, marked out of area
)

// Legal bases for processing location.
const (
	BasisConsent  = "consent"  // the privacy center's location consent is needed
	BasisContract = "contract" // the employment contract; the notice suffices
)

// DefaultLocationDays is how long raw locations are kept by default.
const DefaultLocationDays = 90

// Shift is a named working window; End before Start crosses midnight.
type Shift struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Place is a geofence: a centre (decimal strings) and a radius in metres.
type Place struct {
	Name    string `json:"name"`
	Lat     string `json:"lat"`
	Lng     string `json:"lng"`
	RadiusM int    `json:"radius_m"`
}

// Networks are the networks that count as being at work: Wi-Fi access
// points by BSSID and office address ranges (CIDR).
type Networks struct {
	BSSIDs []string `json:"bssids"`
	CIDRs  []string `json:"cidrs"`
}

// Rules are a group's attendance rules.
type Rules struct {
	Kind string `json:"kind"`
	// Timezone is the IANA zone the group's days and hours are in.
	Timezone string `json:"timezone"`
	// Start and End are the fixed hours ("09:00", "18:00").
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
	// CoreStart, CoreEnd and TotalMinutes are the flexible hours: present
	// during the core, and TotalMinutes between first in and last out.
	CoreStart    string `json:"core_start,omitempty"`
	CoreEnd      string `json:"core_end,omitempty"`
	TotalMinutes int    `json:"total_minutes,omitempty"`
	// Shifts are the shift patterns a roster assigns.
	Shifts []Shift `json:"shifts"`
	// Workdays are the ISO weekdays worked (1 = Monday), for fixed and
	// flexible hours; holidays and make-up workdays override them.
	Workdays          []int    `json:"workdays"`
	GraceLateMinutes  int      `json:"grace_late_minutes"`
	GraceEarlyMinutes int      `json:"grace_early_minutes"`
	Places            []Place  `json:"places"`
	Networks          Networks `json:"networks"`
	OutOfArea         string   `json:"out_of_area"`
	// CorrectionLimit is how many corrections a member may have applied a
	// month.
	CorrectionLimit     int    `json:"correction_limit"`
	RemindBeforeMinutes int    `json:"remind_before_minutes"`
	LegalBasis          string `json:"legal_basis"`
	LocationDays        int    `json:"location_days"`
}

// clock parses "HH:MM" to minutes after midnight.
func clock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// coord parses a decimal-string coordinate within ±limit.
func coord(s string, limit float64) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || f < -limit || f > limit {
		return 0, false
	}
	return f, true
}

// normalize fills defaults and checks r.
func (r *Rules) normalize() error {
	if r.Timezone == "" {
		r.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(r.Timezone); err != nil {
		return apperr.InvalidField("timezone", "an IANA time zone, e.g. Asia/Shanghai")
	}
	if r.Kind == "" {
		r.Kind = KindFixed
	}
	bad := func(f string) error { return apperr.InvalidField(f, "a time HH:MM") }
	switch r.Kind {
	case KindFixed:
		if r.Start == "" && r.End == "" {
			r.Start, r.End = "09:00", "18:00"
		}
		if _, ok := clock(r.Start); !ok {
			return bad("start")
		}
		if _, ok := clock(r.End); !ok {
			return bad("end")
		}
	case KindFlexible:
		for f, v := range map[string]string{"core_start": r.CoreStart, "core_end": r.CoreEnd} {
			if _, ok := clock(v); !ok {
				return bad(f)
			}
		}
		if r.TotalMinutes < 0 || r.TotalMinutes > 24*60 {
			return apperr.InvalidField("total_minutes", "0 to 1440")
		}
	case KindShifts:
		if len(r.Shifts) == 0 {
			return apperr.InvalidField("shifts", "a shift group needs at least one shift")
		}
	default:
		return apperr.InvalidField("kind", "fixed, flexible or shifts")
	}
	seen := map[string]bool{}
	for _, sh := range r.Shifts {
		if sh.ID == "" || seen[sh.ID] || len(sh.ID) > 40 {
			return apperr.InvalidField("shifts", "each shift needs a unique id")
		}
		seen[sh.ID] = true
		if _, ok := clock(sh.Start); !ok {
			return bad("shifts")
		}
		if _, ok := clock(sh.End); !ok {
			return bad("shifts")
		}
	}
	if r.Workdays == nil {
		r.Workdays = []int{1, 2, 3, 4, 5}
	}
	for _, d := range r.Workdays {
		if d < 1 || d > 7 {
			return apperr.InvalidField("workdays", "ISO weekdays 1 (Monday) to 7 (Sunday)")
		}
	}
	if r.GraceLateMinutes < 0 || r.GraceLateMinutes > 240 || r.GraceEarlyMinutes < 0 || r.GraceEarlyMinutes > 240 {
		return apperr.InvalidField("grace_late_minutes", "0 to 240 minutes")
	}
	for i := range r.Places {
		p := &r.Places[i]
		if _, ok := coord(p.Lat, 90); !ok {
			return apperr.InvalidField("places", "lat is a decimal string from -90 to 90")
		}
		if _, ok := coord(p.Lng, 180); !ok {
			return apperr.InvalidField("places", "lng is a decimal string from -180 to 180")
		}
		if p.RadiusM < 10 || p.RadiusM > 50000 {
			return apperr.InvalidField("places", "radius_m from 10 to 50000 metres")
		}
	}
	if r.Networks.BSSIDs == nil {
		r.Networks.BSSIDs = []string{}
	}
	if r.Networks.CIDRs == nil {
		r.Networks.CIDRs = []string{}
	}
	for i, b := range r.Networks.BSSIDs {
		r.Networks.BSSIDs[i] = strings.ToLower(strings.TrimSpace(b))
	}
	for _, c := range r.Networks.CIDRs {
		if _, err := netip.ParsePrefix(c); err != nil {
			return apperr.InvalidField("networks", "cidrs are address ranges such as 203.0.113.0/24")
		}
	}
	if r.Places == nil {
		r.Places = []Place{}
	}
	if r.Shifts == nil {
		r.Shifts = []Shift{}
	}
	switch r.OutOfArea {
	case "":
		r.OutOfArea = OutOfAreaRefuse
	case OutOfAreaRefuse, OutOfAreaNote:
	default:
		return apperr.InvalidField("out_of_area", "refuse or note")
	}
	switch r.LegalBasis {
	case "":
		r.LegalBasis = BasisConsent
	case BasisConsent, BasisContract:
	default:
		return apperr.InvalidField("legal_basis", "consent or contract")
	}
	if r.LocationDays == 0 {
		r.LocationDays = DefaultLocationDays
	}
	if r.LocationDays < 1 || r.LocationDays > 365 {
		return apperr.InvalidField("location_days", "1 to 365 days")
	}
	if r.CorrectionLimit < 0 || r.CorrectionLimit > 31 {
		return apperr.InvalidField("correction_limit", "0 to 31 a month")
	}
	if r.RemindBeforeMinutes < 0 || r.RemindBeforeMinutes > 240 {
		return apperr.InvalidField("remind_before_minutes", "0 (no reminders) to 240")
	}
	return nil
}

// zones caches loaded time zones: loading one reads the zone database.
var zones sync.Map // name → *time.Location

func (r Rules) loc() *time.Location {
	if l, ok := zones.Load(r.Timezone); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(r.Timezone)
	if err != nil {
		return time.UTC
	}
	zones.Store(r.Timezone, l)
	return l
}

// Calendar is what decides a day besides the rules: the organization's
// holidays and make-up workdays, and the member's roster.
type Calendar struct {
	Holidays map[string]string // day → "holiday" | "workday"
	Roster   map[string]string // day → shift id ("" = rest)
}

// plan is a member's schedule for one day.
type plan struct {
	Workday    bool
	ShiftID    string
	Start, End time.Time // the window (End after Start, maybe the next day)
	// CoreStart and CoreEnd bound the flexible core.
	CoreStart, CoreEnd time.Time
	Total              time.Duration
}

// at is a time of day on date in loc, minutes after midnight.
func at(date time.Time, minutes int) time.Time {
	return date.Add(time.Duration(minutes) * time.Minute)
}

// parseDay parses "2006-01-02" as midnight in loc.
func parseDay(day string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, day, loc)
	return t, err == nil
}

// planFor returns the schedule of day under r and cal.
func (r Rules) planFor(day string, cal Calendar) plan {
	loc := r.loc()
	date, ok := parseDay(day, loc)
	if !ok {
		return plan{}
	}
	window := func(start, end string) (time.Time, time.Time) {
		s, _ := clock(start)
		e, _ := clock(end)
		st, en := at(date, s), at(date, e)
		if !en.After(st) {
			en = at(date.AddDate(0, 0, 1), e)
		}
		return st, en
	}
	if r.Kind == KindShifts {
		id := cal.Roster[day]
		for _, sh := range r.Shifts {
			if sh.ID == id {
				st, en := window(sh.Start, sh.End)
				return plan{Workday: true, ShiftID: id, Start: st, End: en, CoreStart: st, CoreEnd: en}
			}
		}
		return plan{}
	}
	wd := int(date.Weekday())
	if wd == 0 {
		wd = 7
	}
	work := slices.Contains(r.Workdays, wd)
	switch cal.Holidays[day] {
	case "holiday":
		work = false
	case "workday":
		work = true
	}
	if !work {
		return plan{}
	}
	if r.Kind == KindFlexible {
		cs, ce := window(r.CoreStart, r.CoreEnd)
		total := time.Duration(r.TotalMinutes) * time.Minute
		end := cs.Add(total)
		if ce.After(end) {
			end = ce
		}
		return plan{Workday: true, Start: cs, End: end, CoreStart: cs, CoreEnd: ce, Total: total}
	}
	st, en := window(r.Start, r.End)
	return plan{Workday: true, Start: st, End: en, CoreStart: st, CoreEnd: en}
}

// nightSlack is how long after a window crossing midnight a check-out
// still belongs to the day the window started.
const nightSlack = 6 * time.Hour

// dayOf returns the work day a check-in at t belongs to: the local date,
// or the day before when t falls in (or within nightSlack after) that
// day's window crossing midnight and is nearer its end than today's start.
func (r Rules) dayOf(t time.Time, cal func(day string) Calendar) string {
	loc := r.loc()
	local := t.In(loc)
	today := local.Format(time.DateOnly)
	prev := local.AddDate(0, 0, -1).Format(time.DateOnly)
	p := r.planFor(prev, cal(prev))
	if p.Workday && p.End.In(loc).Format(time.DateOnly) == today && t.Before(p.End.Add(nightSlack)) {
		cur := r.planFor(today, cal(today))
		// Closer to the end of last night's window than to the start
		// of today's: a check-out of the night.
		if !cur.Workday || t.Sub(p.End) < cur.Start.Sub(t) {
			return prev
		}
	}
	return today
}

// facts are what a day's check-ins say, judged by its plan.
type facts struct {
	FirstIn, LastOut int64
	LateMinutes      int
	EarlyMinutes     int
}

// minutes rounds a positive duration up to whole minutes.
func minutes(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Minute - 1) / time.Minute)
}

// judge computes lateness and early leave of first in and last out under
// p and r (zero when the day is not a workday).
func (r Rules) judge(p plan, firstIn, lastOut int64) facts {
	f := facts{FirstIn: firstIn, LastOut: lastOut}
	if !p.Workday {
		return f
	}
	graceLate := time.Duration(r.GraceLateMinutes) * time.Minute
	graceEarly := time.Duration(r.GraceEarlyMinutes) * time.Minute
	if firstIn != 0 {
		in := time.UnixMilli(firstIn)
		if in.After(p.CoreStart.Add(graceLate)) {
			f.LateMinutes = minutes(in.Sub(p.CoreStart))
		}
	}
	if lastOut != 0 {
		out := time.UnixMilli(lastOut)
		early := time.Duration(0)
		if out.Before(p.CoreEnd.Add(-graceEarly)) {
			early = p.CoreEnd.Sub(out)
		}
		if r.Kind == KindFlexible && firstIn != 0 && p.Total > 0 {
			worked := out.Sub(time.UnixMilli(firstIn))
			if worked < p.Total-graceEarly && p.Total-worked > early {
				early = p.Total - worked
			}
		}
		f.EarlyMinutes = minutes(early)
	}
	return f
}

// haversine returns the distance in metres between two points.
func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const earth = 6371008.8
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlng := (lng2 - lng1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(a)))
}

// area is the server's decision about where a check-in was.
type area struct {
	Method    string // "location", "network" or "none" (no places nor networks set)
	InArea    bool
	DistanceM int // to the nearest place; -1 when no position was given
	Matched   string
}

// decide judges a check-in's position, BSSID and address against r.
func (r Rules) decide(lat, lng *float64, bssid, ip string) area {
	a := area{Method: "location", DistanceM: -1}
	if len(r.Places) == 0 && len(r.Networks.BSSIDs) == 0 && len(r.Networks.CIDRs) == 0 {
		return area{Method: "none", InArea: true, DistanceM: -1}
	}
	if lat != nil && lng != nil && len(r.Places) > 0 {
		best := math.Inf(1)
		for _, p := range r.Places {
			plat, _ := coord(p.Lat, 90)
			plng, _ := coord(p.Lng, 180)
			d := haversine(*lat, *lng, plat, plng)
			if d < best {
				best = d
			}
			if d <= float64(p.RadiusM) && !a.InArea {
				a.InArea, a.Matched = true, p.Name
			}
		}
		a.DistanceM = int(math.Round(best))
	}
	if a.InArea {
		return a
	}
	if b := strings.ToLower(strings.TrimSpace(bssid)); b != "" && slices.Contains(r.Networks.BSSIDs, b) {
		return area{Method: "network", InArea: true, DistanceM: a.DistanceM, Matched: "Wi-Fi " + b}
	}
	if addr, err := netip.ParseAddr(ip); err == nil {
		for _, c := range r.Networks.CIDRs {
			if p, err := netip.ParsePrefix(c); err == nil && p.Contains(addr.Unmap()) {
				return area{Method: "network", InArea: true, DistanceM: a.DistanceM, Matched: "office network " + c}
			}
		}
	}
	if lat == nil {
		a.Method = "network"
	}
	return a
}

// month returns the days of a "2006-01" month.
func monthDays(month string) ([]string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, apperr.InvalidField("month", "a month YYYY-MM")
	}
	var out []string
	for d := t; d.Month() == t.Month(); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out, nil
}

func validDay(day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return apperr.InvalidField("day", fmt.Sprintf("%q is not a date YYYY-MM-DD", day))
	}
	return nil
}
