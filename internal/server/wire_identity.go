package server

import (
	"context"
	"time"

	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

// wireIdentity builds the identity service (the server's Authenticator) and
// starts the email outbox worker and the identity janitor.
func (a *App) wireIdentity(ctx context.Context) error {
	id := identity.New(a.DB, a.Keyring, a.Log)
	id.BaseURL = a.Cfg.BaseURL
	id.SecureCookies = a.Server.Secure
	a.Server.Auth = id

	w := &outbox.Worker{DB: a.DB, Log: a.Log, SMTP: outbox.SMTP{
		Addr: a.Cfg.SMTPAddr, User: a.Cfg.SMTPUser, Password: a.Cfg.SMTPPass, From: a.Cfg.SMTPFrom,
	}}
	a.OnClose(w.Start(ctx))
	a.OnClose(id.StartJanitor(10 * time.Minute))
	return nil
}

// Identity returns the identity service (accounts, sessions), for the CLI
// and for wiring other domains.
func (a *App) Identity() *identity.Service { return a.Server.ident() }

// ident returns the identity service, or nil on a zero Server (the route
// table is also built from one to generate the OpenAPI document).
func (s *Server) ident() *identity.Service {
	id, _ := s.Auth.(*identity.Service)
	return id
}
