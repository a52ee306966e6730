package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/internal/stream"
)

// EventLogKeep is how long the event log keeps events for clients that
// reconnect (a client away for longer resynchronizes from a snapshot).
const EventLogKeep = 30 * 24 * time.Hour

// wireStream builds the real-time path: the bus (PostgreSQL LISTEN/NOTIFY,
// so that several nodes share positions, or in-process on SQLite), this
// node's hub tailing the event log, and the WebSocket gateway. It runs last
// in wire: the gateway asks chat for participants and the directory for
// memberships.
func (a *App) wireStream(ctx context.Context) error {
	var bus events.Bus
	if a.DB.Kind == db.Postgres {
		b, err := events.NewPGBus(ctx, a.DB, a.Log)
		if err != nil {
			return err
		}
		bus = b
	} else {
		bus = events.NewLocalBus()
	}
	events.Attach(a.DB, bus)
	hctx, cancel := context.WithCancel(context.Background())
	hub := events.NewHub(a.DB, bus, a.Log, events.HubOptions{})
	if err := hub.Start(hctx); err != nil {
		cancel()
		bus.Close()
		events.Attach(a.DB, nil)
		return err
	}
	// This node's appends hand their events to the hub after COMMIT, so it
	// reads from the database only other nodes' events.
	events.AttachHub(a.DB, hub)
	var origins []string
	if u, err := url.Parse(a.Cfg.BaseURL); err == nil && u.Host != "" {
		origins = append(origins, u.Host)
	}
	// A client message holds at most a send's body and its envelope.
	gw := stream.New(a.DB, hub, bus, a.Log, stream.Options{OriginPatterns: origins, MaxClientMessage: chat.MaxSendBody + 4<<10})
	gw.Send = a.Server.streamSend
	if c, ok := streamConversations(a); ok {
		gw.Conversations = c
	}
	if d, ok := streamDirectory(a); ok {
		gw.Directory = d
	}
	// The safety net behind revocation events: every few minutes each
	// socket's credential is checked again (it catches sessions that
	// simply expire).
	gw.TokenOf = func(r *http.Request) string {
		token, _, _ := reqctx.Credential(r)
		return token
	}
	gw.Recheck = func(ctx context.Context, token string) (string, bool, error) {
		if a.Server.Auth == nil {
			return "", false, errors.New("no authenticator")
		}
		act, err := a.Server.callers().Resolve(ctx, token, actor.ViaBearer)
		if apperr.KindOf(err) == apperr.KindUnauthenticated {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		return act.OrgID, true, nil
	}
	gw.Start()
	a.Server.Stream = gw
	a.hub = hub
	// Keep EventLogKeep of history for clients that reconnect; older
	// cursors are told to resync. One node trims per hour (a leased job).
	if a.Server.Privacy != nil && a.Server.Privacy.Jobs != nil {
		q := a.Server.Privacy.Jobs
		q.Handle("events.trim", func(ctx context.Context, _ *jobs.Job) error {
			n, err := events.Trim(ctx, a.DB, time.Now().Add(-EventLogKeep).UnixMilli())
			if n > 0 {
				a.Log.Info("event log trimmed", "events", n)
			}
			return err
		})
		q.Every("events.trim", time.Hour, nil)
	}
	a.OnClose(func() {
		gw.Close()
		cancel()
		<-hub.Done()
		events.AttachHub(a.DB, nil)
		events.Attach(a.DB, nil)
		bus.Close()
	})
	return nil
}

// streamConversations returns chat's participant lists, once chat is wired.
func streamConversations(a *App) (stream.Conversations, bool) {
	if a.Server.Chat == nil {
		return nil, false
	}
	return a.Server.Chat, true
}

// streamDirectory returns the directory's membership check, once the
// directory is wired.
func streamDirectory(a *App) (stream.Directory, bool) {
	if a.Server.Directory == nil {
		return nil, false
	}
	return a.Server.Directory, true
}
