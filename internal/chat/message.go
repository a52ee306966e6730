package chat

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/atrium-hq/atrium/internal/platform/markdown"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// locationAADPrefix binds a sealed location to its message (the id follows).
const locationAADPrefix = "chat.location:"

// Limits of message content.
const (
	MaxBodyRunes    = 10000
	MaxClientMsgID  = 64
	MaxVoiceMS      = 30 * 60 * 1000
	MaxPage         = 200
	DefaultPage     = 50
	maxEmojiRunes   = 16
	maxLabelRunes   = 200
	maxTitleRunes   = 300
	maxDescRunes    = 1000
	maxURLBytes     = 2048
	maxMentionCount = 100
	// MaxSendBody bounds the JSON body of a send or an edit. It holds any
	// valid message in any escaping: 10,000 characters of text at most 12
	// bytes each ("\ud83d\ude00"), a card and a location label (about 150
	// KB in all), with room to spare; other routes take httpx.MaxJSONBody.
	MaxSendBody = 256 << 10
)

// SendInput is the body of a send.
type SendInput struct {
	// ClientMsgID is chosen by the client and makes retries idempotent:
	// the same sender and id always yield the same message.
	ClientMsgID  string    `json:"client_msg_id"`
	Kind         string    `json:"kind,omitempty"` // default "text"
	Body         string    `json:"body,omitempty"`
	ReplyToID    string    `json:"reply_to_id,omitempty"`
	ThreadRootID string    `json:"thread_root_id,omitempty"`
	FileID       string    `json:"file_id,omitempty"`
	DurationMS   int64     `json:"duration_ms,omitempty"`
	Location     *Location `json:"location,omitempty"`
	Card         *Card     `json:"card,omitempty"`

	// Set by Forward: the chat record to send, and that the content is
	// forwarded (its mentions notify nobody again).
	record    *Record
	forwarded bool
}

// Card is a link card as supplied by the client.
type Card struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

