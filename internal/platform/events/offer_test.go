package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// offerHub starts a hub on d that is woken by a local bus and handed this
// handle's appends, and collects what it delivers. It polls only once an
// hour, so that what it delivers comes from offers and wake-ups.
func offerHub(t *testing.T, d *db.DB) (*events.Hub, *events.LocalBus, func() []*events.Frame) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	bus := events.NewLocalBus()
	events.Attach(d, bus)
	hub := events.NewHub(d, bus, quiet, events.HubOptions{Poll: time.Hour, Batch: 7})
	var mu sync.Mutex
	var got []*events.Frame
	hub.SetSink(func(b []*events.Frame) {
		mu.Lock()
		got = append(got, b...)
		mu.Unlock()
	})
	if err := hub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	events.AttachHub(d, hub)
	t.Cleanup(func() {
		events.AttachHub(d, nil)
		events.Attach(d, nil)
		cancel()
		<-hub.Done()
	})
	return hub, bus, func() []*events.Frame {
		mu.Lock()
		defer mu.Unlock()
		return append([]*events.Frame(nil), got...)
	}
}

// waitFor waits until the hub has delivered up to pos.
func waitFor(t *testing.T, hub *events.Hub, pos int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for hub.Position() < pos {
		if time.Now().After(deadline) {
			t.Fatalf("hub at %d, want %d", hub.Position(), pos)
		}
		time.Sleep(time.Millisecond)
	}
}

