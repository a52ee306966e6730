package server

import "github.com/atrium-hq/atrium/internal/audit"

// routeTable lists every route of the API, one line each. A route missing
// here does not exist; the OpenAPI document and the authorization matrix are
// generated from this table.
//
// Handlers are methods on concrete pointer types (never on interface
// values), so that the table can be built from a zero Server to generate the
// OpenAPI document.
func (s *Server) routeTable() []Route {
	return []Route{
		{Pattern: "GET /api/v1/health", Handler: s.health, Auth: Public, Summary: "Liveness and database status", Response: Health{}},
		{Pattern: "GET /api/v1/openapi.json", Handler: s.openapi, Auth: Public, Summary: "This API's OpenAPI 3.1 document", Response: map[string]any{}},
		{Pattern: "GET /api/v1/stream", Handler: s.Stream.Serve, Auth: Account, Summary: "Real-time stream (WebSocket): replay after last_pos, then live events, typing and presence; see docs/api.md"},
		{Pattern: "GET /api/v1/audit", Handler: s.Audit.HandleList, Auth: Member, Summary: "The organization's audit log, newest first (permission audit.read)", Response: audit.Page{}},
	}
}
