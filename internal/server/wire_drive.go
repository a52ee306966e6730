package server

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// drivePurgeTrashJob deletes for good what has been in a trash longer
// than its organization's trash period.
const drivePurgeTrashJob = "drive.purge_trash"

// driveIndexJob reads the text of files whose content changed into the
// drive's search index.
const driveIndexJob = "drive.index"

// drivePurgeUploadsJob drops resumable uploads nobody wrote to for a day
// and caps each link's access log.
const drivePurgeUploadsJob = "drive.purge_uploads"

// wireDrive builds the drive: the directory's answers (rights, members,
// departments and roles), the file store sealed under each space's
// controller's key, legal holds from privacy, and the jobs that empty old
// trash and drop abandoned uploads.
func (a *App) wireDrive(ctx context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("drive: the directory must be wired first")
	}
	svc := drive.New(a.DB, driveDirectory{dir}, a.Log)
	svc.SecureCookies = a.Server.Secure
	blobs, err := a.blobStore()
	if err != nil {
		return err
	}
	svc.Blobs = blobs
	if a.Keyring != nil {
		// A personal space's bytes are sealed under its person's key, an
		// organization space's under the organization's.
		svc.Blobs = blob.Seal(blobs, a.Keyring)
		// File and folder names are sealed under the same key.
		svc.Sealer = a.Keyring
	}
	if p := a.Server.Privacy; p != nil {
		p.Register(svc.Privacy())
		svc.Held = p.MemberHeld
	}
	// A leaver's files in the organization's spaces pass to their
	// successor, in the transaction that records the leaving.
	svc.Successor = driveDirectory{dir}.Successor
	dir.OnMemberLeft(svc.MemberLeft)
	if q := a.Jobs(); q != nil {
		q.Handle(drivePurgeTrashJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.PurgeTrash(ctx)
			return err
		})
		q.Every(drivePurgeTrashJob, time.Hour, nil)
		q.Handle(drivePurgeUploadsJob, func(ctx context.Context, _ *jobs.Job) error {
			if _, err := svc.PurgeUploads(ctx); err != nil {
				return err
			}
			// Each link's access log keeps its newest entries only.
			_, err := svc.TrimLinkAccess(ctx)
			return err
		})
		q.Every(drivePurgeUploadsJob, time.Hour, nil)
		// The text of uploaded files is indexed off the request path: a
		// new content asks for the job in its transaction, and a periodic
		// run catches up after a restore or a crash.
		q.Handle(driveIndexJob, func(ctx context.Context, _ *jobs.Job) error {
			_, err := svc.IndexPending(ctx)
			return err
		})
		q.Every(driveIndexJob, 10*time.Minute, nil)
		svc.IndexSoon = func(ctx context.Context) error {
			_, err := q.Enqueue(ctx, driveIndexJob, nil, jobs.Options{})
			return err
		}
	}
	a.wireDriveThumbs(svc)
	a.Server.Drive = svc
	// Names written before sealing leave the plaintext columns.
	if n, err := svc.SealPlaintextNames(ctx); err != nil {
		a.Log.Error("seal plaintext drive names", "err", err)
	} else if n > 0 {
		a.Log.Info("sealed plaintext drive names", "count", n)
	}
	// The search index is left out of backups: a restore rebuilds it
	// (names now, the text of files by the indexing job).
	a.OnRestore(RebuildDerived, "drive.search-index", func(ctx context.Context, _ int64) (int, error) {
		var keys drive.Sealer
		if a.Keyring != nil {
			keys = a.Keyring
		}
		n, err := drive.Reindex(ctx, a.DB, keys, nil, nil)
		return int(n), err
	})
	return nil
}

// Drive returns the drive service, for tests (the clock) and the WebDAV
// file system.
func (a *App) Drive() *drive.Service { return a.Server.Drive }

// driveDirectory adapts the directory to drive.Directory.
type driveDirectory struct{ dir *directory.Service }

func (x driveDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func (x driveDirectory) Facts(ctx context.Context, orgID, memberID string) (drive.Facts, error) {
	f, err := x.dir.Facts(ctx, orgID, memberID)
	if err != nil {
		return drive.Facts{}, err
	}
	if !f.Active {
		// A deactivated member holds nothing through departments or roles.
		return drive.Facts{MemberID: f.MemberID, AccountID: f.AccountID}, nil
	}
	return drive.Facts{MemberID: f.MemberID, AccountID: f.AccountID, Departments: f.WithAncestors, Roles: f.Roles}, nil
}

func (x driveDirectory) Check(ctx context.Context, orgID, kind string, ids []string) error {
	q := directory.AudienceQuery{}
	switch kind {
	case drive.SubjectMember:
		q.MemberIDs = ids
	case drive.SubjectDepartment:
		q.DepartmentIDs = ids
	case drive.SubjectRole:
		q.RoleIDs = ids
	default:
		return nil
	}
	_, err := x.dir.Audience(ctx, orgID, q)
	return err
}

func (x driveDirectory) MemberOfAccount(ctx context.Context, orgID, accountID string) string {
	return x.dir.MemberOfAccount(ctx, orgID, accountID)
}

// Successor is who takes over a leaver's drive files: their nearest
// active supervisor, else the first active owner or admin.
func (x driveDirectory) Successor(ctx context.Context, orgID, accountID string) (string, drive.Successor, error) {
	memberID := x.dir.AnyMemberOfAccount(ctx, orgID, accountID)
	if memberID != "" {
		chain, err := x.dir.SupervisorLine(ctx, orgID, memberID)
		if err != nil {
			return "", drive.Successor{}, err
		}
		for _, c := range chain {
			if c.Active && c.AccountID != accountID {
				return memberID, drive.Successor{MemberID: c.MemberID, AccountID: c.AccountID}, nil
			}
		}
	}
	admins, err := x.dir.Audience(ctx, orgID, directory.AudienceQuery{RoleIDs: []string{"owner", "admin"}})
	if err != nil {
		return "", drive.Successor{}, err
	}
	for _, a := range admins {
		if a.AccountID != accountID {
			return memberID, drive.Successor{MemberID: a.MemberID, AccountID: a.AccountID}, nil
		}
	}
	return memberID, drive.Successor{}, nil
}
