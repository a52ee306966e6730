package server

import (
	"context"
	"crypto/tls"

	"github.com/atrium-hq/atrium/internal/audit"
)

// wire constructs every domain service and hands it to the server. Each
// domain adds its construction here and its routes to routes.go.
func (a *App) wire(ctx context.Context) error {
	if err := a.wireIdentity(ctx); err != nil {
		return err
	}
	// The directory sets a.Server.Audit.Auth (the audit.read permission).
	a.Server.Audit = &audit.Service{DB: a.DB}
	if a.Keyring != nil {
		a.Server.Audit.Keys = a.Keyring
	}
	if err := a.wireDirectory(ctx); err != nil {
		return err
	}
	if err := a.wirePrivacy(ctx); err != nil {
		return err
	}
	if err := a.wireAuditCheckpoints(); err != nil {
		return err
	}
	if err := a.wireChat(ctx); err != nil {
		return err
	}
	if err := a.wireAnnounce(ctx); err != nil {
		return err
	}
	if err := a.wireReport(ctx); err != nil {
		return err
	}
	if err := a.wireApproval(ctx); err != nil {
		return err
	}
	if err := a.wireAttendance(ctx); err != nil {
		return err
	}
	if err := a.wireCalendar(ctx); err != nil {
		return err
	}
	if err := a.wireDrive(ctx); err != nil {
		return err
	}
	// Last: the stream uses the services built above.
	if err := a.wireStream(ctx); err != nil {
		return err
	}
	// After the stream: pushes skip people it has connected.
	if err := a.wirePush(ctx); err != nil {
		return err
	}
	// Last of all: background jobs. A job this node picks up at once (a
	// retention run or an erasure resumed after a crash) must reach every
	// domain's tables, so every contract and handler is in place first;
	// and on close the queue stops first, before the services its jobs use.
	if q := a.Jobs(); q != nil {
		a.OnClose(q.Start())
	}
	return nil
}

// announce prints operator-facing lines after the listener is up (e.g. the
// one-time setup link on an empty database).
func (a *App) announce(ctx context.Context, baseURL string) { a.announceSetup(ctx, baseURL) }

func tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12}
}
