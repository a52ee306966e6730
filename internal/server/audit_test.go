package server_test

import (
	"net/http"
	"testing"

	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// The audit log route exists and is closed to anonymous callers; its rules
// (permission, organization scope, filters) are tested in internal/audit.
func TestAuditRouteRequiresSignIn(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		env.Client().Do(t, "GET", "/api/v1/audit", nil, nil).WantError(t, http.StatusUnauthorized, "unauthenticated")
	})
}
