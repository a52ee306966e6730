package announce_test

import (
	"context"
	"testing"

	"github.com/atrium-hq/atrium/internal/announce"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// TestStreamEvents: publishing, editing and withdrawing tell each
// recipient's sessions, with ids only.
func TestStreamEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		org := ids.New("org")
		rs := []announce.Recipient{{MemberID: ids.New("mem"), AccountID: ids.New("acc")}, {MemberID: ids.New("mem"), AccountID: ids.New("acc")}}
		svc := announce.New(d, bigOrg{rs: rs}, nil)
		as := actor.With(ctx, &actor.Actor{AccountID: rs[0].AccountID, OrgID: org, MemberID: rs[0].MemberID})
		a, err := svc.Create(as, announce.CreateInput{Title: "Secret title", Body: "B", Audience: announce.Audience{All: true}, Publish: true})
		if err != nil {
			t.Fatal(err)
		}
		title := "Edited"
		if _, err := svc.Update(as, a.ID, announce.Patch{Title: &title}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Withdraw(as, a.ID); err != nil {
			t.Fatal(err)
		}
		evs, err := events.ReadAfter(ctx, d, 0, 1<<62, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]map[string]bool{}
		for _, e := range evs {
			if e.ScopeKind != events.ScopeAccount || string(e.Data) != `{"id":"`+a.ID+`","org_id":"`+org+`"}` {
				t.Fatalf("event %+v", e)
			}
			if got[e.Type] == nil {
				got[e.Type] = map[string]bool{}
			}
			got[e.Type][e.ScopeID] = true
		}
		for _, typ := range []string{"announcement.published", "announcement.updated", "announcement.withdrawn"} {
			if len(got[typ]) != 2 || !got[typ][rs[0].AccountID] || !got[typ][rs[1].AccountID] {
				t.Errorf("%s went to %v", typ, got[typ])
			}
		}
	})
}
