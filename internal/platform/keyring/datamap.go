package keyring

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "data_keys",
		Title:      datamap.Text{En: "Your encryption key", Zh: "你的加密密钥"},
		Why:        datamap.Text{Zh: "保护你敏感字段的加密密钥；销毁它即让这些数据无法读取。"},
		Controller: datamap.Person,
		Purpose:    "Encryption keys, one per person or organization, that protect sensitive fields; destroying one makes that owner's encrypted data unreadable everywhere, backups included",
		Subject:    []string{"owner_id"},
		Columns: map[string]datamap.Category{
			"owner_id": datamap.Identifier,
			"wrapped":  datamap.Credentials,
		},
		Technical: []string{"created_at"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "data_key_tombstones",
		Title:      datamap.Text{En: "Destroyed keys", Zh: "已销毁的密钥"},
		Why:        datamap.Text{Zh: "记录哪些密钥已被销毁，使被删除的加密数据保持无法读取。"},
		Controller: datamap.System,
		Purpose:    "Remembers which owners' keys were destroyed, so that no new key is created for them and their old ciphertexts stay unreadable",
		Subject:    []string{"owner_id"},
		Columns: map[string]datamap.Category{
			"owner_id": datamap.Identifier,
		},
		Technical: []string{"destroyed_at"},
		Erasure:   datamap.Keep,
		Reason:    "The tombstone is what keeps erased data erased: it holds only the random id of the erased owner and the time of destruction.",
	})
}
