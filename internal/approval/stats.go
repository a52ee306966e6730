package approval

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/approval/form"
)

// For holders of manage_approvals: every request of a template as CSV
// (an admin read of content, so it is audited), and statistics — how
// many requests are in each status and how long each step takes.

// Stats are a template's statistics.
type Stats struct {
	Counts map[string]int `json:"counts"`
	Steps  []StepStats    `json:"steps"`
}

// StepStats is one step's decisions and their average time from the
// task opening to its decision.
type StepStats struct {
	StepID     string `json:"step_id"`
	Name       string `json:"name"`
	Decided    int    `json:"decided"`
	AvgSeconds int64  `json:"avg_seconds"`
}

// Stats returns a template's statistics.
func (s *Service) Stats(ctx context.Context, id string) (Stats, error) {
	a, err := s.manager(ctx)
	if err != nil {
		return Stats{}, err
	}
	if _, err := s.loadTemplate(ctx, a.OrgID, id); err != nil {
		return Stats{}, err
	}
	out := Stats{Counts: map[string]int{StatusPending: 0, StatusApproved: 0, StatusRejected: 0, StatusWithdrawn: 0}, Steps: []StepStats{}}
	counts, err := statusCounts(ctx, s.DB, a.OrgID, id)
	if err != nil {
		return Stats{}, err
	}
	for st, n := range counts {
		out.Counts[st] = n
	}
	rows, err := stepTimes(ctx, s.DB, a.OrgID, id)
	if err != nil {
		return Stats{}, err
	}
	for _, r := range rows {
		st := StepStats{StepID: r.StepID, Name: r.Name, Decided: r.Decided}
		if r.Decided > 0 {
			st.AvgSeconds = r.TotalMillis / int64(r.Decided) / 1000
		}
		out.Steps = append(out.Steps, st)
	}
	return out, nil
}

// WriteCSV writes every request of a template: id, applicant, status,
// submitted_at, finished_at, then one column per field of the current
// version (a table's total; a date range's start, end and duration).
func (s *Service) WriteCSV(ctx context.Context, w io.Writer, id string) error {
	a, err := s.manager(ctx)
	if err != nil {
		return err
	}
	t, err := s.loadTemplate(ctx, a.OrgID, id)
	if err != nil {
		return err
	}
	schema := schemaOf(t.Fields)
	head := []string{"id", "applicant", "status", "submitted_at", "finished_at"}
	for _, f := range schema {
		switch f.Type {
		case form.TypeDescription:
		case form.TypeDateRange:
			head = append(head, f.ID+".start", f.ID+".end", f.ID+".duration")
		default:
			head = append(head, f.ID)
		}
	}
	rows, err := templateRequests(ctx, s.DB, a.OrgID, id)
	if err != nil {
		return err
	}
	if err := s.record(ctx, a.OrgID, "approval.export", "approval_template", id, map[string]any{"requests": len(rows)}); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	n := &namer{s: s, orgID: a.OrgID, names: map[string]string{}}
	for _, x := range rows {
		v := Values{}
		_ = json.Unmarshal(s.open(ctx, x.FormKey, formAAD(x.ID), x.Form), &v)
		rec := []string{x.ID, csvSafe(n.ref(x.ApplicantID, x.MemberID).Name), x.Status, stamp(x.SubmittedAt), stamp(x.FinishedAt)}
		for _, f := range schema {
			switch f.Type {
			case form.TypeDescription:
			case form.TypeDateRange:
				var dr form.DateRange
				_ = json.Unmarshal(v[f.ID], &dr)
				rec = append(rec, dr.Start, dr.End, durationOf(dr))
			case form.TypeTable:
				var tb form.Table
				_ = json.Unmarshal(v[f.ID], &tb)
				rec = append(rec, tb.Total)
			default:
				rec = append(rec, csvSafe(cell(v[f.ID])))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func stamp(ms int64) string {
	if ms == 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// cell is a value as one CSV cell: strings as they are, lists joined by
// "; ", anything else as JSON.
func cell(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return strings.Join(l, "; ")
	}
	return string(raw)
}

// csvSafe keeps a cell from being read as a formula by spreadsheets.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// durationOf is a date range's duration ("" when the field is empty).
func durationOf(dr form.DateRange) string {
	if dr.Start == "" {
		return ""
	}
	return dr.Duration.String()
}
