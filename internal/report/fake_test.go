package report_test

import (
	"context"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/report"
)

// org is a directory for tests and benchmarks that need no server: its
// people, every caller a manager, and the leaders every report goes to.
type org struct {
	people  []report.Person
	leaders []report.Person
}

func (o org) Authorize(context.Context, perm.Permission, string) error { return nil }

func (o org) Audience(_ context.Context, _ string, a report.Audience) ([]report.Person, error) {
	if a.All || len(a.DepartmentIDs) > 0 {
		return o.people, nil
	}
	var out []report.Person
	for _, p := range append(o.people, o.leaders...) {
		if slices.Contains(a.MemberIDs, p.MemberID) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (o org) Supervisor(context.Context, string, string) ([]report.Person, error) { return nil, nil }
func (o org) Leaders(context.Context, string, string) ([]report.Person, error) {
	return o.leaders, nil
}
func (o org) Leads(context.Context, string, string, string) (bool, error) { return false, nil }
func (o org) Name(context.Context, string, string) string                 { return "" }
