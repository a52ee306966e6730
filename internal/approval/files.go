package approval

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Files: receipts and images members upload for attachment and image
// fields and for comments. The bytes are encrypted in the file store
// under the organization's key (blob.PutFor), the name sealed like chat's
// file names. A file is attached to one request when the request (or a
// comment on it) names it; from then on whoever may see the request may
// download it. Before, only its uploader may.

// MaxFileSize bounds an upload (20 MB).
const MaxFileSize = 20 << 20

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

func fileAAD(id string) string { return "approval_files.meta:" + id }

// cleanName keeps a file name displayable: no directories, no control
// characters, at most 255 bytes.
func cleanName(n string) string {
	n = path.Base(strings.ReplaceAll(n, "\\", "/"))
	n = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, n))
	for len(n) > 255 {
		n = string([]rune(n)[:len([]rune(n))-1])
	}
	if n == "" || n == "." || n == "/" || n == ".." {
		n = "file"
	}
	return strings.ToValidUTF8(n, "")
}

// Upload stores a file for the caller to attach.
func (s *Service) Upload(ctx context.Context, in UploadInput) (File, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return File{}, err
	}
	if s.Blobs == nil {
		return File{}, apperr.New(apperr.KindUnavailable, "no_file_store", "file uploads are not configured")
	}
	if err := safetext.Check("name", in.Name); err != nil {
		return File{}, err
	}
	info, err := blob.PutFor(ctx, s.Blobs, a.OrgID, in.Body, MaxFileSize)
	if errors.Is(err, blob.ErrTooLarge) {
		return File{}, apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", MaxFileSize)
	}
	if err != nil {
		return File{}, err
	}
	if info.Size == 0 {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, apperr.Invalid("empty_file", "the file is empty")
	}
	ct := in.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	f := fileRow{ID: ids.New("apf"), OrgID: a.OrgID, UploaderID: a.AccountID, ContentType: ct, Size: info.Size, SHA256: info.SHA256,
		BlobKey: info.Key, CreatedAt: s.now()}
	name := cleanName(in.Name)
	meta, _ := json.Marshal(fileMeta{Name: name})
	if f.Meta, f.MetaKey, err = s.seal(ctx, a.OrgID, fileAAD(f.ID), meta); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	if err := insertFile(ctx, s.DB, f); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	return File{ID: f.ID, Name: name, Size: f.Size, ContentType: f.ContentType}, nil
}

// OpenFile opens a file for its uploader, or for whoever may see the
// request it is attached to; 404 for everyone else.
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
	if f.UploaderID != a.AccountID {
		if f.RequestID == "" {
			return File{}, nil, apperr.ErrNotFound
		}
		if _, err := s.visible(ctx, a, f.RequestID); err != nil {
			return File{}, nil, err
		}
	}
	if s.Blobs == nil {
		return File{}, nil, apperr.ErrNotFound
	}
	o, _, err := s.Blobs.Open(ctx, f.BlobKey)
	if err != nil {
		return File{}, nil, apperr.ErrNotFound
	}
	var m fileMeta
	_ = json.Unmarshal(s.open(ctx, f.MetaKey, fileAAD(f.ID), f.Meta), &m)
	return File{ID: f.ID, Name: m.Name, Size: f.Size, ContentType: f.ContentType}, o, nil
}

// attach attaches files named by a request or its comments to it: each
// must be the caller's own, unattached or attached to this request
// already (400 invalid_form otherwise, naming no one else's file).
func (s *Service) attach(ctx context.Context, orgID, accountID, requestID string, ids []string) error {
	for _, id := range ids {
		f, err := getFile(ctx, s.DB, orgID, id)
		if errors.Is(err, db.ErrNotFound) || (err == nil && (f.UploaderID != accountID || (f.RequestID != "" && f.RequestID != requestID))) {
			return apperr.Invalid("invalid_form", "names a file that is not one you uploaded").With("file_id", id)
		}
		if err != nil {
			return err
		}
		if requestID != "" && f.RequestID == "" {
			if err := attachFile(ctx, s.DB, id, requestID); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileIDs collects the file ids a form's values name (attachment and
// image fields: lists of ids), as the resolver sees them.
type fileIDs struct{ ids []string }

func (f *fileIDs) add(ids []string) {
	for _, id := range ids {
		if !slices.Contains(f.ids, id) {
			f.ids = append(f.ids, id)
		}
	}
}
