package approval

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "approval_templates",
		Title:      datamap.Text{En: "Approval templates you designed", Zh: "你设计的审批模板"},
		Why:        datamap.Text{Zh: "组织设计的审批模板：谁可以提交，当前版本。"},
		Controller: datamap.Organization,
		Purpose:    "The organization's approval templates: who may file them and their current version.",
		Subject:    []string{"created_by"},
		Columns:    map[string]datamap.Category{"created_by": datamap.Identifier},
		Technical:  []string{"id", "org_id", "builtin", "version", "available_to", "archived", "created_at", "updated_at"},
		Erasure:    datamap.Anonymize,
		Reason:     "A template is the organization's, not its designer's: erasing the designer replaces them and leaves the template and the requests filed on it.",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_template_versions",
		Title:      datamap.Text{En: "Versions of approval templates you edited", Zh: "你编辑的审批模板版本"},
		Why:        datamap.Text{Zh: "审批模板的每个版本：名称、表单字段和审批流程；已提交的申请沿用提交时的版本。"},
		Controller: datamap.Organization,
		Purpose:    "Every version of an approval template — name, form fields and flow — so that a request keeps the version it was filed with.",
		Subject:    []string{"created_by"},
		Columns:    map[string]datamap.Category{"created_by": datamap.Identifier},
		Technical:  []string{"template_id", "org_id", "version", "name", "description", "group_name", "fields", "flow", "created_at"},
		Erasure:    datamap.Anonymize,
		Reason:     "A version is the organization's record of what requests were filed on: erasing its editor replaces them and leaves the version.",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_requests",
		Title:      datamap.Text{En: "Your approval requests", Zh: "你的审批申请"},
		Why:        datamap.Text{Zh: "你提交的审批申请：表单内容、选择的审批人和处理状态，供审批人决定和组织留档。"},
		Controller: datamap.Organization,
		Purpose:    "The approval requests a person files (leave, expenses, purchases…): form values, chosen approvers and their state, for the approvers' decisions and the organization's records.",
		Subject:    []string{"applicant_id", "member_id"},
		Columns: map[string]datamap.Category{
			"applicant_id": datamap.Identifier,
			"member_id":    datamap.Identifier,
			"form":         datamap.Content,
			"chosen":       datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"form": {AAD: "approval_requests.form:", OwnerColumn: "form_key", Owner: "the organization's key (form_key): the form values together"},
		},
		Technical: []string{"id", "org_id", "template_id", "version", "department_id", "title", "status", "form_key", "current_step", "round",
			"lock_seq", "client_id", "urged_at", "submitted_at", "finished_at", "updated_at"},
		Retention: "approvals",
		Erasure:   datamap.Anonymize,
		Reason:    "A request is company data about its applicant: when they leave, the organization's leaver policy deletes their requests or keeps them with the applicant replaced by a tombstone.",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_steps",
		Controller: datamap.Organization,
		Purpose:    "The steps of each request's flow as resolved when it was filed, with their state.",
		Technical:  []string{"request_id", "org_id", "idx", "step_id", "name", "mode", "status", "reason", "activated_at", "decided_at"},
		Erasure:    datamap.Keep,
		Reason:     "Steps name no person; they go with their request.",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_tasks",
		Title:      datamap.Text{En: "Approvals you were asked for", Zh: "请你审批的任务"},
		Why:        datamap.Text{Zh: "每个审批步骤上请谁审批、其决定、意见和时间。"},
		Controller: datamap.Organization,
		Purpose:    "Whom each step of a request asked to approve, their decision, comment and time.",
		Subject:    []string{"approver_id", "member_id", "on_behalf_of"},
		Columns: map[string]datamap.Category{
			"approver_id":  datamap.Identifier,
			"member_id":    datamap.Identifier,
			"on_behalf_of": datamap.Identifier,
			"comment":      datamap.Content,
		},
		Sealed: map[string]datamap.Seal{
			"comment": {AAD: "approval_tasks.comment:", OwnerColumn: "comment_key", Owner: "the organization's key (comment_key)"},
		},
		Technical: []string{"id", "request_id", "org_id", "step_idx", "round", "seq", "status", "waits_for", "origin", "comment_key",
			"activated_at", "decided_at", "reminded_at", "created_at"},
		Erasure: datamap.Anonymize,
		Reason:  "A decision belongs to the request's record: erasing the approver replaces them with a tombstone (or deletes the rows, as the organization's leaver policy says). Tasks go with their request.",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_events",
		Title:      datamap.Text{En: "Your actions on approval requests", Zh: "你在审批申请上的操作"},
		Why:        datamap.Text{Zh: "审批申请的历史：谁在何时提交、同意、驳回、转交、加签或撤回，以及所附意见。"},
		Controller: datamap.Organization,
		Purpose:    "The history of each request: who filed, approved, rejected, returned, transferred, added an approver or withdrew it, when, and their comment.",
		Subject:    []string{"actor_id"},
		Columns: map[string]datamap.Category{
			"actor_id": datamap.Identifier,
			"comment":  datamap.Content,
			"detail":   datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"comment": {AAD: "approval_events.comment:", OwnerColumn: "comment_key", Owner: "the organization's key (comment_key)"},
		},
		Technical: []string{"id", "request_id", "org_id", "seq", "at", "action", "step_id", "comment_key"},
		Erasure:   datamap.Anonymize,
		Reason:    "The history is the request's audit trail: erasing the actor replaces them (or deletes the entries, as the organization's leaver policy says). Entries go with their request.",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_cc",
		Title:      datamap.Text{En: "Approval requests copied to you", Zh: "抄送给你的审批"},
		Why:        datamap.Text{Zh: "审批申请在提交时或结束时抄送给了谁。"},
		Controller: datamap.Organization,
		Purpose:    "Whom each request was copied to, at submission or at its end.",
		Subject:    []string{"account_id", "member_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"member_id":  datamap.Identifier,
		},
		Technical: []string{"request_id", "org_id", "created_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A copy belongs to the request's record: erasing the recipient replaces them (or deletes the rows, as the organization's leaver policy says).",
	})
	datamap.Register(datamap.Table{
		Name:       "approval_comments",
		Title:      datamap.Text{En: "Your comments on approval requests", Zh: "你对审批申请的评论"},
		Why:        datamap.Text{Zh: "能看到审批申请的人在其下的评论、提及的人和附件。"},
		Controller: datamap.Organization,
		Purpose:    "Comments people who may see a request write under it, whom they mention and the files they attach.",
		Subject:    []string{"author_id", "member_id"},
		Columns: map[string]datamap.Category{
			"author_id": datamap.Identifier,
			"member_id": datamap.Identifier,
			"content":   datamap.Content,
			"mentions":  datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"content": {AAD: "approval_comments.content:", OwnerColumn: "content_key", Owner: "the organization's key (content_key)"},
		},
		Technical: []string{"id", "request_id", "org_id", "content_key", "file_ids", "created_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A comment is part of the request's thread: erasing its author replaces them (or deletes it, as the organization's leaver policy says).",
	})
}
