package report

import (
	"cmp"
	"context"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Statistics: per template and department, who submitted on time, late
// or not at all over a range of periods. Managers see every department;
// a department's leaders see their department.

// Per-period states of a person in the statistics.
const (
	StateOnTime  = "on_time"
	StateLate    = "late"
	StateMissing = "missing"
	// StatePending: not submitted, and not due yet.
	StatePending = "pending"
)

// StatsQuery chooses the periods that start from From to To (local dates
// YYYY-MM-DD in the template's time zone; default the last 30 days) and
// optionally one department (with its sub-departments).
type StatsQuery struct {
	From         string
	To           string
	DepartmentID string
}

// Counts counts periods by state.
type Counts struct {
	OnTime  int `json:"on_time"`
	Late    int `json:"late"`
	Missing int `json:"missing"`
	Pending int `json:"pending"`
}

func (c *Counts) add(state string) {
	switch state {
	case StateOnTime:
		c.OnTime++
	case StateLate:
		c.Late++
	case StateMissing:
		c.Missing++
	default:
		c.Pending++
	}
}

// PersonStats is one expected submitter: their counts, and their state in
// each period (in the order of Stats.Periods).
type PersonStats struct {
	MemberID     string   `json:"member_id"`
	AccountID    string   `json:"account_id"`
	DepartmentID string   `json:"department_id"`
	Counts       Counts   `json:"counts"`
	States       []string `json:"states"`
}

// DepartmentStats sums the people counted under one department.
type DepartmentStats struct {
	DepartmentID string `json:"department_id"`
	People       int    `json:"people"`
	Counts       Counts `json:"counts"`
}

// Stats is the body of GET /api/v1/report-templates/{id}/stats.
type Stats struct {
	TemplateID   string            `json:"template_id"`
	From         string            `json:"from"`
	To           string            `json:"to"`
	DepartmentID string            `json:"department_id"`
	Periods      []string          `json:"periods"`
	Counts       Counts            `json:"counts"`
	Departments  []DepartmentStats `json:"departments"`
	People       []PersonStats     `json:"people"`
}

// MaxStatsDays bounds the range of one statistics request.
const MaxStatsDays = 366

// Stats computes a template's statistics.
func (s *Service) Stats(ctx context.Context, id string, q StatsQuery) (Stats, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return Stats{}, err
	}
	if err := s.mayReadStats(ctx, a.OrgID, a.MemberID, q.DepartmentID); err != nil {
		return Stats{}, err
	}
	t, err := s.loadTemplate(ctx, a.OrgID, id, true)
	if err != nil {
		return Stats{}, err
	}
	sc, err := t.schedule()
	if err != nil {
		return Stats{}, err
	}
	from, to, err := statsRange(q, sc.loc, s.Now())
	if err != nil {
		return Stats{}, err
	}
	out := Stats{TemplateID: t.ID, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), DepartmentID: q.DepartmentID,
		Periods: []string{}, Departments: []DepartmentStats{}, People: []PersonStats{}}
	slots := sc.between(from, to)
	if len(slots) == 0 {
		return out, nil
	}
	for _, sl := range slots {
		out.Periods = append(out.Periods, sl.Key)
	}
	people, err := s.expected(ctx, t, q.DepartmentID)
	if err != nil {
		return Stats{}, err
	}
	got, err := submissions(ctx, s.DB, t.ID, slots[0].Key, slots[len(slots)-1].Key)
	if err != nil {
		return Stats{}, err
	}
	now := s.now()
	byDept := map[string]*DepartmentStats{}
	for _, p := range people {
		ps := PersonStats{MemberID: p.MemberID, AccountID: p.AccountID, DepartmentID: p.DepartmentID, States: make([]string, len(slots))}
		for i, sl := range slots {
			late, ok := got[[2]string{p.MemberID, sl.Key}]
			switch {
			case ok && late:
				ps.States[i] = StateLate
			case ok:
				ps.States[i] = StateOnTime
			case sl.Due.UnixMilli() < now:
				ps.States[i] = StateMissing
			default:
				ps.States[i] = StatePending
			}
			ps.Counts.add(ps.States[i])
			out.Counts.add(ps.States[i])
		}
		d := byDept[p.DepartmentID]
		if d == nil {
			d = &DepartmentStats{DepartmentID: p.DepartmentID}
			byDept[p.DepartmentID] = d
		}
		d.People++
		d.Counts.OnTime += ps.Counts.OnTime
		d.Counts.Late += ps.Counts.Late
		d.Counts.Missing += ps.Counts.Missing
		d.Counts.Pending += ps.Counts.Pending
		out.People = append(out.People, ps)
	}
	for _, d := range byDept {
		out.Departments = append(out.Departments, *d)
	}
	slices.SortFunc(out.Departments, func(a, b DepartmentStats) int { return cmp.Compare(a.DepartmentID, b.DepartmentID) })
	slices.SortStableFunc(out.People, func(a, b PersonStats) int { return cmp.Compare(a.DepartmentID, b.DepartmentID) })
	return out, nil
}

