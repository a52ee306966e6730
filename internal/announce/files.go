package announce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/attach"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Files: attachments, a cover image and images of the body. A publisher
// uploads a file (only its uploader may download it then), and an
// announcement names it — in file_ids, as cover_file_id, or in its body as
// ![alt](/api/v1/announcement-files/ID). From then on the file belongs to
// that announcement: whoever may read the announcement may download it,
// and any publisher editing it may keep or drop it. A file an edit drops
// is deleted with its bytes, and so are the files of a deleted draft. The
// bytes are encrypted in the file store under the organization's key
// (blob.PutFor), the name sealed like the title and body.

// MaxFileSize bounds an upload (20 MB).
const MaxFileSize = 20 << 20

// MaxFiles bounds the attachments of one announcement.
const MaxFiles = 20

// FilePath is where a file is downloaded; the body names images by it.
const FilePath = "/api/v1/announcement-files/"

// File roles: how an announcement uses a file.
const (
	roleAttachment = "attachment"
	roleCover      = "cover"
	roleImage      = "image"
)

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

func fileAAD(id string) string { return "announcement_files.meta:" + id }

// imageRE finds the files a body shows as images.
var imageRE = regexp.MustCompile(`!\[[^\]\n]*\]\(` + regexp.QuoteMeta(FilePath) + `([A-Za-z0-9_]{1,64})\)`)

