package privacy

import dm "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	dm.Register(dm.Table{
		Name: "privacy_exports", Controller: dm.Person,
		Title:     dm.Text{En: "Your data exports", Zh: "你的数据导出"},
		Why:       dm.Text{Zh: "生成并保存你的数据导出，直到你下载。"},
		Purpose:   "Build and keep your data export until you download it.",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier},
		Technical: []string{"id", "job_id", "status", "progress", "blob_key", "size_bytes", "created_at", "ready_at", "expires_at"},
		Retention: "exports", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "privacy_org_settings", Controller: dm.Organization,
		Purpose:   "The organization's privacy settings: what happens to data when someone leaves, what exports include.",
		Technical: []string{"org_id", "leave_action", "leave_period_days", "export_others_messages", "tell_about_holds", "disband_grace_days", "updated_at"},
		Erasure:   dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "retention_policies", Controller: dm.Organization,
		Purpose:   "How long the organization keeps each class of data.",
		Technical: []string{"org_id", "class", "days", "updated_at"},
		Erasure:   dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "retention_overrides", Controller: dm.Organization,
		Purpose:   "Retention periods set for single conversations.",
		Technical: []string{"org_id", "conversation_id", "days", "updated_at"},
		Erasure:   dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "retention_runs", Controller: dm.Organization,
		Purpose:   "What each run of the retention job planned and deleted (counts only).",
		Technical: []string{"id", "org_id", "job_id", "started_at", "finished_at", "planned", "deleted"},
		Erasure:   dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "legal_holds", Controller: dm.Organization,
		Title:   dm.Text{En: "Legal holds", Zh: "法律保全"},
		Why:     dm.Text{Zh: "阻止删除某成员或会话数据的法律保全。"},
		Purpose: "Legal holds that keep a member's or a conversation's data from deletion during litigation or an investigation.",
		Subject: []string{"account_id", "target_id"},
		Columns: map[string]dm.Category{"account_id": dm.Identifier, "target_id": dm.Identifier, "created_by": dm.Identifier,
			"released_by": dm.Identifier, "reason": dm.Content},
		Technical: []string{"id", "org_id", "target_kind", "created_at", "released_at"},
		Erasure:   dm.Keep, Reason: "a legal hold must outlive the erasure it blocks; it is deleted with the organization",
	})
	dm.Register(dm.Table{
		Name: "erasure_ledger", Controller: dm.System,
		Title:     dm.Text{En: "Erasures carried out", Zh: "已执行的删除"},
		Why:       dm.Text{Zh: "记录每次删除（仅编号），以便恢复备份时再次执行。"},
		Purpose:   "Record each erasure (ids only) so that restoring a backup applies it again.",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier, "target_id": dm.Identifier},
		Technical: []string{"id", "kind", "org_id", "mode", "tombstone_id", "status", "request_id", "job_id", "requested_at", "due_at", "completed_at"},
		Erasure:   dm.Keep, Reason: "holds only ids, and is what keeps erased data from coming back with a restored backup",
	})
	dm.Register(dm.Table{
		Name: "privacy_requests", Controller: dm.Person,
		Title:   dm.Text{En: "Your privacy requests", Zh: "你的隐私请求"},
		Why:     dm.Text{Zh: "跟踪你的查阅、导出、更正、删除和反对请求及其期限。"},
		Purpose: "Track your access, export, correction, erasure and objection requests and their due dates.",
		Subject: []string{"account_id"},
		Columns: map[string]dm.Category{"account_id": dm.Identifier, "note": dm.Content, "note_sealed": dm.Content},
		Sealed: map[string]dm.Seal{"note_sealed": {AAD: "privacy_requests.note:", OwnerColumn: "account_id",
			Owner: "the requester's key (note is empty in sealed rows)"}},
		Technical: []string{"id", "org_id", "kind", "status", "result_ref", "due_at", "created_at", "updated_at", "completed_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "privacy_request_events", Controller: dm.Person,
		Title:   dm.Text{En: "History of your requests", Zh: "你的请求记录"},
		Why:     dm.Text{Zh: "你每项请求的处理经过。"},
		Purpose: "The history of each of your requests.",
		Subject: []string{"account_id"},
		Columns: map[string]dm.Category{"account_id": dm.Identifier, "actor_id": dm.Identifier, "note": dm.Content, "note_sealed": dm.Content},
		Sealed: map[string]dm.Seal{"note_sealed": {AAD: "privacy_request_events.note:", OwnerColumn: "account_id",
			Owner: "the requester's key (note is empty in sealed rows)"}},
		Technical: []string{"id", "request_id", "status", "created_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "policy_documents", Controller: dm.System,
		Title:     dm.Text{En: "Policies you published", Zh: "你发布的政策"},
		Why:       dm.Text{Zh: "隐私政策、服务条款和组织隐私声明的已发布版本。"},
		Purpose:   "The published versions of the privacy policy, the terms and organizations' notices.",
		Subject:   []string{"published_by"},
		Columns:   map[string]dm.Category{"published_by": dm.Identifier},
		Technical: []string{"id", "org_id", "kind", "seq", "version", "significant", "required_seq", "summary", "body", "published_at"},
		Erasure:   dm.Keep, Reason: "the text people accepted must stay available as a record; it names the publisher by id only",
	})
	dm.Register(dm.Table{
		Name: "policy_acceptances", Controller: dm.Person,
		Title:     dm.Text{En: "Policies you accepted", Zh: "你接受的政策"},
		Why:       dm.Text{Zh: "你接受了哪些版本的隐私政策和服务条款，以及时间。"},
		Purpose:   "Which versions of the privacy policy and terms you accepted, and when.",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier, "version": dm.Consent, "accepted_at": dm.Consent},
		Technical: []string{"id", "document_id", "org_id", "kind", "seq"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "consents", Controller: dm.Person,
		Title:     dm.Text{En: "Your consents", Zh: "你的同意"},
		Why:       dm.Text{Zh: "你当前的同意选择（通讯录匹配、位置等）。"},
		Purpose:   "Your current consent choices (contact matching, location, …).",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier, "granted": dm.Consent},
		Technical: []string{"purpose", "version", "updated_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "consent_events", Controller: dm.Person,
		Title:     dm.Text{En: "Consent history", Zh: "同意记录"},
		Why:       dm.Text{Zh: "你每次授予或撤回同意的记录。"},
		Purpose:   "Every time you granted or withdrew a consent.",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier, "granted": dm.Consent},
		Technical: []string{"id", "purpose", "version", "created_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "age_gates", Controller: dm.Person,
		Title:     dm.Text{En: "Age check", Zh: "年龄核验"},
		Why:       dm.Text{Zh: "根据你的出生日期判断是否需要监护人同意。"},
		Purpose:   "Whether you are below the age that needs a guardian's consent (computed from your birth date).",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier, "minor_until": dm.Profile},
		Technical: []string{"checked_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "guardian_consents", Controller: dm.Person,
		Title:   dm.Text{En: "Guardian's consent", Zh: "监护人同意"},
		Why:     dm.Text{Zh: "未成年人的父母或监护人的同意：由谁、以何种方式、何时给出。"},
		Purpose: "The consent of a minor's parent or guardian: who gave it, how and when.",
		Subject: []string{"account_id"},
		Columns: map[string]dm.Category{"account_id": dm.Identifier, "guardian_name": dm.Profile, "guardian_contact": dm.Contact,
			"relationship": dm.Profile, "recorded_by": dm.Identifier},
		Technical: []string{"method", "recorded_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "security_notices", Controller: dm.Organization,
		Title:     dm.Text{En: "Security notices you sent", Zh: "你发出的安全通知"},
		Why:       dm.Text{Zh: "发给受影响者的安全事件通知：发生了什么、可能的影响和补救措施。"},
		Purpose:   "Security incident notices sent to affected people: what happened, the likely impact and the remedies.",
		Subject:   []string{"sent_by"},
		Columns:   map[string]dm.Category{"sent_by": dm.Identifier},
		Technical: []string{"id", "org_id", "title", "what_happened", "impact", "remedies", "recipients", "created_at"},
		Erasure:   dm.Keep, Reason: "a record of a legal duty to inform; it names the sender by id only",
	})
	dm.Register(dm.Table{
		Name: "security_notice_recipients", Controller: dm.Person,
		Title:     dm.Text{En: "Security notices to you", Zh: "发给你的安全通知"},
		Why:       dm.Text{Zh: "哪些安全通知发给了你，以及你是否已确认。"},
		Purpose:   "Which security notices were sent to you and whether you read them.",
		Subject:   []string{"account_id"},
		Columns:   map[string]dm.Category{"account_id": dm.Identifier},
		Technical: []string{"notice_id", "org_id", "read_at"},
		Retention: "account", Erasure: dm.Delete,
	})
	dm.Register(dm.Table{
		Name: "guardian_requests", Controller: dm.Person,
		Title:   dm.Text{En: "Requests to your guardian", Zh: "发给监护人的请求"},
		Why:     dm.Text{Zh: "发送给未成年人父母或监护人、用于确认同意的链接。"},
		Purpose: "Links sent to a minor's parent or guardian so they can confirm their consent.",
		Subject: []string{"account_id"},
		Columns: map[string]dm.Category{"account_id": dm.Identifier, "guardian_name": dm.Profile, "guardian_email": dm.Contact,
			"relationship": dm.Profile},
		Technical: []string{"id", "token_hash", "created_at", "expires_at", "confirmed_at"},
		Retention: "account", Erasure: dm.Delete,
	})
}
