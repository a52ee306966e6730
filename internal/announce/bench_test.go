package announce_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Benchmarks of publishing. Figures and the command are in
// docs/benchmarks.md ("Announcements").
//
//	go test ./internal/announce -run '^$' -bench BenchmarkPublish10k -benchtime 20x

// bigOrg is a directory of n members in 20 departments, every caller a
// publisher.
type bigOrg struct{ rs []announce.Recipient }

func (o bigOrg) Authorize(context.Context, perm.Permission, string) error { return nil }
func (o bigOrg) Audience(context.Context, string, announce.Audience) ([]announce.Recipient, error) {
	return o.rs, nil
}
func (o bigOrg) HasDepartment(context.Context, string, string) bool { return true }

// BenchmarkPublish10k publishes announcements to 10,000 people (recipient
// rows and one stream event each, in one transaction), then reads the
// read list of the last one.
func BenchmarkPublish10k(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			const n = 10_000
			org := bigOrg{rs: make([]announce.Recipient, n)}
			for i := range org.rs {
				org.rs[i] = announce.Recipient{MemberID: ids.New("mem"), AccountID: ids.New("acc"), DepartmentID: fmt.Sprintf("dep_%02d", i%20)}
			}
			svc := announce.New(d, org, nil)
			ctx := actor.With(context.Background(), &actor.Actor{AccountID: org.rs[0].AccountID, OrgID: ids.New("org"), MemberID: org.rs[0].MemberID})
			var last string
			b.Run("publish", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					a, err := svc.Create(ctx, announce.CreateInput{Title: "Notice", Body: "Hello", Audience: announce.Audience{All: true}, Publish: true})
					if err != nil {
						b.Fatal(err)
					}
					last = a.ID
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "recipients/s")
			})
			b.Run("read_list", func(b *testing.B) {
				benchReadList(b, ctx, svc, last, n)
			})
		})
	}
}

func benchReadList(b *testing.B, ctx context.Context, svc *announce.Service, id string, n int) {
	for i := 0; i < b.N; i++ {
		rc, err := svc.Receipts(ctx, id)
		if err != nil || rc.Total != n {
			b.Fatalf("receipts: %d, %v", rc.Total, err)
		}
	}
}
