package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Sealed content. What a person writes — a message's text, its rendered
// HTML and its attachment's description (file name and type, a card's link
// and title), and every earlier version of an edited message — is stored
// sealed with AES-GCM (platform/keyring) under the data key of the person
// whose erasure must make it unreadable: the sender's ("acc_…"). The AAD is
// "messages.content:" + the message id ("message_edits.content:" + the edit
// id), so a sealed value copied to another row does not open.
//
// Work messages are sealed under the sender's key too: deleting the account
// shreds them. An organization whose leaver policy anonymizes keeps its
// members' work: ResealMessages re-seals a person's messages in the org's
// conversations under the organization's key ("org_…") before the person's
// key is destroyed. content_key names whichever key sealed a row.
//
// The message.created and message.edited events carry the same sealed value
// (events.Sealed), so a send costs one seal. The search index (SQLite FTS5,
// PostgreSQL's message_fts table) holds plaintext: it is derived data, left
// out of backups, rebuilt by Reindex and purged by erasure.
//
// Rows written before sealing (content_key empty) keep their plaintext
// columns and are read as they are. A message whose key was destroyed reads
// as ContentErased with no text.

// contentAAD and editAAD bind sealed content to its row, following the
// keyring's "table.column:id" convention (which export relies on).
func contentAAD(msgID string) string { return contentAADPrefix + msgID }

const contentAADPrefix = "messages.content:"

func editAAD(editID string) string { return "message_edits.content:" + editID }

