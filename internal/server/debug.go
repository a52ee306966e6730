package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/metrics"
)

// serveDebug serves Go's profiling endpoints, and with the metrics option
// Prometheus metrics at /metrics, on the loopback address the debug-addr
// option names, until ctx is done. Config accepts loopback addresses only:
// profiles and goroutine dumps reveal memory contents, metrics the
// deployment's shape.
func (a *App) serveDebug(ctx context.Context) {
	if a.Cfg.DebugAddr == "" {
		return
	}
	ln, err := net.Listen("tcp", a.Cfg.DebugAddr)
	if err != nil {
		a.Log.Error("debug listener", "addr", a.Cfg.DebugAddr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	if a.Server.Metrics != nil {
		mux.Handle("GET /metrics", a.Server.Metrics.Handler())
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("debug listener", "err", err)
		}
	}()
	a.Log.Info("profiles served", "addr", "http://"+ln.Addr().String()+"/debug/pprof/", "metrics", a.Server.Metrics != nil)
}

// instrument builds the metrics registry (the metrics option) with what
// the wiring knows: database pools, stream sockets, the job queue.
func (a *App) instrument() {
	m := metrics.New()
	a.Server.Metrics = m
	if w, r := a.DB.Writer(), a.DB.Reader(); w == r {
		m.DBPool("main", w)
	} else {
		m.DBPool("writer", w)
		m.DBPool("reader", r)
	}
	if gw := a.Server.Stream; gw != nil {
		m.Gauge("atrium_stream_sockets", "WebSocket stream connections open on this node.", func() float64 { return float64(gw.Sockets()) })
	}
	if a.Server.Privacy != nil && a.Server.Privacy.Jobs != nil {
		q := a.Server.Privacy.Jobs
		m.GaugeSet("atrium_jobs", "Unfinished background jobs of every node: due (the backlog), later (scheduled or retrying), running.", "state",
			func(ctx context.Context) (map[string]float64, error) {
				d, err := q.Depth(ctx)
				return map[string]float64{"due": float64(d.Due), "later": float64(d.Later), "running": float64(d.Running)}, err
			})
	}
}
