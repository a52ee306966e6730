package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/mail"
	"net/netip"
	"os"
	"strings"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/netguard"
	"github.com/atrium-hq/atrium/internal/push"
)

// wirePush builds Web Push: the VAPID key (made at first start, sealed
// with a key the master key wraps), chat's previews, the organization's
// push_content, the stream's presence, and the sender, woken by this node's
// event hub when a notification or an approval task is committed.
func (a *App) wirePush(ctx context.Context) error {
	if a.Keyring == nil {
		return nil
	}
	svc := push.New(a.DB, a.Keyring, a.Log)
	svc.Subscriber = vapidSubscriber(a.Cfg.BaseURL, a.Cfg.SMTPFrom)
	if err := svc.LoadKey(ctx); err != nil {
		return err
	}
	if a.Cfg != nil && a.Cfg.PushTestEndpoint != "" {
		if err := pushTestEndpoint(svc, a.Cfg.PushTestEndpoint, a.Cfg.PushTestCA); err != nil {
			return err
		}
		a.Log.Warn("push: test-only endpoint allowed (--push-test-endpoint); never use it in production", "endpoint", a.Cfg.PushTestEndpoint)
	}
	if a.Server.Chat != nil {
		svc.Messages = pushMessages{a.Server.Chat}
		a.Server.Chat.Reach = chatReach{svc}
	}
	if a.Server.Directory != nil {
		svc.Orgs = a.Server.Directory
		svc.People = a.Server.Directory
	}
	if a.Server.Stream != nil {
		svc.Presence = a.Server.Stream
	}
	if a.Server.Privacy != nil {
		a.Server.Privacy.Register(svc.Privacy())
	}
	if err := svc.Start(ctx); err != nil {
		return err
	}
	if a.hub != nil {
		a.hub.Observe(svc.Observe)
	}
	a.OnClose(svc.Close)
	a.Server.Push = svc
	return nil
}

// pushTestEndpoint lets the sender also reach one loopback push service,
// whose certificate caFile holds: the browser tests' push service. Every
// other address is checked as in production (public only), and other
// certificates are verified against the system's roots.
func pushTestEndpoint(svc *push.Service, endpoint, caFile string) error {
	want, err := netip.ParseAddrPort(endpoint)
	if err != nil || !want.Addr().IsLoopback() {
		return fmt.Errorf("push-test-endpoint %q: must be a loopback IP and port", endpoint)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return fmt.Errorf("push-test-ca: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("push-test-ca %s: no PEM certificate", caFile)
	}
	want = netip.AddrPortFrom(want.Addr().Unmap(), want.Port())
	allow := func(ap netip.AddrPort) bool {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()) == want || netguard.IsPublic(ap.Addr())
	}
	svc.Guard(allow, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	return nil
}

// Push returns the push service, for tests (the guard, the sender).
func (a *App) Push() *push.Service { return a.Server.Push }

// vapidSubscriber is the contact push services see in the VAPID "sub"
// claim: the public https URL, else the sender address of emails.
func vapidSubscriber(baseURL, from string) string {
	if strings.HasPrefix(baseURL, "https://") {
		return baseURL
	}
	if addr, err := mail.ParseAddress(from); err == nil {
		return addr.Address
	}
	return "atrium@localhost"
}

// pushMessages asks chat, as the recipient, what a push may say.
type pushMessages struct{ chat *chat.Service }

func (m pushMessages) Preview(ctx context.Context, orgID, accountID, convID, msgID string) (push.Preview, error) {
	ctx = actor.With(ctx, &actor.Actor{AccountID: accountID, OrgID: orgID})
	p, err := m.chat.PushPreview(ctx, convID, msgID)
	if err != nil {
		return push.Preview{}, err
	}
	return push.Preview{Group: p.Group, ConversationName: p.ConversationName, SenderName: p.SenderName, Text: p.Text, Muted: p.Muted}, nil
}

// chatReach gives chat the statuses and keywords of push's notification
// settings.
type chatReach struct{ push *push.Service }

func (r chatReach) Statuses(ctx context.Context, accountIDs []string) map[string]chat.PersonStatus {
	in := r.push.Statuses(ctx, accountIDs)
	out := make(map[string]chat.PersonStatus, len(in))
	for k, v := range in {
		out[k] = chat.PersonStatus{Emoji: v.Emoji, Text: v.Text, Until: v.Until, DND: v.DND}
	}
	return out
}

func (r chatReach) AnyKeywords(ctx context.Context) bool { return r.push.AnyKeywords(ctx) }

func (r chatReach) KeywordMatches(ctx context.Context, accountIDs []string, text string) []string {
	return r.push.KeywordMatches(ctx, accountIDs, text)
}
