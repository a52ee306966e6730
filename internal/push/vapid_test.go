package push_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/push"
)

// TestVAPIDKeyKeptAndRotated: the key made at first start is the one every
// later start (or another node) loads; rotating makes a new one and
// deletes the subscriptions made for the old one.
func TestVAPIDKeyKeptAndRotated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		master := make([]byte, 32)
		_, _ = rand.Read(master)
		kr, err := keyring.New(d, master)
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		start := func() *push.Service {
			s := push.New(d, kr, log)
			if err := s.LoadKey(ctx); err != nil {
				t.Fatal(err)
			}
			return s
		}
		a, b := start(), start()
		ka, _ := a.PublicKey()
		kb, _ := b.PublicKey()
		if ka == "" || ka != kb {
			t.Fatalf("two starts disagree: %q %q", ka, kb)
		}
		dev := newDevice(t)
		keys := dev.keys()
		as := actor.With(ctx, &actor.Actor{AccountID: "acc_rotate"})
		if _, _, err := a.Subscribe(as, push.SubscribeInput{Endpoint: "https://push.example.com/x",
			Keys: push.SubscriptionKeys{P256dh: keys["p256dh"].(string), Auth: keys["auth"].(string)}}); err != nil {
			t.Fatal(err)
		}
		n, err := a.RotateKey(ctx)
		if err != nil || n != 1 {
			t.Fatalf("rotate: %d, %v", n, err)
		}
		kr2, _ := a.PublicKey()
		if kr2 == ka || kr2 != mustKey(t, start()) {
			t.Fatalf("rotated key %q (old %q)", kr2, ka)
		}
		l, err := a.Subscriptions(as)
		if err != nil || len(l.Items) != 0 {
			t.Fatalf("subscriptions after rotation: %+v %v", l, err)
		}
	})
}

func mustKey(t *testing.T, s *push.Service) string {
	t.Helper()
	k, err := s.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
