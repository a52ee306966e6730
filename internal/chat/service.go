// Package chat owns messaging: conversations (direct, and general, internal
// and external groups), their members and roles, messages with mentions,
// replies, threads, reactions, edits, deletion and pins, attachments, read
// receipts, per-person history clearing, search, and notification entries.
//
// Sends go through a group-commit writer (writer.go): many sends share one
// transaction and each is acknowledged only after COMMIT. Every change
// appends an event to the event log in its own transaction; the stream
// gateway delivers them.
//
// Chat asks the directory only small questions through the Directory
// interface declared here, wired in internal/server.
package chat

import (
	"context"
	"log/slog"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
)

// Directory is what chat needs to know about organizations and people.
type Directory interface {
	// IsActiveMember reports whether accountID is an active member of orgID.
	IsActiveMember(ctx context.Context, orgID, accountID string) bool
	// AreContacts reports whether a and b are (mutual) contacts.
	AreContacts(ctx context.Context, a, b string) bool
}

// RecallWindower is optionally implemented by the Directory: the time
// within which a sender may delete a message for everyone in conversations
// owned by orgID (the org's setting). ok is false when the org sets none.
type RecallWindower interface {
	RecallWindow(ctx context.Context, orgID string) (d time.Duration, ok bool)
}

// MentionAllPolicer is optionally implemented by the Directory: who may
// mention @all in groups owned by orgID — "admins" (the group's owner and
// admins), "everyone" or "nobody". Groups of no organization, and a
// Directory without it, follow "admins".
type MentionAllPolicer interface {
	MentionAllPolicy(ctx context.Context, orgID string) string
}

// PersonStatus is what a person shows next to their name: a status (emoji
// and text, with when it ends) and whether they are in Do Not Disturb.
type PersonStatus struct {
	Emoji string `json:"emoji"`
	Text  string `json:"text"`
	Until int64  `json:"until,omitempty"`
	DND   bool   `json:"dnd,omitempty"`
}

// Reach is how people want to be reached (push's notification settings):
// their statuses, and who of them asked to be notified of a keyword a text
// contains. AnyKeywords is a cheap check that lets sends skip the lookup.
type Reach interface {
	Statuses(ctx context.Context, accountIDs []string) map[string]PersonStatus
	AnyKeywords(ctx context.Context) bool
	KeywordMatches(ctx context.Context, accountIDs []string, text string) []string
}

// PersonNamer is optionally implemented by the Directory: the names viewer
// is shown for the given accounts (left out: people viewer may not see).
type PersonNamer interface {
	PersonNames(ctx context.Context, viewer string, accountIDs []string) map[string]string
}

// Sealer encrypts small sensitive fields (message locations) with a
// per-owner key. *keyring.Keyring implements it.
type Sealer interface {
	Seal(ctx context.Context, owner, aad string, plaintext []byte) ([]byte, error)
	Open(ctx context.Context, owner, aad string, sealed []byte) ([]byte, error)
}

// Service is the messaging domain.
type Service struct {
	DB        *db.DB
	Directory Directory
	// Blobs stores attachment bodies; uploads fail without it.
	Blobs blob.Store
	// Sealer seals locations; when nil they are stored unsealed.
	Sealer Sealer
	// Reach, when set, gives members' statuses and keyword notifications.
	Reach Reach
	Log   *slog.Logger
	// RecallWindow is how long a sender may delete a message for everyone
	// when the owning org sets no window (and for direct and general
	// conversations). Default 2 minutes.
	RecallWindow time.Duration
	// MaxFileSize limits uploads (default 100 MiB); MaxImagePixels limits
	// the images that get thumbnails (default 40 megapixels).
	MaxFileSize    int64
	MaxImagePixels int64
	// Now is the clock (tests may replace it).
	Now func() time.Time

	w     *writer
	views *fresh.Cache[viewKey, Conversation] // sendView (message.go)
}

// New returns a service and starts its group-commit writer; call Close to
// stop it.
// A message deleted for everyone and a history cleared take back content
// that earlier events carried: the stream must not replay it from memory.
func init() { events.SetRevoking("message.deleted", "conversation.cleared") }

func New(d *db.DB, dir Directory, blobs blob.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{
		DB:             d,
		Directory:      dir,
		Blobs:          blobs,
		Log:            log,
		RecallWindow:   2 * time.Minute,
		MaxFileSize:    100 << 20,
		MaxImagePixels: 40_000_000,
		Now:            time.Now,
	}
	if d.Kind == db.SQLite {
		tuneSQLiteWriter(d)
	}
	s.views = fresh.NewCache[viewKey, Conversation](fresh.Conversations, 100000)
	s.w = newWriter(s, 512)
	events.SetSource(d, contentAADPrefix, s.sealedSource)
	return s
}

// Close stops the writer after it has committed every queued send.
func (s *Service) Close() {
	if s.w != nil {
		s.w.close()
	}
}

func (s *Service) now() int64 { return s.Now().UnixMilli() }

// tx runs fn in a transaction (joining ctx's). The events it appends
// wake the stream after COMMIT through the bus attached to the event log.
func (s *Service) tx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.DB.Tx(ctx, fn)
}

// record writes an audit entry in ctx's transaction.
func (s *Service) record(ctx context.Context, orgID, action, kind, id string, details map[string]any) error {
	return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: action, TargetKind: kind, TargetID: id, Outcome: "success", Details: details})
}

// IsParticipant reports whether accountID is a member of the conversation
// (for the stream gateway; no actor check).
func (s *Service) IsParticipant(ctx context.Context, conversationID, accountID string) bool {
	ok, err := isMember(ctx, s.DB, conversationID, accountID)
	return err == nil && ok
}

// ConversationsOf lists the ids of the conversations accountID is a member
// of (for the stream gateway; no actor check).
func (s *Service) ConversationsOf(ctx context.Context, accountID string) ([]string, error) {
	return conversationIDsOf(ctx, s.DB, accountID)
}
