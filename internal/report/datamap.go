package report

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "report_templates",
		Title:      datamap.Text{En: "Report templates you designed", Zh: "你设计的汇报模板"},
		Why:        datamap.Text{Zh: "组织设计的日报、周报、月报模板：字段、提交人、接收人和时间表。"},
		Controller: datamap.Organization,
		Purpose:    "The organization's report templates: fields, who writes on them, whom reports go to, and their schedule.",
		Subject:    []string{"created_by"},
		Columns: map[string]datamap.Category{
			"created_by": datamap.Identifier,
			"submitters": datamap.Identifier,
			"recipients": datamap.Identifier,
		},
		Technical: []string{"id", "org_id", "name", "period", "fields", "plans", "tz", "due_time", "due_weekday", "due_day", "workdays",
			"edit_window_minutes", "remind_before_minutes", "reminded_period", "archived", "created_at", "updated_at"},
		Erasure: datamap.Anonymize,
		Reason:  "A template is the organization's, not its designer's: erasing the designer replaces them and leaves the template and the reports written on it.",
	})
	datamap.Register(datamap.Table{
		Name:       "reports",
		Title:      datamap.Text{En: "Your work reports", Zh: "你的工作汇报"},
		Why:        datamap.Text{Zh: "你写的日报、周报和月报：内容、所属期间、提交时间和是否迟交，供接收人阅读和组织统计。"},
		Controller: datamap.Organization,
		Purpose:    "The work reports a person writes for the organization: content, period, submission time and lateness, for its recipients and the organization's statistics.",
		Subject:    []string{"author_id", "member_id"},
		Columns: map[string]datamap.Category{
			"author_id": datamap.Identifier,
			"member_id": datamap.Identifier,
			"content":   datamap.Content,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "reports.content:", OwnerColumn: "content_key",
				Owner: "the organization's key (content_key): the field values and plans together"},
		},
		Technical: []string{"id", "org_id", "template_id", "department_id", "period", "due_at", "status", "content_key", "submitted_at",
			"late", "edited_at", "created_at", "updated_at"},
		Retention: "reports",
		Erasure:   datamap.Anonymize,
		Reason:    "A report is company data about its author: when they leave, the organization's leaver policy deletes their reports or keeps them with the author replaced by a tombstone.",
	})
	datamap.Register(datamap.Table{
		Name:       "report_recipients",
		Title:      datamap.Text{En: "Reports you received", Zh: "你收到的汇报"},
		Why:        datamap.Text{Zh: "每份汇报发给了谁，以及每人何时阅读，供作者查看谁已读。"},
		Controller: datamap.Organization,
		Purpose:    "Who each submitted report went to and when each of them read it, so that its author sees who read it.",
		Subject:    []string{"account_id", "member_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"member_id":  datamap.Identifier,
		},
		Technical: []string{"report_id", "org_id", "read_at", "created_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A receipt belongs to the report's record: erasing the reader replaces them with a tombstone (or deletes the rows, as the organization's leaver policy says). The rows go with their report.",
	})
	datamap.Register(datamap.Table{
		Name:       "report_comments",
		Title:      datamap.Text{En: "Your comments on reports", Zh: "你对汇报的评论"},
		Why:        datamap.Text{Zh: "汇报作者和接收人在汇报下的评论及其提及的人。"},
		Controller: datamap.Organization,
		Purpose:    "Comments the author and recipients of a report write under it, and whom they mention.",
		Subject:    []string{"author_id"},
		Columns: map[string]datamap.Category{
			"author_id": datamap.Identifier,
			"content":   datamap.Content,
			"mentions":  datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "report_comments.content:", OwnerColumn: "content_key", Owner: "the organization's key (content_key)"},
		},
		Technical: []string{"id", "report_id", "org_id", "content_key", "created_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A comment is part of the report's thread: erasing its author replaces them (or deletes it, as the organization's leaver policy says). Comments go with their report.",
	})
	datamap.Register(datamap.Table{
		Name:       "report_files",
		Title:      datamap.Text{En: "Files you attached to work reports", Zh: "你在工作汇报中上传的附件"},
		Why:        datamap.Text{Zh: "汇报中附件字段的文件，汇报的作者和接收人可以下载。"},
		Controller: datamap.Organization,
		Purpose:    "Files attached to the attachment fields of work reports, downloaded by the report's author and recipients (the bytes are in the file store, encrypted under the organization's key).",
		Subject:    []string{"uploader_id"},
		Columns: map[string]datamap.Category{
			"uploader_id": datamap.Identifier,
			"meta":        datamap.Content,
			"sha256":      datamap.Content,
			"blob_key":    datamap.Content,
		},
		Sealed: map[string]datamap.Seal{
			"meta": {AAD: "report_files.meta:", OwnerColumn: "meta_key", Owner: "the organization's key (meta_key): the file's name"},
		},
		Technical: []string{"id", "org_id", "report_id", "field_id", "position", "meta_key", "content_type", "size", "created_at"},
		Files:     []string{"blob_key"},
		Retention: "reports",
		Erasure:   datamap.Anonymize,
		Reason:    "A file is part of its author's report and follows it: when they leave, the organization's leaver policy deletes their files (with the bytes) or keeps them with the uploader replaced by a tombstone. A file also goes when an edit drops it, its draft is deleted or retention removes it.",
	})
}
