// Package dav is the drive's WebDAV server (RFC 4918, class 1 and 2) at
// /dav/, for rclone, cadaver, the file managers of Windows, macOS and
// Linux and office suites, signed in with an app password (the server's
// AppPasswordAuth puts the account in the request's context).
//
// golang.org/x/net/webdav speaks the protocol; this package gives it a
// file system over the drive service, so that every operation runs as the
// signed-in member with the same rights as the JSON API:
//
//	/dav/                               the organizations the person belongs to
//	/dav/<org>/                         the spaces they may open there
//	/dav/<org>/personal/…               their personal space
//	/dav/<org>/<space>/…                an organization space, by name
//	/dav/<org>/shared/…                 the items shared with them (shared.go)
//
// An organization or a space is named by its name when that is a usable
// path segment, unique (ignoring case) among its siblings and, for a
// space, neither "personal" nor "shared"; otherwise by "<name>~<id>" (or the id alone for
// a name with a slash). The id alone is always accepted too. Organizations
// the person is not an active member of, and spaces they may not open,
// do not exist (404), whatever the spelling. The two top levels are read
// only (403).
//
// Files stream in both directions: GET (with ranges) reads the file
// store's seekable body, PUT writes through a pipe into the drive's
// upload, never holding a whole file. COPY of a file refers to the same
// bytes (the drive's copy); MOVE is the drive's move (same organization).
// Dead properties (PROPPATCH) are kept in drive_dav_props with their item.
//
// Locks (LOCK/UNLOCK, exclusive and shared, depth 0 or infinity) are kept
// in the database, so that every node sees them (locks.go). Tokens are
// random and only the account that took a lock may use, refresh or
// release it; taking one needs the right to edit.
package dav

import (
	"context"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
)

// Prefix is where the WebDAV server is mounted.
const Prefix = "/dav"

// PersonalName is the segment of a person's own space in each
// organization.
const PersonalName = "personal"

// Org is an organization the signed-in person is an active member of.
type Org struct {
	ID       string
	Name     string
	MemberID string
}

// Server is the WebDAV server.
type Server struct {
	Drive *drive.Service
	// Orgs lists the signed-in person's active memberships.
	Orgs func(ctx context.Context) ([]Org, error)
	// Log receives unexpected errors (nil: none logged).
	Log func(msg string, args ...any)

	started time.Time
}

// New returns a WebDAV server over the drive.
func New(d *drive.Service, orgs func(ctx context.Context) ([]Org, error)) *Server {
	return &Server{Drive: d, Orgs: orgs, started: time.Now()}
}