func validClientID(s string) bool {
	if s == "" || len(s) > MaxClientMsgID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func checkBody(body string, required bool) error {
	if !utf8.ValidString(body) {
		return apperr.InvalidField("body", "body must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(body); n > MaxBodyRunes {
		return apperr.New(apperr.KindInvalid, "body_too_long", "the message text is too long").With("max_runes", MaxBodyRunes)
	}
	if required && strings.TrimSpace(body) == "" {
		return apperr.Invalid("empty_message", "the message text is empty")
	}
	return nil
}

// Send posts a message. created is false when the client id was already
// used by the caller (the stored message is returned).
func (s *Service) Send(ctx context.Context, convID string, in SendInput) (m Message, created bool, err error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return Message{}, false, err
	}
	if !validClientID(in.ClientMsgID) {
		return Message{}, false, apperr.InvalidField("client_msg_id", "client_msg_id is required: 1–64 characters of letters, digits, '-', '_', '.', ':'")
	}
	// A reply or a thread names a message the sender must still see: its
	// check needs the sender's cleared position, read afresh.
	c, closed, err := s.sendView(ctx, convID, a.AccountID, in.ReplyToID == "" && in.ThreadRootID == "")
	if err != nil {
		return Message{}, false, err
	}
	if closed != nil {
		if old, err := messageByClientID(ctx, s.DB, a.AccountID, in.ClientMsgID); err == nil && old.ConversationID == c.ID {
			return s.present(ctx, a.AccountID, &c, old), false, nil
		}
		return Message{}, false, closed
	}
	m = Message{
		ID:             ids.New("msg"),
		ConversationID: c.ID,
		SenderID:       a.AccountID,
		ClientMsgID:    in.ClientMsgID,
		Kind:           in.Kind,
		Body:           in.Body,
		orgID:          c.OrgID,
	}
	if m.Kind == "" {
		m.Kind = MsgText
	}
	if err := s.prepareContent(ctx, &c, &m, in); err != nil {
		return Message{}, false, err
	}
	if err := s.sealContent(ctx, &m); err != nil {
		return Message{}, false, err
	}
	r := &sendReq{m: m, direct: c.Kind == KindDirect, event: encodeEvent(m)}
	if c.isGroup() {
		for _, mn := range m.Mentions {
			if mn.AccountID != a.AccountID {
				r.mentionIDs = append(r.mentionIDs, mn.AccountID)
			}
		}
		r.mentionAll = m.MentionAll
		if !r.mentionAll {
			r.mentionIDs = append(r.mentionIDs, s.keywordMatches(ctx, c.ID, a.AccountID, m.Body, r.mentionIDs)...)
		}
	}
	res := s.w.submit(ctx, r)
	if res.err != nil {
		return Message{}, false, res.err
	}
	if !res.replay {
		// A new message has no reactions yet; its location is the one sent.
		return res.m, true, nil
	}
	if res.m.ConversationID != c.ID {
		return Message{}, false, apperr.Conflict("client_msg_id_reused", "this client_msg_id was already used for a message in another conversation")
	}
	if fc, err := getView(ctx, s.DB, c.ID, a.AccountID); err == nil {
		c = fc // the sender's own state of it, as it is now
	}
	return s.present(ctx, a.AccountID, &c, res.m), false, nil
}

// viewKey names a conversation as one person sees it.
type viewKey struct{ conv, account string }

// sendView returns the conversation convID as accountID, a member, sees it,
// with closed set when it takes no new messages (dissolved, or a direct
// chat whose other person is gone). Open conversations are remembered per
// node when cached is true (platform/fresh: any removal from a
// conversation, role change or dissolution anywhere drops them at the next
// request); their per-person positions (read, cleared) may then be older.
func (s *Service) sendView(ctx context.Context, convID, accountID string, cached bool) (c Conversation, closed, err error) {
	gens, cacheable := fresh.From(ctx, s.DB)
	cacheable = cacheable && s.views != nil
	k := viewKey{convID, accountID}
	if cacheable && cached {
		if c, ok := s.views.Get(gens, k); ok {
			return c, nil, nil
		}
	}
	c, err = getView(ctx, s.DB, convID, accountID)
	if err != nil {
		return Conversation{}, nil, apperr.MapNotFound(err)
	}
	if c.Dissolved {
		return c, errDissolved, nil
	}
	if c.Kind == KindDirect {
		// The other person deleted their account: their membership went
		// with it, and the chat is read-only.
		if n, err := countMembers(ctx, s.DB, c.ID); err != nil {
			return Conversation{}, nil, err
		} else if n < 2 {
			return c, errPeerGone, nil
		}
	}
	if cacheable {
		s.views.Put(gens, k, c)
	}
	return c, nil, nil
}

// prepareContent validates the content of a new message by kind, renders
// its text and resolves its attachment.
func (s *Service) prepareContent(ctx context.Context, c *Conversation, m *Message, in SendInput) error {
	switch m.Kind {
	case MsgText:
		if err := checkBody(in.Body, true); err != nil {
			return err
		}
	case MsgFile, MsgImage, MsgVoice:
		if err := checkBody(in.Body, false); err != nil {
			return err
		}
		if in.FileID == "" {
			return apperr.InvalidField("file_id", "file_id is required for "+m.Kind+" messages")
		}
		f, err := s.fileForSend(ctx, in.FileID, m.SenderID)
		if err != nil {
			return err
		}
		att := &Attachment{FileID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, Width: f.Width, Height: f.Height, HasThumbnail: f.HasThumbnail}
		switch m.Kind {
		case MsgImage:
			if !strings.HasPrefix(f.ContentType, "image/") {
				return apperr.InvalidField("file_id", "an image message needs an image file").With("content_type", f.ContentType)
			}
		case MsgVoice:
			if !isAudio(f.ContentType) {
				return apperr.InvalidField("file_id", "a voice message needs an audio file").With("content_type", f.ContentType)
			}
			if in.DurationMS <= 0 || in.DurationMS > MaxVoiceMS {
				return apperr.InvalidField("duration_ms", "duration_ms must be between 1 and 1800000")
			}
			att.DurationMS = in.DurationMS
		}
		m.Attachment = att
		m.fileID = f.ID
	case MsgLocation:
		l := in.Location
		if l == nil {
			return apperr.InvalidField("location", "location is required for location messages")
		}
		if math.IsNaN(l.Lat) || math.IsNaN(l.Lon) || l.Lat < -90 || l.Lat > 90 || l.Lon < -180 || l.Lon > 180 {
			return apperr.InvalidField("location", "lat must be within ±90 and lon within ±180")
		}
		if utf8.RuneCountInString(l.Label) > maxLabelRunes || !utf8.ValidString(l.Label) {
			return apperr.InvalidField("location.label", "the label is too long")
		}
		if err := checkBody(in.Body, false); err != nil {
			return err
		}
		if err := s.sealLocation(ctx, c, m, *l); err != nil {
			return err
		}
		m.Location = l
	case MsgCard:
		cd := in.Card
		if cd == nil {
			return apperr.InvalidField("card", "card is required for card messages")
		}
		u, err := url.Parse(cd.URL)
		if err != nil || !(inApp(u) || (u.Scheme == "http" || u.Scheme == "https") && u.Host != "") || len(cd.URL) > maxURLBytes {
			return apperr.InvalidField("card.url", "card.url must be an http or https URL, or a path in the app such as /approvals/apr_1")
		}
		if strings.TrimSpace(cd.Title) == "" || utf8.RuneCountInString(cd.Title) > maxTitleRunes || !utf8.ValidString(cd.Title) {
			return apperr.InvalidField("card.title", "card.title is required (at most 300 characters)")
		}
		if utf8.RuneCountInString(cd.Description) > maxDescRunes || !utf8.ValidString(cd.Description) {
			return apperr.InvalidField("card.description", "card.description is too long")
		}
		if err := checkBody(in.Body, false); err != nil {
			return err
		}
		m.Attachment = &Attachment{URL: u.String(), Title: cd.Title, Description: cd.Description}
	case MsgRecord:
		if in.record == nil || len(in.record.Items) == 0 {
			return apperr.InvalidField("kind", "a chat record is made by forwarding messages")
		}
		if err := checkBody(in.Body, false); err != nil {
			return err
		}
		m.Attachment = &Attachment{Record: in.record}
	default:
		return apperr.InvalidField("kind", "kind must be text, file, image, voice, location or card")
	}
	if in.FileID != "" && m.fileID == "" {
		return apperr.InvalidField("file_id", "file_id is only for file, image and voice messages")
	}
	r := markdown.Render(m.Body)
	m.HTML = r.HTML
	if len(r.Mentions) > maxMentionCount {
		return apperr.Invalid("too_many_mentions", "a message may mention at most 100 people")
	}
	m.Mentions = r.Mentions
	if in.forwarded {
		// A forwarded message notifies nobody again.
		m.Mentions = nil
	} else if c.isGroup() && r.MentionAll {
		if err := s.checkMentionAll(ctx, c); err != nil {
			return err
		}
		m.MentionAll = true
	}
	if in.ReplyToID != "" {
		if _, err := getMessage(ctx, s.DB, c.ID, in.ReplyToID, m.SenderID, c.ClearedSeq); err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return apperr.InvalidField("reply_to_id", "the message replied to does not exist in this conversation")
			}
			return err
		}
		m.ReplyToID = in.ReplyToID
	}
	if in.ThreadRootID != "" {
		root, err := getMessage(ctx, s.DB, c.ID, in.ThreadRootID, m.SenderID, -1)
		if err != nil {
			if errors.Is(err, db.ErrNotFound) {
				return apperr.InvalidField("thread_root_id", "the thread's first message does not exist in this conversation")
			}
			return err
		}
		// A reply inside a thread belongs to the thread's root.
		m.ThreadRootID = root.ID
		if root.ThreadRootID != "" {
			m.ThreadRootID = root.ThreadRootID
		}
	}
	return nil
}

