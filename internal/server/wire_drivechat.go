package server

import (
	"context"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// driveChat saves chat attachments to the drive.
func (s *Server) driveChat() *drive.ChatSaver {
	return &drive.ChatSaver{Drive: s.Drive, Files: chatFiles{s.Chat}}
}

// chatFiles opens chat attachments for the drive.
type chatFiles struct{ c *chat.Service }

func (f chatFiles) OpenChatFile(ctx context.Context, id string) (drive.ChatFile, error) {
	file, body, _, err := f.c.OpenFile(ctx, id, false)
	if err != nil {
		return drive.ChatFile{}, err
	}
	return drive.ChatFile{Name: file.Name, ContentType: file.ContentType, Size: file.Size, Body: body}, nil
}

// LinkChatFile gives the drive its own reference to an attachment's
// bytes, sealed under owner's key, without copying them.
func (f chatFiles) LinkChatFile(ctx context.Context, id, owner string) (drive.ChatFile, blob.Info, error) {
	file, info, err := f.c.LinkFile(ctx, id, owner)
	if err != nil {
		return drive.ChatFile{}, blob.Info{}, err
	}
	return drive.ChatFile{Name: file.Name, ContentType: file.ContentType, Size: file.Size}, info, nil
}
