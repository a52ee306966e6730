package report_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/report"
)

// Benchmarks of a 1,000-person department writing daily reports to its
// two leaders. Figures and the command are in docs/benchmarks.md ("Work
// reports").
//
//	go test ./internal/report -run '^$' -bench BenchmarkDepartment1k -benchtime 2s

// BenchmarkDepartment1k fills a week of daily reports (1,000 people × 5
// workdays, outside the timing), then measures submitting one more
// report (sealing aside: no keyring), a leader's first inbox page with
// the unread count, and the statistics of the department over the week
// and over four weeks.
func BenchmarkDepartment1k(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			const n = 1000
			o := org{people: make([]report.Person, n), leaders: make([]report.Person, 2)}
			for i := range o.people {
				o.people[i] = report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc"), DepartmentID: "dep_sales"}
			}
			for i := range o.leaders {
				o.leaders[i] = report.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc"), DepartmentID: "dep_sales"}
			}
			svc := report.New(d, o, nil)
			// Friday 12 February 2027 at noon: the four weeks before it
			// hold 20 workdays.
			// Each reading of the clock moves it a millisecond on.
			var tick atomic.Int64
			svc.Now = func() time.Time {
				return time.Date(2027, 2, 12, 12, 0, 0, 0, time.UTC).Add(time.Duration(tick.Add(1)) * time.Millisecond)
			}
			orgID := ids.New("org")
			as := func(p report.Person) context.Context {
				return actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
			}
			tp, err := svc.CreateTemplate(as(o.leaders[0]), report.TemplateInput{Name: "Daily", Period: report.PeriodDaily,
				Fields: []report.Field{{ID: "done", Label: "Done", Kind: report.KindText, Required: true}, {ID: "hours", Label: "Hours", Kind: report.KindNumber}},
				Plans:  true, Submitters: &report.Audience{DepartmentIDs: []string{"dep_sales"}}, Recipients: report.Recipients{DepartmentLeaders: true}})
			if err != nil {
				b.Fatal(err)
			}
			var days []string
			for day := time.Date(2027, 1, 18, 0, 0, 0, 0, time.UTC); len(days) < 20; day = day.AddDate(0, 0, 1) {
				if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
					days = append(days, day.Format(time.DateOnly))
				}
			}
			values := map[string]json.RawMessage{"done": json.RawMessage(`"Visited three customers and wrote the offer for the fourth"`), "hours": json.RawMessage(`8`)}
			submit := func(p report.Person, period string) {
				if _, err := svc.Write(as(p), report.WriteInput{TemplateID: tp.ID, Period: period, Values: values, Plans: "Follow up", Submit: true}); err != nil {
					b.Fatal(err)
				}
			}
			last := days[len(days)-5:]
			for _, day := range last {
				for _, p := range o.people {
					submit(p, day)
				}
			}
			next := 0 // the next free (person, period), across runs
			b.Run("submit", func(b *testing.B) {
				if next+b.N > n*(len(days)-5) {
					b.Skipf("b.N %d is more than the free periods hold", b.N)
				}
				for i := 0; i < b.N; i++ {
					submit(o.people[next%n], days[next/n])
					next++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
			})
			b.Run("inbox", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					in, err := svc.Inbox(as(o.leaders[0]), report.Query{})
					if err != nil || len(in.Items) != 50 || in.Unread < 5*n {
						b.Fatalf("inbox: %d items, %d unread, %v", len(in.Items), in.Unread, err)
					}
				}
			})
			for _, c := range []struct {
				name     string
				from     string
				statuses int
			}{{"stats_week", last[0], 5 * n}, {"stats_4weeks", days[0], 20 * n}} {
				b.Run(c.name, func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						st, err := svc.Stats(as(o.leaders[0]), tp.ID, report.StatsQuery{From: c.from, To: "2027-02-12", DepartmentID: "dep_sales"})
						if err != nil || len(st.People) != n || len(st.People)*len(st.Periods) != c.statuses {
							b.Fatalf("stats: %d people, %d periods, %v", len(st.People), len(st.Periods), err)
						}
					}
					b.ReportMetric(float64(c.statuses)*float64(b.N)/b.Elapsed().Seconds(), "person-periods/s")
				})
			}
		})
	}
}
