package push

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/netguard"
)

// Config is what the web app needs to subscribe a device.
type Config struct {
	Enabled bool `json:"enabled"`
	// PublicKey is the VAPID public key: the uncompressed P-256 point (65
	// bytes), base64url without padding — the applicationServerKey.
	PublicKey string `json:"public_key"`
}

// SubscriptionKeys are the device's keys of a PushSubscription.
type SubscriptionKeys struct {
	P256dh string `json:"p256dh"`
	Auth   string `json:"auth"`
}

// SubscribeInput is a browser's PushSubscription and a name for the device.
type SubscribeInput struct {
	Endpoint   string           `json:"endpoint"`
	Keys       SubscriptionKeys `json:"keys"`
	DeviceName string           `json:"device_name"`
}

// Subscription is one of a person's devices as they see it: never the
// endpoint or the keys.
type Subscription struct {
	ID           string     `json:"id"`
	DeviceName   string     `json:"device_name"`
	EndpointHost string     `json:"endpoint_host"`
	CreatedAt    time.Time  `json:"created_at"`
	LastUsedAt   *time.Time `json:"last_used_at"`
}

// SubscriptionList is a person's devices.
type SubscriptionList struct {
	Items []Subscription `json:"items"`
}

// secret is what is sealed in a subscription row.
type secret struct {
	Endpoint string `json:"e"`
	P256dh   string `json:"p"`
	Auth     string `json:"a"`
}

// Limits of a subscription.
const (
	maxEndpoint   = 2048
	maxDeviceName = 100
)

var (
	errEndpoint = apperr.Invalid("invalid_push_endpoint", "the push endpoint must be an https URL of a public push service").With("field", "endpoint")
	errKeys     = apperr.Invalid("invalid_push_keys", "keys.p256dh must be a P-256 public key and keys.auth a 16-byte secret, base64url").With("field", "keys")
)

func secretAAD(endpointHash string) string { return "push_subscriptions.secret:" + endpointHash }

// endpointHashPurpose keys the hash of endpoints (platform/keyring Hash).
const endpointHashPurpose = "push.endpoint"

// Config returns the VAPID public key the web app subscribes with.
func (s *Service) Config(ctx context.Context) (Config, error) {
	if _, err := actor.Caller(ctx); err != nil {
		return Config{}, err
	}
	k := s.key()
	return Config{Enabled: k.public != "", PublicKey: k.public}, nil
}

// checkEndpoint refuses endpoints that are not https or that the
// outgoing-request guard would refuse.
func (s *Service) checkEndpoint(raw string) (*url.URL, error) {
	if raw == "" || len(raw) > maxEndpoint {
		return nil, errEndpoint
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Fragment != "" {
		return nil, errEndpoint
	}
	_, allow := s.guard()
	if allow == nil {
		if netguard.CheckURL(u) != nil {
			return nil, errEndpoint
		}
		return u, nil
	}
	// Tests: the replacement check decides for numeric hosts.
	if u.User != nil {
		return nil, errEndpoint
	}
	if ip, ok := netguard.ParseHost(u.Hostname()); ok {
		port := u.Port()
		if port == "" {
			port = "443"
		}
		ap, err := netip.ParseAddrPort(net.JoinHostPort(ip.String(), port))
		if err != nil || !allow(ap) {
			return nil, errEndpoint
		}
	}
	return u, nil
}

func checkKeys(k SubscriptionKeys) error {
	p, err := decodeB64(k.P256dh)
	if err != nil || len(p) != 65 {
		return errKeys
	}
	if _, err := ecdh.P256().NewPublicKey(p); err != nil {
		return errKeys
	}
	a, err := decodeB64(k.Auth)
	if err != nil || len(a) != 16 {
		return errKeys
	}
	return nil
}

// decodeB64 reads base64url (what browsers give), padded or not.
func decodeB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func deviceName(v string) string {
	v = strings.Join(strings.Fields(strings.ToValidUTF8(v, "")), " ")
	if utf8.RuneCountInString(v) > maxDeviceName {
		v = string([]rune(v)[:maxDeviceName])
	}
	return v
}

// Subscribe records the caller's device. The same endpoint again updates
// its keys and name (created is false).
func (s *Service) Subscribe(ctx context.Context, in SubscribeInput) (sub Subscription, created bool, err error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return Subscription{}, false, err
	}
	u, err := s.checkEndpoint(in.Endpoint)
	if err != nil {
		return Subscription{}, false, err
	}
	if err := checkKeys(in.Keys); err != nil {
		return Subscription{}, false, err
	}
	hash := s.Keys.Hash(endpointHashPurpose, in.Endpoint)
	b, _ := json.Marshal(secret{Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth})
	box, err := s.Keys.Seal(ctx, a.AccountID, secretAAD(hash), b)
	if err != nil {
		return Subscription{}, false, err
	}
	r := row{ID: ids.New("psub"), AccountID: a.AccountID, EndpointHash: hash, EndpointHost: strings.ToLower(u.Hostname()),
		DeviceName: deviceName(in.DeviceName), Secret: box, CreatedAt: s.now().UnixMilli()}
	out, err := upsertSubscription(ctx, s.DB, r)
	if err != nil {
		return Subscription{}, false, err
	}
	return out.public(), out.ID == r.ID, nil
}

// Subscriptions lists the caller's devices, oldest first.
func (s *Service) Subscriptions(ctx context.Context) (SubscriptionList, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return SubscriptionList{}, err
	}
	rs, err := listSubscriptions(ctx, s.DB, a.AccountID)
	if err != nil {
		return SubscriptionList{}, err
	}
	l := SubscriptionList{Items: make([]Subscription, len(rs))}
	for i := range rs {
		l.Items[i] = rs[i].public()
	}
	return l, nil
}

// Unsubscribe removes one of the caller's devices; someone else's answers
// not found.
func (s *Service) Unsubscribe(ctx context.Context, id string) error {
	a, err := actor.Caller(ctx)
	if err != nil {
		return err
	}
	err = deleteSubscription(ctx, s.DB, a.AccountID, id)
	if errors.Is(err, db.ErrNotFound) {
		return apperr.ErrNotFound
	}
	return err
}

func (r row) public() Subscription {
	sub := Subscription{ID: r.ID, DeviceName: r.DeviceName, EndpointHost: r.EndpointHost, CreatedAt: time.UnixMilli(r.CreatedAt).UTC()}
	if r.LastUsedAt.Valid {
		t := time.UnixMilli(r.LastUsedAt.Int64).UTC()
		sub.LastUsedAt = &t
	}
	return sub
}
