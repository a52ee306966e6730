// Package drive owns the drive: spaces of folders and files that people
// and teams keep, with versions, a trash, quotas, sharing with people and
// by link, and resumable uploads of large files.
//
// A space is a person's own (kind personal, created the first time it is
// asked for; its controller is the person) or one of the organization's
// (team, department, project) whose members — members, departments with
// their sub-departments, or roles — are viewers, editors or managers.
// Every space has a root folder; items (folders and files) form a tree
// under it, a name unique in its folder ignoring case. A file's bytes are
// in the file store (platform/blob), sealed under the key of the space's
// controller (the person's for a personal space, the organization's
// otherwise); drive_blobs counts how many versions refer to each body, so
// a copy refers to the same bytes instead of copying them.
//
// Every operation takes the caller from ctx (actor.Member) and checks the
// same rights, whether it comes from the JSON API, a WebDAV client (the
// path helpers in path.go) or a public link (link.go): another
// organization's items, and items the caller may not see, are 404.
//
// Drive asks the directory only small questions through the Directory
// interface declared here, wired in internal/server.
package drive

import (
	"context"
	"log/slog"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// PermManage is the organization permission to create organization spaces,
// manage every one of them and change the drive settings. Owners and
// admins hold it.
const PermManage = perm.ManageDrive

// Space kinds.
const (
	KindPersonal   = "personal"
	KindTeam       = "team"
	KindDepartment = "department"
	KindProject    = "project"
)

// Roles in a space (viewer < editor < manager); shares grant viewer or
// editor.
const (
	RoleViewer  = "viewer"
	RoleEditor  = "editor"
	RoleManager = "manager"
)

// Subjects of a space membership or a share.
const (
	SubjectMember     = "member"
	SubjectDepartment = "department"
	SubjectRole       = "role"
)

// Item kinds.
const (
	ItemFolder = "folder"
	ItemFile   = "file"
)

// Link permissions: view (see the item and, for a folder, its contents),
// download (also the bytes), edit (also upload into a shared folder and
// replace a shared file).
const (
	LinkView     = "view"
	LinkDownload = "download"
	LinkEdit     = "edit"
)

// Link sharing settings of an organization: no links, links only for the
// organization's signed-in members, or public links anyone may open.
const (
	LinkSharingNone   = "none"
	LinkSharingInside = "inside"
	LinkSharingPublic = "public"
)

// Facts are what drive needs to know of a member to decide their rights:
// their account, their departments with every department above them, and
// their roles (the built-in one and custom role ids).
type Facts struct {
	MemberID    string
	AccountID   string
	Departments []string
	Roles       []string
}

// Directory is what drive needs of the organization's directory.
type Directory interface {
	// Authorize checks that the caller holds p in its current
	// organization (403 forbidden otherwise).
	Authorize(ctx context.Context, p perm.Permission, deptID string) error
	// Facts returns a member's departments (with the departments above
	// them) and roles; db.ErrNotFound for no such member.
	Facts(ctx context.Context, orgID, memberID string) (Facts, error)
	// Check reports whether every id names a member (kind member), a
	// department or a role of orgID: 400 invalid_field otherwise.
	Check(ctx context.Context, orgID, kind string, ids []string) error
	// MemberOfAccount returns an account's active member id in orgID
	// ("" for none).
	MemberOfAccount(ctx context.Context, orgID, accountID string) string
}

// Rewrapper is a file store that can seal a copy of a body for another
// owner without decrypting it to the caller (blob.Envelope): copying a
// file between a personal space and an organization's.
type Rewrapper interface {
	Rewrap(ctx context.Context, key, newOwner string) (blob.Info, error)
}

// Service is the drive domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Blobs stores file bodies (a blob.Envelope seals them under the
	// space controller's key); uploads are refused without it.
	Blobs blob.Store
	// Sealer seals file and folder names under the space controller's
	// key and hashes them for lookups (seal.go); nil leaves them
	// plaintext.
	Sealer Sealer
	// IndexSoon asks for the indexing job (IndexPending) to run, in ctx's
	// transaction, after a file's content changed (nil: the periodic run
	// or a test calls it).
	IndexSoon func(ctx context.Context) error
	Log       *slog.Logger
	// Now is the clock; tests replace it to move time forward.
	Now func() time.Time
	// Held reports whether a person is under a legal hold in an
	// organization: the trash they emptied is then kept past the trash
	// period (nil: no holds).
	Held func(ctx context.Context, orgID, accountID string) (bool, error)
	// Successor finds who takes over a leaver's organization files: their
	// nearest active supervisor, else an owner or admin, with the
	// leaver's own member id (nil: no handover).
	Successor func(ctx context.Context, orgID, accountID string) (memberID string, to Successor, err error)
	// LinkAccessKeep is how many entries of each link's access log
	// TrimLinkAccess keeps, the newest (default 10,000).
	LinkAccessKeep int
	// UploadIdle is how long a resumable upload may wait for its next
	// chunk before PurgeUploads drops it (default a day).
	UploadIdle time.Duration
	// Thumbs makes thumbnails of pictures and PDFs (nil: none are made).
	Thumbs *Thumbnails
	// SecureCookies marks the cookie of a link's grant Secure (HTTPS).
	SecureCookies bool
}

// New returns a service over d.
func New(d *db.DB, dir Directory, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: d, Directory: dir, Log: log, Now: time.Now, UploadIdle: 24 * time.Hour, LinkAccessKeep: 10000}
}

func (s *Service) now() int64 { return s.Now().UnixMilli() }

// isManager reports whether the caller holds manage_drive.
func (s *Service) isManager(ctx context.Context) (bool, error) {
	err := s.Directory.Authorize(ctx, PermManage, "")
	switch {
	case err == nil:
		return true, nil
	case apperr.KindOf(err) == apperr.KindForbidden:
		return false, nil
	}
	return false, err
}

// record writes an audit entry in ctx's transaction.
func (s *Service) record(ctx context.Context, orgID, action, kind, id string, details map[string]any) error {
	return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Outcome: "success", Details: details})
}

// Errors with stable codes.
var (
	errNotFound = apperr.ErrNotFound
)

// nameTaken is 409 name_taken: the folder holds an item of that name.
func nameTaken(name string) error {
	return apperr.Conflict("name_taken", "an item of that name is already in the folder").With("name", name)
}

// quotaExceeded is 413 quota_exceeded with the numbers.
func quotaExceeded(scope string, used, limit, size int64) error {
	return apperr.New(apperr.KindTooLarge, "quota_exceeded", "the file does not fit in the quota").
		With("scope", scope).With("used_bytes", used).With("quota_bytes", limit).With("size", size)
}
