//go:build unix

package stream_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/stream"
)

// BenchmarkFanoutCPU measures the process's CPU per delivered frame with
// 1,000 sockets on loopback in one conversation: "steady" appends one
// event at a time and waits until every socket has it (frames never
// queue: one write per frame), "batch" appends 100 events per transaction
// (frames queue and go out together). The clients are raw TCP readers
// that count event frames without decoding them, so most of the CPU is the
// server's; cpu-ns/frame includes them and the database appends.
//
//	go test ./internal/stream -run '^$' -bench FanoutCPU -benchtime 200x
func BenchmarkFanoutCPU(b *testing.B) {
	for _, mode := range []struct {
		name string
		step int
	}{{"steady", 1}, {"batch", 100}} {
		b.Run(mode.name, func(b *testing.B) { benchFanoutCPU(b, 1000, mode.step) })
	}
}

func benchFanoutCPU(b *testing.B, sockets, step int) {
	d := dbtest.Open(b, db.SQLite)
	convs := &memberships{}
	for i := 0; i < sockets; i++ {
		convs.set("cnv_1", fmt.Sprintf("acc_%d", i), true)
	}
	n := startNode(b, d, events.NewLocalBus(), convs, stream.Options{}, events.HubOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := strings.TrimPrefix(n.url, "http://")
	cnt := &counter{reached: make(chan struct{}, 1)}
	cnt.target.Store(1 << 62)
	for i := 0; i < sockets; i++ {
		c, err := rawDial(addr, fmt.Sprintf("acc_%d", i))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		go countEvents(c, cnt)
	}
	body := map[string]string{"id": "msg_0123456789abcdef", "conversation_id": "cnv_1", "sender_id": "acc_1", "body": "hello there, this is a message of ordinary length"}
	wait := func(want int64) {
		cnt.target.Store(want)
		for cnt.got.Load() < want {
			select {
			case <-cnt.reached:
			case <-time.After(5 * time.Minute):
				b.Fatalf("received %d of %d frames", cnt.got.Load(), want)
			}
		}
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	for done := 0; done < b.N; {
		k := min(step, b.N-done)
		batch := make([]events.Pending, k)
		for i := range batch {
			batch[i] = events.Pending{OrgID: "org_1", ScopeKind: events.ScopeConversation, ScopeID: "cnv_1", Type: "message.created", Data: body}
		}
		if err := events.AppendBatch(ctx, d, batch); err != nil {
			b.Fatal(err)
		}
		done += k
		if step == 1 {
			wait(int64(done) * int64(sockets))
		}
	}
	want := int64(b.N) * int64(sockets)
	wait(want)
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(want), "cpu-ns/frame")
	b.ReportMetric(float64(want)/el.Seconds(), "frames/s")
}

// rawDial opens a stream socket as account with a hand-made handshake and
// hello, and returns the connection once the server answered the upgrade.
func rawDial(addr, account string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	req := "GET / HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Test-Account: " + account + "\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return nil, err
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("upgrade: %v %v", err, resp)
	}
	if br.Buffered() > 0 {
		c.Close()
		return nil, fmt.Errorf("unexpected bytes after the upgrade")
	}
	// A masked text frame (key 0: the payload is unchanged).
	hello := []byte(`{"type":"hello"}`)
	frame := append([]byte{0x81, 0x80 | byte(len(hello)), 0, 0, 0, 0}, hello...)
	if _, err := c.Write(frame); err != nil {
		c.Close()
		return nil, err
	}
	// Wait for "ready" so that the socket is live before the benchmark.
	var seen []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(seen, []byte(`"type":"ready"`)) {
		m, err := c.Read(buf)
		if err != nil {
			c.Close()
			return nil, err
		}
		seen = append(seen, buf[:m]...)
	}
	return c, nil
}

// counter counts the frames all sockets received and says when they
// reach target.
type counter struct {
	got, target atomic.Int64
	reached     chan struct{}
}

// countEvents counts event frames arriving on c until it closes.
func countEvents(c net.Conn, cnt *counter) {
	buf := make([]byte, 64<<10)
	keep := 0 // bytes of the last read kept in case a mark spans two reads
	for {
		m, err := c.Read(buf[keep:])
		if err != nil {
			return
		}
		data := buf[:keep+m]
		if k := bytes.Count(data, eventMark); k > 0 && cnt.got.Add(int64(k)) >= cnt.target.Load() {
			select {
			case cnt.reached <- struct{}{}:
			default:
			}
		}
		keep = min(len(eventMark)-1, len(data))
		copy(buf, data[len(data)-keep:])
	}
}

// cpuTime is the process's user and system CPU so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
