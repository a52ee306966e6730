package chat

// Conversation kinds.
const (
	KindDirect   = "direct"   // two accounts, one conversation per pair
	KindGeneral  = "general"  // a group owned by a person; members are contacts
	KindInternal = "internal" // a group owned by an organization; its members only
	KindExternal = "external" // a group owned by an organization; members and outside contacts
)

// Member roles in a group.
const (
	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// Conversation is a conversation as one member sees it.
type Conversation struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	OrgID         string `json:"org_id,omitempty"`
	OwnerID       string `json:"owner_id,omitempty"`
	Name          string `json:"name"`
	Topic         string `json:"topic"`
	Announcement  string `json:"announcement"`
	LastSeq       int64  `json:"last_seq"`
	LastMessageAt int64  `json:"last_message_at"`
	Dissolved     bool   `json:"dissolved"`
	CreatedBy     string `json:"created_by"`
	CreatedAt     int64  `json:"created_at"`
	UpdatedAt     int64  `json:"updated_at"`
	// PeerID is the other account of a direct conversation.
	PeerID string `json:"peer_id,omitempty"`
	// PeerGone: the other person of a direct conversation deleted their
	// account; the conversation stays readable and takes no new messages.
	PeerGone bool `json:"peer_gone,omitempty"`

	// The caller's own view.
	Role   string `json:"role"`
	Muted  bool   `json:"muted"`
	Pinned bool   `json:"pinned"`
	// MarkedUnread: I marked the conversation unread; opening (reading) it
	// clears the mark. Read positions and receipts do not move back.
	MarkedUnread bool  `json:"marked_unread"`
	ReadSeq      int64 `json:"read_seq"`
	ClearedSeq   int64 `json:"cleared_seq"`
	UnreadCount  int   `json:"unread_count"`
	MemberCount  int   `json:"member_count"`
	// CanMentionAll: the caller may mention @all (@所有人) in this group
	// (single conversation reads only).
	CanMentionAll bool `json:"can_mention_all,omitempty"`
	// LastMessage is the newest message the caller sees (conversation
	// lists only; nil when there is none).
	LastMessage *LastMessage `json:"last_message,omitempty"`

	pairKey     string
	profile     []byte // sealed name, topic and announcement (seal.go)
	profileKey  string // whose key sealed profile: the org's, or the group's own
	dissolvedAt int64
	joinedSeq   int64
	pinnedAt    int64
	last        *Message // the newest message, as listViews read it
}

// LastMessage is the newest message of a conversation as a list shows it:
// who sent it and a short plain-text preview.
type LastMessage struct {
	ID       string `json:"id"`
	SenderID string `json:"sender_id"`
	// SenderName is the name the caller is shown for the sender ("" when
	// they may not see it or the account is gone).
	SenderName string `json:"sender_name"`
	Kind       string `json:"kind"`
	// Preview is the text without Markdown, mentions written "@Name";
	// "[Image]", "[File]", "[Voice]", "[Location]" or "[Link]" for a
	// message without text; "" when Deleted or ContentErased.
	Preview       string `json:"preview"`
	Deleted       bool   `json:"deleted,omitempty"`
	ContentErased bool   `json:"content_erased,omitempty"`
	CreatedAt     int64  `json:"created_at"`
}

// Member is one member of a conversation.
type Member struct {
	AccountID string `json:"account_id"`
	Role      string `json:"role"`
	ReadSeq   int64  `json:"read_seq"`
	JoinedAt  int64  `json:"joined_at"`
	// Status is the member's status now (nil when none).
	Status    *PersonStatus `json:"status,omitempty"`
	joinedSeq int64
}

func (c *Conversation) isGroup() bool { return c.Kind != KindDirect }

func (c *Conversation) isAdmin() bool { return c.Role == RoleOwner || c.Role == RoleAdmin }

func (c *Conversation) orgOwned() bool { return c.Kind == KindInternal || c.Kind == KindExternal }