// sameAsLog checks that got holds every event of the log after from, once
// each, in position order, with the bytes a read of the log encodes.
func sameAsLog(t *testing.T, d *db.DB, from int64, got []*events.Frame) {
	t.Helper()
	evs, err := events.ReadAfter(context.Background(), d, from, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(evs) {
		t.Fatalf("hub delivered %d events, the log holds %d after %d", len(got), len(evs), from)
	}
	for i := range evs {
		if got[i].Pos != evs[i].Pos {
			t.Fatalf("frame %d is position %d, want %d", i, got[i].Pos, evs[i].Pos)
		}
		if want := events.EncodeFrame(&evs[i]); !bytes.Equal(got[i].Bytes, want) {
			t.Fatalf("position %d delivered as\n%s\nread back as\n%s", evs[i].Pos, got[i].Bytes, want)
		}
		if !bytes.Equal(events.EncodeFrame(&got[i].Event), got[i].Bytes) {
			t.Fatalf("position %d: frame bytes do not encode its event", evs[i].Pos)
		}
	}
}

// TestHubTakesOfferedEvents: the events a node appends reach its hub
// without a read, in every form an event takes (data marshalled or
// pre-encoded, sealed copies, references to rows the transaction wrote or
// did not write, references that do not resolve), and the frames are
// byte for byte those a read of the log makes.
func TestHubTakesOfferedEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		keys, err := keyring.New(d, []byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		events.SetOpener(d, keys)
		t.Cleanup(func() { events.SetOpener(d, nil) })
		seal := func(owner, aad, frag string) []byte {
			b, err := keys.Seal(ctx, owner, aad, []byte(frag))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		var rowsMu sync.Mutex
		rows := map[string]events.Sealed{}
		events.SetSource(d, "notes.content:", func(ctx context.Context, ids []string) (map[string]events.Sealed, error) {
			rowsMu.Lock()
			defer rowsMu.Unlock()
			out := map[string]events.Sealed{}
			for _, id := range ids {
				if v, ok := rows[id]; ok {
					out[id] = v
				}
			}
			return out, nil
		})
		t.Cleanup(func() { events.SetSource(d, "notes.content:", nil) })
		// row "writes" a note's sealed content, as a domain's transaction
		// would, and returns the reference its event carries.
		row := func(id, owner, text string, written bool) *events.Sealed {
			aad := "notes.content:" + id
			box := seal(owner, aad, `"text":"`+text+`"`)
			rowsMu.Lock()
			rows[id] = events.Sealed{Owner: owner, AAD: aad, Box: box}
			rowsMu.Unlock()
			if written {
				return events.RefWritten(aad, owner, box)
			}
			return events.Ref(aad)
		}

		hub, _, got := offerHub(t, d)
		start := hub.Position()
		var last int64
		step := func() {
			t.Helper()
			h, err := events.Head(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, hub, h)
			last = h
		}
		for i := 0; i < 3; i++ {
			// Sealed first: the keyring writes keys outside the transaction.
			written := row(fmt.Sprint("n", i), "acc_1", fmt.Sprint("written ", i), true)
			fetched := row(fmt.Sprint("m", i), "acc_2", "fetched", false)
			copied := &events.Sealed{Owner: "acc_1", AAD: "x:1", Box: seal("acc_1", "x:1", `"name":"Ann \u00e9\"q\""`)}
			edited := row(fmt.Sprint("e", i), "acc_1", "edited", true)
			// Two events that share scope and sealed AAD: identical in the
			// first round (the statement returns positions with keys), the
			// second differs in data (the statement returns rows whole).
			twins := []events.Pending{
				{OrgID: "org_a", ScopeKind: events.ScopeAccount, ScopeID: "acc_9", Type: "notification.created", Data: map[string]int{"n": 1}},
				{OrgID: "org_a", ScopeKind: events.ScopeAccount, ScopeID: "acc_9", Type: "notification.created", Data: map[string]int{"n": 1}},
			}
			if i == 1 {
				twins[1].Data = map[string]int{"n": 2}
			}
			err := d.Tx(ctx, func(ctx context.Context) error {
				return events.AppendBatch(ctx, d, append(twins, []events.Pending{
					{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "note.created",
						Data: map[string]any{"id": fmt.Sprint("n", i), "n": i}, Sealed: written},
					{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "note.created",
						Data: map[string]any{"id": fmt.Sprint("m", i)}, Sealed: fetched},
					{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "note.deleted",
						Data: map[string]any{"id": "gone"}, Sealed: events.Ref("notes.content:gone")},
					{ScopeKind: events.ScopeAccount, ScopeID: "acc_1", Type: "profile.updated",
						Data: map[string]any{"id": "acc_1"}, Sealed: copied},
					{OrgID: "org_a", ScopeKind: events.ScopeAccount, ScopeID: "acc_2", Type: "notification.created",
						Data: json.RawMessage(`{"a":[1,2,{"b":"\u2028"}]}`)},
					{OrgID: "org_a", ScopeKind: events.ScopeAccount, ScopeID: "acc_3", Type: "notification.created",
						Data: json.RawMessage(`{"a":[1,2,{"b":"\u2028"}]}`)},
					{OrgID: "org_a", ScopeKind: events.ScopeOrg, ScopeID: "org_a", Type: "x", Data: nil},
				}...))
			})
			if err != nil {
				t.Fatal(err)
			}
			step()
			if _, err := events.AppendSealed(ctx, d, "org_a", events.ScopeConversation, "cnv_2", "note.edited",
				map[string]string{"id": fmt.Sprint("e", i)}, edited); err != nil {
				t.Fatal(err)
			}
			step()
			if _, err := events.Append(ctx, d, "", events.ScopeOrg, "org_b", "org.updated", map[string]int{"i": i}); err != nil {
				t.Fatal(err)
			}
			step()
		}
		frames := got()
		if n := events.Taken(hub); n != int64(len(frames)) || n != last-start {
			t.Fatalf("%d of %d events taken from offers, %d appended", n, len(frames), last-start)
		}
		sameAsLog(t, d, start, frames)
		opened := 0
		for _, f := range frames {
			if bytes.Contains(f.Bytes, []byte(`"text":"written`)) || bytes.Contains(f.Bytes, []byte(`"text":"fetched"`)) || bytes.Contains(f.Bytes, []byte(`"text":"edited"`)) {
				opened++
			}
		}
		if opened != 9 {
			t.Fatalf("%d events carry their opened content, want 9", opened)
		}
	})
}

