package attendance_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// approve appends an approval.approved event as approvals do.
func (w *world) approve(t *testing.T, d *db.DB, requestID, builtin string, p attendance.Person, form map[string]any) {
	t.Helper()
	if _, err := events.Append(context.Background(), d, w.orgID, events.ScopeAccount, p.AccountID, attendance.EventApproved,
		map[string]any{"request_id": requestID, "builtin": builtin, "applicant_id": p.AccountID, "form": form}); err != nil {
		t.Fatal(err)
	}
}

// TestApprovalsAndMonthlyReport: approved leave turns an absence into
// leave, a trip and overtime count, a correction fills a missing
// check-in until the monthly limit (then it is refused); the monthly
// report counts it all, its CSV matches the golden file and its XLSX
// reads back with the same numbers.
func TestApprovalsAndMonthlyReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(d, 3)
		w.group(t, fixed()) // correction limit 1
		w.ack(t, w.people...)
		a, b, c := w.people[0], w.people[1], w.people[2]

		// A: absent Monday 7th (leave), half a day Tuesday 8th (leave am,
		// arrives 13:00), overtime on the 9th, normal otherwise until the
		// 11th.
		w.mustPunch(t, a, sh(8, 13, 0), "")
		w.mustPunch(t, a, sh(8, 18, 0), "")
		w.mustPunch(t, a, sh(9, 9, 0), "")
		w.mustPunch(t, a, sh(9, 18, 0), "")
		w.approve(t, d, "req_leave", "leave", a, map[string]any{"type": "Annual",
			"period": map[string]any{"start": "2026-12-07", "end": "2026-12-08", "start_half": "am", "end_half": "am", "duration": "1.5"}})
		w.approve(t, d, "req_ot", "overtime", a, map[string]any{"period": map[string]any{"start": "2026-12-09T18:00", "end": "2026-12-09T20:30"}})
		// B: a trip on the 7th; forgets to check in on the 8th and 9th;
		// corrections for both: the first applied, the second refused.
		w.approve(t, d, "req_trip", "trip", b, map[string]any{"destination": "Beijing",
			"period": map[string]any{"start": "2026-12-07", "end": "2026-12-07", "start_half": "am", "end_half": "pm"}})
		w.mustPunch(t, b, sh(8, 18, 0), attendance.PunchOut)
		w.mustPunch(t, b, sh(9, 18, 0), attendance.PunchOut)
		w.approve(t, d, "req_fix1", "correction", b, map[string]any{"date": "2026-12-08", "kind": "in", "time": "09:00"})
		w.approve(t, d, "req_fix2", "correction", b, map[string]any{"date": "2026-12-09", "kind": "in", "time": "09:00"})
		// Something attendance does not know, and an unknown person.
		w.approve(t, d, "req_exp", "expense", a, map[string]any{})
		w.approve(t, d, "req_who", "leave", attendance.Person{AccountID: "acc_nobody"}, map[string]any{})

		w.clock.set(sh(10, 0, 30))
		n, err := w.svc.ApplyApprovals(ctx)
		if err != nil || n != 5 {
			t.Fatalf("applied %d: %v", n, err)
		}
		// Applying again changes nothing.
		if n, err := w.svc.ApplyApprovals(ctx); err != nil || n != 0 {
			t.Fatalf("applied twice: %d %v", n, err)
		}
		now := sh(10, 0, 30)
		if got := w.day(t, a, now, "2026-12-07"); got.Status != attendance.StatusLeave || got.LeaveType != "Annual" {
			t.Fatalf("leave: %+v", got)
		}
		if got := w.day(t, a, now, "2026-12-08"); got.Status != attendance.StatusNormal || got.LeavePart != "am" || got.Late {
			t.Fatalf("half a day of leave: %+v", got)
		}
		if got := w.day(t, a, now, "2026-12-09"); got.OvertimeMinutes != 150 {
			t.Fatalf("overtime: %+v", got)
		}
		if got := w.day(t, b, now, "2026-12-07"); got.Status != attendance.StatusTrip {
			t.Fatalf("trip: %+v", got)
		}
		if got := w.day(t, b, now, "2026-12-08"); got.Status != attendance.StatusNormal || !got.Corrected {
			t.Fatalf("corrected: %+v", got)
		}
		if got := w.day(t, b, now, "2026-12-09"); got.Status != attendance.StatusAbnormal || !got.MissingIn || got.Corrected {
			t.Fatalf("over the limit: %+v", got)
		}
		adj, err := w.svc.MyAdjustments(w.as(b), "2026-12")
		if err != nil || len(adj) != 3 || adj[2].Status != attendance.AdjRefused {
			t.Fatalf("adjustments: %+v %v", adj, err)
		}
		// A revoked correction is undone; the refused one stays refused.
		for _, id := range []string{"req_fix1", "req_fix2"} {
			if _, err := events.Append(ctx, d, w.orgID, events.ScopeAccount, b.AccountID, attendance.EventRevoked, map[string]any{"request_id": id}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := w.svc.ApplyApprovals(ctx); err != nil || n != 1 {
			t.Fatalf("revoked %d: %v", n, err)
		}
		if got := w.day(t, b, now, "2026-12-08"); !got.MissingIn || got.Corrected {
			t.Fatalf("after revoking the correction: %+v", got)
		}
		// Approved again (a new request): filled again, within the limit.
		w.approve(t, d, "req_fix3", "correction", b, map[string]any{"date": "2026-12-08", "kind": "in", "time": "09:00"})
		if n, err := w.svc.ApplyApprovals(ctx); err != nil || n != 1 {
			t.Fatalf("applied %d: %v", n, err)
		}
		if got := w.day(t, b, now, "2026-12-08"); got.Status != attendance.StatusNormal || !got.Corrected {
			t.Fatalf("corrected again: %+v", got)
		}

		// The monthly report, on the morning of Saturday the 12th: C was
		// absent all week.
		w.clock.set(sh(12, 9, 0))
		_, err = w.svc.Monthly(w.as(a), attendance.ReportQuery{Month: "2026-12"})
		wantCode(t, err, "forbidden")
		rep, err := w.svc.Monthly(w.as(w.admin), attendance.ReportQuery{Month: "2026-12"})
		if err != nil || len(rep.Members) != 3 || len(rep.Departments) != 1 {
			t.Fatalf("report: %+v %v", rep, err)
		}
		line := map[string]attendance.MemberMonth{}
		for _, m := range rep.Members {
			line[m.MemberID] = m
		}
		if la := line[a.MemberID]; la.Leave["Annual"] != 1.5 || la.OvertimeMinutes != 150 || la.Absent != 2 || la.Workdays != 5 {
			t.Fatalf("A: %+v", la)
		}
		if lb := line[b.MemberID]; lb.TripDays != 1 || lb.Corrected != 1 || lb.MissingIn != 1 || lb.Absent != 2 {
			t.Fatalf("B: %+v", lb)
		}
		if lc := line[c.MemberID]; lc.Absent != 5 || lc.Workdays != 5 {
			t.Fatalf("C: %+v", lc)
		}
		if dep := rep.Departments[0]; dep.Members != 3 || dep.Absent != 9 {
			t.Fatalf("department: %+v", dep)
		}

		// CSV: a golden file, with stable ids and names.
		ren := map[string]string{a.MemberID: "mem_a", b.MemberID: "mem_b", c.MemberID: "mem_c", w.dept: "dep_sales"}
		for i := range rep.Members {
			rep.Members[i].MemberID = ren[rep.Members[i].MemberID]
			rep.Members[i].DepartmentID = ren[rep.Members[i].DepartmentID]
			rep.Members[i].Name = rep.Members[i].MemberID
		}
		var buf bytes.Buffer
		if err := rep.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "monthly.csv")
		if *update {
			if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil || !bytes.Equal(want, buf.Bytes()) {
			t.Fatalf("monthly CSV differs from %s (-update rewrites it):\n%s", golden, buf.String())
		}

		// XLSX: the same numbers, read back.
		x, err := rep.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Members")
		if err != nil || len(rows) != 4 {
			t.Fatalf("sheet: %v %v", rows, err)
		}
		csvRows := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
		for i, r := range rows {
			if got := bytes.Join(toBytes(r), []byte(",")); !bytes.Equal(got, csvRows[i]) {
				t.Fatalf("xlsx row %d: %s, csv %s", i, got, csvRows[i])
			}
		}
		if v, err := f.GetCellValue("Departments", "E2"); err != nil || v != "9" {
			t.Fatalf("departments absent: %q %v", v, err)
		}
	})
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// TestTeamAndReminders: a supervisor sees their people's results with in
// or out of area and distance only; reminders go once, before the start
// to those not checked in and at the end to those not checked out.
func TestTeamAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(d, 3)
		r := fixed()
		r.RemindBeforeMinutes = 10
		r.OutOfArea = attendance.OutOfAreaNote
		w.group(t, r)
		w.ack(t, w.people...)
		boss, ann, bob := w.people[0], w.people[1], w.people[2]
		w.dir.supervisors[ann.MemberID] = boss.MemberID

		// 08:45: too early for reminders; 08:52: Ann and Bob are reminded
		// (Boss checked in), once.
		w.mustPunch(t, boss, sh(7, 8, 40), "")
		w.clock.set(sh(7, 8, 45))
		if n, err := w.svc.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("early: %d %v", n, err)
		}
		w.clock.set(sh(7, 8, 52))
		if n, err := w.svc.RemindDue(ctx); err != nil || n != 2 {
			t.Fatalf("check-in reminders: %d %v", n, err)
		}
		if n, err := w.svc.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("again: %d %v", n, err)
		}
		if _, err := w.punch(t, ann, sh(7, 9, 30), attendance.PunchInput{Lat: "31.25", Lng: "121.4737", Note: "at the bank"}); err != nil {
			t.Fatal(err)
		}
		// 18:00: Boss and Ann have not checked out; Bob never came.
		w.clock.set(sh(7, 18, 0))
		if n, err := w.svc.RemindDue(ctx); err != nil || n != 2 {
			t.Fatalf("check-out reminders: %d %v", n, err)
		}
		evs, err := events.ReadAfter(ctx, d, 0, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, e := range evs {
			if e.Type == "attendance.reminder" {
				got++
			}
		}
		if got != 4 {
			t.Fatalf("%d reminder events", got)
		}

		// The team view: Boss sees Ann, late and out of the area with the
		// distance, and nobody else.
		w.clock.set(sh(7, 12, 0))
		tm, err := w.svc.Team(w.as(boss), "2026-12-07")
		if err != nil || len(tm.Members) != 1 || tm.Members[0].MemberID != ann.MemberID {
			t.Fatalf("team: %+v %v", tm, err)
		}
		am := tm.Members[0]
		if !am.Day.Late || !am.Day.OutOfArea || len(am.Punches) != 1 || am.Punches[0].InArea || am.Punches[0].DistanceM < 2000 {
			t.Fatalf("Ann: %+v", am)
		}
		if tm.Summary.Members != 1 || tm.Summary.Late != 1 || tm.Summary.OutOfArea != 1 {
			t.Fatalf("summary: %+v", tm.Summary)
		}
		if tm, err := w.svc.Team(w.as(bob), ""); err != nil || len(tm.Members) != 0 {
			t.Fatalf("nobody's supervisor: %+v %v", tm, err)
		}
		all, err := w.svc.Team(w.as(w.admin), "2026-12-07")
		if err != nil || all.Summary.Members != 3 || all.Summary.Pending != 1 {
			t.Fatalf("the manager's team: %+v %v", all.Summary, err)
		}
	})
}

