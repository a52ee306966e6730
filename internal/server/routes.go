package server

// routeTable lists every route of the API, one line each. A route missing
// here does not exist; the OpenAPI document and the authorization matrix are
// generated from this table.
func (s *Server) routeTable() []Route {
	return []Route{
		{Pattern: "GET /api/v1/health", Handler: s.health, Auth: Public, Summary: "Liveness and database status", Response: Health{}},
	}
}
