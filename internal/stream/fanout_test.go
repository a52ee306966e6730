package stream_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

// BenchmarkFanout measures the gateway alone: events appended in batches of
// 100 (as group commit does) into one conversation with 100 sockets online,
// on SQLite. frames/s counts frames received by the sockets.
//
//	go test ./internal/stream -run '^$' -bench Fanout -benchtime 20000x
func BenchmarkFanout(b *testing.B) {
	const sockets = 100
	d := dbtest.Open(b, db.SQLite)
	convs := &memberships{}
	for i := 0; i < sockets; i++ {
		convs.set("cnv_1", fmt.Sprintf("acc_%d", i), true)
	}
	n := startNode(b, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got, resumes atomic.Int64
	var endsMu sync.Mutex
	ends := map[string]int{} // how sockets ended before the benchmark did
	var wg sync.WaitGroup
	u := strings.Replace(n.url, "http://", "ws://", 1)
	// dial opens a socket as account i, says hello (resuming after last
	// when it is not 0) and waits for "ready": a socket is live from then
	// on; events before it are history a client reads over REST.
	dial := func(i int, last int64) (*websocket.Conn, int64, error) {
		h := http.Header{}
		h.Set("X-Test-Account", fmt.Sprintf("acc_%d", i))
		c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			return nil, 0, err
		}
		c.SetReadLimit(1 << 26)
		hello := `{"type":"hello"}`
		if last > 0 {
			hello = fmt.Sprintf(`{"type":"hello","last_pos":%d}`, last)
		}
		if err := c.Write(ctx, websocket.MessageText, []byte(hello)); err != nil {
			return nil, 0, err
		}
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				c.CloseNow()
				return nil, last, err
			}
			got.Add(int64(bytes.Count(data, eventMark))) // replayed on resume
			if p := lastEventPos(data); p > last {
				last = p
			}
			if bytes.Contains(data, []byte(`"type":"ready"`)) {
				return c, last, nil
			}
		}
	}
	for i := 0; i < sockets; i++ {
		c, last, err := dial(i, 0)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Like a real client: a socket closed as a slow consumer
			// (its queue overflowed) reconnects and resumes from the last
			// position it received.
			for {
				_, data, err := c.Read(ctx)
				if err != nil {
					c.CloseNow()
					if ctx.Err() != nil {
						return
					}
					if websocket.CloseStatus(err) != stream.CloseSlowConsumer {
						endsMu.Lock()
						ends[err.Error()]++
						endsMu.Unlock()
						return
					}
					// A catch-up larger than the queue is cut short the
					// same way: resume again from where it got to.
					for {
						resumes.Add(1)
						if c, last, err = dial(i, last); err == nil {
							break
						}
						if websocket.CloseStatus(err) != stream.CloseSlowConsumer || ctx.Err() != nil {
							endsMu.Lock()
							ends["resume: "+err.Error()]++
							endsMu.Unlock()
							return
						}
					}
					continue
				}
				got.Add(int64(bytes.Count(data, eventMark)))
				if p := lastEventPos(data); p > 0 {
					last = p
				}
			}
		}()
	}
	body := map[string]string{"id": "msg_0123456789abcdef", "conversation_id": "cnv_1", "sender_id": "acc_1", "body": "hello there, this is a message of ordinary length"}
	b.ResetTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		step := min(100, b.N-done)
		batch := make([]events.Pending, step)
		for i := range batch {
			batch[i] = events.Pending{OrgID: "org_1", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "message.created", Data: body}
		}
		err := events.AppendBatch(ctx, d, batch) // as chat's group-commit writer does
		if err != nil {
			b.Fatal(err)
		}
		done += step
	}
	want := int64(b.N) * sockets
	for got.Load() < want {
		if time.Since(start) > 5*time.Minute {
			endsMu.Lock()
			defer endsMu.Unlock()
			b.Fatalf("received %d of %d frames; sockets ended: %v", got.Load(), want, ends)
		}
		time.Sleep(time.Millisecond)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(want)/el.Seconds(), "frames/s")
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
	b.ReportMetric(float64(resumes.Load()), "resumes")
	cancel()
	wg.Wait()
}

var eventMark = []byte(`"type":"event"`)

// lastEventPos finds the last position a frame (or batch) names.
func lastEventPos(data []byte) int64 {
	i := bytes.LastIndex(data, []byte(`"pos":`))
	if i < 0 {
		return 0
	}
	var p int64
	for _, ch := range data[i+len(`"pos":`):] {
		if ch < '0' || ch > '9' {
			break
		}
		p = p*10 + int64(ch-'0')
	}
	return p
}
