package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's profiling endpoints on the loopback address the
// debug-addr option names, until ctx is done. Config accepts loopback
// addresses only: profiles and goroutine dumps reveal memory contents.
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
	a.Log.Info("profiles served", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
}