// TestApprovalsAmongOtherEvents: approvals are found among many other
// events (chat's, mostly), before and after them, each applied once, and the
// cursor ends at the head of the log, past the events that do not concern
// attendance.
func TestApprovalsAmongOtherEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(d, 1)
		w.group(t, fixed())
		w.ack(t, w.people...)
		a := w.people[0]
		noise := func(n int) {
			t.Helper()
			evs := make([]events.Pending, n)
			for i := range evs {
				evs[i] = events.Pending{OrgID: w.orgID, ScopeKind: events.ScopeConversation, ScopeID: "cnv_x", Type: "message.created", Data: map[string]any{"i": i}}
			}
			if err := events.AppendBatch(ctx, d, evs); err != nil {
				t.Fatal(err)
			}
		}
		noise(450)
		w.approve(t, d, "req_leave", "leave", a, map[string]any{"type": "Annual",
			"period": map[string]any{"start": "2026-12-07", "end": "2026-12-07"}})
		noise(250)
		w.approve(t, d, "req_ot", "overtime", a, map[string]any{"period": map[string]any{"start": "2026-12-09T18:00", "end": "2026-12-09T19:00"}})
		noise(30)
		w.clock.set(sh(10, 0, 30))
		head, err := events.Head(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.ApplyApprovals(ctx); err != nil || n != 2 {
			t.Fatalf("applied %d: %v", n, err)
		}
		// Applying appends events of its own; the cursor is past the head
		// seen before.
		pos, err := db.QueryOne(ctx, d.R(ctx), db.Value[int64], `SELECT position FROM attendance_cursor WHERE name = 'approvals'`)
		if err != nil || pos < head {
			t.Fatalf("cursor at %d (%v), head %d", pos, err, head)
		}
		noise(10)
		if n, err := w.svc.ApplyApprovals(ctx); err != nil || n != 0 {
			t.Fatalf("applied again: %d %v", n, err)
		}
		now := sh(10, 0, 30)
		if got := w.day(t, a, now, "2026-12-07"); got.Status != attendance.StatusLeave {
			t.Fatalf("leave: %+v", got)
		}
		if got := w.day(t, a, now, "2026-12-09"); got.OvertimeMinutes != 60 {
			t.Fatalf("overtime: %+v", got)
		}
	})
}
