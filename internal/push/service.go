// Package push owns Web Push: the devices a person subscribed (one
// subscription per browser, listed and revocable), the deployment's VAPID
// key pair (RFC 8292), and the sender, which reads the event log after
// commit and pushes direct messages, mentions and approval tasks to the
// recipients' devices, encrypted per RFC 8291 (aes128gcm) through
// github.com/SherClockHolmes/webpush-go. Every request to a push service
// goes through the outgoing-request guard (platform/netguard).
package push

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/netguard"
)

// Keys seals the subscriptions' endpoints and keys under their person's
// key and the VAPID private key under the deployment's push key, and hashes
// endpoints for lookups. *keyring.Keyring implements it.
type Keys interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
	Hash(purpose, value string) string
}

// Preview is what a push may say about a message, as its recipient sees it.
type Preview struct {
	Group            bool
	ConversationName string
	SenderName       string
	Text             string
	// Muted is set when the recipient muted the conversation: no push.
	Muted bool
}

// Messages answers what a recipient may see of a message (chat). An error
// of kind not found means they may not see it: no push.
type Messages interface {
	Preview(ctx context.Context, orgID, accountID, convID, msgID string) (Preview, error)
}

// Orgs says what an organization allows pushes to say: "hidden", "sender"
// or "full" (the directory's push_content setting). A direct conversation
// belongs to no organization: pushes about it follow the strictest setting
// of the organizations its two people share.
type Orgs interface {
	PushContent(ctx context.Context, orgID string) string
	PushContentBetween(ctx context.Context, a, b string) string
}

// Presence says whether a person has a live stream connection, in which
// case the open app shows the message and no push is sent.
type Presence interface {
	Connected(accountID string) bool
}

// People says whether a viewer knows a person (a colleague or a contact):
// only they see the person's status.
type People interface {
	Related(ctx context.Context, viewer, other string) bool
}

// What pushes may say (the organization's push_content).
const (
	ContentHidden = "hidden"
	ContentSender = "sender"
	ContentFull   = "full"
)

// Service is the push domain.
type Service struct {
	DB   *db.DB
	Keys Keys
	Log  *slog.Logger
	// Messages, Orgs and Presence are set by the wiring; without Messages
	// no message is pushed, without Presence everyone counts as away.
	Messages Messages
	Orgs     Orgs
	Presence Presence
	// People decides who sees a status; without it nobody sees others'.
	People People
	// Subscriber is the contact put in the VAPID JWT's "sub": an https URL
	// or an email address.
	Subscriber string
	// Now is the clock (tests may replace it).
	Now func() time.Time

	kwMu    sync.Mutex
	kwAny   bool
	kwUntil time.Time

	mu     sync.Mutex
	client pushClient
	allow  func(netip.AddrPort) bool
	vapid  vapidKey
	wake   chan struct{}
	stop   context.CancelFunc
	done   chan struct{}
}

// New returns the push service over d.
func New(d *db.DB, keys Keys, log *slog.Logger) *Service {
	return &Service{DB: d, Keys: keys, Log: log, Now: time.Now,
		client: netguard.NewClient(clientOptions(nil, nil)),
		wake:   make(chan struct{}, 1)}
}

func (s *Service) now() time.Time { return s.Now() }
