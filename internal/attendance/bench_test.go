package attendance_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
)

// Benchmarks of 10,000 people of one group checking in on a Monday
// morning, and of the monthly report of those 10,000 people. Figures and
// the command are in docs/benchmarks.md ("Attendance").
//
//	go test ./internal/attendance -run '^$' -bench TenThousand -benchtime 1x

// BenchmarkTenThousand acknowledges the notice for 10,000 people (outside
// the timing), then times their check-ins — 32 devices at a time, each
// at the office, sealing aside (no keyring) — the day's team view of all
// of them (a manager's), and the month's report, with its XLSX.
func BenchmarkTenThousand(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			const n = 10000
			w := newWorld(d, n)
			// Each reading of the clock moves it a millisecond on from
			// Monday 7 December 2026, 08:30 in Shanghai.
			var tick atomic.Int64
			w.svc.Now = func() time.Time { return sh(7, 8, 30).Add(time.Duration(tick.Add(1)) * time.Millisecond) }
			r := fixed()
			if _, err := w.svc.CreateGroup(w.as(w.admin), attendance.GroupInput{Name: "Everyone", Members: attendance.Members{DepartmentIDs: []string{w.dept}}, Rules: r}); err != nil {
				b.Fatal(err)
			}
			work := func(fn func(p attendance.Person) error) time.Duration {
				start := time.Now()
				next := atomic.Int64{}
				var wg sync.WaitGroup
				var first error
				var mu sync.Mutex
				for g := 0; g < 32; g++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := next.Add(1) - 1; i < n; i = next.Add(1) - 1 {
							if err := fn(w.people[i]); err != nil {
								mu.Lock()
								first = err
								mu.Unlock()
								return
							}
						}
					}()
				}
				wg.Wait()
				if first != nil {
					b.Fatal(first)
				}
				return time.Since(start)
			}
			work(func(p attendance.Person) error { _, err := w.svc.AcknowledgeNotice(w.as(p)); return err })

			b.Run("checkin", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					round := i
					el := work(func(p attendance.Person) error {
						_, err := w.svc.Punch(w.as(p), attendance.PunchInput{ClientID: fmt.Sprintf("bench-%d", round), Lat: "31.2310", Lng: "121.4740"})
						return err
					})
					b.ReportMetric(float64(n)/el.Seconds(), "checkins/s")
					b.ReportMetric(el.Seconds(), "s/10k")
				}
			})
			b.Run("team", func(b *testing.B) {
				ctx := w.as(w.admin)
				for i := 0; i < b.N; i++ {
					tm, err := w.svc.Team(ctx, "2026-12-07")
					if err != nil || tm.Summary.Members != n {
						b.Fatalf("team: %+v %v", tm.Summary, err)
					}
				}
			})
			b.Run("monthly", func(b *testing.B) {
				ctx := w.as(w.admin)
				for i := 0; i < b.N; i++ {
					start := time.Now()
					rep, err := w.svc.Monthly(ctx, attendance.ReportQuery{Month: "2026-12"})
					if err != nil || len(rep.Members) != n {
						b.Fatalf("report: %d %v", len(rep.Members), err)
					}
					json := time.Since(start)
					if _, err := rep.XLSX(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(json.Seconds(), "s/report")
					b.ReportMetric(time.Since(start).Seconds(), "s/report+xlsx")
				}
			})
		})
	}
}
