package announce

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "announcements",
		Title:      datamap.Text{En: "Announcements you published", Zh: "你发布的公告"},
		Why:        datamap.Text{Zh: "组织向全员或指定部门、角色和人员发布的公告：标题、正文、分类、范围和设置。"},
		Controller: datamap.Organization,
		Purpose:    "Announcements the organization publishes to everyone or to chosen departments, roles and people: title and body, category, audience, schedule and settings.",
		Subject:    []string{"author_id"},
		Columns: map[string]datamap.Category{
			"author_id": datamap.Identifier,
			"content":   datamap.Content,
			"audience":  datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "announcements.content:", OwnerColumn: "content_key",
				Owner: "the organization's key (content_key): the title and body together"},
		},
		Technical: []string{"id", "org_id", "content_key", "category", "status", "include_later", "pinned", "require_confirm",
			"allow_comments", "signature_department_id", "publish_at", "published_at", "edited_at", "withdrawn_at", "reminded_at",
			"recipient_count", "created_at", "updated_at"},
		Retention: "announcements",
		Erasure:   datamap.Anonymize,
		Reason:    "An announcement is the organization's word to its people, not its author's: erasing the author replaces them and leaves the announcement.",
	})
	datamap.Register(datamap.Table{
		Name:       "announcement_recipients",
		Title:      datamap.Text{En: "Announcements you received", Zh: "你收到的公告"},
		Why:        datamap.Text{Zh: "每条公告发给了谁，以及每人何时阅读和确认，供发布者查看阅读情况和提醒。"},
		Controller: datamap.Organization,
		Purpose:    "Who each announcement was published to, and when each of them read and confirmed it, for the publisher's read list and reminders.",
		Subject:    []string{"account_id", "member_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"member_id":  datamap.Identifier,
		},
		Technical: []string{"announcement_id", "org_id", "department_id", "late", "read_at", "confirmed_at", "left_at", "created_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A receipt counts in the organization's read statistics: erasing the reader replaces them with a tombstone, after which the read and confirm times say nothing about anyone (or the rows are deleted, as the organization's leaver policy says). The rows go with their announcement when retention removes it.",
	})
	datamap.Register(datamap.Table{
		Name:       "announcement_comments",
		Title:      datamap.Text{En: "Your comments on announcements", Zh: "你对公告的评论"},
		Why:        datamap.Text{Zh: "你在允许评论的公告下写的评论，公告的读者和发布者都能看到。"},
		Controller: datamap.Organization,
		Purpose:    "Comments people write on announcements that allow them, shown to the announcement's readers and publishers.",
		Subject:    []string{"author_id"},
		Columns: map[string]datamap.Category{
			"author_id": datamap.Identifier,
			"content":   datamap.Content,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "announcement_comments.content:", OwnerColumn: "content_key",
				Owner: "the author's key (content_key): erasing the author shreds their comments"},
		},
		Technical: []string{"id", "announcement_id", "org_id", "content_key", "created_at"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "announcement_files",
		Title:      datamap.Text{En: "Files you attached to announcements", Zh: "你在公告中上传的文件"},
		Why:        datamap.Text{Zh: "公告的附件、封面图片和正文中的图片，公告的读者可以下载。"},
		Controller: datamap.Organization,
		Purpose:    "Attachments, cover images and images in the body of announcements, downloaded by the announcement's readers (the bytes are in the file store, encrypted under the organization's key).",
		Subject:    []string{"uploader_id"},
		Columns: map[string]datamap.Category{
			"uploader_id": datamap.Identifier,
			"meta":        datamap.Content,
			"sha256":      datamap.Content,
			"blob_key":    datamap.Content,
		},
		Sealed: map[string]datamap.Seal{
			"meta": {AAD: "announcement_files.meta:", OwnerColumn: "meta_key", Owner: "the organization's key (meta_key): the file's name"},
		},
		Technical: []string{"id", "org_id", "announcement_id", "role", "position", "meta_key", "content_type", "size", "created_at"},
		Files:     []string{"blob_key"},
		Retention: "announcements",
		Erasure:   datamap.Anonymize,
		Reason:    "A file is part of the organization's announcement, not its uploader's: erasing the uploader replaces them and leaves the file, which goes (with its bytes) when an edit drops it, its draft is deleted or retention removes it.",
	})
}
