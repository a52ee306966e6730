package attendance

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Counts are the month's results of a member or a department.
type Counts struct {
	Workdays     int `json:"workdays"`
	Normal       int `json:"normal"`
	Late         int `json:"late"`
	LateMinutes  int `json:"late_minutes"`
	Early        int `json:"early_leave"`
	EarlyMinutes int `json:"early_minutes"`
	Absent       int `json:"absent"`
	MissingIn    int `json:"missing_in"`
	MissingOut   int `json:"missing_out"`
	OutOfArea    int `json:"out_of_area"`
	Corrected    int `json:"corrected"`
	// Leave is days of leave by type (half days count 0.5).
	Leave    map[string]float64 `json:"leave"`
	TripDays float64            `json:"trip_days"`
	// OvertimeMinutes is approved overtime.
	OvertimeMinutes int `json:"overtime_minutes"`
}

func (c *Counts) add(d Day) {
	if c.Leave == nil {
		c.Leave = map[string]float64{}
	}
	c.OvertimeMinutes += d.OvertimeMinutes
	if d.Corrected {
		c.Corrected++
	}
	if d.OutOfArea {
		c.OutOfArea++
	}
	if d.LeavePart != "" {
		n := 1.0
		if d.LeavePart != "day" {
			n = 0.5
		}
		if d.LeaveType == "trip" {
			c.TripDays += n
		} else {
			c.Leave[d.LeaveType] += n
		}
	}
	if !d.Workday || d.Status == StatusUpcoming || d.Status == StatusPending || d.Status == StatusWorking {
		return
	}
	c.Workdays++
	switch d.Status {
	case StatusNormal:
		c.Normal++
	case StatusAbsent:
		c.Absent++
	}
	if d.Late {
		c.Late++
		c.LateMinutes += d.LateMinutes
	}
	if d.EarlyLeave {
		c.Early++
		c.EarlyMinutes += d.EarlyMinutes
	}
	if d.MissingIn {
		c.MissingIn++
	}
	if d.MissingOut {
		c.MissingOut++
	}
}

func (c *Counts) sum(o Counts) {
	if c.Leave == nil {
		c.Leave = map[string]float64{}
	}
	c.Workdays += o.Workdays
	c.Normal += o.Normal
	c.Late += o.Late
	c.LateMinutes += o.LateMinutes
	c.Early += o.Early
	c.EarlyMinutes += o.EarlyMinutes
	c.Absent += o.Absent
	c.MissingIn += o.MissingIn
	c.MissingOut += o.MissingOut
	c.OutOfArea += o.OutOfArea
	c.Corrected += o.Corrected
	c.TripDays += o.TripDays
	c.OvertimeMinutes += o.OvertimeMinutes
	for k, v := range o.Leave {
		c.Leave[k] += v
	}
}

// MemberMonth is one member's line of the monthly report.
type MemberMonth struct {
	MemberID     string `json:"member_id"`
	AccountID    string `json:"account_id"`
	Name         string `json:"name"`
	DepartmentID string `json:"department_id"`
	GroupID      string `json:"group_id"`
	Counts
}

// DepartmentMonth is one department's line of the monthly report.
type DepartmentMonth struct {
	DepartmentID string `json:"department_id"`
	Members      int    `json:"members"`
	Counts
}

// MonthlyReport is the organization's (or a department's) month.
type MonthlyReport struct {
	Month       string            `json:"month"`
	Members     []MemberMonth     `json:"members"`
	Departments []DepartmentMonth `json:"departments"`
}

// ReportQuery chooses the month and, optionally, one department.
type ReportQuery struct {
	Month        string
	DepartmentID string
}

// Monthly computes the monthly report (manage_attendance; a department's
// leaders for their department).
func (s *Service) Monthly(ctx context.Context, q ReportQuery) (MonthlyReport, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return MonthlyReport{}, err
	}
	ok, err := s.may(ctx)
	if err != nil {
		return MonthlyReport{}, err
	}
	if !ok {
		if q.DepartmentID == "" {
			return MonthlyReport{}, apperr.Forbidden("forbidden", "the monthly report needs manage_attendance, or department_id of a department you lead")
		}
		if leads, err := s.Directory.Leads(ctx, a.OrgID, a.MemberID, q.DepartmentID); err != nil || !leads {
			if err != nil {
				return MonthlyReport{}, err
			}
			return MonthlyReport{}, apperr.Forbidden("forbidden", "you do not lead this department")
		}
	}
	return s.monthly(ctx, a.OrgID, q)
}

