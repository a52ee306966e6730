package drive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/attach"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Resumable uploads, in the manner of tus: the client creates an upload
// with the file's size (and, best, its SHA-256), sends the bytes in chunks
// at the offset the server has (PATCH with Upload-Offset), asks for that
// offset again after a cut (HEAD), and completes the upload, which checks
// the size and the SHA-256 and makes the file. Every chunk is stored as it
// arrives — a chunk cut short keeps what arrived — as a part in the file
// store, sealed like the file will be; completing streams the parts into
// one body, so neither the server's memory nor its disk ever holds more
// than one copy being written. An upload nobody writes to for UploadIdle
// is dropped (PurgeUploads).

// MaxUploadSize bounds one file (1 TiB); the quotas bound it further.
const MaxUploadSize = 1 << 40

// MaxChunks bounds the parts of one upload.
const MaxChunks = 10000

// UploadSession is a resumable upload as its owner sees it.
type UploadSession struct {
	ID       string `json:"id"`
	SpaceID  string `json:"space_id"`
	ParentID string `json:"parent_id"`
	Name     string `json:"name"`
	// ItemID is the file the upload replaces ("" for a new file).
	ItemID string `json:"item_id,omitempty"`
	Size   int64  `json:"size"`
	// Offset is how many bytes the server has: the next chunk starts there.
	Offset    int64  `json:"offset"`
	SHA256    string `json:"sha256,omitempty"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
	// ExpiresAt is when the upload is dropped unless written to again.
	ExpiresAt int64 `json:"expires_at"`
}

// SessionInput creates a resumable upload: a new file Name in folder
// ParentID (Replace: a new version when a file of that name exists), or
// new content for the file ItemID.
type SessionInput struct {
	ParentID    string `json:"parent_id,omitempty"`
	Name        string `json:"name,omitempty"`
	ItemID      string `json:"item_id,omitempty"`
	Replace     bool   `json:"replace,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// CompleteInput completes an upload; SHA256, when given (here or at
// creation), must be the file's.
type CompleteInput struct {
	SHA256 string `json:"sha256,omitempty"`
}

var hexSHA = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Service) sessionOf(u uploadRow) UploadSession {
	return UploadSession{ID: u.ID, SpaceID: u.SpaceID, ParentID: u.ParentID, Name: u.Name, ItemID: u.ItemID, Size: u.Size,
		Offset: u.Received, SHA256: u.SHA256, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		ExpiresAt: u.UpdatedAt + s.UploadIdle.Milliseconds()}
}

// CreateUpload starts a resumable upload into a folder (or of new content
// for a file) the caller may edit. The size must fit in the quotas now
// (413 quota_exceeded); a name in use is 409 name_taken unless replacing.
func (s *Service) CreateUpload(ctx context.Context, in SessionInput) (UploadSession, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return UploadSession{}, err
	}
	if in.Size <= 0 || in.Size > MaxUploadSize {
		return UploadSession{}, apperr.InvalidField("size", "1 byte to 1 TiB")
	}
	in.SHA256 = strings.ToLower(in.SHA256)
	if in.SHA256 != "" && !hexSHA.MatchString(in.SHA256) {
		return UploadSession{}, apperr.InvalidField("sha256", "64 hexadecimal digits")
	}
	if s.Blobs == nil {
		return UploadSession{}, attach.ErrNoStore
	}
	var sp spaceRow
	u := uploadRow{ID: ids.New("dup"), OrgID: c.OrgID, AccountID: c.AccountID, Size: in.Size, SHA256: in.SHA256, ContentType: in.ContentType}
	if in.ItemID != "" {
		t, err := s.item(ctx, c, in.ItemID, RoleEditor)
		if err != nil {
			return UploadSession{}, err
		}
		if t.it.Kind != ItemFile {
			return UploadSession{}, apperr.Conflict("not_a_file", "a folder has no content")
		}
		sp, u.ParentID, u.Name, u.ItemID = t.sp, t.it.ParentID, t.it.Name, t.it.ID
	} else {
		if err := validName(in.Name); err != nil {
			return UploadSession{}, err
		}
		p, err := s.folder(ctx, c, in.ParentID)
		if err != nil {
			return UploadSession{}, err
		}
		if old, err := s.childByName(ctx, p.it.ID, in.Name); err == nil {
			if !in.Replace || old.Kind != ItemFile {
				return UploadSession{}, nameTaken(in.Name)
			}
			u.ItemID = old.ID
		} else if !errors.Is(err, db.ErrNotFound) {
			return UploadSession{}, err
		}
		sp, u.ParentID, u.Name = p.sp, p.it.ID, in.Name
	}
	room, scope, used, quota, err := s.limits(ctx, sp)
	if err != nil {
		return UploadSession{}, err
	}
	if room >= 0 && in.Size > room {
		return UploadSession{}, quotaExceeded(scope, used, quota, in.Size)
	}
	u.SpaceID = sp.ID
	u.CreatedAt = s.now()
	u.UpdatedAt = u.CreatedAt
	if err := s.sealUploadName(ctx, s.owner(sp), &u); err != nil {
		return UploadSession{}, err
	}
	if err := insertUpload(ctx, s.DB, u); err != nil {
		return UploadSession{}, err
	}
	return s.sessionOf(u), nil
}

