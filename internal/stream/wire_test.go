package stream_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

// TestQueuedFramesArriveIntactAndInOrder: events of every frame length
// class (7-bit, 16-bit and 64-bit WebSocket lengths), appended in batches
// so that each socket's frames queue and go out together, reach several
// real WebSocket clients whole and in log order — while the clients ping
// the server, so that the library's pongs are written between the
// gateway's own frames.
func TestQueuedFramesArriveIntactAndInOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		convs := &memberships{}
		const clients = 4
		for i := 0; i < clients; i++ {
			convs.set("cnv_1", fmt.Sprintf("acc_%d", i), true)
		}
		n := startNode(t, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{})
		var cs []*client
		for i := 0; i < clients; i++ {
			c := dial(t, n, fmt.Sprintf("acc_%d", i), "s", "", nil)
			c.ready()
			cs = append(cs, c)
		}
		// Each client pings the server throughout, so that the library's
		// pongs are written between the gateway's frames.
		for _, c := range cs {
			go func() {
				for c.c.Ping(c.ctx) == nil {
				}
			}()
		}
		var last [clients]int64
		// expect reads bodies, in order, on every client.
		expect := func(bodies []string) {
			t.Helper()
			var wg sync.WaitGroup
			errs := make(chan error, clients)
			for k, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i, w := range bodies {
						f, err := c.next()
						if err != nil {
							errs <- fmt.Errorf("frame %d: %v", i, err)
							return
						}
						var data struct {
							Body string `json:"body"`
						}
						if err := json.Unmarshal(f.Data, &data); err != nil {
							errs <- fmt.Errorf("frame %d: %v", i, err)
							return
						}
						if f.Type != "event" || f.Pos <= last[k] || data.Body != w {
							errs <- fmt.Errorf("frame %d: got %s at %d after %d (%d bytes), want an event of %d bytes", i, f.Type, f.Pos, last[k], len(data.Body), len(w))
							return
						}
						last[k] = f.Pos
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
		}
		appendAll := func(bodies []string) {
			t.Helper()
			var batch []events.Pending
			for _, body := range bodies {
				batch = append(batch, events.Pending{ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "message.created", Data: map[string]string{"body": body}})
			}
			if err := events.AppendBatch(context.Background(), d, batch); err != nil {
				t.Fatal(err)
			}
		}
		body := func(size, i int) string {
			return strings.Repeat(string(rune('a'+i%26)), size) + fmt.Sprint("/", i)
		}
		sizes := []int{0, 1, 90, 120, 124, 126, 200, 65_000, 65_535, 65_536, 70_000}
		// One event at a time: each frame goes out alone, as the event's
		// own WebSocket frame (7-bit, 16-bit and 64-bit lengths).
		for i, size := range sizes {
			b := []string{body(size, i)}
			appendAll(b)
			expect(b)
		}
		// Batches of small events: JSON arrays under 64 KiB (16-bit
		// lengths); then batches with large ones (64-bit lengths).
		for round := 0; round < 4; round++ {
			var b []string
			for j := 0; j < 30; j++ {
				size := sizes[(round+j)%7]
				if round >= 2 {
					size = sizes[(round+j)%len(sizes)]
				}
				b = append(b, body(size, round*30+j))
			}
			appendAll(b)
			expect(b)
		}
	})
}