func isAudio(ct string) bool {
	return strings.HasPrefix(ct, "audio/") || ct == "application/ogg" || ct == "video/webm" || ct == "video/mp4"
}

// locationOwner is whose key seals a location: the owning organization's,
// or the sender's in direct and general conversations.
func locationOwner(orgID, senderID string) string {
	if orgID != "" {
		return orgID
	}
	return senderID
}

func (s *Service) sealLocation(ctx context.Context, c *Conversation, m *Message, l Location) error {
	b, _ := json.Marshal(l)
	if s.Sealer == nil {
		m.sealed = b
		return nil
	}
	sealed, err := s.Sealer.Seal(ctx, locationOwner(c.OrgID, m.SenderID), locationAADPrefix+m.ID, b)
	if err != nil {
		return err
	}
	m.sealed = sealed
	return nil
}

func (s *Service) openLocation(ctx context.Context, m *Message) {
	if len(m.sealed) == 0 || m.Deleted {
		return
	}
	b := m.sealed
	if s.Sealer != nil {
		var err error
		b, err = s.Sealer.Open(ctx, locationOwner(m.orgID, m.SenderID), locationAADPrefix+m.ID, m.sealed)
		if err != nil {
			// A destroyed key (erasure) leaves the location unreadable.
			s.Log.Debug("chat: location not readable", "message", m.ID, "err", err)
			return
		}
	}
	var l Location
	if json.Unmarshal(b, &l) == nil {
		m.Location = &l
	}
}