// upload loads one of the caller's own uploads (404 for anyone else's).
func (s *Service) upload(ctx context.Context, c *caller, id string) (uploadRow, error) {
	u, err := getUpload(ctx, s.DB, c.OrgID, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && u.AccountID != c.AccountID) {
		return uploadRow{}, errNotFound
	}
	s.openUploadName(ctx, &u)
	return u, err
}

// UploadStatus returns an upload with the offset the next chunk starts at.
func (s *Service) UploadStatus(ctx context.Context, id string) (UploadSession, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return UploadSession{}, err
	}
	u, err := s.upload(ctx, c, id)
	if err != nil {
		return UploadSession{}, err
	}
	return s.sessionOf(u), nil
}

// cutTolerant reads a chunk's body and ends it cleanly where the client's
// connection ended: the bytes that arrived are kept.
type cutTolerant struct {
	r   io.Reader
	cut bool
}

func (c *cutTolerant) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		c.cut = true
		return n, io.EOF
	}
	return n, err
}

// WriteChunk appends a chunk at offset, which must be the upload's offset
// (a negative offset, none given, is 400 invalid_upload_offset)
// (409 upload_offset_mismatch, with the offset, otherwise). A chunk going
// past the announced size is 400 upload_too_long. A chunk cut short keeps
// the bytes that arrived: the client asks for the offset and goes on from
// there.
func (s *Service) WriteChunk(ctx context.Context, id string, offset int64, body io.Reader) (UploadSession, error) {
	// A cut connection cancels the request's context: what arrived is
	// still stored and recorded.
	ctx = context.WithoutCancel(ctx)
	c, err := s.caller(ctx)
	if err != nil {
		return UploadSession{}, err
	}
	u, err := s.upload(ctx, c, id)
	if err != nil {
		return UploadSession{}, err
	}
	if offset < 0 {
		return UploadSession{}, apperr.Invalid("invalid_upload_offset", "send the chunk's offset in the Upload-Offset header")
	}
	if offset != u.Received {
		return UploadSession{}, offsetMismatch(u.Received)
	}
	parts, err := countParts(ctx, s.DB, u.ID)
	if err != nil {
		return UploadSession{}, err
	}
	if parts >= MaxChunks {
		return UploadSession{}, apperr.Conflict("too_many_chunks", "send larger chunks").With("max_chunks", MaxChunks)
	}
	sp, err := getSpace(ctx, s.DB, c.OrgID, u.SpaceID)
	if err != nil {
		return UploadSession{}, apperr.MapNotFound(err)
	}
	rest := u.Size - u.Received
	ct := &cutTolerant{r: body}
	info, err := blob.PutFor(ctx, s.Blobs, s.owner(sp), ct, rest)
	if errors.Is(err, blob.ErrTooLarge) {
		return UploadSession{}, apperr.Invalid("upload_too_long", "the chunk goes past the upload's size").With("size", u.Size).With("offset", u.Received)
	}
	if err != nil {
		return UploadSession{}, err
	}
	if info.Size == 0 {
		_ = s.Blobs.Delete(ctx, info.Key)
		return s.sessionOf(u), nil
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		ok, err := advanceUpload(ctx, s.DB, u.ID, u.Received, info.Size, now)
		if err != nil {
			return err
		}
		if !ok {
			return offsetMismatch(-1)
		}
		return insertPart(ctx, s.DB, u.ID, u.Received, info.Size, info.Key)
	})
	if err != nil {
		_ = s.Blobs.Delete(ctx, info.Key)
		return UploadSession{}, err
	}
	u.Received += info.Size
	u.UpdatedAt = now
	return s.sessionOf(u), nil
}

func offsetMismatch(have int64) error {
	e := apperr.Conflict("upload_offset_mismatch", "the chunk does not start where the upload is")
	if have >= 0 {
		e = e.With("offset", have)
	}
	return e
}

// partsReader reads an upload's parts one after the other, opening each
// only when it is reached.
type partsReader struct {
	ctx   context.Context
	s     *Service
	parts []partRow
	cur   io.ReadCloser
}

