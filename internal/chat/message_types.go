package chat

import "github.com/atrium-hq/atrium/internal/platform/markdown"

// Message kinds.
const (
	MsgText     = "text"
	MsgFile     = "file"
	MsgImage    = "image"
	MsgVoice    = "voice"
	MsgLocation = "location"
	MsgCard     = "card"
)

// Message is a message as a participant sees it. A message deleted for
// everyone is a tombstone: Deleted is true and the content fields are empty.
type Message struct {
	ID             string             `json:"id"`
	ConversationID string             `json:"conversation_id"`
	Seq            int64              `json:"seq"`
	SenderID       string             `json:"sender_id"`
	ClientMsgID    string             `json:"client_msg_id"`
	Kind           string             `json:"kind"`
	Body           string             `json:"body"`
	HTML           string             `json:"html"`
	Attachment     *Attachment        `json:"attachment,omitempty"`
	Location       *Location          `json:"location,omitempty"`
	ReplyToID      string             `json:"reply_to_id,omitempty"`
	ThreadRootID   string             `json:"thread_root_id,omitempty"`
	Mentions       []markdown.Mention `json:"mentions,omitempty"`
	MentionAll     bool               `json:"mention_all,omitempty"`
	Reactions      []Reaction         `json:"reactions,omitempty"`
	Pinned         bool               `json:"pinned,omitempty"`
	// ThreadReplies counts the replies in the thread this message starts
	// (not counting deleted ones); ThreadLastReplyAt is when the latest came.
	ThreadReplies     int    `json:"thread_replies,omitempty"`
	ThreadLastReplyAt int64  `json:"thread_last_reply_at,omitempty"`
	EditedAt          int64  `json:"edited_at,omitempty"`
	Deleted           bool   `json:"deleted,omitempty"`
	DeletedAt         int64  `json:"deleted_at,omitempty"`
	DeletedBy         string `json:"deleted_by,omitempty"`
	// ContentErased is set when the message's content can no longer be
	// read: the key that sealed it was destroyed by an erasure.
	ContentErased bool  `json:"content_erased,omitempty"`
	CreatedAt     int64 `json:"created_at"`

	rid    int64
	fileID string
	sealed []byte // the sealed location
	orgID  string
	box    []byte // the sealed content (seal.go)
	boxKey string // whose key sealed box
}

// Attachment describes the file of a file, image or voice message, or the
// link of a card.
type Attachment struct {
	FileID       string `json:"file_id,omitempty"`
	Name         string `json:"name,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	Size         int64  `json:"size,omitempty"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	HasThumbnail bool   `json:"has_thumbnail,omitempty"`
	DurationMS   int64  `json:"duration_ms,omitempty"`
	// Link cards: supplied by the client; the server fetches nothing.
	URL         string `json:"url,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// Record is the content of a chat record (kind "record").
	Record *Record `json:"record,omitempty"`
}

// Location is the position of a location message.
type Location struct {
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	Label string  `json:"label,omitempty"`
}

// Reaction is one emoji on a message with how many people used it.
type Reaction struct {
	Emoji string `json:"emoji"`
	Count int    `json:"count"`
	Mine  bool   `json:"mine"`
}

// Edit is an earlier version of an edited message.
type Edit struct {
	ID       string `json:"id"`
	EditorID string `json:"editor_id"`
	Body     string `json:"body"`
	HTML     string `json:"html"`
	EditedAt int64  `json:"edited_at"`
	// ContentErased: the key that sealed this version was destroyed.
	ContentErased bool `json:"content_erased,omitempty"`

	box    []byte
	boxKey string
}

// Receipts says who has read a message. Read and Unread list account ids
// in groups; in a direct conversation only the counts are given.
type Receipts struct {
	MessageID   string   `json:"message_id"`
	ReadCount   int      `json:"read_count"`
	UnreadCount int      `json:"unread_count"`
	Read        []string `json:"read,omitempty"`
	Unread      []string `json:"unread,omitempty"`
}

// File is an uploaded file.
type File struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ContentType  string `json:"content_type"`
	Size         int64  `json:"size"`
	SHA256       string `json:"sha256"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	HasThumbnail bool   `json:"has_thumbnail"`
	UploaderID   string `json:"uploader_id"`
	CreatedAt    int64  `json:"created_at"`
	// ContentErased: the file's owner's key was destroyed; its name and
	// bytes can no longer be read.
	ContentErased bool `json:"content_erased,omitempty"`

	orgID    string
	blobKey  string
	thumbKey string
	meta     []byte // sealed name and content type
	metaKey  string
}

// Notification is a mention or a direct message waiting for a person.
type Notification struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	// SenderID is who wrote the message, known even when the message itself
	// is no longer shown to the person (hidden, cleared).
	SenderID  string `json:"sender_id"`
	Kind      string `json:"kind"` // "mention" | "direct"
	CreatedAt int64  `json:"created_at"`
	Read      bool   `json:"read"`
	ReadAt    int64  `json:"read_at,omitempty"`
	// Message is the message as GetMessage returns it to the person: nil
	// when they may not see it (deleted for them, before their cleared
	// history). Not sent with the notification.created event.
	Message *Message `json:"message,omitempty"`
}