// present finishes messages for the caller: reactions and locations.
func (s *Service) present(ctx context.Context, accountID string, c *Conversation, m Message) Message {
	ms := []Message{m}
	s.presentAll(ctx, accountID, c, ms)
	return ms[0]
}

func (s *Service) presentAll(ctx context.Context, accountID string, c *Conversation, ms []Message) {
	ids := make([]string, 0, len(ms))
	for i := range ms {
		ms[i].orgID = c.OrgID
		s.openContent(ctx, &ms[i])
		if ms[i].Kind == MsgLocation {
			s.openLocation(ctx, &ms[i])
		}
		ids = append(ids, ms[i].ID)
	}
	ts, err := threadSummaries(ctx, s.DB, c.ID, ids)
	if err != nil {
		s.Log.Warn("chat: thread summaries", "err", err)
	}
	for i := range ms {
		if t, ok := ts[ms[i].ID]; ok {
			ms[i].ThreadReplies, ms[i].ThreadLastReplyAt = t.n, t.last
		}
	}
	rs, err := reactionsOf(ctx, s.DB, accountID, ids)
	if err != nil {
		s.Log.Warn("chat: reactions", "err", err)
		return
	}
	for i := range ms {
		ms[i].Reactions = rs[ms[i].ID]
	}
}

// view loads the conversation as the caller sees it (404 for non-members).
func (s *Service) view(ctx context.Context, convID string) (*Conversation, string, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, "", err
	}
	c, err := getView(ctx, s.DB, convID, a.AccountID)
	if err != nil {
		return nil, "", apperr.MapNotFound(err)
	}
	return &c, a.AccountID, nil
}

// HistoryQuery selects a page of history: Before or After a seq, or Around
// a message (the page that contains it); none of them means the newest.
type HistoryQuery struct {
	Before *int64
	After  *int64
	Around string
	Limit  int
	// ThreadRootID limits the page to the replies of one thread.
	ThreadRootID string
}

// History is a page of messages in ascending seq order. HasBefore and
// HasAfter say whether more exist on either side.
type History struct {
	Items     []Message `json:"items"`
	HasBefore bool      `json:"has_before"`
	HasAfter  bool      `json:"has_after"`
}

