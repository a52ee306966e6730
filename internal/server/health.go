package server

import (
	"context"
	"net/http"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
	"github.com/atrium-hq/atrium/migrations"
)

// Health is the body of GET /api/v1/health.
type Health struct {
	Status        string `json:"status"`
	Database      string `json:"database"`
	SchemaVersion int64  `json:"schema_version"`
	Version       string `json:"version"`
}

// Version is the build version, set by main.
var Version = "dev"

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	v, err := s.DB.SchemaVersion(r.Context(), migrations.FS)
	if err != nil {
		return apperr.New(apperr.KindUnavailable, "database_unavailable", "the database is not answering").Wrap(err)
	}
	return httpx.OK(w, Health{Status: "ok", Database: string(s.DB.Kind), SchemaVersion: v, Version: Version})
}

// Liveness is the body of GET /healthz.
type Liveness struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// livez is the liveness probe: the process serves HTTP. It checks nothing
// else, so that a slow database never gets a healthy process restarted.
func (s *Server) livez(w http.ResponseWriter, r *http.Request) error {
	return httpx.OK(w, Liveness{Status: "ok", Version: Version})
}

// Readiness is the body of GET /readyz when the node is ready.
type Readiness struct {
	Status        string `json:"status"`
	Database      string `json:"database"`
	SchemaVersion int64  `json:"schema_version"`
}

// readyTimeout bounds a readiness check: a database that does not answer
// within it is not ready.
const readyTimeout = 3 * time.Second

// readyz is the readiness probe: the database answers (writer and readers)
// and every migration this binary knows is applied. Otherwise 503, with
// not_ready and what is missing, so that a load balancer sends no traffic.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	// A 503 written here, not by httpx.WriteError: it keeps its details
	// and is a state the operator watches, not a failed request.
	notReady := func(msg string, err error, details map[string]any) error {
		s.Log.WarnContext(ctx, "not ready", "reason", msg, "err", err)
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, httpx.ErrorBody{Error: httpx.ErrorPayload{
			Code: "not_ready", Message: msg, Details: details, RequestID: reqctx.ID(ctx)}})
	}
	if err := s.DB.Writer().PingContext(ctx); err != nil {
		return notReady("the database is not answering", err, nil)
	}
	if err := s.DB.Reader().PingContext(ctx); err != nil {
		return notReady("the database is not answering", err, nil)
	}
	st, err := s.DB.MigrationStatuses(ctx, migrations.FS)
	if err != nil {
		return notReady("the schema version cannot be read", err, nil)
	}
	var version int64
	pending := 0
	for _, m := range st {
		if !m.Applied {
			pending++
		} else if m.Version > version {
			version = m.Version
		}
	}
	if pending > 0 {
		return notReady("database migrations are pending: run atrium migrate up", nil, map[string]any{"pending_migrations": pending})
	}
	return httpx.OK(w, Readiness{Status: "ready", Database: string(s.DB.Kind), SchemaVersion: version})
}
