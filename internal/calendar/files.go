package calendar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/attach"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Attachments. A member uploads a file (only they may download it then),
// and an event names it in file_ids. From then on the file belongs to that
// event: whoever may see the event may download it (not those who see
// only busy time), and whoever may edit the event may keep or drop it. A
// file an edit drops is deleted with its bytes, and so are the files of a
// deleted event or calendar, and those of a personal calendar that goes
// with its owner. The files stay with the series: an occurrence changed
// on its own shows them, and "this and the following" leaves them with
// the earlier part. The bytes are encrypted in the file store under the
// organization's key.

// MaxFileSize bounds an upload (50 MB).
const MaxFileSize = 50 << 20

// MaxFiles bounds the attachments of one event.
const MaxFiles = 20

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

func fileOf(f fileRow) File {
	return File{ID: f.ID, Name: f.Name, Size: f.Size, ContentType: f.ContentType}
}

// Upload stores a file for the caller to attach to an event.
func (s *Service) Upload(ctx context.Context, in UploadInput) (File, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return File{}, err
	}
	info, err := attach.Put(ctx, s.Blobs, a.OrgID, in.Name, in.Body, MaxFileSize)
	if err != nil {
		return File{}, err
	}
	f := fileRow{ID: ids.New("cfl"), OrgID: a.OrgID, UploaderID: a.AccountID, Name: attach.CleanName(in.Name),
		ContentType: attach.ContentType(in.ContentType), Size: info.Size, SHA256: info.SHA256, BlobKey: info.Key, CreatedAt: s.now()}
	if err := insertFile(ctx, s.DB, f); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	return fileOf(f), nil
}

// OpenFile opens a file for its uploader before an event names it, or
// for whoever may see the event it belongs to; 404 for everyone else.
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
	if f.EventID == "" {
		if f.UploaderID != a.AccountID {
			return File{}, nil, apperr.ErrNotFound
		}
	} else if _, _, _, _, err := s.load(ctx, s.viewer(a), f.EventID); err != nil {
		return File{}, nil, err
	}
	if s.Blobs == nil {
		return File{}, nil, apperr.ErrNotFound
	}
	o, _, err := s.Blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return File{}, nil, apperr.ErrNotFound
	}
	return fileOf(f), o, nil
}

// checkFileIDs checks file_ids: each a calendar file id, at most MaxFiles,
// duplicates dropped.
func checkFileIDs(l []string) ([]string, error) {
	out := make([]string, 0, len(l))
	for _, id := range l {
		if !ids.HasPrefix(id, "cfl") {
			return nil, apperr.InvalidField("file_ids", "names a file that is not one you uploaded").With("file_id", id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > MaxFiles {
		return nil, apperr.InvalidField("file_ids", fmt.Sprintf("at most %d attachments", MaxFiles))
	}
	return out, nil
}

// syncFiles makes eventID's files those of want, in ctx's transaction:
// each must be attached to the event already or be one the caller
// uploaded and no event names (400 invalid_field otherwise, naming no one
// else's file). The files no longer named are deleted; their bytes go
// after commit.
func (s *Service) syncFiles(ctx context.Context, orgID, accountID, eventID string, want []string) error {
	want, err := checkFileIDs(want)
	if err != nil {
		return err
	}
	have, err := filesOf(ctx, s.DB, orgID, eventID)
	if err != nil {
		return err
	}
	for i, id := range want {
		f, err := getFile(ctx, s.DB, orgID, id)
		if errors.Is(err, db.ErrNotFound) || (err == nil && f.EventID != eventID && (f.EventID != "" || f.UploaderID != accountID)) {
			return apperr.InvalidField("file_ids", "names a file that is not one you uploaded").With("file_id", id)
		}
		if err != nil {
			return err
		}
		if err := placeFile(ctx, s.DB, orgID, id, eventID, i); err != nil {
			return err
		}
	}
	var gone []string
	for _, f := range have {
		if slices.Contains(want, f.ID) {
			continue
		}
		if err := deleteFile(ctx, s.DB, orgID, f.ID); err != nil {
			return err
		}
		gone = append(gone, f.BlobKey)
	}
	s.dropAfterCommit(ctx, gone)
	return nil
}

// dropAfterCommit deletes bytes once ctx's transaction has committed.
func (s *Service) dropAfterCommit(ctx context.Context, keys []string) {
	if len(keys) == 0 {
		return
	}
	db.AfterCommit(ctx, func() { attach.Drop(context.WithoutCancel(ctx), s.Blobs, s.Log, keys) })
}

// attachments describes an event's files, in order.
func (s *Service) attachments(ctx context.Context, orgID, eventID string) ([]File, error) {
	have, err := filesOf(ctx, s.DB, orgID, eventID)
	if err != nil {
		return nil, err
	}
	out := make([]File, len(have))
	for i, f := range have {
		out[i] = fileOf(f)
	}
	return out, nil
}

// UnattachedFor is how long an upload no event names is kept: long enough
// to finish the event it was uploaded for.
const UnattachedFor = 24 * time.Hour

// PurgeFiles deletes, with their bytes, the uploads no event named within
// UnattachedFor and any file whose event is gone, and returns how many it
// deleted. The background job calls it.
func (s *Service) PurgeFiles(ctx context.Context) (int, error) {
	n := 0
	for {
		old, err := staleFiles(ctx, s.DB, s.Now().Add(-UnattachedFor).UnixMilli(), 100)
		if err != nil || len(old) == 0 {
			return n, err
		}
		progress := false
		for _, f := range old {
			ok, err := deleteStale(ctx, s.DB, f)
			if err != nil {
				return n, err
			}
			if ok {
				attach.Drop(ctx, s.Blobs, s.Log, []string{f.BlobKey})
				n++
				progress = true
			}
		}
		if !progress {
			return n, nil
		}
	}
}