// History returns a page of a conversation's messages, leaving out what the
// caller cleared or deleted for themselves.
func (s *Service) History(ctx context.Context, convID string, q HistoryQuery) (History, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return History{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPage
	}
	if limit > MaxPage {
		limit = MaxPage
	}
	if q.ThreadRootID != "" {
		if _, err := getMessage(ctx, s.DB, c.ID, q.ThreadRootID, me, -1); err != nil {
			return History{}, apperr.MapNotFound(err)
		}
	}
	var h History
	switch {
	case q.Around != "":
		center, err := getMessage(ctx, s.DB, c.ID, q.Around, me, c.ClearedSeq)
		if err != nil {
			return History{}, apperr.MapNotFound(err)
		}
		half := limit / 2
		older, err := listMessages(ctx, s.DB, c.ID, me, c.ClearedSeq, pageBefore, center.Seq, half+1, q.ThreadRootID)
		if err != nil {
			return History{}, err
		}
		// newer starts with the center message itself.
		newer, err := listMessages(ctx, s.DB, c.ID, me, c.ClearedSeq, pageAfter, center.Seq-1, limit-half+1, q.ThreadRootID)
		if err != nil {
			return History{}, err
		}
		if h.HasBefore = len(older) > half; h.HasBefore {
			older = older[:half]
		}
		if h.HasAfter = len(newer) > limit-half; h.HasAfter {
			newer = newer[:limit-half]
		}
		h.Items = append(reverse(older), newer...)
	case q.After != nil:
		items, err := listMessages(ctx, s.DB, c.ID, me, c.ClearedSeq, pageAfter, *q.After, limit+1, q.ThreadRootID)
		if err != nil {
			return History{}, err
		}
		if h.HasAfter = len(items) > limit; h.HasAfter {
			items = items[:limit]
		}
		h.Items = items
		h.HasBefore = *q.After > c.ClearedSeq
	default:
		bound := int64(math.MaxInt64)
		if q.Before != nil {
			bound = *q.Before
		}
		items, err := listMessages(ctx, s.DB, c.ID, me, c.ClearedSeq, pageBefore, bound, limit+1, q.ThreadRootID)
		if err != nil {
			return History{}, err
		}
		h.HasBefore = len(items) > limit
		if h.HasBefore {
			items = items[:limit]
		}
		h.Items = reverse(items)
		h.HasAfter = q.Before != nil && *q.Before <= c.LastSeq
	}
	s.presentAll(ctx, me, c, h.Items)
	return h, nil
}

func reverse(ms []Message) []Message {
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = m
	}
	return out
}

// GetMessage returns one message.
func (s *Service) GetMessage(ctx context.Context, convID, msgID string) (Message, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return Message{}, err
	}
	m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
	if err != nil {
		return Message{}, apperr.MapNotFound(err)
	}
	return s.present(ctx, me, c, m), nil
}

