package report

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/attach"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Files: what people attach to a template's attachment fields. A writer
// uploads a file (only they may download it then), and their report names
// it in an attachment field's value. From then on the file belongs to
// that report: whoever may see the report — its author, and its
// recipients once it is submitted — may download it; everyone else gets
// 404. A file an edit drops is deleted with its bytes, and so are the
// files of a deleted draft. The bytes are encrypted in the file store
// under the organization's key (blob.PutFor), the name sealed like the
// report's content.

// MaxFileSize bounds an upload (20 MB).
const MaxFileSize = 20 << 20

// MaxFiles bounds the files of one attachment field.
const MaxFiles = 20

// FilePath is where a file is downloaded.
const FilePath = "/api/v1/report-files/"

// File describes an uploaded file.
type File struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// UploadInput is an upload: its name, sniffed content type and bytes.
type UploadInput struct {
	Name        string
	ContentType string
	Body        io.Reader
}

// fileMeta is what is sealed of a file.
type fileMeta struct {
	Name string `json:"name"`
}

func fileAAD(id string) string { return "report_files.meta:" + id }

// Upload stores a file for the caller to attach to a report they write.
// Every member may write reports.
func (s *Service) Upload(ctx context.Context, in UploadInput) (File, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return File{}, err
	}
	info, err := attach.Put(ctx, s.Blobs, a.OrgID, in.Name, in.Body, MaxFileSize)
	if err != nil {
		return File{}, err
	}
	ct := attach.ContentType(in.ContentType)
	f := fileRow{ID: ids.New("rpf"), OrgID: a.OrgID, UploaderID: a.AccountID, ContentType: ct, Size: info.Size, SHA256: info.SHA256,
		BlobKey: info.Key, CreatedAt: s.now()}
	name := attach.CleanName(in.Name)
	if f.Meta, f.MetaKey, err = s.seal(ctx, a.OrgID, fileAAD(f.ID), fileMeta{Name: name}); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	if err := insertFile(ctx, s.DB, f); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	return File{ID: f.ID, Name: name, Size: f.Size, ContentType: f.ContentType}, nil
}

// fileOf describes a stored file; its name is empty when its key is gone.
func (s *Service) fileOf(ctx context.Context, f fileRow) File {
	var m fileMeta
	s.open(ctx, f.MetaKey, fileAAD(f.ID), f.Meta, &m)
	return File{ID: f.ID, Name: m.Name, Size: f.Size, ContentType: f.ContentType}
}

// OpenFile opens a file for its uploader before it is attached, or for
// whoever may see the report it belongs to; 404 for everyone else.
func (s *Service) OpenFile(ctx context.Context, id string) (File, io.ReadCloser, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return File{}, nil, err
	}
	f, err := getFile(ctx, s.DB, a.OrgID, id)
	if errors.Is(err, db.ErrNotFound) {
		return File{}, nil, apperr.ErrNotFound
	}
	if err != nil {
		return File{}, nil, err
	}
	if f.ReportID == "" {
		if f.UploaderID != a.AccountID {
			return File{}, nil, apperr.ErrNotFound
		}
	} else if _, _, err := s.visible(ctx, f.ReportID); err != nil {
		return File{}, nil, err
	}
	if s.Blobs == nil {
		return File{}, nil, apperr.ErrNotFound
	}
	o, _, err := s.Blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return File{}, nil, apperr.ErrNotFound
	}
	return s.fileOf(ctx, f), o, nil
}

// attachments lists, by field id, the file ids checked values name.
func attachments(fields []Field, vals map[string]any) map[string][]string {
	out := map[string][]string{}
	for _, f := range fields {
		if f.Kind != KindAttachment {
			continue
		}
		if l, ok := vals[f.ID].([]string); ok {
			out[f.ID] = l
		}
	}
	return out
}

// syncFiles makes reportID's files those want names, in ctx's
// transaction: each file named must be attached to the report already or
// be one the caller uploaded and no report names (400 invalid_field
// otherwise, naming no one else's file). It returns the blob keys of the
// files no longer named, whose rows it deleted; the caller deletes the
// bytes after commit.
func (s *Service) syncFiles(ctx context.Context, orgID, accountID, reportID string, want map[string][]string) ([]string, error) {
	have, err := filesOf(ctx, s.DB, orgID, reportID)
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for field, l := range want {
		for i, id := range l {
			if named[id] {
				return nil, apperr.InvalidField("values", "a file is named twice").With("id", field).With("file_id", id)
			}
			named[id] = true
			f, err := getFile(ctx, s.DB, orgID, id)
			if errors.Is(err, db.ErrNotFound) || (err == nil && f.ReportID != reportID && (f.ReportID != "" || f.UploaderID != accountID)) {
				return nil, apperr.InvalidField("values", "names a file that is not one you uploaded").With("id", field).With("file_id", id)
			}
			if err != nil {
				return nil, err
			}
			if err := placeFile(ctx, s.DB, orgID, id, reportID, field, i); err != nil {
				return nil, err
			}
		}
	}
	var gone []string
	for _, f := range have {
		if named[f.ID] {
			continue
		}
		if err := deleteFile(ctx, s.DB, orgID, f.ID); err != nil {
			return nil, err
		}
		gone = append(gone, f.BlobKey)
	}
	return gone, nil
}

// dropBlobs deletes the bytes of files whose rows are gone (after commit).
func (s *Service) dropBlobs(ctx context.Context, keys []string) {
	attach.Drop(ctx, s.Blobs, s.Log, keys)
}

// filesView describes a report's files, in order.
func (s *Service) filesView(ctx context.Context, orgID, reportID string) ([]File, error) {
	have, err := filesOf(ctx, s.DB, orgID, reportID)
	if err != nil {
		return nil, err
	}
	out := make([]File, len(have))
	for i, f := range have {
		out[i] = s.fileOf(ctx, f)
	}
	return out, nil
}

// UnattachedFor is how long an upload no report names is kept: long
// enough to finish writing the report it was uploaded for.
const UnattachedFor = 24 * time.Hour

// PurgeUnattached deletes the uploads no report named within
// UnattachedFor, with their bytes, and returns how many it deleted. The
// background job calls it.
func (s *Service) PurgeUnattached(ctx context.Context) (int, error) {
	n := 0
	for {
		old, err := unattachedBefore(ctx, s.DB, s.Now().Add(-UnattachedFor).UnixMilli(), 100)
		if err != nil || len(old) == 0 {
			return n, err
		}
		for _, f := range old {
			ok, err := deleteUnattached(ctx, s.DB, f.OrgID, f.ID)
			if err != nil {
				return n, err
			}
			if ok { // not named by a report in the meantime
				s.dropBlobs(ctx, []string{f.BlobKey})
				n++
			}
		}
	}
}

// checkFileIDs checks an attachment field's value: a list of file ids,
// each once, at most MaxFiles.
func checkFileIDs(f Field, raw json.RawMessage) ([]string, error) {
	bad := func(msg string) error { return apperr.InvalidField("values", msg).With("id", f.ID) }
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, bad("an attachment field takes a list of file ids")
	}
	if len(l) > MaxFiles {
		return nil, bad("at most 20 files in one field")
	}
	out := make([]string, 0, len(l))
	for _, id := range l {
		if !ids.HasPrefix(id, "rpf") {
			return nil, apperr.InvalidField("values", "names a file that is not one you uploaded").With("id", f.ID).With("file_id", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}