// monthly computes the report of orgID's members (of one department
// when q names it).
func (s *Service) monthly(ctx context.Context, orgID string, q ReportQuery) (MonthlyReport, error) {
	if q.Month == "" {
		q.Month = s.Now().Format("2006-01")
	}
	days, err := monthDays(q.Month)
	if err != nil {
		return MonthlyReport{}, err
	}
	from, to := days[0], days[len(days)-1]
	all, err := s.members(ctx, orgID)
	if err != nil {
		return MonthlyReport{}, err
	}
	var ms []member
	var ids []string
	for _, m := range all {
		if q.DepartmentID == "" || m.DepartmentID == q.DepartmentID {
			ms = append(ms, m)
			ids = append(ids, m.MemberID)
		}
	}
	var stored []dayRow
	if q.DepartmentID == "" {
		stored, err = daysOf(ctx, s.DB, orgID, nil, from, to)
	} else {
		stored, err = daysOf(ctx, s.DB, orgID, ids, from, to)
	}
	if err != nil {
		return MonthlyReport{}, err
	}
	byMember := map[string][]dayRow{}
	for _, d := range stored {
		byMember[d.MemberID] = append(byMember[d.MemberID], d)
	}
	cals, err := s.calendars(ctx, orgID, from, to)
	if err != nil {
		return MonthlyReport{}, err
	}
	out := MonthlyReport{Month: q.Month, Members: []MemberMonth{}, Departments: []DepartmentMonth{}}
	depts := map[string]*DepartmentMonth{}
	for _, m := range ms {
		line := MemberMonth{MemberID: m.MemberID, AccountID: m.AccountID, Name: s.Directory.Name(ctx, orgID, m.AccountID), DepartmentID: m.DepartmentID,
			GroupID: m.Group.ID, Counts: Counts{Leave: map[string]float64{}}}
		for _, d := range s.settleDays(m, days, byMember[m.MemberID], cals(m), nil) {
			line.add(d)
		}
		out.Members = append(out.Members, line)
		dm := depts[m.DepartmentID]
		if dm == nil {
			dm = &DepartmentMonth{DepartmentID: m.DepartmentID, Counts: Counts{Leave: map[string]float64{}}}
			depts[m.DepartmentID] = dm
		}
		dm.Members++
		dm.sum(line.Counts)
	}
	sort.Slice(out.Members, func(i, j int) bool {
		if out.Members[i].DepartmentID != out.Members[j].DepartmentID {
			return out.Members[i].DepartmentID < out.Members[j].DepartmentID
		}
		if out.Members[i].Name != out.Members[j].Name {
			return out.Members[i].Name < out.Members[j].Name
		}
		return out.Members[i].MemberID < out.Members[j].MemberID
	})
	for _, d := range depts {
		out.Departments = append(out.Departments, *d)
	}
	sort.Slice(out.Departments, func(i, j int) bool { return out.Departments[i].DepartmentID < out.Departments[j].DepartmentID })
	return out, nil
}