func (p *partsReader) Read(b []byte) (int, error) {
	for {
		if p.cur == nil {
			if len(p.parts) == 0 {
				return 0, io.EOF
			}
			o, err := p.s.openKey(p.ctx, p.parts[0].BlobKey)
			if err != nil {
				return 0, err
			}
			p.cur, p.parts = o, p.parts[1:]
		}
		n, err := p.cur.Read(b)
		if err == io.EOF {
			p.cur.Close()
			p.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (p *partsReader) Close() {
	if p.cur != nil {
		p.cur.Close()
	}
}

// CompleteUpload makes the file once every byte has arrived (409
// upload_incomplete, with the offset, before): the parts become one body,
// checked against the SHA-256 given (400 checksum_mismatch, the upload
// kept), then the file is created or gets a new version as for Upload.
func (s *Service) CompleteUpload(ctx context.Context, id string, in CompleteInput) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	u, err := s.upload(ctx, c, id)
	if err != nil {
		return Item{}, err
	}
	want := strings.ToLower(in.SHA256)
	if want != "" && !hexSHA.MatchString(want) {
		return Item{}, apperr.InvalidField("sha256", "64 hexadecimal digits")
	}
	if want == "" {
		want = u.SHA256
	} else if u.SHA256 != "" && want != u.SHA256 {
		return Item{}, apperr.InvalidField("sha256", "differs from the checksum the upload was created with")
	}
	if u.Received != u.Size {
		return Item{}, apperr.Conflict("upload_incomplete", "bytes are missing").With("offset", u.Received).With("size", u.Size)
	}
	// The caller must still be allowed to write where the file goes.
	var p target
	var existing *itemRow
	if u.ItemID != "" {
		t, err := s.item(ctx, c, u.ItemID, RoleEditor)
		if err != nil {
			return Item{}, err
		}
		p, existing = target{it: itemRow{ID: t.it.ParentID}, sp: t.sp, role: t.role}, &t.it
	} else {
		if p, err = s.folder(ctx, c, u.ParentID); err != nil {
			return Item{}, err
		}
		if _, err := s.childByName(ctx, p.it.ID, u.Name); err == nil {
			return Item{}, nameTaken(u.Name)
		}
	}
	parts, err := partsOf(ctx, s.DB, u.ID)
	if err != nil {
		return Item{}, err
	}
	pr := &partsReader{ctx: ctx, s: s, parts: parts}
	h := sha256.New()
	info, err := s.store(ctx, p.sp, io.TeeReader(pr, h), u.Size)
	pr.Close()
	if err != nil {
		return Item{}, err
	}
	if info.Size != u.Size || (want != "" && hex.EncodeToString(h.Sum(nil)) != want) {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), info.Key)
		return Item{}, apperr.Invalid("checksum_mismatch", "the bytes received do not have the checksum given").
			With("sha256", hex.EncodeToString(h.Sum(nil))).With("size", info.Size)
	}
	it, err := s.commitFile(ctx, c, p.sp, p.it, existing, u.Name, contentType(u.ContentType, u.Name), info, "")
	if err != nil {
		return Item{}, err
	}
	s.dropUpload(ctx, u.ID, parts)
	return itemOf(it, p.role), nil
}

// dropUpload deletes an upload's rows, then its parts' bytes.
func (s *Service) dropUpload(ctx context.Context, id string, parts []partRow) {
	if err := deleteUpload(ctx, s.DB, id); err != nil {
		s.Log.WarnContext(ctx, "drive: delete an upload", "err", err)
		return
	}
	keys := make([]string, len(parts))
	for i, p := range parts {
		keys[i] = p.BlobKey
	}
	s.dropBlobs(ctx, keys)
}

// CancelUpload drops an upload and the bytes it received.
func (s *Service) CancelUpload(ctx context.Context, id string) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	u, err := s.upload(ctx, c, id)
	if err != nil {
		return err
	}
	parts, err := partsOf(ctx, s.DB, u.ID)
	if err != nil {
		return err
	}
	s.dropUpload(ctx, u.ID, parts)
	return nil
}

// PurgeUploads drops the uploads nobody wrote to for UploadIdle, with
// their parts' bytes, and returns how many it dropped. The background job
// calls it.
func (s *Service) PurgeUploads(ctx context.Context) (int, error) {
	old, err := uploadsIdleSince(ctx, s.DB, s.Now().Add(-s.UploadIdle).UnixMilli(), 500)
	if err != nil {
		return 0, err
	}
	for _, id := range old {
		parts, err := partsOf(ctx, s.DB, id)
		if err != nil {
			return 0, err
		}
		s.dropUpload(ctx, id, parts)
	}
	return len(old), nil
}