// bodyImages lists the file ids a Markdown body shows, once each.
func bodyImages(body string) []string {
	var out []string
	for _, m := range imageRE.FindAllStringSubmatch(body, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// Upload stores a file for a publisher to attach to an announcement.
func (s *Service) Upload(ctx context.Context, in UploadInput) (File, error) {
	a, err := s.publisher(ctx)
	if err != nil {
		return File{}, err
	}
	info, err := attach.Put(ctx, s.Blobs, a.OrgID, in.Name, in.Body, MaxFileSize)
	if err != nil {
		return File{}, err
	}
	ct := attach.ContentType(in.ContentType)
	f := fileRow{ID: ids.New("anf"), OrgID: a.OrgID, UploaderID: a.AccountID, ContentType: ct, Size: info.Size, SHA256: info.SHA256,
		BlobKey: info.Key, CreatedAt: s.now()}
	name := attach.CleanName(in.Name)
	if err := s.sealMeta(ctx, &f, name); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	if err := insertFile(ctx, s.DB, f); err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return File{}, err
	}
	return File{ID: f.ID, Name: name, Size: f.Size, ContentType: f.ContentType}, nil
}

// sealMeta seals a file's name with the organization's key.
func (s *Service) sealMeta(ctx context.Context, f *fileRow, name string) error {
	b, _ := json.Marshal(fileMeta{Name: name})
	if s.Sealer == nil {
		f.Meta, f.MetaKey = b, ""
		return nil
	}
	box, err := s.Sealer.Seal(ctx, f.OrgID, fileAAD(f.ID), b)
	if err != nil {
		return fmt.Errorf("announce: seal: %w", err)
	}
	f.Meta, f.MetaKey = box, f.OrgID
	return nil
}

// fileOf describes a stored file; its name is empty when its key is gone.
func (s *Service) fileOf(ctx context.Context, f fileRow) File {
	var m fileMeta
	b := f.Meta
	if f.MetaKey != "" {
		var err error
		if s.Sealer == nil {
			b = nil
		} else if b, err = s.Sealer.Open(ctx, f.MetaKey, fileAAD(f.ID), f.Meta); err != nil {
			s.Log.DebugContext(ctx, "announce: file name not readable", "file", f.ID, "err", err)
			b = nil
		}
	}
	_ = json.Unmarshal(b, &m)
	return File{ID: f.ID, Name: m.Name, Size: f.Size, ContentType: f.ContentType}
}

// OpenFile opens a file for its uploader, or for whoever may read the
// announcement it belongs to; 404 for everyone else.
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
	if f.AnnouncementID == "" {
		if f.UploaderID != a.AccountID {
			return File{}, nil, apperr.ErrNotFound
		}
	} else if _, _, err := s.readable(ctx, a, f.AnnouncementID); err != nil {
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

// wantFiles is what an announcement says of its files.
type wantFiles struct {
	attachments []string
	cover       string
	images      []string
}

// syncFiles makes annID's files what w says, in ctx's transaction: each
// file named must be attached to annID already or be one the caller
// uploaded and nobody has attached (400 invalid_field otherwise, naming
// no one else's file). It returns the blob keys of the files no longer
// named, whose rows it deleted; the caller deletes the bytes after commit.
func (s *Service) syncFiles(ctx context.Context, orgID, accountID, annID string, w wantFiles) ([]string, error) {
	if len(w.attachments) > MaxFiles {
		return nil, apperr.InvalidField("file_ids", fmt.Sprintf("at most %d attachments", MaxFiles))
	}
	have, err := filesOf(ctx, s.DB, orgID, annID)
	if err != nil {
		return nil, err
	}
	type place struct {
		role string
		pos  int
	}
	want := map[string]place{}
	for _, id := range w.images {
		want[id] = place{role: roleImage}
	}
	for i, id := range w.attachments {
		want[id] = place{role: roleAttachment, pos: i}
	}
	if w.cover != "" {
		want[w.cover] = place{role: roleCover}
	}
	for id, p := range want {
		field := "file_ids"
		switch {
		case id == w.cover:
			field = "cover_file_id"
		case p.role == roleImage:
			field = "body"
		}
		f, err := getFile(ctx, s.DB, orgID, id)
		if errors.Is(err, db.ErrNotFound) || (err == nil && f.AnnouncementID != annID && (f.AnnouncementID != "" || f.UploaderID != accountID)) {
			return nil, apperr.InvalidField(field, "names a file that is not one you uploaded").With("file_id", id)
		}
		if err != nil {
			return nil, err
		}
		if field == "cover_file_id" && !strings.HasPrefix(f.ContentType, "image/") {
			return nil, apperr.InvalidField(field, "the cover must be an image").With("file_id", id)
		}
		if err := placeFile(ctx, s.DB, orgID, id, annID, p.role, p.pos); err != nil {
			return nil, err
		}
	}
	var gone []string
	for _, f := range have {
		if _, ok := want[f.ID]; ok {
			continue
		}
		if err := deleteFile(ctx, s.DB, orgID, f.ID); err != nil {
			return nil, err
		}
		gone = append(gone, f.BlobKey)
	}
	return gone, nil
}

// currentFiles returns what annID says of its files now.
func (s *Service) currentFiles(ctx context.Context, orgID, annID string) (wantFiles, error) {
	have, err := filesOf(ctx, s.DB, orgID, annID)
	if err != nil {
		return wantFiles{}, err
	}
	var w wantFiles
	for _, f := range have {
		switch f.Role {
		case roleAttachment:
			w.attachments = append(w.attachments, f.ID)
		case roleCover:
			w.cover = f.ID
		}
	}
	return w, nil
}

// dropBlobs deletes the bytes of files whose rows are gone (after commit).
func (s *Service) dropBlobs(ctx context.Context, keys []string) {
	attach.Drop(ctx, s.Blobs, s.Log, keys)
}

// withFiles fills in an announcement's cover and attachments.
func (s *Service) withFiles(ctx context.Context, orgID string, v *Announcement) error {
	have, err := filesOf(ctx, s.DB, orgID, v.ID)
	if err != nil {
		return err
	}
	v.Attachments = []File{}
	for _, f := range have {
		switch f.Role {
		case roleAttachment:
			v.Attachments = append(v.Attachments, s.fileOf(ctx, f))
		case roleCover:
			v.CoverFileID = f.ID
		}
	}
	return nil
}

// UnattachedFor is how long an upload no announcement names is kept: long
// enough to finish writing the announcement it was uploaded for.
const UnattachedFor = 24 * time.Hour

// PurgeUnattached deletes the uploads no announcement named within
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
			if ok { // not named by an announcement in the meantime
				s.dropBlobs(ctx, []string{f.BlobKey})
				n++
			}
		}
	}
}
