package drive

import (
	"context"
	"errors"
	"io"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Saving a chat attachment to the drive. A chat file's bytes are sealed
// under its uploader's key and a space's under its controller's (the
// person's, or the organization's). When the file store can share bodies
// (blob.Counted under blob.Envelope, as the server wires it) the drive
// gets a link: the attachment's data key sealed under the space
// controller's key, pointing at the same chunks — no body bytes are
// written. The saved file is then the saver's: erasing the uploader
// destroys only the uploader's wrap, deleting the message leaves the
// drive's link, and the chunks go when the chat's file and every drive
// version referring to them are gone. Otherwise the body is streamed
// from the chat store into the drive's like any upload. Quotas, versions
// and names apply as they do to an upload. The chat's file is not touched.

// ChatFile is a chat attachment opened for the caller.
type ChatFile struct {
	Name        string
	ContentType string
	Size        int64
	Body        io.ReadCloser
}

// ChatFiles opens chat attachments the caller may see (404 otherwise).
type ChatFiles interface {
	OpenChatFile(ctx context.Context, fileID string) (ChatFile, error)
}

// ChatLinker gives the drive its own reference to the bytes of a chat
// attachment the caller may see (404 otherwise), sealed under owner's key,
// without copying them; the ChatFile has no Body, Info the link's key,
// size and SHA-256. blob.ErrNotLinkable when the store cannot share.
type ChatLinker interface {
	LinkChatFile(ctx context.Context, fileID, owner string) (ChatFile, blob.Info, error)
}

// SaveChatInput files a chat attachment in a folder I may edit, under its
// own name unless Name is given; Replace makes it a new version of a file
// of that name.
type SaveChatInput struct {
	FileID   string `json:"file_id"`
	ParentID string `json:"parent_id"`
	Name     string `json:"name,omitempty"`
	Replace  bool   `json:"replace,omitempty"`
}

// ChatSaver saves chat attachments to the drive.
type ChatSaver struct {
	Drive *Service
	Files ChatFiles
}

// Save files a chat attachment: 404 when the caller may not see the file
// or the folder, 409 name_taken when the folder has an item of that name.
func (c *ChatSaver) Save(ctx context.Context, in SaveChatInput) (Item, bool, error) {
	if in.FileID == "" {
		return Item{}, false, apperr.InvalidField("file_id", "required")
	}
	if in.ParentID == "" {
		return Item{}, false, apperr.InvalidField("parent_id", "required")
	}
	if c.Files == nil {
		return Item{}, false, apperr.ErrNotFound
	}
	if in.Name != "" {
		if err := validName(in.Name); err != nil {
			return Item{}, false, err
		}
	}
	// The folder first: one the caller may not edit answers before the
	// chat file is opened.
	if _, err := c.Drive.folderForUpload(ctx, in.ParentID); err != nil {
		return Item{}, false, err
	}
	if l, ok := c.Files.(ChatLinker); ok {
		it, created, err := c.Drive.saveLinked(ctx, in, l)
		if !errors.Is(err, blob.ErrNotLinkable) {
			return it, created, err
		}
	}
	f, err := c.Files.OpenChatFile(ctx, in.FileID)
	if err != nil {
		return Item{}, false, err
	}
	defer f.Body.Close()
	name := in.Name
	if name == "" {
		name = f.Name
	}
	return c.Drive.Upload(ctx, UploadInput{ParentID: in.ParentID, Name: name, ContentType: f.ContentType,
		Body: f.Body, Size: f.Size, Replace: in.Replace})
}

// saveLinked files a link to a chat attachment's bytes, sealed for the
// folder's space: the same checks as an upload, no bytes copied. The link
// is deleted when the file cannot be recorded.
func (s *Service) saveLinked(ctx context.Context, in SaveChatInput, l ChatLinker) (Item, bool, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, false, err
	}
	p, err := s.folder(ctx, c, in.ParentID)
	if err != nil {
		return Item{}, false, err
	}
	f, info, err := l.LinkChatFile(ctx, in.FileID, s.owner(p.sp))
	if err != nil {
		return Item{}, false, err
	}
	name := in.Name
	if name == "" {
		name = f.Name
	}
	existing, err := s.replaceable(ctx, p.it.ID, name, in.Replace)
	if err != nil {
		s.dropBlobs(ctx, []string{info.Key})
		return Item{}, false, err
	}
	// commitFile deletes the link when it cannot record the file.
	it, err := s.commitFile(ctx, c, p.sp, p.it, existing, name, contentType(f.ContentType, name), info, "")
	if err != nil {
		return Item{}, false, err
	}
	return itemOf(it, p.role), existing == nil, nil
}

// replaceable checks a new file's name in a folder: 409 name_taken when
// the folder holds an item of that name, unless replace names a file of
// it, which is returned.
func (s *Service) replaceable(ctx context.Context, folderID, name string, replace bool) (*itemRow, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	old, err := s.childByName(ctx, folderID, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !replace || old.Kind != ItemFile {
		return nil, nameTaken(name)
	}
	return &old, nil
}

// folderForUpload checks that the caller may add to folder id.
func (s *Service) folderForUpload(ctx context.Context, id string) (Item, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Item{}, err
	}
	t, err := s.folder(ctx, c, id)
	if err != nil {
		return Item{}, err
	}
	return itemOf(t.it, t.role), nil
}