// TestHubOfferGaps: an offer that does not continue the hub's position is
// not delivered ahead of what comes before it — events committed without
// being offered, or on PostgreSQL a position a rolled-back transaction
// used — and every event still arrives once, in order.
func TestHubOfferGaps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		hub, bus, got := offerHub(t, d)
		start := hub.Position()
		batch := func(n int) (first, last int64) {
			t.Helper()
			evs := make([]events.Pending, n)
			for i := range evs {
				evs[i] = events.Pending{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "x", Data: map[string]int{"i": i}}
			}
			if err := events.AppendBatch(ctx, d, evs); err != nil {
				t.Fatal(err)
			}
			h, err := events.Head(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			return h - int64(n) + 1, h
		}
		_, l := batch(3)
		waitFor(t, hub, l)
		if n := events.Taken(hub); n != 3 {
			t.Fatalf("taken %d, want 3", n)
		}

		// Appended through a path that neither offers nor wakes.
		events.AttachHub(d, nil)
		events.Attach(d, nil)
		appendN(t, d, 2, "cnv_2")
		events.Attach(d, bus)
		events.AttachHub(d, hub)
		// Offered, but two positions ahead: the wake makes the hub read.
		_, l = batch(4)
		waitFor(t, hub, l)
		if n := events.Taken(hub); n != 3 {
			t.Fatalf("taken %d, want 3: the offer after a gap was delivered", n)
		}
		_, l = batch(2)
		waitFor(t, hub, l)
		if n := events.Taken(hub); n != 5 {
			t.Fatalf("taken %d, want 5: the offer after the read was not taken", n)
		}

		// A rolled-back append: on PostgreSQL its position is never used.
		before := hub.Position()
		rollback := errors.New("rollback")
		err := d.Tx(ctx, func(ctx context.Context) error {
			if _, err := events.Append(ctx, d, "org_a", events.ScopeOrg, "org_a", "x", nil); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		first, l := batch(3)
		waitFor(t, hub, l)
		if d.Kind == db.Postgres && first != before+2 {
			t.Fatalf("first position after the rollback %d, want %d", first, before+2)
		}
		_, l = batch(1)
		waitFor(t, hub, l)

		// Offers that arrive out of order: the later one waits for the
		// earlier, and events already delivered are not delivered again.
		events.AttachHub(d, nil)
		events.Attach(d, nil)
		appendN(t, d, 5, "cnv_3")
		events.Attach(d, bus)
		events.AttachHub(d, hub)
		pending, err := events.ReadAfter(ctx, d, hub.Position(), 0, 100)
		if err != nil || len(pending) != 5 {
			t.Fatalf("read %d, %v", len(pending), err)
		}
		p := hub.Position()
		hub.Offer(pending[2:])
		events.TakeOffers(ctx, hub)
		if hub.Position() != p {
			t.Fatalf("an offer after a gap moved the hub to %d", hub.Position())
		}
		hub.Offer(pending[:3])
		waitFor(t, hub, pending[4].Pos)
		taken := events.Taken(hub)
		hub.Offer(pending[1:])
		events.TakeOffers(ctx, hub)
		if events.Taken(hub) != taken {
			t.Fatalf("delivered events were taken again")
		}

		if err := hub.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		sameAsLog(t, d, start, got())
	})
}

