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
		sizes := []int{0, 1, 90, 125, 126, 200, 65_000, 65_536, 70_000}
		var want []string
		for round := 0; round < 6; round++ {
			var batch []events.Pending
			var bodies []string
			for j := 0; j < 30; j++ {
				body := strings.Repeat(string(rune('a'+(round*30+j)%26)), sizes[(round+j)%len(sizes)]) + fmt.Sprint(round, "/", j)
				bodies = append(bodies, body)
				batch = append(batch, events.Pending{ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "message.created", Data: map[string]string{"body": body}})
			}
			if err := events.AppendBatch(context.Background(), d, batch); err != nil {
				t.Fatal(err)
			}
			want = append(want, bodies...)
		}
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for _, c := range cs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				done := make(chan struct{})
				defer close(done)
				go func() { // pings while the frames arrive
					for {
						select {
						case <-done:
							return
						default:
						}
						if err := c.c.Ping(c.ctx); err != nil {
							return
						}
					}
				}()
				var last int64
				for i, w := range want {
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
					if f.Type != "event" || f.Pos <= last || data.Body != w {
						errs <- fmt.Errorf("frame %d: got %s at %d after %d (%d bytes), want an event of %d bytes", i, f.Type, f.Pos, last, len(data.Body), len(w))
						return
					}
					last = f.Pos
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
