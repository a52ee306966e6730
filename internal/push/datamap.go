package push

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "push_subscriptions",
		Title:      datamap.Text{En: "Your devices that receive push notifications", Zh: "接收推送通知的设备"},
		Why:        datamap.Text{En: "Each browser or phone you turned push notifications on in: its name, its push service, when it was added and last used. Its address and keys are encrypted with your key and never shown.", Zh: "你开启了推送通知的每个浏览器或手机：设备名称、推送服务、添加和最近使用的时间。其推送地址和密钥用你的密钥加密，从不显示。"},
		Controller: datamap.Person,
		Purpose:    "Deliver direct messages, mentions, approval tasks and event invitations and reminders to a person's devices when the app is closed (Web Push).",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":    datamap.Identifier,
			"device_name":   datamap.Settings,
			"endpoint_host": datamap.Settings,
			"endpoint_hash": datamap.Credentials,
			"secret":        datamap.Credentials,
		},
		Sealed: map[string]datamap.Seal{
			"secret": {AAD: "push_subscriptions.secret:", IDColumn: "endpoint_hash", OwnerColumn: "account_id", Owner: "the person's key (acc_…): the push endpoint and the device's keys"},
		},
		Technical: []string{"id", "created_at", "updated_at", "last_used_at"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "push_vapid",
		Controller: datamap.System,
		Purpose:    "The deployment's VAPID key pair that signs every push (RFC 8292); the private key sealed with a key the master key wraps.",
		Technical:  []string{"id", "public_key", "private_key", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "a key of the deployment: no personal data",
	})
	datamap.Register(datamap.Table{
		Name:       "push_cursor",
		Controller: datamap.System,
		Purpose:    "The position in the event log up to which pushes were sent.",
		Technical:  []string{"name", "position"},
		Erasure:    datamap.Keep,
		Reason:     "a counter: no personal data",
	})
}
