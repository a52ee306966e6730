package server

import (
	"context"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/drive"
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
