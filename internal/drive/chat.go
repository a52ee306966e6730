package drive

import (
	"context"
	"io"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Saving a chat attachment to the drive. A chat file's bytes are sealed
// under its uploader's key and a space's under its controller's (the
// person's, or the organization's), so the body is streamed from the chat
// store into the drive's like any upload: quotas, versions and the space's
// sealing apply as they do to an upload. The chat's file is not touched.

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
	// The folder first: one the caller may not edit answers before the
	// chat file is opened.
	if _, err := c.Drive.folderForUpload(ctx, in.ParentID); err != nil {
		return Item{}, false, err
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
