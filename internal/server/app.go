package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/migrations"
)

// App is a built server: configuration, database, services and HTTP face.
type App struct {
	Cfg *config.Config
	DB  *db.DB
	Log *slog.Logger
	// Keyring seals sensitive fields with per-owner keys (platform/keyring).
	Keyring *keyring.Keyring
	Server  *Server
	// Out receives the operator-facing start-up lines (URL, setup link).
	Out io.Writer

	// blobs is the store of file bodies (blobs.go).
	blobs blob.Store
	// background work started by services, stopped by Close.
	stops []func()
	// hub tails the event log on this node (wire_stream.go).
	hub *events.Hub
	// restoreHooks run after `atrium restore` (restore.go).
	restoreHooks []restoreHook
}

// NewLogger returns the process logger for cfg.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Build opens the database, applies migrations and constructs every service.
func Build(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) (*App, error) {
	d, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx, migrations.FS); err != nil {
		d.Close()
		return nil, err
	}
	kr, err := keyring.Load(ctx, d, cfg.MasterKey, cfg.DataDir)
	if err != nil {
		d.Close()
		return nil, err
	}
	// Events carrying sealed content are opened with the keyring when read.
	events.SetOpener(d, kr)
	// The details of organizations' audit entries are sealed with their key.
	audit.SetSealer(d, kr, keyring.ErrKeyDestroyed)
	a := &App{Cfg: cfg, DB: d, Log: log, Out: out, Keyring: kr}
	a.Server = &Server{Log: log, DB: d, DevUIURL: cfg.DevUIURL, TrustProxy: cfg.TrustProxy, ReadBodyTimeout: cfg.ReadBodyTimeout, Secure: cfg.TLSCert != "" || (len(cfg.BaseURL) > 8 && cfg.BaseURL[:8] == "https://")}
	if err := a.wire(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Metrics {
		a.instrument() // debug.go
	}
	return a, nil
}

// OnClose registers fn to run when the app closes (in reverse order).
func (a *App) OnClose(fn func()) { a.stops = append(a.stops, fn) }

// Close stops background work and closes the database.
func (a *App) Close() error {
	for i := len(a.stops) - 1; i >= 0; i-- {
		a.stops[i]()
	}
	a.stops = nil
	return a.DB.Close()
}

// Serve listens on cfg.Addr (or uses ln when given) and serves until ctx is
// done, then shuts down gracefully: in-flight requests finish within the
// shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", a.Cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", a.Cfg.Addr, err)
		}
	}
	// Slow clients are bounded without a deadline on whole requests (which
	// would cut off large uploads and WebSocket streams): the headers must
	// arrive within ReadHeaderTimeout, a body may not stall for longer than
	// ReadBodyTimeout (Server.ReadBodyTimeout), an idle keep-alive
	// connection closes after IdleTimeout. Hijacked WebSockets keep none of
	// these deadlines.
	srv := &http.Server{
		Handler:           a.Server.Handler(),
		ReadHeaderTimeout: a.Cfg.ReadHeaderTimeout,
		IdleTimeout:       a.Cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	a.serveDebug(ctx)
	errc := make(chan error, 1)
	go func() {
		var err error
		if a.Cfg.TLSCert != "" {
			srv.TLSConfig = tlsConfig()
			err = srv.ServeTLS(ln, a.Cfg.TLSCert, a.Cfg.TLSKey)
		} else {
			err = srv.Serve(ln)
		}
		errc <- err
	}()
	a.Log.Info("listening", "addr", ln.Addr().String(), "database", string(a.DB.Kind))
	fmt.Fprintf(a.Out, "Atrium is running at %s\n", a.publicURL(ln))
	a.announce(ctx, a.publicURL(ln))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

func (a *App) publicURL(ln net.Listener) string {
	if a.Cfg.BaseURL != "" && a.Cfg.Addr == ln.Addr().String() {
		return a.Cfg.BaseURL
	}
	scheme := "http"
	if a.Cfg.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + ln.Addr().String()
}

// Stderr is where start-up lines go by default.
var Stderr io.Writer = os.Stderr