// sealedContent is the sealed part of a message or of an earlier version.
type sealedContent struct {
	Body       string      `json:"body"`
	HTML       string      `json:"html"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// fragment encodes c as the members of a JSON object without its braces:
// the form events splice into a message event's data. It runs on every
// send, so the two strings are encoded by hand (byte for byte what
// encoding/json writes, see appendJSONString); only an attachment goes
// through encoding/json.
func (c sealedContent) fragment() []byte {
	b := make([]byte, 0, len(`"body":"","html":""`)+len(c.Body)+len(c.HTML)+len(c.HTML)/4+16)
	b = append(b, `"body":`...)
	b = appendJSONString(b, c.Body)
	b = append(b, `,"html":`...)
	b = appendJSONString(b, c.HTML)
	if c.Attachment != nil {
		att, _ := json.Marshal(c.Attachment)
		b = append(append(b, `,"attachment":`...), att...)
	}
	return b
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// encodes it: HTML-safe (<, > and & as \u003c, \u003e, \u0026), U+2028
// and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// parseFragment decodes a fragment written by fragment. History opens one
// per message, so the usual form — body and html, no attachment — is
// read by hand (readJSONString); anything else goes through encoding/json.
func parseFragment(b []byte) (sealedContent, error) {
	if c, ok := parseTextFragment(b); ok {
		return c, nil
	}
	var c sealedContent
	buf := make([]byte, 0, len(b)+2)
	buf = append(append(append(buf, '{'), b...), '}')
	err := json.Unmarshal(buf, &c)
	return c, err
}

// parseTextFragment reads `"body":"…","html":"…"`; ok is false for any
// other form.
func parseTextFragment(b []byte) (c sealedContent, ok bool) {
	const bodyKey, htmlKey = `"body":`, `,"html":`
	if !bytes.HasPrefix(b, []byte(bodyKey)) {
		return c, false
	}
	body, rest, ok := readJSONString(b[len(bodyKey):])
	if !ok || !bytes.HasPrefix(rest, []byte(htmlKey)) {
		return c, false
	}
	html, rest, ok := readJSONString(rest[len(htmlKey):])
	if !ok || len(rest) != 0 {
		return c, false
	}
	return sealedContent{Body: body, HTML: html}, true
}

// readJSONString decodes the JSON string at the start of b and returns the
// rest of b. It reads what appendJSONString writes; ok is false for
// anything it does not read exactly as encoding/json would (raw control
// characters, invalid UTF-8, lone surrogates), which the caller then hands
// to encoding/json.
func readJSONString(b []byte) (s string, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	b = b[1:]
	var out []byte
	start := 0
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			if !utf8.Valid(b[start:i]) {
				return "", nil, false
			}
			if out == nil {
				return string(b[:i]), b[i+1:], true
			}
			out = append(out, b[start:i]...)
			return string(out), b[i+1:], true
		case c < 0x20:
			return "", nil, false
		case c != '\\':
			i++
			continue
		}
		if !utf8.Valid(b[start:i]) || i+1 >= len(b) {
			return "", nil, false
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(out, b[start:i]...)
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b[i+2:])
			if !ok || utf16.IsSurrogate(r) {
				return "", nil, false
			}
			out = utf8.AppendRune(out, r)
			i += 4
		default:
			return "", nil, false
		}
		i += 2
		start = i
	}
	return "", nil, false
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// sealContent seals m's text and attachment under the sender's key. Without
// a Sealer (tests of other packages) the content stays in the plaintext
// columns.
func (s *Service) sealContent(ctx context.Context, m *Message) error {
	if s.Sealer == nil {
		return nil
	}
	c := sealedContent{Body: m.Body, HTML: m.HTML, Attachment: m.Attachment}
	box, err := s.Sealer.Seal(ctx, m.SenderID, contentAAD(m.ID), c.fragment())
	if err != nil {
		return fmt.Errorf("chat: seal message: %w", err)
	}
	m.box, m.boxKey = box, m.SenderID
	return nil
}

// openContent fills in m's text and attachment from its sealed content. A
// content that does not open — its owner's key was destroyed by an erasure
// — leaves the message without text, marked ContentErased.
func (s *Service) openContent(ctx context.Context, m *Message) {
	if len(m.box) == 0 || m.Deleted {
		return
	}
	c, err := s.open(ctx, m.boxKey, contentAAD(m.ID), m.box)
	m.box = nil // opened once
	if err != nil {
		s.Log.Debug("chat: message content not readable", "message", m.ID, "err", err)
		m.Body, m.HTML, m.Attachment, m.ContentErased = "", "", nil, true
		return
	}
	m.Body, m.HTML, m.Attachment = c.Body, c.HTML, c.Attachment
}

func (s *Service) open(ctx context.Context, owner, aad string, box []byte) (sealedContent, error) {
	if s.Sealer == nil {
		return sealedContent{}, errors.New("chat: no sealer to open sealed content")
	}
	b, err := s.Sealer.Open(ctx, owner, aad, box)
	if err != nil {
		return sealedContent{}, err
	}
	return parseFragment(b)
}

// sealedEvent is the sealed half of a message's event: a reference to the
// row's sealed value, which the event log's readers fetch (sealedSource)
// and splice into the event's data. The content is stored once, and a
// deleted or edited message leaves no copy of its old text in the log.
// The event is appended in the transaction that writes m.box to the row,
// so this node's hub opens m.box instead of fetching it.
func sealedEvent(m *Message) *events.Sealed {
	if len(m.box) == 0 {
		return nil
	}
	return events.RefWritten(contentAAD(m.ID), m.boxKey, m.box)
}

// sealedSource is the events.Source of messages' sealed content.
func (s *Service) sealedSource(ctx context.Context, ids []string) (map[string]events.Sealed, error) {
	return sealedContents(ctx, s.DB, ids)
}

// sealedEventMessage is a message as the event log stores it when its
// content is sealed: the fields below, declared at the outer level,
// shadow Message's and, being empty, are left out; readers splice the
// sealed content back in.
type sealedEventMessage struct {
	Message
	Body       string      `json:"body,omitempty"`
	HTML       string      `json:"html,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// sealEdit seals the earlier version e of a message under the editor's key.
func (s *Service) sealEdit(ctx context.Context, e *Edit, att *Attachment) error {
	if s.Sealer == nil {
		return nil
	}
	c := sealedContent{Body: e.Body, HTML: e.HTML, Attachment: att}
	box, err := s.Sealer.Seal(ctx, e.EditorID, editAAD(e.ID), c.fragment())
	if err != nil {
		return fmt.Errorf("chat: seal edit: %w", err)
	}
	e.box, e.boxKey = box, e.EditorID
	return nil
}

// openEdits fills in the text of earlier versions.
func (s *Service) openEdits(ctx context.Context, es []Edit) {
	for i := range es {
		e := &es[i]
		if len(e.box) == 0 {
			continue
		}
		c, err := s.open(ctx, e.boxKey, editAAD(e.ID), e.box)
		if err != nil {
			e.Body, e.HTML, e.ContentErased = "", "", true
			continue
		}
		e.Body, e.HTML = c.Body, c.HTML
	}
}

// ResealMessages re-seals, under the organization's key, every message and
// earlier version that accountID wrote in orgID's groups and that is still
// sealed under the person's key. The privacy side calls it when the
// organization's leaver policy anonymizes a person, before the person's key
// is destroyed: the organization keeps its work conversations readable
// (the sender id is replaced by privacy), while the person's direct chats
// and general groups stay under their key and are shredded with it. It
// returns how many values it re-sealed; run again, it finds nothing left.
func (s *Service) ResealMessages(ctx context.Context, orgID, accountID string) (int, error) {
	if s.Sealer == nil || orgID == "" || accountID == "" {
		return 0, nil
	}
	n := 0
	reseal := func(ctx context.Context, aad string, box []byte) ([]byte, error) {
		pt, err := s.Sealer.Open(ctx, accountID, aad, box)
		if err != nil {
			return nil, fmt.Errorf("chat: reseal %s: %w", aad, err)
		}
		return s.Sealer.Seal(ctx, orgID, aad, pt)
	}
	var after int64
	for {
		rows, err := messagesSealedBy(ctx, s.DB, orgID, accountID, after, 500)
		if err != nil || len(rows) == 0 {
			if err != nil {
				return n, err
			}
			break
		}
		err = s.tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				box, err := reseal(ctx, contentAAD(r.id), r.box)
				if err != nil {
					return err
				}
				if err := setMessageContent(ctx, s.DB, r.id, box, orgID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(rows)
		after = rows[len(rows)-1].rid
	}
	edits, err := editsSealedBy(ctx, s.DB, orgID, accountID)
	if err != nil {
		return n, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		for _, r := range edits {
			box, err := reseal(ctx, editAAD(r.id), r.box)
			if err != nil {
				return err
			}
			if err := setEditContent(ctx, s.DB, r.id, box, orgID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	n += len(edits)
	f, err := s.resealFiles(ctx, orgID, accountID)
	return n + f, err
}

// A group's name, topic and announcement are sealed together, with the
// AAD "conversations.profile:" + the conversation id, under a key whose
// destruction follows the group's life:
//
//   - a group owned by an organization (internal, external): the
//     organization's key ("org_…"), which erasing the disbanded
//     organization destroys;
//   - a general group (owned by a person): the group's own key, whose
//     owner is the conversation id ("cnv_…"), destroyed when the last
//     member leaves. Not the creator's or the owner's key: the name is
//     the group's, shared by its members, and outlives the person who
//     made it (ownership passes on when they leave or are erased).
//
// profile_key names the key (profileKey). The conversation.created and
// conversation.updated events carry the same sealed value. Direct chats
// have none of these. A profile whose key is gone reads as empty.

func profileAAD(convID string) string { return "conversations.profile:" + convID }

// sealedProfile is the sealed part of a group.
type sealedProfile struct {
	Name         string `json:"name"`
	Topic        string `json:"topic"`
	Announcement string `json:"announcement"`
}

// profileOwner returns whose key seals c's profile: its organization's for
// an organization's group, its own for a general group, none for a direct
// chat.
func profileOwner(c *Conversation) string {
	switch {
	case c.orgOwned():
		return c.OrgID
	case c.Kind == KindGeneral:
		return c.ID
	}
	return ""
}

// sealProfile seals c's name, topic and announcement when c is a group,
// and returns the sealed value for c's event (nil when c stays plaintext).
func (s *Service) sealProfile(ctx context.Context, c *Conversation) (*events.Sealed, error) {
	c.profile, c.profileKey = nil, ""
	owner := profileOwner(c)
	if s.Sealer == nil || owner == "" {
		return nil, nil
	}
	b, _ := json.Marshal(sealedProfile{Name: c.Name, Topic: c.Topic, Announcement: c.Announcement})
	box, err := s.Sealer.Seal(ctx, owner, profileAAD(c.ID), b[1:len(b)-1])
	if err != nil {
		return nil, fmt.Errorf("chat: seal group profile: %w", err)
	}
	c.profile, c.profileKey = box, owner
	return &events.Sealed{Owner: owner, AAD: profileAAD(c.ID), Box: box}, nil
}

// openProfile fills in c's name, topic and announcement from its sealed
// profile.
func (s *Service) openProfile(ctx context.Context, c *Conversation) {
	if len(c.profile) == 0 {
		return
	}
	box := c.profile
	c.profile = nil
	c.Name, c.Topic, c.Announcement = "", "", ""
	if s.Sealer == nil {
		return
	}
	owner := c.profileKey
	if owner == "" {
		owner = c.OrgID
	}
	frag, err := s.Sealer.Open(ctx, owner, profileAAD(c.ID), box)
	if err != nil {
		s.Log.Debug("chat: group profile not readable", "conversation", c.ID, "err", err)
		return
	}
	var p sealedProfile
	buf := append(append([]byte{'{'}, frag...), '}')
	if json.Unmarshal(buf, &p) == nil {
		c.Name, c.Topic, c.Announcement = p.Name, p.Topic, p.Announcement
	}
}

// keyDestroyer destroys an owner's data key (*keyring.Keyring).
type keyDestroyer interface {
	Destroy(ctx context.Context, owner string) error
}

// forgetGroupKey destroys the key of general group c once its last member
// has left, in ctx's transaction, so that its name, topic and announcement
// become unreadable everywhere, backups included. A group under legal hold
// keeps its key (the keyring refuses): that is logged, not an error, for
// the person's leaving must not fail for it.
func (s *Service) forgetGroupKey(ctx context.Context, c *Conversation) error {
	d, ok := s.Sealer.(keyDestroyer)
	if !ok || c.Kind != KindGeneral {
		return nil
	}
	err := d.Destroy(ctx, c.ID)
	if apperr.CodeOf(err) == "legal_hold" {
		s.Log.Info("chat: an emptied group under legal hold keeps its key", "conversation", c.ID)
		return nil
	}
	return err
}

// profileEvent returns data for a conversation event: without the
// profile's fields when sealed carries them.
func profileEvent(data map[string]any, sealed *events.Sealed) map[string]any {
	if sealed != nil {
		delete(data, "name")
		delete(data, "topic")
		delete(data, "announcement")
	}
	return data
}

// SealPlaintextProfiles seals the name, topic and announcement of the
// groups written before sealing (profile NULL), so that
// they leave the plaintext columns and, from then on, the backups. Safe to
// run on several nodes and again; the server runs it at start-up. It
// returns how many groups it sealed.
func (s *Service) SealPlaintextProfiles(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, nil
	}
	cs, err := plaintextGroups(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range cs {
		c := &cs[i]
		if _, err := s.sealProfile(ctx, c); err != nil {
			// The organization's key is gone (its erasure deletes the
			// row), or the general group's (nobody is left in it).
			s.Log.Warn("chat: seal a plaintext group profile", "conversation", c.ID, "err", err)
			continue
		}
		ok, err := setSealedProfile(ctx, s.DB, c)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
