package chat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// MsgRecord is a chat record: several forwarded messages in one.
const MsgRecord = "record"

const (
	maxForwardMessages = 100
	maxForwardTargets  = 20
	// maxRecordBytes bounds a chat record's content.
	maxRecordBytes = 1 << 20
	// maxForwardClientID leaves room for the per-target suffix.
	maxForwardClientID = MaxClientMsgID - 9
)

// Record is the content of a chat record: the forwarded messages, oldest
// first, with their senders' names as the forwarder saw them. Files and
// images appear by name, size and kind only: their bytes stay with the
// original message (forward a single file message to share the file).
type Record struct {
	Items []RecordItem `json:"items"`
}

// RecordItem is one message of a chat record.
type RecordItem struct {
	SenderID   string      `json:"sender_id"`
	SenderName string      `json:"sender_name,omitempty"`
	Kind       string      `json:"kind"`
	Body       string      `json:"body,omitempty"`
	HTML       string      `json:"html,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
	Location   *Location   `json:"location,omitempty"`
	CreatedAt  int64       `json:"created_at"`
}

// ForwardInput forwards messages of the conversation in the path to other
// conversations: one message is sent as a copy, several as one chat record.
type ForwardInput struct {
	// ClientMsgID makes retries idempotent: the same id (with the same
	// target) yields the same message.
	ClientMsgID string   `json:"client_msg_id"`
	MessageIDs  []string `json:"message_ids"`
	Targets     []string `json:"targets"`
}

// Forwarded lists the messages a forward sent, one per target in the
// order given.
type Forwarded struct {
	Items []Message `json:"items"`
}

// targetClientID is the client id of the copy sent to one target.
func targetClientID(id, target string) string {
	h := sha256.Sum256([]byte(target))
	return id + ":" + hex.EncodeToString(h[:4])
}

// Forward sends the given messages of convID, which the caller must be
// able to read, into each target conversation, where the caller must be
// able to post. Mentions are not carried over (nobody is notified again).
func (s *Service) Forward(ctx context.Context, convID string, in ForwardInput) (Forwarded, bool, error) {
	if !validClientID(in.ClientMsgID) || len(in.ClientMsgID) > maxForwardClientID {
		return Forwarded{}, false, apperr.InvalidField("client_msg_id", "client_msg_id is required: 1–55 characters of letters, digits, '-', '_', '.', ':'")
	}
	if len(in.MessageIDs) == 0 || len(in.MessageIDs) > maxForwardMessages {
		return Forwarded{}, false, apperr.InvalidField("message_ids", "forward 1 to 100 messages")
	}
	if len(in.Targets) == 0 || len(in.Targets) > maxForwardTargets {
		return Forwarded{}, false, apperr.InvalidField("targets", "forward to 1 to 20 conversations")
	}
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return Forwarded{}, false, err
	}
	var ms []Message
	seen := map[string]bool{}
	for _, id := range in.MessageIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, err := getMessage(ctx, s.DB, c.ID, id, me, c.ClearedSeq)
		if err != nil {
			return Forwarded{}, false, apperr.MapNotFound(err)
		}
		ms = append(ms, m)
	}
	s.presentAll(ctx, me, c, ms)
	for _, m := range ms {
		if m.Deleted || m.ContentErased {
			return Forwarded{}, false, apperr.Conflict("message_deleted", "the message has been deleted").With("message_id", m.ID)
		}
	}
	slices.SortFunc(ms, func(a, b Message) int { return int(a.Seq - b.Seq) })
	// Every target first: nothing is sent unless all of them may be posted in.
	targets := make([]string, 0, len(in.Targets))
	for _, t := range in.Targets {
		if slices.Contains(targets, t) {
			continue
		}
		if _, _, err := s.view(ctx, t); err != nil {
			return Forwarded{}, false, err
		}
		targets = append(targets, t)
	}
	send, err := s.forwardInput(ctx, me, ms)
	if err != nil {
		return Forwarded{}, false, err
	}
	out := Forwarded{Items: make([]Message, 0, len(targets))}
	anyNew := false
	for _, t := range targets {
		send.ClientMsgID = targetClientID(in.ClientMsgID, t)
		m, created, err := s.Send(ctx, t, send)
		if err != nil {
			return Forwarded{}, false, err
		}
		anyNew = anyNew || created
		out.Items = append(out.Items, m)
	}
	return out, anyNew, nil
}

// forwardInput is what a forward of ms sends: a copy of one message, or a
// chat record of several.
func (s *Service) forwardInput(ctx context.Context, me string, ms []Message) (SendInput, error) {
	in := SendInput{forwarded: true}
	if len(ms) == 1 {
		m := ms[0]
		in.Kind, in.Body = m.Kind, m.Body
		switch m.Kind {
		case MsgFile, MsgImage, MsgVoice:
			if m.Attachment != nil {
				in.FileID, in.DurationMS = m.Attachment.FileID, m.Attachment.DurationMS
			}
		case MsgLocation:
			in.Location = m.Location
		case MsgCard:
			if a := m.Attachment; a != nil {
				in.Card = &Card{URL: a.URL, Title: a.Title, Description: a.Description}
			}
		case MsgRecord:
			if m.Attachment != nil {
				in.record = m.Attachment.Record
			}
		}
		return in, nil
	}
	names := map[string]string{}
	if namer, ok := s.Directory.(PersonNamer); ok {
		var senders []string
		for _, m := range ms {
			senders = append(senders, m.SenderID)
		}
		names = namer.PersonNames(ctx, me, senders)
	}
	rec := &Record{Items: make([]RecordItem, 0, len(ms))}
	for _, m := range ms {
		it := RecordItem{SenderID: m.SenderID, SenderName: names[m.SenderID], Kind: m.Kind, Body: m.Body, HTML: m.HTML, Location: m.Location, CreatedAt: m.CreatedAt}
		if a := m.Attachment; a != nil {
			cp := *a
			// The file stays with the original message: name, size and kind only.
			cp.FileID, cp.HasThumbnail = "", false
			if cp.Record != nil {
				// A record inside a record keeps its items, one level deep.
				inner := &Record{Items: slices.Clone(cp.Record.Items)}
				for i := range inner.Items {
					if ia := inner.Items[i].Attachment; ia != nil && ia.Record != nil {
						x := *ia
						x.Record = nil
						inner.Items[i].Attachment = &x
					}
				}
				cp.Record = inner
			}
			it.Attachment = &cp
		}
		rec.Items = append(rec.Items, it)
	}
	if b, _ := json.Marshal(rec); len(b) > maxRecordBytes {
		return in, apperr.New(apperr.KindTooLarge, "forward_too_large", "these messages are too long to forward together").With("max_bytes", maxRecordBytes)
	}
	in.Kind, in.record = MsgRecord, rec
	return in, nil
}
