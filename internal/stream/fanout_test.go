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
	var got atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < sockets; i++ {
		h := http.Header{}
		h.Set("X-Test-Account", fmt.Sprintf("acc_%d", i))
		c, _, err := websocket.Dial(ctx, strings.Replace(n.url, "http://", "ws://", 1), &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			b.Fatal(err)
		}
		c.SetReadLimit(1 << 26)
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`))
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.CloseNow()
			mark := []byte(`"type":"event"`)
			for {
				_, data, err := c.Read(ctx)
				if err != nil {
					return
				}
				got.Add(int64(bytes.Count(data, mark)))
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
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
			b.Fatalf("received %d of %d frames", got.Load(), want)
		}
		time.Sleep(time.Millisecond)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(want)/el.Seconds(), "frames/s")
	b.ReportMetric(float64(b.N)/el.Seconds(), "events/s")
	cancel()
	wg.Wait()
}
