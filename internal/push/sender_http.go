package push

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/atrium-hq/atrium/internal/platform/netguard"
)

// The sender's side of HTTP: the client to push services, always through
// the outgoing-request guard, and one push.

// pushClient is the HTTP client to push services.
type pushClient = *http.Client

// Guard replaces the outgoing-request guard's public-address check, for
// both subscribing and sending, with allow, and uses tlsConfig for TLS.
// Only tests call it, to reach a push endpoint served on loopback.
func (s *Service) Guard(allow func(netip.AddrPort) bool, tlsConfig *tls.Config) {
	s.mu.Lock()
	s.allow, s.client = allow, netguard.NewClient(clientOptions(allow, tlsConfig))
	s.mu.Unlock()
}

// clientOptions configure the client to push services: one connection
// per sender worker stays open to each push service.
func clientOptions(allow func(netip.AddrPort) bool, tlsConfig *tls.Config) netguard.Options {
	return netguard.Options{Timeout: 15 * time.Second, MaxBody: 64 << 10, IdleConnsPerHost: workers, Allow: allow, TLS: tlsConfig}
}

func (s *Service) guard() (*http.Client, func(netip.AddrPort) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client, s.allow
}

// outcome is what a push service made of a push.
type outcome int

const (
	refused  outcome = iota // any other answer: logged, the device kept
	accepted                // 2xx
	stale                   // 404 or 410: the push service no longer knows the device
)

// push sends one encrypted push and says what the push service made of it.
func (s *Service) push(ctx context.Context, client pushClient, k vapidKey, t target) (outcome, int, error) {
	sub := &webpush.Subscription{Endpoint: t.sec.Endpoint, Keys: webpush.Keys{P256dh: t.sec.P256dh, Auth: t.sec.Auth}}
	o := &webpush.Options{HTTPClient: client, Subscriber: s.Subscriber, TTL: ttl, Urgency: t.notice.Urgency,
		VAPIDPublicKey: k.public, VAPIDPrivateKey: k.private, RecordSize: recordSize}
	resp, err := webpush.SendNotificationWithContext(ctx, t.body, sub, o)
	if errors.Is(err, webpush.ErrMaxPadExceeded) {
		o.RecordSize = 0 // the largest record push services take (4096)
		resp, err = webpush.SendNotificationWithContext(ctx, t.body, sub, o)
	}
	if err != nil {
		// The endpoint is a capability: keep it out of errors and logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return refused, 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch c := resp.StatusCode; {
	case c == http.StatusNotFound || c == http.StatusGone:
		return stale, c, nil
	case c >= 200 && c < 300:
		return accepted, c, nil
	default:
		return refused, c, nil
	}
}