// mayReadStats lets managers read every department's statistics, and a
// department's leaders (or a role scoped to it) those of their department
// and the departments under it.
func (s *Service) mayReadStats(ctx context.Context, orgID, memberID, deptID string) error {
	ok, err := s.may(ctx, deptID)
	if err != nil || ok {
		return err
	}
	if deptID != "" {
		leads, err := s.Directory.Leads(ctx, orgID, memberID, deptID)
		if err != nil || leads {
			return err
		}
	}
	return apperr.ErrForbidden
}

// statsRange reads the query's dates in loc.
func statsRange(q StatsQuery, loc *time.Location, now time.Time) (time.Time, time.Time, error) {
	n := now.In(loc)
	to := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -30)
	var err error
	if q.To != "" {
		if to, err = time.ParseInLocation(time.DateOnly, q.To, loc); err != nil {
			return from, to, apperr.InvalidField("to", "to is a date, YYYY-MM-DD")
		}
		if q.From == "" {
			from = to.AddDate(0, 0, -30)
		}
	}
	if q.From != "" {
		if from, err = time.ParseInLocation(time.DateOnly, q.From, loc); err != nil {
			return from, to, apperr.InvalidField("from", "from is a date, YYYY-MM-DD")
		}
	}
	if to.Before(from) {
		return from, to, apperr.InvalidField("to", "to is before from")
	}
	if to.Sub(from) > MaxStatsDays*24*time.Hour {
		return from, to, apperr.InvalidField("to", "the range is at most 366 days").With("max", MaxStatsDays)
	}
	return from, to, nil
}

// expected lists a template's expected submitters, in a department's
// subtree when deptID is set.
func (s *Service) expected(ctx context.Context, t tmplRow, deptID string) ([]Person, error) {
	sub := t.submitters()
	if sub.empty() {
		return []Person{}, nil
	}
	people, err := s.Directory.Audience(ctx, t.OrgID, sub)
	if err != nil {
		return nil, err
	}
	if deptID == "" {
		return people, nil
	}
	in, err := s.Directory.Audience(ctx, t.OrgID, Audience{DepartmentIDs: []string{deptID}})
	if err != nil {
		return nil, err
	}
	keep := make(map[string]bool, len(in))
	for _, p := range in {
		keep[p.MemberID] = true
	}
	out := []Person{}
	for _, p := range people {
		if keep[p.MemberID] {
			out = append(out, p)
		}
	}
	return out, nil
}

// WriteStatsCSV writes statistics as CSV: one row per person, with their
// name as the organization shows it.
func (s *Service) WriteStatsCSV(ctx context.Context, w io.Writer, st Stats) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := append([]string{"member_id", "account_id", "name", "department_id", "on_time", "late", "missing", "pending"}, st.Periods...)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, p := range st.People {
		row := []string{p.MemberID, p.AccountID, csvSafe(s.Directory.Name(ctx, a.OrgID, p.AccountID)), p.DepartmentID,
			strconv.Itoa(p.Counts.OnTime), strconv.Itoa(p.Counts.Late), strconv.Itoa(p.Counts.Missing), strconv.Itoa(p.Counts.Pending)}
		if err := cw.Write(append(row, p.States...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}
