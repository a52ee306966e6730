package chat

import (
	"context"
	"net/url"
	"strings"
)

// Cards other domains send: an approval waiting for someone, or decided,
// arrives as a card in the direct conversation between the person who
// acted and the person concerned, linking to the object in the app.

// inApp reports whether u is a path in the app ("/approvals/apr_1"):
// no scheme, no host, an absolute path that does not start with "//".
func inApp(u *url.URL) bool {
	return u.Scheme == "" && u.Host == "" && u.User == nil && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(u.Path, "//") &&
		!strings.Contains(u.Path, "\\")
}

// SendDirectCard sends a card from the caller to another account in
// their direct conversation, creating it when it does not exist yet. The
// client message id makes it idempotent like any send.
func (s *Service) SendDirectCard(ctx context.Context, to, clientMsgID string, card Card) (Message, error) {
	c, _, err := s.Create(ctx, CreateInput{Kind: KindDirect, MemberIDs: []string{to}})
	if err != nil {
		return Message{}, err
	}
	m, _, err := s.Send(ctx, c.ID, SendInput{ClientMsgID: clientMsgID, Kind: MsgCard, Card: &card})
	return m, err
}
