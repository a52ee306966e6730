// Command load is Atrium's load tool. It creates an organization with N
// members and conversations of K of them, opens M WebSockets on loopback,
// sends messages through the REST API — at a target rate (open loop) or with
// N senders each keeping C sends outstanding (closed loop, through REST or
// over each sender's own WebSocket) — and reports accepted
// sends/s, send→delivery latency on the other members' sockets, the server's
// CPU per accepted send and per delivered frame (from /proc, with this
// tool's own CPU and the machine's other load beside it) and the
// server's memory. The idle mode opens many idle sockets and reports the
// server memory per socket; the announce mode publishes one announcement to
// every member and reports when each socket got it, and the read list.
//
//	go run ./bench/load                               # SQLite, own server on a fresh data dir
//	go run ./bench/load --database-url postgres://…   # PostgreSQL, own server on a fresh schema
//	go run ./bench/load --mode idle --sockets 10000   # idle sockets
//	go run ./bench/load --mode announce --members 10000   # publish to 10,000 sockets
//	go run ./bench/load --senders 10 --in-flight 16   # closed loop, as external tools run
//	go run ./bench/load --senders 10 --in-flight 16 --via stream   # the same, sending over WebSockets
//	go run ./bench/load --url http://127.0.0.1:8080 --data-dir ./data   # a running server
//
// The last line of its output is one JSON object (sends_per_sec, p50_ms,
// p95_ms, p99_ms, server_rss_mb, errors, …) for scripts. See
// docs/benchmarks.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type options struct {
	mode        string
	url         string
	dataDir     string
	databaseURL string
	binary      string
	members     int
	sockets     int
	convs       int
	convSize    int
	rate        float64
	duration    time.Duration
	workers     int
	senders     int
	inFlight    int
	via         string
	keep        bool
	pid         int
	cpuProfile  string
}

