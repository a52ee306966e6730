package drive

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "drive_dav_props",
		Controller: datamap.Organization,
		Purpose:    "Properties WebDAV clients set on drive files and folders (PROPPATCH); part of their item and deleted with it.",
		Technical:  []string{"item_id", "org_id", "ns", "prop", "lang", "value"},
		Erasure:    datamap.Keep,
		Reason:     "part of a drive item (drive_items), which names its creator; deleted with the item",
	})
}

func init() {
	datamap.Register(datamap.Table{
		Name:       "drive_dav_locks",
		Title:      datamap.Text{En: "Files you locked through WebDAV", Zh: "你通过 WebDAV 锁定的文件"},
		Why:        datamap.Text{En: "While an app edits a file through WebDAV it locks it, so that others do not overwrite it; the lock lapses after its time.", Zh: "应用通过 WebDAV 编辑文件时会锁定文件，以免他人覆盖；锁在到期后自动失效。"},
		Controller: datamap.Organization,
		Purpose:    "WebDAV locks: which account locked which path of a space (the path, lower-cased, names files and folders), until when; they lapse within minutes, so backups leave them out.",
		Subject:    []string{"account_id"},
		Columns:    map[string]datamap.Category{"account_id": datamap.Identifier, "owner_xml": datamap.Content},
		Technical:  []string{"token", "org_id", "space_id", "root", "zero_depth", "shared", "expires_at", "created_at"},
		Erasure:    datamap.Delete,
		Transient:  true,
	})
}

// The WebDAV locks name the account that took them: drive's privacy
// contract exports and erases them with the rest of its tables.
func init() { privacyTables = append(privacyTables, "drive_dav_locks") }
