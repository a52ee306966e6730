package attendance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Approvals reach attendance as approval.approved events in the event
// log ({"request_id", "builtin", "applicant_id", "form"}): a job reads the
// log after its cursor and applies the built-ins it knows — leave and
// trips cover days, overtime accrues on its day, and a correction fills a
// missing check-in or check-out unless the member reached the group's
// monthly limit, in which case it is recorded as refused. An
// approval.revoked event ({"request_id"}) undoes an applied one.

// Event types approvals append.
const (
	EventApproved = "approval.approved"
	// EventRevoked undoes an approval (withdrawn or cancelled after it
	// was approved).
	EventRevoked = "approval.revoked"
)

// MethodCorrection marks check-ins an approved correction made.
const MethodCorrection = "correction"

// Adjustment kinds and statuses.
const (
	AdjLeave      = "leave"
	AdjTrip       = "trip"
	AdjOvertime   = "overtime"
	AdjCorrection = "correction"

	AdjApplied = "applied"
	AdjRefused = "refused"
	AdjRevoked = "revoked"
)

// approvalsCursor names the cursor of the approvals reader.
const approvalsCursor = "approvals"

// approved is the data of an approval.approved event.
type approved struct {
	RequestID   string                     `json:"request_id"`
	Builtin     string                     `json:"builtin"`
	ApplicantID string                     `json:"applicant_id"`
	MemberID    string                     `json:"member_id"`
	Form        map[string]json.RawMessage `json:"form"`
}

// dateRange is a daterange field's value.
type dateRange struct {
	Start     string `json:"start"`
	End       string `json:"end"`
	StartHalf string `json:"start_half"`
	EndHalf   string `json:"end_half"`
}

