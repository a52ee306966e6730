package drive

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Retention classes of the drive, which an organization's retention
// policies (privacy) set periods for; the privacy retention job runs them
// through Privacy.Sweep, in batches, each in its transaction, and the
// bytes nothing refers to any more are dropped after it commits.
//
//   - drive.files: files of the organization's spaces (personal spaces are
//     their person's and are left out) not changed for the period; they
//     are deleted for good with their versions, shares and links (folders
//     stay).
//   - drive.trash: what has been in a trash (any space) for the period —
//     the same as the trash period of the drive settings, whichever is
//     shorter.
//   - drive.versions: earlier versions of files saved longer ago than the
//     period (any space), on top of keep_versions.
//   - drive.link_access: the log of uses of links, older than the period.
//
// Rows that name a person under a legal hold (who created, changed or
// trashed an item, who saved a version, who used a link) stay.
const (
	ClassFiles      = "drive.files"
	ClassTrash      = "drive.trash"
	ClassVersions   = "drive.versions"
	ClassLinkAccess = "drive.link_access"
)

// Targets adds the drive's classes to the engine's.
func (p *Privacy) Targets(ctx context.Context) ([]datamap.Target, error) {
	tgs, err := p.Engine.Targets(ctx)
	if err != nil {
		return nil, err
	}
	var out []datamap.Target
	for _, t := range tgs {
		if t.Table != "drive_items" && t.Table != "drive_versions" && t.Table != "drive_link_access" {
			out = append(out, t)
		}
	}
	return append(out,
		datamap.Target{Table: "drive_items", Classes: []string{ClassFiles, ClassTrash}},
		datamap.Target{Table: "drive_versions", Classes: []string{ClassVersions}},
		datamap.Target{Table: "drive_link_access", Classes: []string{ClassLinkAccess}}), nil
}

// Sweep counts (DryRun) or deletes, at most Limit at a time, what one of
// the drive's classes keeps beyond the cutoff, in ctx's transaction.
func (p *Privacy) Sweep(ctx context.Context, r datamap.SweepRequest) (int64, error) {
	s := p.s
	switch r.Class {
	case ClassFiles, ClassTrash:
		cand, err := sweepItems(ctx, s.DB, r.OrgID, r.Class == ClassTrash, r.Cutoff, r.Held, r.Limit, r.DryRun)
		if err != nil || r.DryRun {
			return int64(len(cand)), err
		}
		var drop []string
		for _, c := range cand {
			keys, size, err := subtreeRefs(ctx, s.DB, c.ID)
			if err != nil {
				return 0, err
			}
			if err := deleteSubtree(ctx, s.DB, c.ID); err != nil {
				return 0, err
			}
			if err := addUsed(ctx, s.DB, c.SpaceID, -size); err != nil {
				return 0, err
			}
			gone, err := s.unref(ctx, keys)
			if err != nil {
				return 0, err
			}
			drop = append(drop, gone...)
		}
		s.dropAfterCommit(ctx, drop)
		return int64(len(cand)), nil
	case ClassVersions:
		vs, err := sweepVersions(ctx, s.DB, r.OrgID, r.Cutoff, r.Held, r.Limit, r.DryRun)
		if err != nil || r.DryRun {
			return int64(len(vs)), err
		}
		var keys []string
		for _, v := range vs {
			if err := deleteVersion(ctx, s.DB, v.ItemID, v.Version); err != nil {
				return 0, err
			}
			if err := addUsed(ctx, s.DB, v.SpaceID, -v.Size); err != nil {
				return 0, err
			}
			keys = append(keys, v.BlobKey)
		}
		drop, err := s.unref(ctx, keys)
		if err != nil {
			return 0, err
		}
		s.dropAfterCommit(ctx, drop)
		return int64(len(vs)), nil
	case ClassLinkAccess:
		return sweepLinkAccess(ctx, s.DB, r.OrgID, r.Cutoff, r.Held, r.Limit, r.DryRun)
	}
	return p.Engine.Sweep(ctx, r)
}

// dropAfterCommit drops bytes nothing refers to once ctx's transaction
// commits (at once without one).
func (s *Service) dropAfterCommit(ctx context.Context, keys []string) {
	if len(keys) == 0 {
		return
	}
	db.AfterCommit(ctx, func() { s.dropBlobs(context.WithoutCancel(ctx), keys) })
}