// result is the JSON object on the last line.
type result struct {
	Mode             string  `json:"mode"`
	Database         string  `json:"database"`
	SendsPerSec      float64 `json:"sends_per_sec"`
	TargetRate       float64 `json:"target_rate,omitempty"`
	P50ms            float64 `json:"p50_ms"`
	P95ms            float64 `json:"p95_ms"`
	P99ms            float64 `json:"p99_ms"`
	MaxMs            float64 `json:"max_ms"`
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`
	Deliveries       int64   `json:"deliveries"`
	ExpectedDeliv    int64   `json:"expected_deliveries"`
	ServerRSSMB      float64 `json:"server_rss_mb"`
	ServerPeakMB     float64 `json:"server_peak_rss_mb"`
	RSSPerSocketKB   float64 `json:"rss_per_socket_kb,omitempty"`
	Sockets          int     `json:"sockets"`
	Members          int     `json:"members"`
	ConvSize         int     `json:"conv_size"`
	Errors           int64   `json:"errors"`
	Behind           int64   `json:"behind,omitempty"`
	Disconnects      int64   `json:"disconnects"`
	PublishMs        float64 `json:"publish_ms,omitempty"`
	Loop             string  `json:"loop,omitempty"`
	Via              string  `json:"via,omitempty"`
	Senders          int     `json:"senders,omitempty"`
	InFlight         int     `json:"in_flight,omitempty"`
	SendP50ms        float64 `json:"send_p50_ms,omitempty"`
	SendP99ms        float64 `json:"send_p99_ms,omitempty"`
	ServerCPUSec     float64 `json:"server_cpu_s,omitempty"`
	ServerCores      float64 `json:"server_cores,omitempty"`
	CPUusPerSend     float64 `json:"server_cpu_us_per_send,omitempty"`
	CPUusPerFrame    float64 `json:"server_cpu_us_per_frame,omitempty"`
	ToolCores        float64 `json:"tool_cores,omitempty"`
	OtherCores       float64 `json:"other_cores,omitempty"`
	ReadListMs       float64 `json:"read_list_ms,omitempty"`
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "send", "send (messages at a rate), idle (idle sockets, memory per socket) or announce (one announcement to every member's socket)")
	flag.StringVar(&o.url, "url", "", "target a running server at this base URL instead of starting one (seeds through --data-dir or --database-url, which must be the server's)")
	flag.StringVar(&o.dataDir, "data-dir", "", "data directory (default: a fresh temporary one)")
	flag.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL server URL; the tool uses a fresh schema on it unless --url is set")
	flag.StringVar(&o.binary, "binary", "", "atrium binary to start (default: go build ./cmd/atrium)")
	flag.IntVar(&o.members, "members", 200, "members of the organization")
	flag.IntVar(&o.sockets, "sockets", -1, "WebSockets to open, spread over the members; 0: no one online (default: one per member; idle mode: 10000)")
	flag.IntVar(&o.convs, "convs", 10, "group conversations")
	flag.IntVar(&o.convSize, "conv-size", 100, "members per conversation")
	flag.Float64Var(&o.rate, "rate", 2000, "target sends per second")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to send")
	flag.IntVar(&o.workers, "workers", 64, "concurrent senders (open loop)")
	flag.IntVar(&o.senders, "senders", 0, "closed loop: this many members send, each keeping --in-flight sends outstanding (0: open loop at --rate)")
	flag.IntVar(&o.inFlight, "in-flight", 16, "closed loop: sends each sender keeps outstanding")
	flag.StringVar(&o.via, "via", "rest", "closed loop: send through rest (one POST each) or stream (over each sender's own WebSocket)")
	flag.BoolVar(&o.keep, "keep", false, "keep the data dir / schema afterwards")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write this tool's own CPU profile to the file (to see what reading the frames costs)")
	flag.IntVar(&o.pid, "pid", 0, "with --url: the server's process id, to report its memory")
	flag.Parse()
	if err := o.check(); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	if o.sockets < 0 {
		o.sockets = o.members
		if o.mode == "idle" {
			o.sockets = 10000
		}
	}
	if o.convSize > o.members {
		o.convSize = o.members
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(2)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	res, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}

// check rejects flags that do not go together.
func (o options) check() error {
	switch o.via {
	case "rest":
	case "stream":
		if o.mode != "send" || o.senders <= 0 {
			return fmt.Errorf("--via stream sends in the closed loop: it needs --senders N (and --in-flight C)")
		}
	default:
		return fmt.Errorf("--via %q: want rest or stream", o.via)
	}
	return nil
}

// quiet warns when something else kept the machine busy during the run:
// its figures are not comparable, and the run should be repeated.
func quiet(u cpuUse) string {
	if u.OtherKnown && u.OtherCores > 0.15 {
		return " — NOT A QUIET MACHINE: repeat the run"
	}
	return ""
}

func logf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

func run(ctx context.Context, o options, out io.Writer) (*result, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		need := uint64(o.sockets) + 200
		if o.via == "stream" {
			need += uint64(o.senders)
		}
		if lim.Cur < need {
			return nil, fmt.Errorf("open-file limit %d is below the %d this run needs: raise it (ulimit -n %d) for the tool and the server", lim.Cur, need, need+1000)
		}
	}
	tmp, err := os.MkdirTemp("", "atrium-load-")
	if err != nil {
		return nil, err
	}
	if !o.keep {
		defer os.RemoveAll(tmp)
	}
	dbKind := "sqlite"
	if o.databaseURL != "" {
		dbKind = "postgres"
	}
	dataDir, dbURL := o.dataDir, o.databaseURL
	if dataDir == "" {
		dataDir = tmp
	}
	if o.url == "" && dbURL != "" {
		u, drop, err := freshSchema(dbURL)
		if err != nil {
			return nil, err
		}
		if !o.keep {
			defer drop()
		}
		dbURL = u
	}

	logf(out, "seeding: %d members, %d sockets (%s)", o.members, o.sockets, dbKind)
	t0 := time.Now()
	fx, err := seed(ctx, seedConfig{DataDir: dataDir, DatabaseURL: dbURL, Members: o.members, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	logf(out, "seeded in %s", time.Since(t0).Round(time.Millisecond))

	baseURL, pid := o.url, o.pid
	if o.url == "" {
		bin := o.binary
		if bin == "" {
			if bin, err = buildBinary(ctx, tmp); err != nil {
				return nil, err
			}
		}
		srv, err := startServer(ctx, bin, dataDir, dbURL)
		if err != nil {
			return nil, err
		}
		defer srv.stop()
		baseURL, pid = srv.url, srv.pid()
		logf(out, "server: pid %d at %s (log %s)", pid, baseURL, srv.log)
	}
	res := &result{Mode: o.mode, Database: dbKind, Sockets: o.sockets, Members: o.members, ConvSize: o.convSize}
	switch o.mode {
	case "idle":
		err = runIdle(ctx, o, fx, baseURL, pid, res, out)
	case "announce":
		err = runAnnounce(ctx, o, fx, baseURL, pid, res, out)
	default:
		err = runSend(ctx, o, fx, baseURL, pid, res, out)
	}
	return res, err
}

// openSockets opens n sockets, socket i as member i % members, 64 at a time.
func openSockets(ctx context.Context, fx *fixture, baseURL string, n int, out io.Writer) ([]*reader, error) {
	rs := make([]*reader, n)
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var opened atomic.Int64
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			m := i % len(fx.Tokens)
			c, err := openSocket(ctx, baseURL, fx.Tokens[m])
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("socket %d: %w", i, err)
				}
				mu.Unlock()
				return
			}
			rs[i] = &reader{conn: c, self: m}
			if k := opened.Add(1); k%2000 == 0 {
				logf(out, "  %d sockets open", k)
			}
		}()
	}
	wg.Wait()
	return rs, firstErr
}

func runIdle(ctx context.Context, o options, fx *fixture, baseURL string, pid int, res *result, out io.Writer) error {
	time.Sleep(2 * time.Second)
	before, _, _ := rssMB(pid)
	logf(out, "server RSS before sockets: %.1f MiB", before)
	t0 := time.Now()
	rs, err := openSockets(ctx, fx, baseURL, o.sockets, out)
	if err != nil {
		return err
	}
	logf(out, "%d sockets open in %s; idling %s", len(rs), time.Since(t0).Round(time.Millisecond), o.duration)
	// Keep reading (pings, presence) while idle.
	rctx, cancel := context.WithCancel(ctx)
	var disc atomic.Int64
	for _, r := range rs {
		go func() {
			for {
				if _, _, err := r.conn.Read(rctx); err != nil {
					if rctx.Err() == nil {
						disc.Add(1)
					}
					return
				}
			}
		}()
	}
	time.Sleep(o.duration)
	after, peak, err := rssMB(pid)
	if err != nil {
		cancel()
		return err
	}
	cancel()
	for _, r := range rs {
		r.conn.CloseNow()
	}
	res.ServerRSSMB, res.ServerPeakMB = after, peak
	res.RSSPerSocketKB = (after - before) * 1024 / float64(len(rs))
	res.Disconnects = disc.Load()
	logf(out, "server RSS with %d idle sockets: %.1f MiB (peak %.1f): %.1f KiB per socket; %d disconnected",
		len(rs), after, peak, res.RSSPerSocketKB, res.Disconnects)
	return nil
}

func runSend(ctx context.Context, o options, fx *fixture, baseURL string, pid int, res *result, out io.Writer) error {
	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffff)
	if err := createConversations(ctx, baseURL, fx, o.convs, o.convSize); err != nil {
		return err
	}
	logf(out, "%d conversations of %d members", o.convs, o.convSize)
	rs, err := openSockets(ctx, fx, baseURL, o.sockets, out)
	if err != nil {
		return err
	}
	var deliveries atomic.Int64
	rctx, cancelReaders := context.WithCancel(ctx)
	var rwg sync.WaitGroup
	online := map[int]int{} // member → open sockets
	for _, r := range rs {
		r.run, r.hist, r.deliveries = run, newHistogram(), &deliveries
		online[r.self]++
		rwg.Add(1)
		go func() { defer rwg.Done(); r.loop(rctx) }()
	}
	s := newSender(baseURL, fx, run, o.workers)
	res.Via = "rest"
	if o.senders > 0 {
		res.Loop, res.Senders, res.InFlight = "closed", o.senders, o.inFlight
		if o.via == "stream" {
			res.Via = "stream"
			if err := s.openStreams(ctx, o.senders); err != nil {
				cancelReaders()
				return err
			}
			defer s.closeStreams()
			logf(out, "%d sockets open; %d senders each on its own socket keeping %d sends in flight over it for %s (GOMAXPROCS %d)", len(rs), len(s.streams), o.inFlight, o.duration, runtime.GOMAXPROCS(0))
		} else {
			logf(out, "%d sockets open; %d senders each keeping %d sends in flight for %s (GOMAXPROCS %d)", len(rs), o.senders, o.inFlight, o.duration, runtime.GOMAXPROCS(0))
		}
	} else {
		res.Loop = "open"
		logf(out, "%d sockets open; sending at %.0f/s for %s with %d workers (GOMAXPROCS %d)", len(rs), o.rate, o.duration, o.workers, runtime.GOMAXPROCS(0))
	}

	var expected atomic.Int64
	s.onAccepted = func(conv, sender int) {
		n := int64(0)
		for _, m := range fx.ConvMembers[conv] {
			if m != sender {
				n += int64(online[m])
			}
		}
		expected.Add(n)
	}
	start := time.Now()
	cpu0 := sampleCPU(pid)
	if o.senders > 0 {
		s.runClosed(ctx, o.senders, o.inFlight, o.duration)
	} else {
		s.run(ctx, o.rate, o.duration)
	}
	elapsed := time.Since(start)
	// Let in-flight deliveries arrive.
	for i := 0; i < 50 && deliveries.Load() < expected.Load(); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	use := usage(cpu0, sampleCPU(pid))
	rss, peak, _ := rssMB(pid)
	cancelReaders()
	for _, r := range rs {
		r.conn.CloseNow()
	}
	rwg.Wait()
	h := newHistogram()
	var disc int64
	for _, r := range rs {
		h.merge(r.hist)
		if v := r.closedBy.Load(); v != nil {
			disc++
		}
	}
	if o.senders == 0 {
		res.TargetRate = o.rate
	}
	res.SendsPerSec = float64(s.accepted.Load()) / elapsed.Seconds()
	res.P50ms, res.P95ms, res.P99ms, res.MaxMs = h.quantile(0.50), h.quantile(0.95), h.quantile(0.99), h.max
	res.Deliveries, res.ExpectedDeliv = deliveries.Load(), expected.Load()
	res.DeliveriesPerSec = float64(res.Deliveries) / elapsed.Seconds()
	res.ServerRSSMB, res.ServerPeakMB = rss, peak
	res.Errors, res.Behind, res.Disconnects = s.errors.Load(), s.behind.Load(), disc
	res.SendP50ms, res.SendP99ms = s.hist.quantile(0.5), s.hist.quantile(0.99)
	res.ToolCores, res.OtherCores = use.ToolCores, use.OtherCores
	if use.ServerKnown {
		res.ServerCPUSec, res.ServerCores = use.ServerCPU, use.ServerCores
		if n := s.accepted.Load(); n > 0 {
			res.CPUusPerSend = use.ServerCPU * 1e6 / float64(n)
		}
		if res.Deliveries > 0 {
			res.CPUusPerFrame = use.ServerCPU * 1e6 / float64(res.Deliveries)
		}
	}
	if o.senders > 0 {
		logf(out, "accepted sends: %d in %s = %.0f/s (closed loop; %d errors)", s.accepted.Load(), elapsed.Round(time.Millisecond), res.SendsPerSec, res.Errors)
	} else {
		logf(out, "accepted sends: %d in %s = %.0f/s (target %.0f/s; %d errors, %d not sent because all workers were busy)",
			s.accepted.Load(), elapsed.Round(time.Millisecond), res.SendsPerSec, o.rate, res.Errors, res.Behind)
	}
	if res.Via == "stream" {
		logf(out, "send latency (send frame → ack, accepted = committed): p50 %.2f ms, p99 %.2f ms", s.hist.quantile(0.5), s.hist.quantile(0.99))
	} else {
		logf(out, "send latency (HTTP, accepted = committed): p50 %.2f ms, p99 %.2f ms", s.hist.quantile(0.5), s.hist.quantile(0.99))
	}
	logf(out, "deliveries to other sockets: %d of %d expected (%.0f/s)", res.Deliveries, res.ExpectedDeliv, res.DeliveriesPerSec)
	logf(out, "send→delivery latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.1f ms", res.P50ms, res.P95ms, res.P99ms, res.MaxMs)
	logf(out, "server RSS: %.1f MiB (peak %.1f MiB); sockets closed early: %d", rss, peak, disc)
	if use.ServerKnown {
		logf(out, "server CPU: %.2f s over %.1f s = %.2f cores; %.0f µs per accepted send; %.2f µs per delivered frame (all of its CPU over each)",
			use.ServerCPU, use.Seconds, use.ServerCores, res.CPUusPerSend, res.CPUusPerFrame)
	}
	logf(out, "this tool: %.2f cores; the machine's other load: %.2f cores%s", use.ToolCores, use.OtherCores, quiet(use))
	if s.firstErr.Load() != nil {
		logf(out, "first error: %v", s.firstErr.Load())
	}
	return nil
}