// adjDetail is what an adjustment keeps of its approval's form.
type adjDetail struct {
	Type      string `json:"type,omitempty"`
	Start     string `json:"start,omitempty"`
	End       string `json:"end,omitempty"`
	StartHalf string `json:"start_half,omitempty"`
	EndHalf   string `json:"end_half,omitempty"`
	Minutes   int    `json:"minutes,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Time      string `json:"time,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// ApplyApprovals applies the approval events appended since the last run
// and returns how many it applied or refused. The background job calls
// it; each approval event is applied in one transaction with the cursor,
// so a crash neither skips nor repeats one (request ids are unique
// besides). Only approval events are read: the rest of the log (every
// chat message among it) is neither returned nor opened, and the cursor
// passes over it in one write per run, not one transaction per event.
func (s *Service) ApplyApprovals(ctx context.Context) (int, error) {
	const batch = 200
	n := 0
	for {
		pos, err := cursor(ctx, s.DB, approvalsCursor)
		if err != nil {
			return n, err
		}
		head, err := events.Head(ctx, s.DB)
		if err != nil || head <= pos {
			return n, err
		}
		evs, err := events.ReadTypes(ctx, s.DB, pos, head, []string{EventApproved, EventRevoked}, batch)
		if err != nil {
			return n, err
		}
		for _, e := range evs {
			err := s.DB.Tx(ctx, func(ctx context.Context) error {
				if e.OrgID != "" {
					apply := s.applyApproval
					if e.Type == EventRevoked {
						apply = s.revokeApproval
					}
					ok, err := apply(ctx, e)
					if err != nil {
						return err
					}
					if ok {
						n++
					}
				}
				return setCursor(ctx, s.DB, approvalsCursor, e.Pos)
			})
			if err != nil {
				return n, err
			}
		}
		if len(evs) == batch {
			continue
		}
		// Nothing else up to head concerns attendance.
		return n, setCursor(ctx, s.DB, approvalsCursor, head)
	}
}

func str(raw json.RawMessage) string {
	var v string
	_ = json.Unmarshal(raw, &v)
	return strings.TrimSpace(v)
}

// applyApproval applies one approval, in ctx's transaction, and reports
// whether it concerned attendance.
func (s *Service) applyApproval(ctx context.Context, e events.Event) (bool, error) {
	var ap approved
	if err := json.Unmarshal(e.Data, &ap); err != nil || ap.RequestID == "" {
		return false, nil
	}
	ms, err := s.members(ctx, e.OrgID)
	if err != nil {
		return false, err
	}
	var m *member
	for i := range ms {
		if ms[i].AccountID == ap.ApplicantID || ms[i].MemberID == ap.ApplicantID || (ap.MemberID != "" && ms[i].MemberID == ap.MemberID) {
			m = &ms[i]
			break
		}
	}
	if m == nil {
		return false, nil
	}
	x := adjRow{ID: ids.New("ata"), OrgID: e.OrgID, MemberID: m.MemberID, AccountID: m.AccountID, RequestID: ap.RequestID, Kind: ap.Builtin,
		Status: AdjApplied, CreatedAt: s.now()}
	var det adjDetail
	var punch *punchRow
	switch ap.Builtin {
	case AdjLeave, AdjTrip:
		var r dateRange
		if json.Unmarshal(ap.Form["period"], &r) != nil || validDay(r.Start) != nil || validDay(r.End) != nil || r.End < r.Start {
			return false, nil
		}
		det = adjDetail{Type: str(ap.Form["type"]), Start: r.Start, End: r.End, StartHalf: r.StartHalf, EndHalf: r.EndHalf}
		if ap.Builtin == AdjTrip {
			det.Type = "trip"
		}
		if det.Type == "" {
			det.Type = "leave"
		}
		x.FirstDay, x.LastDay = r.Start, r.End
	case AdjOvertime:
		var r dateRange
		if json.Unmarshal(ap.Form["period"], &r) != nil {
			return false, nil
		}
		loc := m.Rules.loc()
		st, err1 := time.ParseInLocation("2006-01-02T15:04", r.Start, loc)
		en, err2 := time.ParseInLocation("2006-01-02T15:04", r.End, loc)
		if err1 != nil || err2 != nil || !en.After(st) {
			return false, nil
		}
		det = adjDetail{Start: r.Start, End: r.End, Minutes: int(en.Sub(st) / time.Minute)}
		x.FirstDay = st.Format(time.DateOnly)
		x.LastDay = x.FirstDay
	case AdjCorrection:
		day, kind, hm := str(ap.Form["date"]), strings.ToLower(str(ap.Form["kind"])), str(ap.Form["time"])
		// The built-in correction's options ("Check-in"/"Check-out", or
		// "上班打卡"/"下班打卡" when seeded in Chinese) or the bare "in"/"out".
		if strings.HasPrefix(kind, "check-out") || kind == "out" || kind == "签退" || strings.HasPrefix(kind, "下班") {
			kind = PunchOut
		} else {
			kind = PunchIn
		}
		mins, ok := clock(hm)
		date, ok2 := parseDay(day, m.Rules.loc())
		if !ok || !ok2 {
			return false, nil
		}
		det = adjDetail{Kind: kind, Time: hm, Reason: ""}
		x.FirstDay, x.LastDay = day, day
		month, _ := monthDays(day[:7])
		used, err := countCorrections(ctx, s.DB, e.OrgID, m.MemberID, month[0], month[len(month)-1])
		if err != nil {
			return false, err
		}
		if used >= m.Rules.CorrectionLimit {
			x.Status = AdjRefused
			det.Reason = fmt.Sprintf("monthly correction limit %d reached", m.Rules.CorrectionLimit)
		} else {
			t := at(date, mins)
			if kind == PunchOut {
				// A check-out before the start of a night window belongs
				// to the next calendar day.
				p := m.Rules.planFor(day, Calendar{})
				if p.Workday && !t.After(p.Start) && p.End.Format(time.DateOnly) != day {
					t = t.AddDate(0, 0, 1)
				}
			}
			punch = &punchRow{ID: ids.New("atp"), OrgID: e.OrgID, GroupID: m.Group.ID, MemberID: m.MemberID, AccountID: m.AccountID,
				ClientID: "approval:" + ap.RequestID, Kind: kind, Day: day, At: t.UnixMilli(), Method: MethodCorrection, InArea: true,
				DistanceM: -1, Matched: "correction", CreatedAt: s.now()}
		}
	default:
		return false, nil
	}
	b, _ := json.Marshal(det)
	x.Detail = string(b)
	ok, err := insertAdj(ctx, s.DB, x)
	if err != nil || !ok {
		return false, err
	}
	if punch != nil {
		if err := insertPunch(ctx, s.DB, *punch); err != nil {
			return false, err
		}
	}
	if x.Status == AdjApplied {
		cal, err := s.calendar(ctx, e.OrgID, *m, x.FirstDay, x.LastDay)
		if err != nil {
			return false, err
		}
		first, _ := time.Parse(time.DateOnly, x.FirstDay)
		for d, i := first, 0; d.Format(time.DateOnly) <= x.LastDay && i < 62; d, i = d.AddDate(0, 0, 1), i+1 {
			if _, err := s.recompute(ctx, *m, d.Format(time.DateOnly), cal); err != nil {
				return false, err
			}
		}
	}
	typ := "attendance.adjusted"
	return true, s.notify(ctx, e.OrgID, typ, map[string]string{"request_id": ap.RequestID, "kind": x.Kind, "status": x.Status, "day": x.FirstDay},
		[]string{m.AccountID})
}

// revokeApproval undoes an applied approval, in ctx's transaction: the
// correction's check-in goes, and the days it covered are judged again.
func (s *Service) revokeApproval(ctx context.Context, e events.Event) (bool, error) {
	var ap approved
	if err := json.Unmarshal(e.Data, &ap); err != nil || ap.RequestID == "" {
		return false, nil
	}
	x, err := adjByRequest(ctx, s.DB, e.OrgID, ap.RequestID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && x.Status != AdjApplied) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := setAdjStatus(ctx, s.DB, x.ID, AdjRevoked); err != nil {
		return false, err
	}
	if x.Kind == AdjCorrection {
		if err := deletePunchByClient(ctx, s.DB, e.OrgID, x.MemberID, "approval:"+x.RequestID); err != nil {
			return false, err
		}
	}
	ms, err := s.members(ctx, e.OrgID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.MemberID != x.MemberID {
			continue
		}
		cal, err := s.calendar(ctx, e.OrgID, m, x.FirstDay, x.LastDay)
		if err != nil {
			return false, err
		}
		first, _ := time.Parse(time.DateOnly, x.FirstDay)
		for d, i := first, 0; d.Format(time.DateOnly) <= x.LastDay && i < 62; d, i = d.AddDate(0, 0, 1), i+1 {
			if _, err := s.recompute(ctx, m, d.Format(time.DateOnly), cal); err != nil {
				return false, err
			}
		}
	}
	return true, s.notify(ctx, e.OrgID, "attendance.adjusted", map[string]string{"request_id": x.RequestID, "kind": x.Kind, "status": AdjRevoked,
		"day": x.FirstDay}, []string{x.AccountID})
}

// applyAdj folds an applied adjustment into a day.
func applyAdj(x *dayRow, ad adjRow) {
	if ad.Status != AdjApplied || x.Day < ad.FirstDay || x.Day > ad.LastDay {
		return
	}
	var det adjDetail
	_ = json.Unmarshal([]byte(ad.Detail), &det)
	switch ad.Kind {
	case AdjOvertime:
		x.OvertimeMinutes += det.Minutes
	case AdjLeave, AdjTrip:
		part := "day"
		if x.Day == det.Start && det.StartHalf == "pm" {
			part = "pm"
		}
		if x.Day == det.End && det.EndHalf == "am" {
			if part == "pm" {
				return
			}
			part = "am"
		}
		if x.LeavePart != "" && x.LeavePart != part {
			part = "day"
		}
		x.LeavePart, x.LeaveType = part, det.Type
	}
}

// Adjustment is an approval as attendance applied it.
type Adjustment struct {
	RequestID string `json:"request_id"`
	Kind      string `json:"kind"`
	FirstDay  string `json:"first_day"`
	LastDay   string `json:"last_day"`
	Status    string `json:"status"`
	Detail    string `json:"detail"`
	CreatedAt int64  `json:"created_at"`
}

// MyAdjustments lists the caller's applied and refused approvals of a
// month ("" for the current one).
func (s *Service) MyAdjustments(ctx context.Context, month string) ([]Adjustment, error) {
	a, err := s.callerMember(ctx)
	if err != nil {
		return nil, err
	}
	if month == "" {
		month = s.Now().Format("2006-01")
	}
	days, err := monthDays(month)
	if err != nil {
		return nil, err
	}
	rows, err := adjsOf(ctx, s.DB, a.OrgID, a.MemberID, days[0], days[len(days)-1])
	out := []Adjustment{}
	for _, r := range rows {
		out = append(out, Adjustment{RequestID: r.RequestID, Kind: r.Kind, FirstDay: r.FirstDay, LastDay: r.LastDay, Status: r.Status,
			Detail: r.Detail, CreatedAt: r.CreatedAt})
	}
	return out, err
}

// AdjustmentList is a member's adjustments of a month.
type AdjustmentList struct {
	Items []Adjustment `json:"items"`
}
