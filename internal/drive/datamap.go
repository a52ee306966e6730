package drive

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "drive_spaces",
		Title:      datamap.Text{En: "Your drive, and drive spaces you set up", Zh: "你的网盘和你创建的网盘空间"},
		Why:        datamap.Text{En: "Your personal drive space in each organization, and the organization's spaces (team, department, project) you created.", Zh: "你在每个组织中的个人网盘空间，以及你创建的组织空间（团队、部门、项目）。"},
		Controller: datamap.Organization,
		Purpose:    "Each member's personal drive space and the organization's shared spaces with their name and quota; a personal space is deleted with its person (files and bytes included), an organization space stays with its creator replaced.",
		Subject:    []string{"owner_account_id", "created_by"},
		Columns: map[string]datamap.Category{
			"owner_account_id": datamap.Identifier,
			"created_by":       datamap.Identifier,
			"name":             datamap.Content,
		},
		Technical: []string{"id", "org_id", "kind", "root_id", "quota_bytes", "used_bytes", "created_at", "updated_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A personal space is deleted with its person; an organization space is the organization's: erasing its creator replaces them.",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_members",
		Title:      datamap.Text{En: "Drive spaces you are a member of", Zh: "你所在的网盘空间"},
		Why:        datamap.Text{En: "The organization's drive spaces you were made a viewer, editor or manager of by name.", Zh: "组织指名让你成为查看者、编辑者或管理者的网盘空间。"},
		Controller: datamap.Organization,
		Purpose:    "Who may use each organization drive space, and as what: members, departments or roles as viewer, editor or manager.",
		Subject:    []string{"subject_id"},
		Columns:    map[string]datamap.Category{"subject_id": datamap.Identifier},
		Technical:  []string{"space_id", "org_id", "subject_kind", "role", "created_at"},
		Erasure:    datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "drive_items",
		Title:      datamap.Text{En: "Files and folders you keep in the drive", Zh: "你在网盘中的文件和文件夹"},
		Why:        datamap.Text{En: "The folders and files you created, changed or deleted: their names, sizes and types (the bytes of your personal space are in your export as files).", Zh: "你创建、修改或删除的文件夹和文件：名称、大小和类型（你个人空间中的文件内容以文件形式包含在导出中）。"},
		Controller: datamap.Organization,
		Purpose:    "Folders and files of drive spaces: name, size, type, checksum and current version, who created and last changed them, and the trash; the bytes are in the file store, sealed under the person's key (personal spaces) or the organization's.",
		Subject:    []string{"created_by", "updated_by", "trashed_by"},
		Columns: map[string]datamap.Category{
			"created_by":  datamap.Identifier,
			"updated_by":  datamap.Identifier,
			"trashed_by":  datamap.Identifier,
			"name":        datamap.Content,
			"name_key":    datamap.Content,
			"name_box":    datamap.Content,
			"content_key": datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"name_box": {AAD: "drive_items.name:", OwnerColumn: "content_key",
				Owner: "the space controller's key: the person's (acc_…) for a personal space, the organization's (org_…) otherwise. name is empty for sealed rows and name_key is a keyed hash (HMAC) of the lower-cased name"},
		},
		Technical: []string{"id", "org_id", "space_id", "parent_id", "kind", "size", "content_type", "sha256", "blob_key", "version",
			"created_at", "updated_at", "trashed_at", "trash_root_id"},
		Retention: "drive.files",
		Erasure:   datamap.Anonymize,
		Reason:    "Files in a personal space go with it; files in an organization space are the organization's: erasing who created or changed them replaces them and leaves the files.",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_versions",
		Title:      datamap.Text{En: "Earlier versions of files you saved", Zh: "你保存的文件的历史版本"},
		Why:        datamap.Text{En: "The earlier contents of drive files, each with who saved it.", Zh: "网盘文件的历史内容，以及每个版本的保存者。"},
		Controller: datamap.Organization,
		Purpose:    "Earlier versions of drive files (size, type, checksum, who saved them), kept as the organization's keep_versions setting says.",
		Subject:    []string{"created_by"},
		Columns:    map[string]datamap.Category{"created_by": datamap.Identifier},
		Technical:  []string{"item_id", "version", "org_id", "space_id", "size", "content_type", "sha256", "blob_key", "created_at"},
		Retention:  "drive.versions",
		Erasure:    datamap.Anonymize,
		Reason:     "A version is part of its file: it goes with the file, and erasing who saved it replaces them.",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_blobs",
		Title:      datamap.Text{En: "The bytes of your drive files", Zh: "你的网盘文件内容"},
		Why:        datamap.Text{En: "For each file body of your personal space: its size, checksum and how many versions use it (the bytes themselves are sealed under your key).", Zh: "你个人空间中每个文件内容的大小、校验和以及使用它的版本数（内容本身用你的密钥加密）。"},
		Controller: datamap.Organization,
		Purpose:    "The bodies of drive files in the file store, with how many versions refer to each (copies share one body) and the key they are sealed under (a person's for a personal space, the organization's otherwise).",
		Subject:    []string{"owner"},
		Columns:    map[string]datamap.Category{"owner": datamap.Identifier},
		Technical:  []string{"blob_key", "org_id", "size", "sha256", "refs", "external", "created_at"},
		Erasure:    datamap.Delete,
		Reason:     "A person's bodies go with their personal space (their rows and bytes are deleted first); the organization's stay.",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_shares",
		Title:      datamap.Text{En: "Files shared with you, and files you shared", Zh: "共享给你的文件和你共享的文件"},
		Why:        datamap.Text{En: "Items shared with you by name, and the shares you made.", Zh: "指名共享给你的项目，以及你创建的共享。"},
		Controller: datamap.Organization,
		Purpose:    "Which drive items are shared with which members, departments or roles, as viewer or editor, and who shared them.",
		Subject:    []string{"subject_id", "created_by"},
		Columns: map[string]datamap.Category{
			"subject_id": datamap.Identifier,
			"created_by": datamap.Identifier,
		},
		Technical: []string{"id", "org_id", "space_id", "item_id", "subject_kind", "role", "created_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A share to the person ends with them (its subject replaced by the tombstone reaches no one); a share they made stays for the people it reaches, its maker replaced.",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_links",
		Title:      datamap.Text{En: "Links you made to drive files", Zh: "你创建的网盘文件链接"},
		Why:        datamap.Text{En: "The links you made to files and folders: permission, expiry, whether a password is set, and when they were revoked.", Zh: "你为文件和文件夹创建的链接：权限、有效期、是否设置密码以及撤销时间。"},
		Controller: datamap.Organization,
		Purpose:    "Links to drive items (kept as hashes of their tokens and passwords) with their permission, expiry and maker.",
		Subject:    []string{"created_by"},
		Columns:    map[string]datamap.Category{"created_by": datamap.Identifier},
		Technical:  []string{"id", "org_id", "space_id", "item_id", "token_hash", "permission", "password_hash", "expires_at", "revoked_at", "created_at"},
		Erasure:    datamap.Anonymize,
		Reason:     "A link is part of its item and goes with it; erasing its maker replaces them.",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_link_access",
		Title:      datamap.Text{En: "Links you opened while signed in", Zh: "你登录后打开的链接"},
		Why:        datamap.Text{En: "Each use of a drive link: when, what for, your network (truncated) and browser, recorded for the item's owners.", Zh: "每次使用网盘链接的记录：时间、操作、你的网络（截断）和浏览器，供项目的所有者查看。"},
		Controller: datamap.Organization,
		Purpose:    "Every use of a drive link — allowed or refused — for the item's editors: time, action, the visitor's truncated network and browser, and their account when signed in.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"network":    datamap.Logs,
			"user_agent": datamap.Logs,
		},
		Technical: []string{"id", "org_id", "link_id", "item_id", "action", "outcome", "at"},
		Retention: "drive.link_access",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "drive_uploads",
		Title:      datamap.Text{En: "Uploads you have not finished", Zh: "你未完成的上传"},
		Why:        datamap.Text{En: "Resumable uploads you started: the file's name, size and how much has arrived.", Zh: "你开始的可续传上传：文件名、大小和已收到的字节数。"},
		Controller: datamap.Organization,
		Purpose:    "Resumable uploads in progress: where the file goes, its name, size and checksum, and the bytes received so far (parts in the file store); dropped after a day without a chunk.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":  datamap.Identifier,
			"name":        datamap.Content,
			"name_box":    datamap.Content,
			"content_key": datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"name_box": {AAD: "drive_uploads.name:", OwnerColumn: "content_key",
				Owner: "the key of the target space's controller, as for drive_items.name_box"},
		},
		Technical: []string{"id", "org_id", "space_id", "parent_id", "item_id", "size", "received", "sha256", "content_type", "created_at", "updated_at"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "drive_upload_parts",
		Controller: datamap.Organization,
		Purpose:    "The parts of a resumable upload received so far (offsets and sizes, bytes in the file store).",
		Technical:  []string{"upload_id", "offset", "size", "blob_key"},
		Erasure:    datamap.Keep,
		Reason:     "part of an upload (drive_uploads), which names its person; deleted with it, bytes included",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_settings",
		Controller: datamap.Organization,
		Purpose:    "The organization's drive settings: link sharing, trash period, versions kept and quotas.",
		Technical:  []string{"org_id", "link_sharing", "trash_days", "keep_versions", "personal_quota", "org_quota", "updated_at"},
		Erasure:    datamap.Keep,
		Reason:     "settings: no personal data",
	})
	datamap.Register(datamap.Table{
		Name:       "drive_search",
		Controller: datamap.Organization,
		Purpose:    "Search index of drive file and folder names and of the text of text and PDF files (the first MiB), a plaintext copy of them; left out of backups, rebuilt from the sealed names and the files, deleted with its item",
		Columns: map[string]datamap.Category{
			"name": datamap.Content,
			"body": datamap.Content,
		},
		Technical: []string{"rid", "item_id", "text_sha256"},
		Erasure:   datamap.Delete,
		Derived:   true,
	})
	datamap.Register(datamap.Table{
		Name:       "drive_fts",
		Controller: datamap.Organization,
		Purpose:    "Text index over drive_search (SQLite FTS5 trigram; on PostgreSQL a table with a pg_trgm index); left out of backups, rebuilt with it",
		Columns: map[string]datamap.Category{
			"body": datamap.Content,
		},
		Technical: []string{"rowid"},
		Erasure:   datamap.Delete,
		Derived:   true,
	})
}
