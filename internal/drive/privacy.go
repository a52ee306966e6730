package drive

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
)

// Privacy is drive's side of the privacy contract, through the
// table-driven engine. A personal space is its person's: its files (the
// bytes of their current contents as files) are in their export, and it
// goes — with its folders, files, versions, shares, links and bytes — when
// the person is erased, or when their membership is erased after they
// left the organization, whatever its policy says. The organization's
// spaces stay the organization's: the people who created or changed their
// items are replaced by the tombstone. Bytes are deleted only once no row
// refers to them (drive_blobs counts references), after the erasure's
// transaction commits. Leaving the organization without erasure leaves
// the personal space as it is; the leaver's organization files pass to
// their successor (handover.go). Retention classes: retention.go.
type Privacy struct {
	*sqlmap.Engine
	s *Service
}

var _ datamap.Contract = (*Privacy)(nil)

// privacyTables are drive's tables in the data map (datamap.go).
var privacyTables = []string{"drive_spaces", "drive_members", "drive_items", "drive_versions", "drive_blobs", "drive_shares",
	"drive_links", "drive_link_access", "drive_uploads", "drive_upload_parts", "drive_settings"}

// Privacy returns drive's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	// Names are sealed (name_box): the export opens them with the keyring.
	var keys sqlmap.Keyring
	if s.Sealer != nil {
		keys = s.Sealer
	}
	return &Privacy{s: s, Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Tables: privacyTables, Log: s.Log,
		Rules: []sqlmap.Rule{
			{Table: "drive_spaces", Shared: true},
			{Table: "drive_items", Shared: true},
			{Table: "drive_versions", Shared: true},
			{Table: "drive_shares", Shared: true},
			{Table: "drive_links", Shared: true},
			{Table: "drive_upload_parts", OrgExpr: "(SELECT u.org_id FROM drive_uploads u WHERE u.id = drive_upload_parts.upload_id)"},
		}})}
}

// Coverage adds the files of personal spaces, which Export adds itself.
func (p *Privacy) Coverage() []datamap.Coverage {
	out := p.Engine.Coverage()
	if p.s.Blobs != nil {
		for i := range out {
			if out[i].Table == "drive_items" {
				out[i].Files = append(out[i].Files, "blob_key")
			}
		}
	}
	return out
}

// Export adds the rows naming the person (the engine), then the bytes of
// every file in their personal spaces.
func (p *Privacy) Export(ctx context.Context, r datamap.ExportRequest, w datamap.ExportWriter) error {
	if err := p.Engine.Export(ctx, r, w); err != nil {
		return err
	}
	if p.s.Blobs == nil {
		return nil
	}
	spaces, err := personalSpaces(ctx, p.s.DB, "", r.Subject.AccountID)
	if err != nil {
		return err
	}
	for _, sp := range spaces {
		files, err := p.s.filesOfSpace(ctx, sp.ID)
		if err != nil {
			return err
		}
		for _, f := range files {
			key := f.BlobKey
			w.AddFile(datamap.File{Table: "drive_items", RowID: f.ID, OrgID: sp.OrgID, Name: f.Name, ContentType: f.ContentType,
				Open: func(ctx context.Context) (io.ReadCloser, error) {
					o, _, err := p.s.Blobs.Open(ctx, key)
					return o, err
				}})
		}
	}
	return nil
}

// Erase deletes the person's personal spaces in the request's scope
// (every organization's for an account, one organization's for a
// membership) and their unfinished uploads, with the bytes after commit;
// for a disbanded organization, every byte of its drive. The engine then
// erases the rest.
func (p *Privacy) Erase(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	var drop []string
	var spaces int64
	err := p.s.DB.Tx(ctx, func(ctx context.Context) error {
		orgID := ""
		switch r.Scope {
		case datamap.ScopeAccount:
		case datamap.ScopeMembership:
			orgID = r.OrgID
		case datamap.ScopeOrganization:
			keys, err := orgBlobKeys(ctx, p.s.DB, r.OrgID)
			if err != nil {
				return err
			}
			thumbs, err := takeOrgThumbs(ctx, p.s.DB, r.OrgID)
			drop = append(keys, thumbs...)
			return err
		default:
			return nil
		}
		sps, err := personalSpaces(ctx, p.s.DB, orgID, r.Subject.AccountID)
		if err != nil {
			return err
		}
		for _, sp := range sps {
			if slices.Contains(r.HeldOrgs, sp.OrgID) {
				continue // a legal hold keeps it
			}
			keys, err := p.s.deleteSpaceRows(ctx, sp)
			if err != nil {
				return err
			}
			drop = append(drop, keys...)
			spaces++
		}
		parts, err := uploadPartsOf(ctx, p.s.DB, orgID, r.Subject.AccountID)
		if err != nil {
			return err
		}
		drop = append(drop, parts...)
		// The thumbnails of the bodies that go, with them.
		thumbs, err := takeThumbs(ctx, p.s.DB, drop)
		if err != nil {
			return err
		}
		drop = append(drop, thumbs...)
		return deleteUploadsOf(ctx, p.s.DB, orgID, r.Subject.AccountID)
	})
	if err != nil {
		return datamap.Erased{}, err
	}
	out, err := p.Engine.Erase(ctx, r)
	if err != nil {
		return out, err
	}
	if spaces > 0 {
		if out.Deleted == nil {
			out.Deleted = map[string]int64{}
		}
		out.Deleted["drive_spaces"] += spaces
	}
	if len(drop) > 0 && p.s.Blobs != nil {
		// A failure to delete the bytes fails the erasure's job, which is
		// retried, rather than leaving them behind unnoticed.
		blobs := p.s.Blobs
		out.After = append(out.After, func(ctx context.Context) error {
			for _, k := range drop {
				if err := blobs.Delete(ctx, k); err != nil {
					return fmt.Errorf("drive: delete a file's bytes: %w", err)
				}
			}
			return nil
		})
	}
	return out, nil
}
