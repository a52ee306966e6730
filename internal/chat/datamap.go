package chat

import "github.com/atrium-hq/atrium/internal/platform/datamap"

// The controller of a conversation's content is its owner: the
// organization for internal and external groups (conversations.org_id set),
// the people themselves for direct conversations and general groups. The
// data map has one controller per table, so the chat tables are registered
// with the organization (the stricter case, whose retention and leaver
// policy apply) and Purpose/Reason spell out the split; export and erasure
// read conversations.org_id to tell the two apart.

func init() {
	datamap.Register(datamap.Table{
		Name:       "conversations",
		Title:      datamap.Text{En: "Conversations you started or own", Zh: "你创建或拥有的会话"},
		Why:        datamap.Text{En: "Conversations: direct chats and groups, with their name, topic and announcement. The organization decides about its internal and external groups; the people in them about direct chats and general groups.", Zh: "会话：私聊和群聊，以及它们的名称、主题和公告。组织的内部群和外部群由组织决定，私聊和普通群由其中的人决定。"},
		Controller: datamap.Organization,
		Purpose:    "Conversations: direct chats and groups, with their name, topic and announcement. Internal and external groups are controlled by the owning organization (org_id); direct chats and general groups by the people in them.",
		Subject:    []string{"owner_id", "created_by"},
		Columns: map[string]datamap.Category{
			"owner_id":   datamap.Identifier,
			"created_by": datamap.Identifier,
			"pair_key":   datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"profile": {AAD: "conversations.profile:", OwnerColumn: "profile_key",
				Owner: "the owning organization's key for its internal and external groups; a general group's own key (the conversation id), destroyed when its last member leaves (name, topic and announcement are empty in sealed rows)"},
		},
		// A group's name, topic and announcement are the group's, about no
		// person: erasing its creator keeps them for the other members.
		Technical: []string{"id", "kind", "org_id", "last_seq", "last_message_at", "dissolved_at", "created_at", "updated_at", "profile_key",
			"name", "topic", "announcement", "profile"},
		Retention: "messages",
		Erasure:   datamap.Anonymize,
		Reason:    "A conversation is shared by its members: erasing one person replaces them as creator or owner (ownership passes to another member) instead of deleting everyone's conversation; its name, topic and announcement stay the group's.",
	})
	datamap.Register(datamap.Table{
		Name:       "conversation_members",
		Title:      datamap.Text{En: "Conversations you are in", Zh: "你参与的会话"},
		Why:        datamap.Text{Zh: "你在哪些会话中，以及你的角色、已读位置和免打扰等设置。"},
		Controller: datamap.Organization,
		Purpose:    "Who is in which conversation, with their role, read position, cleared position and personal settings (mute, pin to top)",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":    datamap.Identifier,
			"role":          datamap.Profile,
			"read_seq":      datamap.Logs,
			"cleared_seq":   datamap.Settings,
			"muted":         datamap.Settings,
			"pinned_at":     datamap.Settings,
			"marked_unread": datamap.Settings,
			"joined_at":     datamap.Logs,
		},
		Technical: []string{"conversation_id", "joined_seq"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "messages",
		Title:      datamap.Text{En: "Your messages", Zh: "你的消息"},
		Why:        datamap.Text{En: "Messages you sent and the descriptions of their attachments. The organization decides about messages in its groups; you and the other people about direct chats and general groups.", Zh: "你发送的消息及其附件说明。组织群中的消息由组织决定，私聊和普通群中的消息由你和其他参与者决定。"},
		Controller: datamap.Organization,
		Purpose:    "Messages and their attachments' descriptions. Controller: the organization for internal and external groups; the person for direct conversations and general groups (conversations.kind/org_id tell which).",
		Subject:    []string{"sender_id"},
		Columns: map[string]datamap.Category{
			"sender_id":     datamap.Identifier,
			"client_msg_id": datamap.Identifier,
			"body":          datamap.Content,
			"html":          datamap.Content,
			"attachment":    datamap.Content,
			"location":      datamap.Location,
			"file_id":       datamap.Identifier,
			"mentions":      datamap.Identifier,
			"deleted_by":    datamap.Identifier,
			"content":       datamap.Content,
			"content_key":   datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "messages.content:", OwnerColumn: "content_key",
				Owner: "the sender's key (acc_…); the organization's (org_…) once its leaver policy anonymized the sender. Holds body, html and attachment; the plaintext columns are empty for sealed rows"},
			"location": {AAD: "chat.location:",
				Owner: "the owning organization's key (conversations.org_id) in internal and external groups, else the sender's"},
		},
		Technical: []string{"rid", "id", "conversation_id", "seq", "kind", "reply_to_id", "thread_root_id", "mention_all", "edited_at", "deleted_at", "created_at"},
		Retention: "messages",
		Erasure:   datamap.Anonymize,
		Reason:    "Messages are also the other participants' records: for people who quit an organization, that organization's policy anonymizes (or deletes) their messages in its groups; a person's own erasure deletes the content of their messages in direct chats and general groups and leaves tombstones so that the others' conversations stay coherent. The content is sealed with the sender's key, so destroying it shreds every copy; anonymizing re-seals work messages under the organization's key first (chat.ResealMessages).",
	})
	datamap.Register(datamap.Table{
		Name:       "message_edits",
		Title:      datamap.Text{En: "Earlier versions of your messages", Zh: "你消息的早先版本"},
		Why:        datamap.Text{Zh: "编辑过的消息的早先版本，参与者可以看到。"},
		Controller: datamap.Organization,
		Purpose:    "Earlier versions of edited messages, shown to the participants",
		Subject:    []string{"editor_id"},
		Columns: map[string]datamap.Category{
			"editor_id":   datamap.Identifier,
			"body":        datamap.Content,
			"html":        datamap.Content,
			"content":     datamap.Content,
			"content_key": datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "message_edits.content:", OwnerColumn: "content_key",
				Owner: "the editor's (the sender's) key, or the organization's after re-sealing, as for messages.content"},
		},
		Technical: []string{"id", "message_id", "edited_at"},
		Retention: "messages",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "message_reactions",
		Title:      datamap.Text{En: "Your reactions", Zh: "你的表情回应"},
		Why:        datamap.Text{Zh: "对消息的表情回应。"},
		Controller: datamap.Organization,
		Purpose:    "Emoji reactions to messages",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"emoji":      datamap.Content,
		},
		Technical: []string{"message_id", "created_at"},
		Retention: "messages",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "message_hidden",
		Title:      datamap.Text{En: "Messages you deleted for yourself", Zh: "你仅为自己删除的消息"},
		Why:        datamap.Text{Zh: "你只为自己删除的消息。"},
		Controller: datamap.Person,
		Purpose:    "Messages a person deleted for themselves only",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"hidden_at":  datamap.Settings,
		},
		Technical: []string{"message_id", "conversation_id"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "saved_messages",
		Title:      datamap.Text{En: "Messages you saved", Zh: "你收藏的消息"},
		Why:        datamap.Text{En: "Messages you saved to find again, with when.", Zh: "你收藏以便再次查看的消息及收藏时间。"},
		Controller: datamap.Person,
		Purpose:    "A person's saved messages (bookmarks), listed while they can still see them",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"saved_at":   datamap.Settings,
		},
		Technical: []string{"message_id", "conversation_id"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "message_pins",
		Title:      datamap.Text{En: "Messages you pinned", Zh: "你置顶的消息"},
		Why:        datamap.Text{Zh: "在会话中为所有成员置顶的消息。"},
		Controller: datamap.Organization,
		Purpose:    "Messages pinned in a conversation, for all its members",
		Subject:    []string{"pinned_by"},
		Columns: map[string]datamap.Category{
			"pinned_by": datamap.Identifier,
		},
		Technical: []string{"conversation_id", "message_id", "pinned_at"},
		Retention: "messages",
		Erasure:   datamap.Anonymize,
		Reason:    "A pin belongs to the conversation; erasing the person who pinned replaces their id.",
	})
	datamap.Register(datamap.Table{
		Name:       "chat_files",
		Title:      datamap.Text{En: "Files you shared", Zh: "你分享的文件"},
		Why:        datamap.Text{Zh: "消息中附带的文件、图片和语音。"},
		Controller: datamap.Organization,
		Purpose:    "Files, images and voice recordings attached to messages (the bytes are in the file store); controller as for messages: the organization when uploaded in an organization (org_id), else the person",
		Subject:    []string{"uploader_id"},
		Columns: map[string]datamap.Category{
			"uploader_id": datamap.Identifier,
			"name":        datamap.Content,
			"sha256":      datamap.Content,
			"blob_key":    datamap.Content,
			"thumb_key":   datamap.Content,
			"meta":        datamap.Content,
			"meta_key":    datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"meta": {AAD: "chat_files.meta:", OwnerColumn: "meta_key",
				Owner: "the uploader's key, or the organization's after re-sealing. Holds name and content_type (empty in sealed rows); the bytes in the file store are encrypted with a per-file key sealed by the same owner (blob.Envelope)"},
		},
		Technical: []string{"id", "org_id", "content_type", "size", "width", "height", "created_at"},
		Files:     []string{"blob_key", "thumb_key"},
		Retention: "files",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "chat_notifications",
		Title:      datamap.Text{En: "Notifications", Zh: "通知"},
		Why:        datamap.Text{Zh: "等待你查看的提及和私信通知。"},
		Controller: datamap.Person,
		Purpose:    "Mentions and direct messages waiting for a person, read or unread",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"read_at":    datamap.Logs,
		},
		Technical: []string{"message_id", "conversation_id", "kind", "created_at"},
		Retention: "messages",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "message_fts",
		Controller: datamap.Organization,
		Purpose:    "Search index of message text and file names, the only plaintext copy of them (SQLite FTS5 trigram; on PostgreSQL a table with a pg_trgm index); left out of backups, rebuilt from the sealed messages",
		Columns: map[string]datamap.Category{
			"body": datamap.Content,
		},
		Technical: []string{"rowid"},
		Erasure:   datamap.Delete,
		Derived:   true,
	})
}
