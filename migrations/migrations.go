// Package migrations embeds the schema migrations of both databases. Files
// are plain SQL, one transaction each, named NNNNN_what.sql, and are never
// edited after they land: add a new file instead. Every migration exists in
// both sqlite/ and postgres/ with the same number, and both dialects must end
// with the same tables and columns (a test checks this).
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