// Edit replaces the text of the caller's own message, keeping the earlier
// version in the edit history.
func (s *Service) Edit(ctx context.Context, convID, msgID, body string) (Message, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return Message{}, err
	}
	if c.Dissolved {
		return Message{}, errDissolved
	}
	var out Message
	err = s.tx(ctx, func(ctx context.Context) error {
		m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if m.SenderID != me {
			return apperr.Forbidden("not_sender", "only the sender may edit a message")
		}
		if m.Deleted {
			return errMessageDeleted
		}
		s.openContent(ctx, &m)
		if m.ContentErased {
			return apperr.Conflict("message_erased", "the message's content has been erased")
		}
		required := m.Kind == MsgText
		if err := checkBody(body, required); err != nil {
			return err
		}
		r := markdown.Render(body)
		if c.isGroup() && r.MentionAll {
			if err := s.checkMentionAll(ctx, c); err != nil {
				return err
			}
		}
		if body == m.Body {
			out = m
			return nil
		}
		now := s.now()
		old := Edit{ID: ids.New("med"), EditorID: me, Body: m.Body, HTML: m.HTML, EditedAt: now}
		if err := s.sealEdit(ctx, &old, m.Attachment); err != nil {
			return err
		}
		if err := insertEdit(ctx, s.DB, m.ID, old); err != nil {
			return err
		}
		m.Body, m.HTML, m.Mentions, m.MentionAll, m.EditedAt = body, r.HTML, r.Mentions, r.MentionAll && c.isGroup(), now
		m.box, m.boxKey = nil, ""
		if err := s.sealContent(ctx, &m); err != nil {
			return err
		}
		if err := updateText(ctx, s.DB, &m); err != nil {
			return err
		}
		box, key := m.box, m.boxKey
		m = s.present(ctx, me, c, m)
		m.box, m.boxKey = box, key
		_, err = events.AppendSealed(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "message.edited", eventMessage(m), sealedEvent(&m))
		out = m
		return err
	})
	return out, err
}

// Edits lists the earlier versions of a message, oldest first.
func (s *Service) Edits(ctx context.Context, convID, msgID string) ([]Edit, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return nil, err
	}
	if _, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq); err != nil {
		return nil, apperr.MapNotFound(err)
	}
	es, err := listEdits(ctx, s.DB, msgID)
	if err != nil {
		return nil, err
	}
	s.openEdits(ctx, es)
	return es, nil
}

// keywordMatches returns the members of a group (but the sender and those
// already mentioned) with a keyword that body contains: they are notified
// like a mention. The message itself does not name them.
func (s *Service) keywordMatches(ctx context.Context, convID, sender, body string, mentioned []string) []string {
	if s.Reach == nil || strings.TrimSpace(body) == "" || !s.Reach.AnyKeywords(ctx) {
		return nil
	}
	ms, err := listMembers(ctx, s.DB, convID)
	if err != nil {
		s.Log.Warn("chat: members for keywords", "err", err)
		return nil
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		if m.AccountID != sender && !slices.Contains(mentioned, m.AccountID) {
			ids = append(ids, m.AccountID)
		}
	}
	return s.Reach.KeywordMatches(ctx, ids, body)
}

// mayMentionAll says whether the caller may mention @all (@所有人) in the
// group c: its organization's setting decides (owner and admins by default).
func (s *Service) mayMentionAll(ctx context.Context, c *Conversation) bool {
	policy := "admins"
	if c.OrgID != "" {
		if p, ok := s.Directory.(MentionAllPolicer); ok {
			policy = p.MentionAllPolicy(ctx, c.OrgID)
		}
	}
	switch policy {
	case "everyone":
		return true
	case "nobody":
		return false
	default:
		return c.isAdmin()
	}
}

// checkMentionAll refuses an @all the caller may not write in c.
func (s *Service) checkMentionAll(ctx context.Context, c *Conversation) error {
	if s.mayMentionAll(ctx, c) {
		return nil
	}
	return apperr.Forbidden("mention_all_not_allowed", "you may not mention @all in this group").With("conversation_id", c.ID)
}

// recallWindow is how long a sender may delete for everyone in c.
func (s *Service) recallWindow(ctx context.Context, c *Conversation) time.Duration {
	if c.OrgID != "" {
		if rw, ok := s.Directory.(RecallWindower); ok {
			if d, ok := rw.RecallWindow(ctx, c.OrgID); ok {
				return d
			}
		}
	}
	return s.RecallWindow
}

