package events_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func appendN(t *testing.T, d *db.DB, n int, scope string) []int64 {
	t.Helper()
	var out []int64
	for i := 0; i < n; i++ {
		p, err := events.Append(context.Background(), d, "org_a", events.ScopeConversation, scope, "message.created", map[string]int{"i": i})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestReadHorizonTrim(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if h, _ := events.Head(ctx, d); h != 0 {
			t.Fatalf("empty head = %d", h)
		}
		ps := appendN(t, d, 10, "cnv_1")
		appendN(t, d, 5, "cnv_2")
		for i := 1; i < len(ps); i++ {
			if ps[i] <= ps[i-1] {
				t.Fatalf("positions not increasing: %v", ps)
			}
		}
		evs, err := events.ReadAfter(ctx, d, ps[2], ps[5], 100)
		if err != nil || len(evs) != 3 || evs[0].Pos != ps[3] || string(evs[0].Data) != `{"i":3}` {
			t.Fatalf("ReadAfter = %+v, %v", evs, err)
		}
		evs, err = events.ReadFor(ctx, d, 0, 0, 100, events.Selector{AccountID: "acc_x", ConversationIDs: []string{"cnv_2"}})
		if err != nil || len(evs) != 5 || evs[0].ScopeID != "cnv_2" {
			t.Fatalf("ReadFor = %d events, %v", len(evs), err)
		}
		if h, _ := events.Horizon(ctx, d); h != ps[0]-1 {
			t.Fatalf("horizon = %d, want %d", h, ps[0]-1)
		}
		// Trim everything: the newest event stays, so the horizon is just below it.
		n, err := events.Trim(ctx, d, time.Now().Add(time.Hour).UnixMilli())
		if err != nil || n != 14 {
			t.Fatalf("trim = %d, %v", n, err)
		}
		head, _ := events.Head(ctx, d)
		if h, _ := events.Horizon(ctx, d); h != head-1 {
			t.Fatalf("horizon after trim = %d, head %d", h, head)
		}
	})
}

// TestPositionsBecomeVisibleInOrder appends from many concurrent
// transactions that commit after random delays while a reader tails the log
// with "pos > cursor". Every appended position must be seen: a position that
// commits after a higher one would be skipped by the reader.
func TestPositionsBecomeVisibleInOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const writers, perWriter = 8, 40
		var mu sync.Mutex
		var appended []int64
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWriter; i++ {
					err := d.Tx(ctx, func(ctx context.Context) error {
						p, err := events.Append(ctx, d, "org_a", events.ScopeOrg, "org_a", "x", nil)
						if err != nil {
							return err
						}
						time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
						mu.Lock()
						appended = append(appended, p)
						mu.Unlock()
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		seen := map[int64]bool{}
		var cursor int64
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		finished := false
		for !finished {
			select {
			case <-done:
				finished = true // one last read below
			default:
			}
			evs, err := events.ReadAfter(ctx, d, cursor, 0, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				seen[e.Pos] = true
				cursor = e.Pos
			}
		}
		if len(appended) != writers*perWriter {
			t.Fatalf("appended %d", len(appended))
		}
		for _, p := range appended {
			if !seen[p] {
				t.Fatalf("position %d was committed but the tailing reader skipped it", p)
			}
		}
	})
}

func TestHubDeliversInOrderAndJoins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		bus := events.NewLocalBus()
		events.Attach(d, bus)
		defer events.Attach(d, nil)
		before := appendN(t, d, 3, "cnv_1")
		hub := events.NewHub(d, bus, quiet, events.HubOptions{Ring: 8, Batch: 5})
		var mu sync.Mutex
		var got []int64
		hub.SetSink(func(b []*events.Frame) {
			mu.Lock()
			for _, f := range b {
				got = append(got, f.Pos)
			}
			mu.Unlock()
		})
		if err := hub.Start(ctx); err != nil {
			t.Fatal(err)
		}
		want := appendN(t, d, 20, "cnv_1")
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n >= len(want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		if len(got) != len(want) {
			t.Fatalf("hub delivered %v, want %v (history before start %v must not be streamed)", got, want, before)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("hub delivered %v, want %v", got, want)
			}
		}
		mu.Unlock()
		// The ring keeps at least the last 8 frames: a cursor inside them is covered.
		hub.Join(want[14], func(head int64, recent []*events.Frame, covered bool) {
			if !covered || head != want[19] || len(recent) != 5 || recent[0].Pos != want[15] {
				t.Errorf("join inside ring: head %d covered %v recent %d", head, covered, len(recent))
			}
		})
		hub.Join(want[2], func(head int64, recent []*events.Frame, covered bool) {
			if covered {
				t.Errorf("join before ring reported covered")
			}
		})
	})
}

// TestPGBusCrossesNodes: a position announced by one bus wakes another
// bus on the same database, and ephemeral payloads reach the other node.
func TestPGBusCrossesNodes(t *testing.T) {
	d := dbtest.Open(t, db.Postgres)
	ctx := context.Background()
	a, err := events.NewPGBus(ctx, d, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	d2, err := db.Open(ctx, db.Options{URL: d.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	b, err := events.NewPGBus(ctx, d2, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a.Notify(42)
	select {
	case <-b.Wake():
	case <-time.After(10 * time.Second):
		t.Fatal("node b was not woken")
	}
	if err := a.Publish([]byte(`{"k":"typing"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bus := range []events.Bus{a, b} {
		select {
		case p := <-bus.Ephemeral():
			if string(p) != `{"k":"typing"}` {
				t.Fatalf("payload %q", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ephemeral payload not received")
		}
	}
	select {
	case p := <-a.Ephemeral():
		t.Fatalf("node a received its own payload twice: %q", p)
	case <-time.After(200 * time.Millisecond):
	}
}
