package directory

import "github.com/atrium-hq/atrium/internal/platform/datamap"

// memberSealOwner says whose key seals a member's profile fields.
const memberSealOwner = "the key of the person the member is (account_id): erasing their account shreds it; an anonymized member's fields are cleared"

func init() {
	org := func(t datamap.Table) {
		t.Controller = datamap.Organization
		datamap.Register(t)
	}
	org(datamap.Table{
		Name:    "orgs",
		Title:   datamap.Text{En: "Organizations you own", Zh: "你拥有的组织"},
		Why:     datamap.Text{Zh: "人们工作的组织：名称、简介和通讯录设置。"},
		Purpose: "The organizations people work in: name, description and directory settings.",
		Subject: []string{"owner_account_id"},
		Columns: map[string]datamap.Category{"owner_account_id": datamap.Identifier, "name": datamap.Profile, "name_sealed": datamap.Profile},
		Sealed: map[string]datamap.Seal{
			"name_sealed": {AAD: "orgs.name:", OwnerColumn: "id", Owner: "the organization's key (name is empty in sealed rows)"},
		},
		Technical: []string{"id", "region", "industry", "size", "status", "join_requires_approval", "locked_profile_fields", "recall_window_seconds", "push_content", "mention_all", "company_group", "company_group_id", "created_at", "updated_at", "disbanded_at"},
		Erasure:   datamap.Keep,
		Reason:    "The organization outlives its owner; ownership passes to another member before the owner leaves.",
	})
	org(datamap.Table{
		Name:    "members",
		Title:   datamap.Text{En: "Your membership", Zh: "你的成员身份"},
		Why:     datamap.Text{Zh: "你在组织中的身份：通讯录显示的姓名、职位和联系方式。"},
		Purpose: "A person's identity inside an organization: the name, title and contact details the organization's directory shows.",
		Subject: []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":          datamap.Identifier,
			"display_name":        datamap.Profile,
			"display_name_sealed": datamap.Profile,
			"title":               datamap.Profile,
			"title_sealed":        datamap.Profile,
			"title_level":         datamap.Profile,
			"employee_no":         datamap.Identifier,
			"employee_no_sealed":  datamap.Profile,
			"employee_no_hash":    datamap.Identifier,
			"work_phone":          datamap.Contact,
			"work_phone_hash":     datamap.Contact,
			"email":               datamap.Contact,
			"email_sealed":        datamap.Contact,
			"office":              datamap.Location,
			"office_sealed":       datamap.Location,
			"join_date":           datamap.Profile,
			"supervisor_id":       datamap.Profile,
		},
		// The plaintext columns (display_name, title, employee_no, email,
		// office) are empty in rows written since the fields are sealed;
		// rows written before keep them until their next change.
		Sealed: map[string]datamap.Seal{
			"display_name_sealed": {AAD: "members.display_name:", OwnerColumn: "account_id", Owner: memberSealOwner},
			"title_sealed":        {AAD: "members.title:", OwnerColumn: "account_id", Owner: memberSealOwner},
			"employee_no_sealed":  {AAD: "members.employee_no:", OwnerColumn: "account_id", Owner: memberSealOwner},
			"email_sealed":        {AAD: "members.email:", OwnerColumn: "account_id", Owner: memberSealOwner},
			"office_sealed":       {AAD: "members.office:", OwnerColumn: "account_id", Owner: memberSealOwner},
			"work_phone":          {AAD: "members.work_phone:", Owner: "the organization's key (org_id)"},
		},
		Technical: []string{"id", "org_id", "role", "status", "created_at", "updated_at", "left_at"},
		Retention: "member",
		Erasure:   datamap.Anonymize,
	})
	org(datamap.Table{
		Name:    "member_search",
		Purpose: "Search index of the directory: the plaintext of members' names (with their pinyin and initials, also from each word on), titles, employee numbers and work emails that search and sorting need; left out of backups, rebuilt from the sealed member rows.",
		Subject: []string{"member_id"},
		Columns: map[string]datamap.Category{
			"member_id":   datamap.Identifier,
			"sort_key":    datamap.Profile,
			"initials":    datamap.Profile,
			"name_keys":   datamap.Profile,
			"name":        datamap.Profile,
			"title":       datamap.Profile,
			"employee_no": datamap.Profile,
			"email":       datamap.Contact,
		},
		Technical: []string{"org_id"},
		Erasure:   datamap.Delete,
		Derived:   true,
	})
	org(datamap.Table{
		Name:    "departments",
		Purpose: "The organization's department tree.",
		Sealed: map[string]datamap.Seal{
			"name_sealed": {AAD: "departments.name:", OwnerColumn: "org_id", Owner: "the organization's key (name is empty in sealed rows)"},
		},
		Technical: []string{"id", "org_id", "parent_id", "name", "name_sealed", "sort_order", "created_at", "updated_at"},
		Erasure:   datamap.Keep,
		Reason:    "Holds no personal data: the organization's own names, sealed with its key, deleted and made unreadable when the organization is disbanded and erased.",
	})
	org(datamap.Table{
		Name:      "department_members",
		Title:     datamap.Text{En: "Your departments", Zh: "你所在的部门"},
		Why:       datamap.Text{Zh: "你属于并领导哪些部门。"},
		Purpose:   "Which departments a member belongs to and leads.",
		Subject:   []string{"member_id"},
		Columns:   map[string]datamap.Category{"member_id": datamap.Identifier, "is_leader": datamap.Profile},
		Technical: []string{"department_id", "org_id", "created_at"},
		Retention: "member",
		Erasure:   datamap.Delete,
	})
	org(datamap.Table{
		Name:      "roles",
		Purpose:   "Custom roles: named sets of permissions, optionally limited to a department.",
		Technical: []string{"id", "org_id", "name", "description", "permissions", "department_id", "created_at", "updated_at"},
		Erasure:   datamap.Keep,
		Reason:    "Holds no personal data.",
	})
	org(datamap.Table{
		Name:      "member_roles",
		Title:     datamap.Text{En: "Your roles", Zh: "你的角色"},
		Why:       datamap.Text{Zh: "你拥有哪些自定义角色，决定你能管理什么。"},
		Purpose:   "Which custom roles a member holds, deciding what they may manage.",
		Subject:   []string{"member_id"},
		Columns:   map[string]datamap.Category{"member_id": datamap.Identifier},
		Technical: []string{"role_id", "org_id", "created_at"},
		Retention: "member",
		Erasure:   datamap.Delete,
	})
	org(datamap.Table{
		Name:      "member_departures",
		Title:     datamap.Text{En: "When you left", Zh: "你离开组织的记录"},
		Why:       datamap.Text{Zh: "记录你何时离开组织，以便在期限到后按组织的离职政策处理你在组织中的数据。"},
		Purpose:   "When a member left the organization (quit, removed or deactivated), so that their data there is erased as its policy says.",
		Subject:   []string{"account_id", "member_id"},
		Columns:   map[string]datamap.Category{"account_id": datamap.Identifier, "member_id": datamap.Identifier},
		Technical: []string{"id", "org_id", "left_at"},
		Retention: "member",
		Erasure:   datamap.Delete,
	})
	org(datamap.Table{
		Name:      "profile_fields",
		Purpose:   "The custom profile fields an organization defines.",
		Technical: []string{"id", "org_id", "name", "kind", "options", "required", "visibility", "locked", "sort_order", "created_at", "updated_at"},
		Erasure:   datamap.Keep,
		Reason:    "Holds no personal data.",
	})
	org(datamap.Table{
		Name:    "member_field_values",
		Title:   datamap.Text{En: "Custom profile fields", Zh: "自定义资料字段"},
		Why:     datamap.Text{Zh: "你在组织自定义资料字段中的内容。"},
		Purpose: "Members' values of the organization's custom profile fields.",
		Subject: []string{"member_id"},
		Columns: map[string]datamap.Category{"member_id": datamap.Identifier, "value": datamap.Profile, "value_sealed": datamap.Profile},
		Sealed: map[string]datamap.Seal{
			"value_sealed": {AAD: "member_field_values.value:", Owner: "the key of the person the member is (members.account_id); value is empty in sealed rows"},
		},
		Technical: []string{"id", "field_id", "org_id", "updated_at"},
		Retention: "member",
		Erasure:   datamap.Delete,
	})
	org(datamap.Table{
		Name:    "invitations",
		Title:   datamap.Text{En: "Invitations to you", Zh: "给你的邀请"},
		Why:     datamap.Text{Zh: "加入组织的邀请，其中可能包含管理员预先填写的资料。"},
		Purpose: "Invitation links, team codes and email invitations into an organization; an email invitation (also what adding an existing account makes) is addressed to one person, who accepts or declines it, and may carry a profile prepared by an admin or an import.",
		Subject: []string{"email", "invitee_account_id"},
		Columns: map[string]datamap.Category{
			"email":              datamap.Contact,
			"email_sealed":       datamap.Contact,
			"email_hash":         datamap.Contact,
			"prefill":            datamap.Profile,
			"invitee_account_id": datamap.Identifier,
			"created_by":         datamap.Identifier,
		},
		// email is empty in rows written since the address is sealed.
		Sealed: map[string]datamap.Seal{
			"email_sealed": {AAD: "invitations.email:", OwnerColumn: "org_id",
				Owner: "the organization's key: the invitation is its record and the invitee may have no account yet (email is empty in sealed rows; email_hash finds it)"},
			"prefill": {AAD: "invitations.prefill:", OwnerColumn: "org_id", Owner: "the organization's key"},
		},
		Technical: []string{"id", "org_id", "kind", "token_hash", "code_hash", "secret", "department_id", "expires_at", "max_uses", "uses", "revoked_at", "declined_at", "created_at"},
		Retention: "invitation",
		Erasure:   datamap.Delete,
	})
	org(datamap.Table{
		Name:    "join_requests",
		Title:   datamap.Text{En: "Requests to join", Zh: "加入申请"},
		Why:     datamap.Text{Zh: "需要管理员批准的加入组织申请。"},
		Purpose: "Requests to join an organization that requires an admin's approval.",
		Subject: []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":          datamap.Identifier,
			"display_name":        datamap.Profile,
			"display_name_sealed": datamap.Profile,
			"message":             datamap.Content,
			"message_sealed":      datamap.Content,
			"decided_by":          datamap.Identifier,
		},
		// display_name and message are empty in rows written since they
		// are sealed.
		Sealed: map[string]datamap.Seal{
			"display_name_sealed": {AAD: "join_requests.display_name:", OwnerColumn: "account_id", Owner: "the key of the person asking (display_name is empty in sealed rows)"},
			"message_sealed":      {AAD: "join_requests.message:", OwnerColumn: "account_id", Owner: "the key of the person asking (message is empty in sealed rows)"},
		},
		Technical: []string{"id", "org_id", "invitation_id", "status", "decided_at", "created_at"},
		Retention: "join_request",
		Erasure:   datamap.Delete,
	})
	person := func(t datamap.Table) {
		t.Controller = datamap.Person
		datamap.Register(t)
	}
	person(datamap.Table{
		Name:      "contacts",
		Title:     datamap.Text{En: "Your contacts", Zh: "你的联系人"},
		Why:       datamap.Text{Zh: "你的联系人（双方都保存）。"},
		Purpose:   "The person's contacts (kept on both sides).",
		Subject:   []string{"account_id", "contact_id"},
		Columns:   map[string]datamap.Category{"account_id": datamap.Identifier, "contact_id": datamap.Identifier},
		Technical: []string{"created_at"},
		Retention: "account",
		Erasure:   datamap.Delete,
	})
	person(datamap.Table{
		Name:    "contact_requests",
		Title:   datamap.Text{En: "Contact requests", Zh: "联系人请求"},
		Why:     datamap.Text{Zh: "成为联系人的请求，等待回复或已回复。"},
		Purpose: "Requests to become contacts, waiting for or answered by the person asked.",
		Subject: []string{"from_account", "to_account"},
		Columns: map[string]datamap.Category{
			"from_account":   datamap.Identifier,
			"to_account":     datamap.Identifier,
			"message":        datamap.Content,
			"message_sealed": datamap.Content,
		},
		Sealed: map[string]datamap.Seal{
			"message_sealed": {AAD: "contact_requests.message:", OwnerColumn: "from_account",
				Owner: "the sender's key (message is empty in sealed rows)"},
		},
		Technical: []string{"id", "via", "status", "created_at", "decided_at"},
		Retention: "account",
		Erasure:   datamap.Delete,
	})
	person(datamap.Table{
		Name:    "profile_photos",
		Title:   datamap.Text{En: "Your profile photo", Zh: "你的头像"},
		Why:     datamap.Text{Zh: "你上传的头像，裁剪并缩放为两种尺寸，显示给同事和联系人；上传时已去除位置等元数据。"},
		Purpose: "The profile photo the person uploaded, cropped and scaled to the two sizes the app shows to their colleagues and contacts; the upload's metadata (EXIF, GPS position) is dropped before anything is stored. The bytes are in the file store, encrypted under the person's key.",
		Subject: []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"blob_key":   datamap.Profile,
		},
		Technical: []string{"id", "size", "version", "name", "content_type", "created_at"},
		Files:     []string{"blob_key"},
		Retention: "account",
		Erasure:   datamap.Delete,
	})
	person(datamap.Table{
		Name:    "contact_privacy",
		Title:   datamap.Text{En: "Privacy settings", Zh: "隐私设置"},
		Why:     datamap.Text{Zh: "你对谁能找到你、添加你以及外部联系人能看到什么的选择。"},
		Purpose: "The person's choices about who may find and add them and what external contacts see.",
		Subject: []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":           datamap.Identifier,
			"require_verification": datamap.Settings,
			"discoverable":         datamap.Settings,
			"external_fields":      datamap.Settings,
			"allow_via_group":      datamap.Settings,
			"allow_via_card":       datamap.Settings,
		},
		Technical: []string{"updated_at"},
		Retention: "account",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "setup_tokens",
		Controller: datamap.System,
		Purpose:    "The hash of the one-time first-run setup token.",
		Technical:  []string{"token_hash", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "Holds no personal data.",
	})
}
