package stream_test

import (
	"context"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

// TestTwoNodesOnPostgres runs two gateways, each with its own database
// pool, hub and LISTEN/NOTIFY bus, on one PostgreSQL schema: an event
// appended through node A reaches a socket on node B at once (not by the
// hub's poll, which is set to an hour), and typing and presence cross too.
func TestTwoNodesOnPostgres(t *testing.T) {
	ctx := context.Background()
	da := dbtest.Open(t, db.Postgres)
	db2, err := db.Open(ctx, db.Options{URL: da.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	busA, err := events.NewPGBus(ctx, da, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busA.Close() })
	busB, err := events.NewPGBus(ctx, db2, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busB.Close() })
	convs := &memberships{}
	convs.set("cnv_1", "acc_a", true)
	convs.set("cnv_1", "acc_b", true)
	slow := events.HubOptions{Poll: time.Hour}
	a := startNode(t, da, busA, convs, stream.Options{}, slow)
	b := startNode(t, db2, busB, convs, stream.Options{}, slow)
	b.gw.Directory = orgFixture{}

	onB := dial(t, b, "acc_b", "ses_b", "org_1", nil)
	onB.ready()
	onA := dial(t, a, "acc_a", "ses_a", "org_1", nil)
	onA.ready()
	for i := 0; i < 50; i++ {
		appendEv(t, da, "org_1", events.ScopeConversation, "cnv_1", "message.created", map[string]int{"i": i})
	}
	var got int
	for got < 50 {
		f := onB.mustNext()
		if f.Type == "event" && f.Event == "message.created" {
			got++
		}
	}

	// Typing crosses nodes.
	onA.send(map[string]string{"type": "typing", "conversation_id": "cnv_1"})
	for {
		f := onB.mustNext()
		if f.Type == "typing" {
			if f.AccountID != "acc_a" || f.ConvID != "cnv_1" {
				t.Fatalf("typing frame %+v", f)
			}
			break
		}
	}

	// Presence: B watches A, sees A online (A's socket is on node A), then
	// offline when A leaves.
	onB.send(map[string]any{"type": "presence_subscribe", "account_ids": []string{"acc_a", "acc_stranger"}})
	waitPresence(t, onB, "acc_a", "online")
	onA.c.CloseNow()
	waitPresence(t, onB, "acc_a", "offline")
}

func waitPresence(t *testing.T, c *client, acc, status string) {
	t.Helper()
	for {
		f := c.mustNext()
		if f.Type == "presence" && f.AccountID == "acc_stranger" {
			t.Fatalf("presence of a non-member was shown: %+v", f)
		}
		if f.Type == "presence" && f.AccountID == acc && f.Status == status {
			return
		}
	}
}

// orgFixture says every account but acc_stranger is an active member.
type orgFixture struct{}

func (orgFixture) IsActiveMember(_ context.Context, orgID, acc string) bool {
	return orgID == "org_1" && acc != "acc_stranger"
}