// Delete deletes a message for everyone, leaving a tombstone: the sender
// may within the recall window, the group's owner and admins at any time
// (audited).
//
// held, when set, is asked after the caller's rights are checked: content
// under a legal hold is not deleted (409 legal_hold).
func (s *Service) Delete(ctx context.Context, convID, msgID string, held datamap.HoldChecker) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if m.Deleted {
			return nil
		}
		asAdmin := false
		if m.SenderID == me {
			if s.now()-m.CreatedAt > s.recallWindow(ctx, c).Milliseconds() {
				if !(c.isGroup() && c.isAdmin()) {
					return apperr.Forbidden("recall_window_passed", "the time to delete this message for everyone has passed").
						With("window_seconds", int(s.recallWindow(ctx, c).Seconds()))
				}
				asAdmin = true
			}
		} else {
			if !(c.isGroup() && c.isAdmin()) {
				return apperr.Forbidden("not_sender", "only the sender or a group admin may delete a message for everyone")
			}
			asAdmin = true
		}
		if held != nil {
			h, err := held(ctx, "conversation", c.ID)
			if err != nil {
				return err
			}
			if h {
				return apperr.Conflict("legal_hold", "this conversation is under a legal hold; its messages cannot be deleted now")
			}
		}
		now := s.now()
		if err := tombstone(ctx, s.DB, &m, me, now); err != nil {
			return err
		}
		if asAdmin {
			if err := s.record(ctx, c.OrgID, "chat.message.delete", "message", m.ID,
				map[string]any{"conversation_id": c.ID, "sender_id": m.SenderID}); err != nil {
				return err
			}
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "message.deleted",
			map[string]any{"conversation_id": c.ID, "message_id": m.ID, "seq": m.Seq, "deleted_by": me})
		return err
	})
}

// Hide deletes a message for the caller only ("delete for me"), on every
// device.
func (s *Service) Hide(ctx context.Context, convID, msgID string) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if err := hideMessage(ctx, s.DB, me, &m, s.now()); err != nil {
			return err
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeAccount, me, "message.hidden",
			map[string]any{"conversation_id": c.ID, "message_id": m.ID})
		return err
	})
}

func checkEmoji(e string) error {
	if !isEmoji(e) {
		return errNotEmoji
	}
	return nil
}

// React adds (on) or removes (off) the caller's reaction.
func (s *Service) React(ctx context.Context, convID, msgID, emoji string, on bool) error {
	if err := checkEmoji(emoji); err != nil {
		return err
	}
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if m.Deleted {
			return apperr.Conflict("message_deleted", "the message has been deleted")
		}
		var changed bool
		typ := "reaction.added"
		if on {
			changed, err = addReaction(ctx, s.DB, m.ID, me, emoji, s.now())
		} else {
			typ = "reaction.removed"
			changed, err = removeReaction(ctx, s.DB, m.ID, me, emoji)
		}
		if err != nil || !changed {
			return err
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, typ,
			map[string]any{"conversation_id": c.ID, "message_id": m.ID, "account_id": me, "emoji": emoji})
		return err
	})
}

// Pin pins (on) or unpins a message in the conversation, for everyone.
func (s *Service) Pin(ctx context.Context, convID, msgID string, on bool) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		m, err := getMessage(ctx, s.DB, c.ID, msgID, me, c.ClearedSeq)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if m.Deleted {
			return apperr.Conflict("message_deleted", "the message has been deleted")
		}
		var changed bool
		typ := "message.pinned"
		if on {
			changed, err = pinMessage(ctx, s.DB, c.ID, m.ID, me, s.now())
		} else {
			typ = "message.unpinned"
			changed, err = unpinMessage(ctx, s.DB, c.ID, m.ID)
		}
		if err != nil || !changed {
			return err
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, typ,
			map[string]any{"conversation_id": c.ID, "message_id": m.ID, "account_id": me})
		return err
	})
}

// Pins lists the pinned messages of a conversation, newest pin first.
func (s *Service) Pins(ctx context.Context, convID string) ([]Message, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return nil, err
	}
	ms, err := listPinned(ctx, s.DB, c.ID, me, c.ClearedSeq)
	if err != nil {
		return nil, err
	}
	s.presentAll(ctx, me, c, ms)
	return ms, nil
}
