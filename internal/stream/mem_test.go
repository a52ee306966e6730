package stream_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

// BenchmarkIdleSocketMemory opens b.N idle sockets against a gateway in
// this process and reports the growth of the Go heap and of goroutine
// stacks per socket after a GC. Both ends of every socket live in this
// process, so the figures cover a client and a server connection together;
// the server-only figure (RSS, what the operator pays) comes from
// `go run ./bench/load --mode idle` (docs/benchmarks.md).
//
//	go test ./internal/stream -run '^$' -bench IdleSocketMemory -benchtime 2000x
func BenchmarkIdleSocketMemory(b *testing.B) {
	d := dbtest.Open(b, db.SQLite)
	n := startNode(b, d, events.NewLocalBus(), &memberships{}, stream.Options{}, events.HubOptions{})
	ctx := context.Background()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	conns := make([]*websocket.Conn, 0, b.N)
	for i := 0; i < b.N; i++ {
		h := http.Header{}
		h.Set("X-Test-Account", fmt.Sprintf("acc_%d", i))
		c, _, err := websocket.Dial(ctx, strings.Replace(n.url, "http://", "ws://", 1), &websocket.DialOptions{HTTPHeader: h})
		if err != nil {
			b.Fatal(err)
		}
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`))
		_, _, _ = c.Read(ctx)
		go func() {
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}()
		conns = append(conns, c)
	}
	time.Sleep(time.Second)
	var after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := func(a, b uint64) float64 { return float64(int64(a)-int64(b)) / float64(len(conns)) / 1024 }
	b.ReportMetric(per(after.HeapInuse, before.HeapInuse), "heapKiB/socket")
	b.ReportMetric(per(after.StackInuse, before.StackInuse), "stackKiB/socket")
	b.ReportMetric(float64(n.gw.Sockets()), "sockets")
	for _, c := range conns {
		c.CloseNow()
	}
}
