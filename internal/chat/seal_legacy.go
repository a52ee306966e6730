package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// legacyBatch is how many rows SealPlaintextMessages reads at a time.
const legacyBatch = 500

// SealPlaintextMessages seals the text of messages and earlier versions
// written before sealing existed (content_key empty), and the names and
// bytes of files uploaded before (meta_key empty), so that they leave
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
	for _, k := range []legacyText{
		{"messages", plaintextMessages, contentAAD, sealPlaintextMessage},
		{"earlier versions", plaintextEdits, editAAD, sealPlaintextEdit},
	} {
		m, err := s.sealPlaintextTexts(ctx, k)
		n += m
		if err != nil {
			return n, err
		}
	}
	f, err := s.sealPlaintextFiles(ctx)
	return n + f, err
}

// legacyText is a table of texts written before sealing: how to read a
// batch of them, the AAD of a row, and how to store a row sealed.
type legacyText struct {
	what  string
	read  func(ctx context.Context, d *db.DB, after string, limit int) ([]plaintextMessage, error)
	aad   func(id string) string
	store func(ctx context.Context, d *db.DB, p plaintextMessage, box []byte, key string) (bool, error)
}

// sealPlaintextTexts seals k's rows, a batch at a time: each batch is
// sealed in memory (which may create or unwrap its authors' keys), then
// stored in one transaction, so a large legacy table costs one commit per
// batch rather than one per row.
func (s *Service) sealPlaintextTexts(ctx context.Context, k legacyText) (int, error) {
	type sealed struct {
		p   plaintextMessage
		box []byte
		key string
	}
	n := 0
	for after := ""; ; {
		ps, err := k.read(ctx, s.DB, after, legacyBatch)
		if err != nil {
			return n, fmt.Errorf("chat: read plaintext %s: %w", k.what, err)
		}
		batch := make([]sealed, 0, len(ps))
		for _, p := range ps {
			after = p.id
			c := sealedContent{Body: p.body, HTML: p.html}
			if p.attachRaw != "" {
				c.Attachment = new(Attachment)
				if err := json.Unmarshal([]byte(p.attachRaw), c.Attachment); err != nil {
					s.Log.Warn("chat: a plaintext attachment does not parse; left as it is", "id", p.id, "err", err)
					continue
				}
			}
			box, key, err := s.sealLegacyBytes(ctx, p.owner, p.orgID, k.aad(p.id), c.fragment())
			if err != nil {
				s.Log.Warn("chat: seal plaintext "+k.what, "id", p.id, "err", err)
				continue
			}
			batch = append(batch, sealed{p, box, key})
		}
		stored := 0
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			stored = 0
			for _, x := range batch {
				ok, err := k.store(ctx, s.DB, x.p, x.box, x.key)
				if err != nil {
					return err
				}
				if ok {
					stored++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += stored
		if len(ps) < legacyBatch {
			return n, nil
		}
	}
}

// sealPlaintextFiles seals the names and types of files uploaded before
// sealing and encrypts their bodies (and thumbnails) under the same key,
// deleting the plaintext bodies from the file store.
func (s *Service) sealPlaintextFiles(ctx context.Context) (int, error) {
	env, _ := s.Blobs.(*blob.Envelope)
	n := 0
	for after := ""; ; {
		fs, err := plaintextFiles(ctx, s.DB, after, legacyBatch)
		if err != nil {
			return n, fmt.Errorf("chat: read plaintext files: %w", err)
		}
		for _, f := range fs {
			after = f.ID
			b, _ := json.Marshal(fileMeta{Name: f.Name, ContentType: f.ContentType})
			box, key, err := s.sealLegacyBytes(ctx, f.UploaderID, f.orgID, fileMetaAAD(f.ID), b)
			if err != nil {
				s.Log.Warn("chat: seal a plaintext file", "file", f.ID, "err", err)
				continue
			}
			var drop, fresh []string
			if env != nil {
				for _, k := range []*string{&f.blobKey, &f.thumbKey} {
					if *k == "" {
						continue
					}
					info, err := env.Rewrap(ctx, *k, key)
					if err != nil {
						return n, fmt.Errorf("chat: encrypt file %s: %w", f.ID, err)
					}
					drop, fresh = append(drop, *k), append(fresh, info.Key)
					*k = info.Key
				}
			}
			ok, err := sealPlaintextFile(ctx, s.DB, f.ID, box, key, f.blobKey, f.thumbKey)
			if err != nil {
				return n, err
			}
			if !ok { // sealed meanwhile: the copies are not referenced
				drop = fresh
			} else {
				n++
			}
			for _, k := range drop {
				_ = s.Blobs.Delete(ctx, k)
			}
		}
		if len(fs) < legacyBatch {
			break
		}
	}
	return n, nil
}

// sealLegacyBytes seals b under owner's key, or under orgID's when owner's
// key was destroyed.
func (s *Service) sealLegacyBytes(ctx context.Context, owner, orgID, aad string, b []byte) ([]byte, string, error) {
	box, err := s.Sealer.Seal(ctx, owner, aad, b)
	if err == nil {
		return box, owner, nil
	}
	if !errors.Is(err, keyring.ErrKeyDestroyed) || orgID == "" {
		return nil, "", err
	}
	box, err = s.Sealer.Seal(ctx, orgID, aad, b)
	return box, orgID, err
}
