package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
func contentAAD(msgID string) string { return "messages.content:" + msgID }
func editAAD(editID string) string   { return "message_edits.content:" + editID }

// sealedContent is the sealed part of a message or of an earlier version.
type sealedContent struct {
	Body       string      `json:"body"`
	HTML       string      `json:"html"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// fragment encodes c as the members of a JSON object without its braces:
// the form events splice into a message event's data.
func (c sealedContent) fragment() []byte {
	b, _ := json.Marshal(c)
	return b[1 : len(b)-1]
}

func parseFragment(b []byte) (sealedContent, error) {
	var c sealedContent
	buf := make([]byte, 0, len(b)+2)
	buf = append(append(append(buf, '{'), b...), '}')
	err := json.Unmarshal(buf, &c)
	return c, err
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

// sealedEvent is the sealed half of a message's event: the same sealed
// value as the row, spliced into the event's data by its readers.
func sealedEvent(m *Message) *events.Sealed {
	if len(m.box) == 0 {
		return nil
	}
	return &events.Sealed{Owner: m.boxKey, AAD: contentAAD(m.ID), Box: m.box}
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
