package push

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"fmt"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// vapidOwner is the keyring owner whose data key seals the VAPID private
// key: wrapped by the master key like every data key, so the VAPID key is
// as safe as the master key, shared by every node, and never in a data
// backup in the clear.
const vapidOwner = "sys_push"

// vapidID is the row of the key in use.
const vapidID = "current"

func vapidAAD(id string) string { return "push_vapid.private_key:" + id }

// vapidKey is the deployment's VAPID key pair, base64url (no padding): the
// uncompressed P-256 public point and the private scalar.
type vapidKey struct {
	public  string
	private string
}

// LoadKey reads the VAPID key pair, creating it at first start (several
// nodes starting at once agree on the first one stored).
func (s *Service) LoadKey(ctx context.Context) error {
	k, err := s.readKey(ctx)
	if errors.Is(err, db.ErrNotFound) {
		if err := s.createKey(ctx); err != nil {
			return err
		}
		k, err = s.readKey(ctx)
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.vapid = k
	s.mu.Unlock()
	return nil
}

func (s *Service) readKey(ctx context.Context) (vapidKey, error) {
	pub, sealed, err := getVAPID(ctx, s.DB, vapidID)
	if err != nil {
		return vapidKey{}, err
	}
	priv, err := s.Keys.Open(ctx, vapidOwner, vapidAAD(vapidID), sealed)
	if err != nil {
		return vapidKey{}, fmt.Errorf("push: open the VAPID key: %w", err)
	}
	return vapidKey{public: pub, private: string(priv)}, nil
}

func (s *Service) createKey(ctx context.Context) error {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return err
	}
	if err := checkKeyPair(priv, pub); err != nil {
		return err
	}
	sealed, err := s.Keys.Seal(ctx, vapidOwner, vapidAAD(vapidID), []byte(priv))
	if err != nil {
		return err
	}
	return insertVAPID(ctx, s.DB, vapidID, pub, sealed, s.now().UnixMilli())
}

// checkKeyPair makes sure priv is a P-256 scalar whose public point is pub
// (the library pads neither, so a short scalar would sign wrongly).
func checkKeyPair(priv, pub string) error {
	d, err := base64.RawURLEncoding.DecodeString(priv)
	if err != nil {
		return err
	}
	if len(d) < 32 {
		d = append(make([]byte, 32-len(d)), d...)
	}
	k, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		return err
	}
	if base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()) != pub {
		return errors.New("push: generated VAPID key pair does not match")
	}
	return nil
}

// RotateKey replaces the VAPID key pair and deletes every subscription,
// which was made for the old public key: browsers subscribe again (with
// the new key from GET /api/v1/push/config) the next time the app opens.
func (s *Service) RotateKey(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = deleteAllSubscriptions(ctx, s.DB); err != nil {
			return err
		}
		if err := deleteVAPID(ctx, s.DB, vapidID); err != nil {
			return err
		}
		return s.createKey(ctx)
	})
	if err != nil {
		return 0, err
	}
	return n, s.LoadKey(ctx)
}

func (s *Service) key() vapidKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vapid
}

// PublicKey returns the VAPID public key in use (base64url).
func (s *Service) PublicKey() (string, error) {
	k := s.key()
	if k.public == "" {
		return "", errors.New("push: no VAPID key loaded")
	}
	return k.public, nil
}
