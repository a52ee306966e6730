package approval_test

import (
	"context"
	"encoding/json"
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
