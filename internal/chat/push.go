package chat

import "context"

// PushPreview is what a push notification may say about a message: its
// sender's and its group's names and its text, as the caller (the
// recipient) would see them, and whether the caller muted the conversation.
type PushPreview struct {
	Group            bool
	ConversationName string
	SenderName       string
	// Text is the plain-text preview of the message ("" when deleted).
	Text  string
	Muted bool
}

// PushPreview returns what a push to the caller may say about a message
// of a conversation they are in; not found when they may not see it.
func (s *Service) PushPreview(ctx context.Context, convID, msgID string) (PushPreview, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return PushPreview{}, err
	}
	m, err := s.GetMessage(ctx, convID, msgID)
	if err != nil {
		return PushPreview{}, err
	}
	p := PushPreview{Group: c.isGroup(), Muted: c.Muted, Text: previewOf(&m)}
	if p.Group {
		s.openProfile(ctx, c)
		p.ConversationName = c.Name
	}
	if namer, ok := s.Directory.(PersonNamer); ok {
		p.SenderName = namer.PersonNames(ctx, me, []string{m.SenderID})[m.SenderID]
	}
	return p, nil
}
