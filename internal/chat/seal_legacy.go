package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// legacyBatch is how many rows SealPlaintextMessages reads at a time.
const legacyBatch = 500

// SealPlaintextMessages seals the text of messages and earlier versions
// written before sealing existed (content_key empty), so that it leaves
// the plaintext columns and, from then on, the backups. Each is sealed
// like a new one, under its author's key; when that key was destroyed (the
// author was erased and an organization kept their work), under the
// conversation's organization's key. Safe to run on several nodes and
// again: a row sealed, edited or deleted meanwhile is left as it is. The
// server runs it at start-up; it returns how many rows it sealed.
func (s *Service) SealPlaintextMessages(ctx context.Context) (int, error) {
	if s.Sealer == nil {
		return 0, nil
	}
	n := 0
	for after := int64(0); ; {
		ps, err := plaintextMessages(ctx, s.DB, after, legacyBatch)
		if err != nil {
			return n, fmt.Errorf("chat: read plaintext messages: %w", err)
		}
		for _, p := range ps {
			after = p.rid
			c := sealedContent{Body: p.body, HTML: p.html}
			if p.attachRaw != "" {
				c.Attachment = new(Attachment)
				if err := json.Unmarshal([]byte(p.attachRaw), c.Attachment); err != nil {
					s.Log.Warn("chat: a plaintext message's attachment does not parse; left as it is", "message", p.id, "err", err)
					continue
				}
			}
			box, key, err := s.sealLegacy(ctx, p, contentAAD(p.id), c)
			if err != nil {
				s.Log.Warn("chat: seal a plaintext message", "message", p.id, "err", err)
				continue
			}
			ok, err := sealPlaintextMessage(ctx, s.DB, p, box, key)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
		if len(ps) < legacyBatch {
			break
		}
	}
	for after := ""; ; {
		ps, err := plaintextEdits(ctx, s.DB, after, legacyBatch)
		if err != nil {
			return n, fmt.Errorf("chat: read plaintext edits: %w", err)
		}
		for _, p := range ps {
			after = p.id
			box, key, err := s.sealLegacy(ctx, p, editAAD(p.id), sealedContent{Body: p.body, HTML: p.html})
			if err != nil {
				s.Log.Warn("chat: seal a plaintext earlier version", "edit", p.id, "err", err)
				continue
			}
			ok, err := sealPlaintextEdit(ctx, s.DB, p, box, key)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
		}
		if len(ps) < legacyBatch {
			break
		}
	}
	return n, nil
}

// sealLegacy seals c under p's author's key, or under the organization's
// when the author's key was destroyed. It returns the sealed bytes and the
// key's owner.
func (s *Service) sealLegacy(ctx context.Context, p plaintextMessage, aad string, c sealedContent) ([]byte, string, error) {
	box, err := s.Sealer.Seal(ctx, p.owner, aad, c.fragment())
	if err == nil {
		return box, p.owner, nil
	}
	if !errors.Is(err, keyring.ErrKeyDestroyed) || p.orgID == "" {
		return nil, "", err
	}
	box, err = s.Sealer.Seal(ctx, p.orgID, aad, c.fragment())
	return box, p.orgID, err
}
