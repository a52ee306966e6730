package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestHealthAndUnknownRoute(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		c := env.Client()
		var h server.Health
		c.Do(t, "GET", "/api/v1/health", nil, &h).Want(t, http.StatusOK)
		if h.Status != "ok" || h.Database != string(env.Kind) || h.SchemaVersion < 1 {
			t.Fatalf("health = %+v", h)
		}
		r := c.Do(t, "GET", "/api/v1/no/such/route", nil, nil).WantError(t, http.StatusNotFound, "no_route")
		if !strings.Contains(r.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("content type %q", r.Header.Get("Content-Type"))
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Fatalf("security headers missing: %v", r.Header)
		}
	})
}