// TestHubConcurrentOffers: many goroutines append (in batches, one by one,
// some rolled back) while the hub runs; every committed event reaches it
// once, in order, with the bytes a read of the log makes.
func TestHubConcurrentOffers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		hub, _, got := offerHub(t, d)
		start := hub.Position()
		const writers, perWriter = 8, 25
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < perWriter; i++ {
					n := 1 + rand.IntN(6)
					evs := make([]events.Pending, n)
					for j := range evs {
						// Half the batches share a scope (their rows are
						// returned whole), half do not (positions with keys).
						scope := fmt.Sprint("cnv_", w)
						if i%2 == 0 {
							scope = fmt.Sprint("cnv_", w, "_", j)
						}
						evs[j] = events.Pending{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: scope,
							Type: "x", Data: map[string]int{"w": w, "i": i, "j": j}}
					}
					fail := rand.IntN(8) == 0
					err := d.Tx(ctx, func(ctx context.Context) error {
						if rand.IntN(3) == 0 {
							if _, err := events.Append(ctx, d, "org_a", events.ScopeOrg, "org_a", "y", map[string]int{"w": w}); err != nil {
								return err
							}
						}
						if err := events.AppendBatch(ctx, d, evs); err != nil {
							return err
						}
						if fail {
							return errors.New("rollback")
						}
						return nil
					})
					if (err != nil) != fail {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		h, err := events.Head(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, hub, h)
		frames := got()
		t.Logf("%d events, %d taken from offers", len(frames), events.Taken(hub))
		sameAsLog(t, d, start, frames)
	})
}

// BenchmarkHubHandOff appends batches of message-like events (sealed
// content referred to, as chat's sends do) and waits for the hub to
// deliver them, with the events handed to the hub (offered) or read back
// from the log (readback). It reports the process's CPU per event.
func BenchmarkHubHandOff(b *testing.B) {
	for _, mode := range []string{"offered", "readback"} {
		b.Run(mode, func(b *testing.B) {
			d := dbtest.Open(b, db.SQLite)
			ctx := context.Background()
			keys, err := keyring.New(d, []byte(strings.Repeat("k", 32)))
			if err != nil {
				b.Fatal(err)
			}
			events.SetOpener(d, keys)
			defer events.SetOpener(d, nil)
			const per = 64
			boxes := make([][]byte, per)
			rows := map[string]events.Sealed{}
			for i := range boxes {
				aad := fmt.Sprint("notes.content:n", i)
				if boxes[i], err = keys.Seal(ctx, "acc_1", aad, []byte(`"body":"hello there, this is a message of a usual length"`)); err != nil {
					b.Fatal(err)
				}
				rows[fmt.Sprint("n", i)] = events.Sealed{Owner: "acc_1", AAD: aad, Box: boxes[i]}
			}
			events.SetSource(d, "notes.content:", func(ctx context.Context, ids []string) (map[string]events.Sealed, error) {
				out := map[string]events.Sealed{}
				for _, id := range ids {
					out[id] = rows[id]
				}
				return out, nil
			})
			defer events.SetSource(d, "notes.content:", nil)
			hctx, cancel := context.WithCancel(ctx)
			bus := events.NewLocalBus()
			events.Attach(d, bus)
			defer events.Attach(d, nil)
			hub := events.NewHub(d, bus, quiet, events.HubOptions{})
			delivered := make(chan int64, 1024)
			hub.SetSink(func(b []*events.Frame) { delivered <- b[len(b)-1].Pos })
			if err := hub.Start(hctx); err != nil {
				b.Fatal(err)
			}
			defer func() { cancel(); <-hub.Done() }()
			if mode == "offered" {
				events.AttachHub(d, hub)
				defer events.AttachHub(d, nil)
			}
			evs := make([]events.Pending, per)
			for i := range evs {
				evs[i] = events.Pending{OrgID: "org_a", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "message.created",
					Data:   json.RawMessage(fmt.Sprintf(`{"id":"msg_%d","conversation_id":"cnv_1","sender_id":"acc_1","seq":%d,"client_msg_id":"c%d","created_at":1700000000000}`, i, i, i)),
					Sealed: events.RefWritten(fmt.Sprint("notes.content:n", i), "acc_1", boxes[i])}
			}
			cpu := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := events.AppendBatch(ctx, d, evs); err != nil {
					b.Fatal(err)
				}
				h, _ := events.Head(ctx, d)
				for p := int64(0); p < h; {
					p = <-delivered
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N*per), "cpu-µs/event")
		})
	}
}
