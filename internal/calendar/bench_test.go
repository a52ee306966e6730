package calendar_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Benchmarks of expanding a year of a daily event and of the free/busy
// of 50 people over a week. Figures and the commands are in
// docs/benchmarks.md ("Calendar").
//
//	go test ./internal/calendar -run '^$' -bench 'ExpandYear|FreeBusy50' -benchtime 20x

// org is a directory for benchmarks: its members, nobody a manager.
type org struct {
	people []calendar.Person
}

func (o *org) Authorize(context.Context, perm.Permission, string) error {
	return apperr.Forbidden("forbidden", "no")
}

func (o *org) Audience(_ context.Context, _ string, memberIDs, _, _ []string) ([]calendar.Person, error) {
	var out []calendar.Person
	for _, p := range o.people {
		if slices.Contains(memberIDs, p.MemberID) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (o *org) Name(context.Context, string, string) string { return "" }

// BenchmarkExpandYear lists a year of a daily event in Europe/Berlin
// (365 occurrences across both changes of the clock) through the service.
func BenchmarkExpandYear(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			orgID := ids.New("org")
			p := calendar.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
			svc := calendar.New(d, &org{people: []calendar.Person{p}}, nil)
			ctx := actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
			if _, err := svc.CreateEvent(ctx, calendar.EventInput{Title: "Daily", Start: "2027-01-01T09:00", End: "2027-01-01T09:15",
				TimeZone: "Europe/Berlin", RRule: "FREQ=DAILY"}); err != nil {
				b.Fatal(err)
			}
			from, to := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for b.Loop() {
				l, err := svc.ListEvents(ctx, from, to, nil)
				if err != nil || len(l.Items) != 365 {
					b.Fatalf("%d occurrences, %v", len(l.Items), err)
				}
			}
		})
	}
}

// BenchmarkFreeBusy50 asks for the free/busy of 50 people over a week,
// each with a daily standup (recurring, in the organizer's calendar,
// everyone invited), a weekly one-to-one and ten meetings of their own.
func BenchmarkFreeBusy50(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			orgID := ids.New("org")
			o := &org{}
			var members []string
			for range 50 {
				p := calendar.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
				o.people = append(o.people, p)
				members = append(members, p.MemberID)
			}
			svc := calendar.New(d, o, nil)
			as := func(p calendar.Person) context.Context {
				return actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: orgID, MemberID: p.MemberID})
			}
			must := func(_ calendar.Event, err error) {
				if err != nil {
					b.Fatal(err)
				}
			}
			must(svc.CreateEvent(as(o.people[0]), calendar.EventInput{Title: "Standup", Start: "2027-01-04T09:00", End: "2027-01-04T09:15",
				TimeZone: "Europe/Berlin", RRule: "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", Attendees: calendar.AttendeesInput{MemberIDs: members}}))
			for i, p := range o.people {
				peer := o.people[(i+1)%len(o.people)].MemberID
				must(svc.CreateEvent(as(p), calendar.EventInput{Title: "1:1", Start: "2027-01-05T11:00", End: "2027-01-05T11:30",
					TimeZone: "Europe/Berlin", RRule: "FREQ=WEEKLY", Attendees: calendar.AttendeesInput{MemberIDs: []string{peer}}}))
				for j := range 10 {
					day, hour := 11+j%5, 13+j/5*2
					must(svc.CreateEvent(as(p), calendar.EventInput{Title: fmt.Sprintf("Meeting %d", j), Start: fmt.Sprintf("2027-01-%02dT%02d:00", day, hour),
						End: fmt.Sprintf("2027-01-%02dT%02d:45", day, hour), TimeZone: "Europe/Berlin"}))
				}
			}
			ctx := as(o.people[0])
			from, to := time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 18, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for b.Loop() {
				fb, err := svc.FreeBusy(ctx, members, from, to)
				if err != nil || len(fb.People) != 50 || len(fb.People[1].Busy) != 5+2+10 {
					b.Fatalf("free/busy: %d people, %d busy, %v", len(fb.People), len(fb.People[1].Busy), err)
				}
			}
		})
	}
}