// calendars loads the holidays and every shift roster of orgID from..to
// once, and returns each member's calendar.
func (s *Service) calendars(ctx context.Context, orgID, from, to string) (func(member) func(string) Calendar, error) {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	from, to = f.AddDate(0, 0, -1).Format(time.DateOnly), t.AddDate(0, 0, 1).Format(time.DateOnly)
	hs, err := holidaysOf(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	hol := map[string]string{}
	for _, h := range hs {
		hol[h.Day] = h.Kind
	}
	es, err := rosterMonth(ctx, s.DB, orgID, from, to)
	if err != nil {
		return nil, err
	}
	roster := map[string]map[string]string{}
	for _, e := range es {
		if roster[e.MemberID] == nil {
			roster[e.MemberID] = map[string]string{}
		}
		roster[e.MemberID][e.Day] = e.ShiftID
	}
	return func(m member) func(string) Calendar {
		c := Calendar{Holidays: hol, Roster: roster[m.MemberID]}
		return func(string) Calendar { return c }
	}, nil
}

// leaveTypes lists the leave types of a report, sorted.
func leaveTypes(r MonthlyReport) []string {
	var out []string
	for _, m := range r.Members {
		for k := range m.Leave {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// hours formats minutes as hours with up to two decimals.
func hours(m int) string { return strconv.FormatFloat(float64(m)/60, 'f', -1, 64) }

// table returns the report's member lines as rows, header first.
func (r MonthlyReport) table() [][]string {
	types := leaveTypes(r)
	head := []string{"member_id", "name", "department_id", "workdays", "normal", "late", "late_minutes", "early_leave", "early_minutes",
		"absent", "missing_in", "missing_out", "out_of_area", "corrected", "trip_days", "overtime_hours"}
	for _, t := range types {
		head = append(head, "leave:"+t)
	}
	rows := [][]string{head}
	for _, m := range r.Members {
		c := m.Counts
		row := []string{m.MemberID, m.Name, m.DepartmentID, strconv.Itoa(c.Workdays), strconv.Itoa(c.Normal), strconv.Itoa(c.Late),
			strconv.Itoa(c.LateMinutes), strconv.Itoa(c.Early), strconv.Itoa(c.EarlyMinutes), strconv.Itoa(c.Absent), strconv.Itoa(c.MissingIn),
			strconv.Itoa(c.MissingOut), strconv.Itoa(c.OutOfArea), strconv.Itoa(c.Corrected), num(c.TripDays), hours(c.OvertimeMinutes)}
		for _, t := range types {
			row = append(row, num(c.Leave[t]))
		}
		rows = append(rows, row)
	}
	return rows
}

// WriteCSV writes the report's member lines as CSV. Cells that a
// spreadsheet would run as formulas are prefixed with an apostrophe.
func (r MonthlyReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	for _, row := range r.table() {
		for i, c := range row {
			if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@') {
				row[i] = "'" + c
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// XLSX returns the report as a workbook: a Members sheet (the CSV's
// columns, numbers as numbers) and a Departments sheet.
func (r MonthlyReport) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const members, depts = "Members", "Departments"
	if err := f.SetSheetName("Sheet1", members); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(depts); err != nil {
		return nil, err
	}
	put := func(sheet string, rows [][]string) error {
		for i, row := range rows {
			vals := make([]any, len(row))
			for j, c := range row {
				vals[j] = c
				if n, err := strconv.ParseFloat(c, 64); err == nil && i > 0 && j > 2 {
					vals[j] = n
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
				return err
			}
		}
		return nil
	}
	if err := put(members, r.table()); err != nil {
		return nil, err
	}
	drows := [][]string{{"department_id", "members", "late", "early_leave", "absent", "missing_in", "missing_out", "trip_days", "overtime_hours"}}
	for _, d := range r.Departments {
		c := d.Counts
		drows = append(drows, []string{d.DepartmentID, strconv.Itoa(d.Members), strconv.Itoa(c.Late), strconv.Itoa(c.Early), strconv.Itoa(c.Absent),
			strconv.Itoa(c.MissingIn), strconv.Itoa(c.MissingOut), num(c.TripDays), hours(c.OvertimeMinutes)})
	}
	if err := put(depts, drows); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("attendance: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// TeamMember is one person of a supervisor's or leader's team on a day:
// the result and whether each check-in was in the area and how far —
// never where.
type TeamMember struct {
	MemberID     string  `json:"member_id"`
	Name         string  `json:"name"`
	DepartmentID string  `json:"department_id"`
	Day          Day     `json:"day"`
	Punches      []Punch `json:"punches"`
}

// Summary counts a team's day.
type Summary struct {
	Members   int `json:"members"`
	Normal    int `json:"normal"`
	Late      int `json:"late"`
	Early     int `json:"early_leave"`
	Absent    int `json:"absent"`
	Missing   int `json:"missing"`
	Leave     int `json:"leave"`
	Trip      int `json:"trip"`
	Pending   int `json:"pending"`
	Working   int `json:"working"`
	Rest      int `json:"rest"`
	OutOfArea int `json:"out_of_area"`
}

func (s *Summary) add(d Day) {
	s.Members++
	switch d.Status {
	case StatusNormal:
		s.Normal++
	case StatusAbsent:
		s.Absent++
	case StatusLeave:
		s.Leave++
	case StatusTrip:
		s.Trip++
	case StatusPending, StatusUpcoming:
		s.Pending++
	case StatusWorking:
		s.Working++
	case StatusRest:
		s.Rest++
	}
	if d.Late {
		s.Late++
	}
	if d.EarlyLeave {
		s.Early++
	}
	if d.MissingIn || d.MissingOut {
		s.Missing++
	}
	if d.OutOfArea {
		s.OutOfArea++
	}
}

// Team is a supervisor's or leader's day: their people and a summary.
type Team struct {
	Date    string       `json:"date"`
	Summary Summary      `json:"summary"`
	Members []TeamMember `json:"members"`
}

// Team returns the day of the people the caller supervises or whose
// department they lead (everyone's for manage_attendance), with the
// day's summary; date "" is today in each group's time zone. Someone who
// supervises nobody gets an empty team.
func (s *Service) Team(ctx context.Context, date string) (Team, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Team{}, err
	}
	if date != "" {
		if err := validDay(date); err != nil {
			return Team{}, err
		}
	}
	manager, err := s.may(ctx)
	if err != nil {
		return Team{}, err
	}
	all, err := s.members(ctx, a.OrgID)
	if err != nil {
		return Team{}, err
	}
	// Whose team it is, and each one's day (today in their group's zone
	// when no date is given).
	var team []member
	dayOf := map[string]string{}
	var days []string
	for _, m := range all {
		if m.MemberID == a.MemberID {
			continue
		}
		if !manager {
			mine, err := s.sees(ctx, a.OrgID, a.MemberID, m)
			if err != nil {
				return Team{}, err
			}
			if !mine {
				continue
			}
		}
		day := date
		if day == "" {
			day = s.Now().In(m.Rules.loc()).Format(time.DateOnly)
		}
		if !slices.Contains(days, day) {
			days = append(days, day)
		}
		dayOf[m.MemberID] = day
		team = append(team, m)
	}
	out := Team{Date: date, Members: []TeamMember{}}
	if len(team) == 0 {
		return out, nil
	}
	// The records of the whole team in a few queries.
	sort.Strings(days)
	from, to := days[0], days[len(days)-1]
	ids := make([]string, len(team))
	for i, m := range team {
		ids[i] = m.MemberID
	}
	stored, err := daysOf(ctx, s.DB, a.OrgID, ids, from, to)
	if err != nil {
		return Team{}, err
	}
	ps, err := punchesOn(ctx, s.DB, a.OrgID, ids, from, to)
	if err != nil {
		return Team{}, err
	}
	adjs, err := adjsOn(ctx, s.DB, a.OrgID, ids, from, to)
	if err != nil {
		return Team{}, err
	}
	cals, err := s.calendars(ctx, a.OrgID, from, to)
	if err != nil {
		return Team{}, err
	}
	storedBy, punchesBy, adjsBy := map[string][]dayRow{}, map[string][]Punch{}, map[string][]adjRow{}
	for _, d := range stored {
		if d.Day == dayOf[d.MemberID] {
			storedBy[d.MemberID] = append(storedBy[d.MemberID], d)
		}
	}
	for _, p := range ps {
		if p.Day == dayOf[p.MemberID] {
			punchesBy[p.MemberID] = append(punchesBy[p.MemberID], p.punch())
		}
	}
	for _, ad := range adjs {
		adjsBy[ad.MemberID] = append(adjsBy[ad.MemberID], ad)
	}
	for _, m := range team {
		day := dayOf[m.MemberID]
		tm := TeamMember{MemberID: m.MemberID, Name: s.Directory.Name(ctx, a.OrgID, m.AccountID), DepartmentID: m.DepartmentID,
			Day: s.settleDays(m, []string{day}, storedBy[m.MemberID], cals(m), adjsBy[m.MemberID])[0], Punches: punchesBy[m.MemberID]}
		if tm.Punches == nil {
			tm.Punches = []Punch{}
		}
		out.Summary.add(tm.Day)
		out.Members = append(out.Members, tm)
	}
	return out, nil
}

// sees reports whether viewer supervises m or leads m's department.
func (s *Service) sees(ctx context.Context, orgID, viewer string, m member) (bool, error) {
	sup, err := s.Directory.Supervisor(ctx, orgID, m.MemberID)
	if err != nil {
		return false, err
	}
	for _, p := range sup {
		if p.MemberID == viewer {
			return true, nil
		}
	}
	if m.DepartmentID == "" {
		return false, nil
	}
	return s.Directory.Leads(ctx, orgID, viewer, m.DepartmentID)
}
