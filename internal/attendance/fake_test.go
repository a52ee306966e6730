package attendance_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// org is a directory for tests and benchmarks that need no server: its
// people (in departments), the managers, and each member's supervisor.
type org struct {
	people      []attendance.Person
	managers    map[string]bool // account ids
	supervisors map[string]string
	leaders     map[string]string // department → leading member
}

func (o *org) Authorize(ctx context.Context, _ perm.Permission, _ string) error {
	a, _ := actor.Caller(ctx)
	if a != nil && o.managers[a.AccountID] {
		return nil
	}
	return apperr.Forbidden("forbidden", "no")
}

func (o *org) Audience(_ context.Context, _ string, memberIDs, deptIDs []string) ([]attendance.Person, error) {
	var out []attendance.Person
	for _, p := range o.people {
		if slices.Contains(memberIDs, p.MemberID) || slices.Contains(deptIDs, p.DepartmentID) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (o *org) Supervisor(_ context.Context, _ string, memberID string) ([]attendance.Person, error) {
	for _, p := range o.people {
		if o.supervisors[memberID] == p.MemberID {
			return []attendance.Person{p}, nil
		}
	}
	return nil, nil
}

func (o *org) Leads(_ context.Context, _ string, memberID, deptID string) (bool, error) {
	return o.leaders[deptID] == memberID, nil
}

func (o *org) Name(_ context.Context, _ string, accountID string) string {
	for i, p := range o.people {
		if p.AccountID == accountID {
			return "Person " + string(rune('A'+i%26))
		}
	}
	return ""
}

// consents grants the location consent to the accounts listed.
type consents map[string]bool

func (c consents) HasConsent(_ context.Context, accountID, purpose string) (bool, error) {
	return purpose == attendance.PurposeLocation && c[accountID], nil
}

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// world is one organization with an admin and members in a department.
type world struct {
	svc    *attendance.Service
	dir    *org
	clock  *clock
	orgID  string
	admin  attendance.Person
	people []attendance.Person
	dept   string
}

func newWorld(d *db.DB, n int) *world {
	w := &world{orgID: ids.New("org"), dept: ids.New("dep"), clock: &clock{t: sh(7, 8, 0)}}
	w.admin = attendance.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc")}
	w.dir = &org{managers: map[string]bool{w.admin.AccountID: true}, supervisors: map[string]string{}, leaders: map[string]string{}}
	for i := 0; i < n; i++ {
		p := attendance.Person{MemberID: ids.New("mem"), AccountID: ids.New("acc"), DepartmentID: w.dept}
		w.people = append(w.people, p)
	}
	w.dir.people = append(append([]attendance.Person(nil), w.people...), w.admin)
	w.svc = attendance.New(d, w.dir, nil)
	w.svc.Now = w.clock.now
	c := consents{}
	for _, p := range w.people {
		c[p.AccountID] = true
	}
	w.svc.Consents = c
	return w
}

func (w *world) as(p attendance.Person) context.Context {
	return actor.With(context.Background(), &actor.Actor{AccountID: p.AccountID, OrgID: w.orgID, MemberID: p.MemberID})
}

var cst = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// sh is a time in Shanghai in December 2026 (the 7th is a Monday).
func sh(day, hour, minute int) time.Time { return time.Date(2026, 12, day, hour, minute, 0, 0, cst) }
