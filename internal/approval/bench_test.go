package approval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Benchmarks of an approver with 5,000 requests waiting for them. Figures
// and the command are in docs/benchmarks.md ("Approvals").
//
//	go test ./internal/approval -run '^$' -bench BenchmarkApprover5k -benchtime 2s

// BenchmarkApprover5k files 5,000 expense requests (100 applicants, one
// supervisor; outside the timing), then measures filing one more
// (checking the form, resolving a two-step flow with a condition,
// sealing aside: no keyring), deciding one (approve at the first step,
// which opens the second), and the approver's first "To approve" page.
func BenchmarkApprover5k(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			o := &org{people: make([]approval.Person, 100), boss: approval.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}}
			for i := range o.people {
				o.people[i] = approval.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
			}
			svc := approval.New(d, o, nil)
			var tick atomic.Int64
			svc.Now = func() time.Time {
				return time.Date(2027, 2, 12, 12, 0, 0, 0, time.UTC).Add(time.Duration(tick.Add(1)) * time.Millisecond)
			}
			orgID := ids.New("org")
			as := func(p approval.Person) context.Context {
				return actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
			}
			when := approval.Condition{Field: "amount", Op: "gt", Value: json.RawMessage(`"5000"`)}
			tp, err := svc.CreateTemplate(as(o.boss), approval.TemplateInput{Name: "Expense",
				Fields: approval.Schema{{ID: "amount", Type: "money", Label: "Amount", Required: true}, {ID: "note", Type: "textarea", Label: "Note"}},
				Flow: &approval.Flow{Steps: []approval.Step{
					{ID: "s1", Name: "Supervisor", Mode: "any", Approvers: approval.Approvers{Type: "supervisor", Levels: 1}},
					{ID: "s2", Name: "Leaders", Mode: "any", Approvers: approval.Approvers{Type: "department_leaders"}, When: &when},
				}}})
			if err != nil {
				b.Fatal(err)
			}
			form := json.RawMessage(`{"amount":"8000.00","note":"Flights and two nights in Shanghai for the customer visit"}`)
			fileOne := func(i int) approval.Request {
				r, err := svc.Submit(as(o.people[i%len(o.people)]), approval.SubmitInput{TemplateID: tp.ID, Form: form})
				if err != nil {
					b.Fatal(err)
				}
				return r
			}
			var pending []string
			for i := range 5000 {
				pending = append(pending, fileOne(i).ID)
			}
			b.Run("file", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					pending = append(pending, fileOne(i).ID)
				}
			})
			b.Run("decide", func(b *testing.B) {
				i := 0
				for b.Loop() {
					if _, err := svc.Approve(as(o.boss), pending[i], approval.DecisionInput{Comment: "ok"}); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("todo", func(b *testing.B) {
				for b.Loop() {
					p, err := svc.List(as(o.boss), approval.Query{Box: approval.BoxTodo})
					if err != nil || len(p.Items) != approval.DefaultLimit {
						b.Fatalf("todo: %d %v", len(p.Items), err)
					}
				}
			})
		})
	}
}

// teams is org with ten supervisors, each over a tenth of the people.
type teams struct {
	*org
	bosses []approval.Person
}

func (t *teams) bossOf(memberID string) (approval.Person, bool) {
	i := slices.IndexFunc(t.people, func(p approval.Person) bool { return p.MemberID == memberID })
	if i < 0 {
		return approval.Person{}, false
	}
	return t.bosses[i%len(t.bosses)], true
}

func (t *teams) Supervisors(_ context.Context, _, memberID string) ([]approval.Link, error) {
	if b, ok := t.bossOf(memberID); ok {
		return []approval.Link{{Person: b, Active: true}}, nil
	}
	return nil, nil
}

// BenchmarkTenThousandRequests files 10,000 leave requests from 1,000
// people, eight at a time, then has their ten supervisors approve them
// all, eight decisions at a time, and reports requests filed and decided
// per second. Run it once:
//
//	go test ./internal/approval -run '^$' -bench TenThousandRequests -benchtime 1x
func BenchmarkTenThousandRequests(b *testing.B) {
	const requests, workers = 10_000, 8
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			for b.Loop() {
				d := dbtest.Open(b, k)
				o := &teams{org: &org{people: make([]approval.Person, 1000)}, bosses: make([]approval.Person, 10)}
				for i := range o.people {
					o.people[i] = approval.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
				}
				for i := range o.bosses {
					o.bosses[i] = approval.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
				}
				o.boss, o.others = o.bosses[0], o.bosses[1:]
				svc := approval.New(d, o, nil)
				orgID := ids.New("org")
				as := func(p approval.Person) context.Context {
					return actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
				}
				tp, err := svc.CreateTemplate(as(o.boss), approval.TemplateInput{Name: "Leave",
					Fields: approval.Schema{{ID: "period", Type: "daterange", Label: "Period", Required: true, Unit: "half_day"},
						{ID: "reason", Type: "textarea", Label: "Reason", Required: true}},
					Flow: &approval.Flow{Steps: []approval.Step{{ID: "s1", Name: "Supervisor", Mode: "any", Approvers: approval.Approvers{Type: "supervisor", Levels: 1}}}}})
				if err != nil {
					b.Fatal(err)
				}
				form := json.RawMessage(`{"period":{"start":"2027-03-01","end":"2027-03-02","start_half":"am","end_half":"pm"},"reason":"Family visit"}`)
				filed := make([]string, requests)
				run := func(what string, fn func(i int) error) time.Duration {
					start := time.Now()
					var wg sync.WaitGroup
					var next atomic.Int64
					errs := make(chan error, workers)
					for range workers {
						wg.Go(func() {
							for {
								i := int(next.Add(1)) - 1
								if i >= requests {
									return
								}
								if err := fn(i); err != nil {
									errs <- fmt.Errorf("%s %d: %w", what, i, err)
									return
								}
							}
						})
					}
					wg.Wait()
					close(errs)
					for err := range errs {
						b.Fatal(err)
					}
					return time.Since(start)
				}
				fileTime := run("file", func(i int) error {
					r, err := svc.Submit(as(o.people[i%len(o.people)]), approval.SubmitInput{TemplateID: tp.ID, Form: form})
					filed[i] = r.ID
					return err
				})
				decideTime := run("decide", func(i int) error {
					boss, _ := o.bossOf(o.people[i%len(o.people)].MemberID)
					r, err := svc.Approve(as(boss), filed[i], approval.DecisionInput{})
					if err == nil && r.Status != approval.StatusApproved {
						err = fmt.Errorf("status %s", r.Status)
					}
					return err
				})
				b.ReportMetric(requests/fileTime.Seconds(), "filed/s")
				b.ReportMetric(requests/decideTime.Seconds(), "decided/s")
				b.ReportMetric((fileTime + decideTime).Seconds(), "s-total")
			}
		})
	}
}
