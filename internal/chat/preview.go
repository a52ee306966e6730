package chat

import (
	"context"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// previewMax is how many characters of text a conversation list shows.
const previewMax = 120

// previewOf is the plain-text preview of an opened message: its rendered
// text with the markup taken away (a mention reads "@Name"), or a marker
// for a message without text.
func previewOf(m *Message) string {
	if m.Deleted || m.ContentErased {
		return ""
	}
	if t := plainOfHTML(m.HTML); t != "" {
		return shorten(t, previewMax)
	}
	if t := strings.Join(strings.Fields(m.Body), " "); t != "" {
		return shorten(t, previewMax)
	}
	switch m.Kind {
	case MsgImage:
		return "[Image]"
	case MsgFile:
		return "[File]"
	case MsgVoice:
		return "[Voice]"
	case MsgLocation:
		return "[Location]"
	case MsgRecord:
		return "[Chat history]"
	case MsgCard:
		if m.Attachment != nil && m.Attachment.Title != "" {
			return shorten(m.Attachment.Title, previewMax)
		}
		return "[Link]"
	}
	return ""
}

// plainOfHTML is the text of sanitized message HTML, white space folded:
// block elements and line breaks become spaces.
func plainOfHTML(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "p", "br", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ul", "ol":
				b.WriteByte(' ')
			}
		}
	}
}

// shorten cuts s to at most max characters, ending with "…" when cut.
func shorten(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}

// lastMessages opens the newest messages listViews read, by the same path
// the history takes, and names their senders for the caller.
func (s *Service) lastMessages(ctx context.Context, me string, cs []Conversation) {
	var senders []string
	for i := range cs {
		m := cs[i].last
		if m == nil {
			continue
		}
		m.orgID = cs[i].OrgID
		s.openContent(ctx, m)
		cs[i].LastMessage = &LastMessage{ID: m.ID, SenderID: m.SenderID, Kind: m.Kind, Preview: previewOf(m),
			Deleted: m.Deleted, ContentErased: m.ContentErased, CreatedAt: m.CreatedAt}
		cs[i].last = nil
		senders = append(senders, m.SenderID)
	}
	namer, ok := s.Directory.(PersonNamer)
	if !ok || len(senders) == 0 {
		return
	}
	names := namer.PersonNames(ctx, me, senders)
	for i := range cs {
		if l := cs[i].LastMessage; l != nil {
			l.SenderName = names[l.SenderID]
		}
	}
}
