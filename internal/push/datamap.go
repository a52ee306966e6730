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
		Name:       "notify_settings",
		Title:      datamap.Text{En: "Your status and notification settings", Zh: "你的状态和通知设置"},
		Why:        datamap.Text{En: "Your status (emoji and text, shown next to your name), Do Not Disturb, quiet hours and time zone, and the keywords that notify you like a mention. The status text and the keywords are encrypted with your key.", Zh: "你的状态（表情和文字，显示在你的名字旁）、免打扰、安静时段和时区，以及像提及一样通知你的关键词。状态文字和关键词用你的密钥加密。"},
		Controller: datamap.Person,
		Purpose:    "Show a person's status to the people they chat with, hold pushes while they do not want to be disturbed, and notify them of their keywords.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":   datamap.Identifier,
			"status_emoji": datamap.Profile,
			"status_text":  datamap.Profile,
			"status_until": datamap.Settings,
			"dnd_until":    datamap.Settings,
			"quiet_start":  datamap.Settings,
			"quiet_end":    datamap.Settings,
			"time_zone":    datamap.Settings,
			"keywords":     datamap.Settings,
		},
		Sealed: map[string]datamap.Seal{
			"status_text": {AAD: "notify_settings.status_text:", IDColumn: "account_id", OwnerColumn: "account_id", Owner: "the person's key (acc_…): their status text"},
			"keywords":    {AAD: "notify_settings.keywords:", IDColumn: "account_id", OwnerColumn: "account_id", Owner: "the person's key (acc_…): their keywords"},
		},
		Technical: []string{"has_keywords", "updated_at"},
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
