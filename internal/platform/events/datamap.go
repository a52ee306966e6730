package events

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "event_log",
		Title:      datamap.Text{En: "Real-time updates", Zh: "实时更新"},
		Why:        datamap.Text{Zh: "把变化实时送达已连接的设备，并让它们在断线后补上。"},
		Controller: datamap.Organization,
		Purpose:    "Delivers changes to connected clients in real time and lets them catch up after a disconnect",
		Subject:    []string{"scope_id"},
		Columns: map[string]datamap.Category{
			"scope_id":   datamap.Identifier,
			"data":       datamap.Content,
			"sealed":     datamap.Content,
			"sealed_key": datamap.Identifier,
		},
		Technical: []string{"pos", "org_id", "scope_kind", "type", "created_at", "sealed_aad"},
		Sealed: map[string]datamap.Seal{
			"sealed": {AADColumn: "sealed_aad", OwnerColumn: "sealed_key",
				Owner: "the owner of the row the event copies (a group's profile); message events store no copy, only sealed_aad naming the message, whose content readers fetch from messages.content"},
		},
		Retention: "event_log",
		Erasure:   datamap.Delete,
	})
}
