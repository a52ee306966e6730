package identity

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "accounts",
		Title:      datamap.Text{En: "Your account", Zh: "你的账户"},
		Why:        datamap.Text{Zh: "让你登录并联系你：姓名、邮箱、手机号、出生日期和语言。"},
		Controller: datamap.Person,
		Purpose:    "The person's login identity: how to reach them, how they prove who they are, and their personal settings.",
		Subject:    []string{"id"},
		Columns: map[string]datamap.Category{
			"id":                 datamap.Identifier,
			"email_hash":         datamap.Contact,
			"email_sealed":       datamap.Contact,
			"phone_hash":         datamap.Contact,
			"phone_sealed":       datamap.Contact,
			"name":               datamap.Profile,
			"name_sealed":        datamap.Profile,
			"birth_date_sealed":  datamap.Profile,
			"password_hash":      datamap.Credentials,
			"totp_secret_sealed": datamap.Credentials,
			"locale":             datamap.Settings,
		},
		// name is empty in rows written since names are sealed.
		Sealed: map[string]datamap.Seal{
			"name_sealed": {AAD: "accounts.name:", OwnerColumn: "id", Owner: "the person's key (id)"},
		},
		Technical: []string{"status", "totp_enabled", "totp_last_step", "created_at", "updated_at"},
		Retention: "account",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "sessions",
		Title:      datamap.Text{En: "Signed-in devices", Zh: "已登录的设备"},
		Why:        datamap.Text{Zh: "让你在设备上保持登录，并让你查看和结束这些会话。"},
		Controller: datamap.Person,
		Purpose:    "Keeps the person signed in on their devices and lets them see and end those sessions.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"token_hash": datamap.Credentials,
			"ip":         datamap.Logs,
			"user_agent": datamap.Logs,
			"device_id":  datamap.Logs,
		},
		Technical: []string{"id", "org_id", "kind", "created_at", "last_seen_at", "expires_at"},
		Retention: "session",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "verification_codes",
		Title:      datamap.Text{En: "Verification codes", Zh: "验证码"},
		Why:        datamap.Text{Zh: "通过邮件发送的一次性验证码，用于确认地址或重置密码，几分钟后过期。"},
		Controller: datamap.Person,
		Purpose:    "One-time codes emailed to confirm an address or reset a password; they expire after minutes.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"code_hash":  datamap.Credentials,
		},
		Technical: []string{"purpose", "attempts", "created_at", "expires_at"},
		Retention: "verification_code",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "recovery_codes",
		Title:      datamap.Text{En: "Recovery codes", Zh: "恢复码"},
		Why:        datamap.Text{Zh: "在丢失验证器时让你登录的一次性代码。"},
		Controller: datamap.Person,
		Purpose:    "Single-use codes that let the person sign in when their authenticator is lost.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"code_hash":  datamap.Credentials,
		},
		Technical: []string{"created_at", "used_at"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "login_history",
		Title:      datamap.Text{En: "Sign-in history", Zh: "登录历史"},
		Why:        datamap.Text{Zh: "显示你的账户何时、从何处登录，帮助发现攻击。"},
		Controller: datamap.Person,
		Purpose:    "Shows the person when and from where their account was signed in to, and helps detect attacks.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"ip":         datamap.Logs,
			"user_agent": datamap.Logs,
			"device_id":  datamap.Logs,
		},
		Technical: []string{"id", "created_at", "method", "outcome"},
		Retention: "login_history",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "known_clients",
		Title:      datamap.Text{En: "Known devices and networks", Zh: "已知设备与网络"},
		Why:        datamap.Text{Zh: "你登录过的设备和网络的加密摘要，用于在新设备登录时提醒你。"},
		Controller: datamap.Person,
		Purpose:    "Keyed hashes of the devices and networks the person signed in from, to warn them of a sign-in from a new one.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"value_hash": datamap.Logs,
		},
		Technical: []string{"kind", "first_seen_at", "last_seen_at"},
		Retention: "login_history",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "account_notices",
		Title:      datamap.Text{En: "Sign-in alerts", Zh: "登录提醒"},
		Why:        datamap.Text{Zh: "提醒你账户的安全情况，例如从新设备或新网络登录。"},
		Controller: datamap.Person,
		Purpose:    "Security notices for the person, such as a sign-in from a new device or network.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"data":       datamap.Logs,
		},
		Technical: []string{"id", "kind", "created_at"},
		Retention: "login_history",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "rate_limits",
		Controller: datamap.System,
		Purpose:    "Counts attempts (failed sign-ins, code requests, registrations) per keyed hash of an address or account, to stop guessing and abuse.",
		Columns: map[string]datamap.Category{
			"key": datamap.Logs,
		},
		Technical: []string{"window_start", "count"},
		Retention: "rate_limit",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "login_throttle",
		Controller: datamap.System,
		Purpose:    "Slows repeated failed sign-ins per keyed hash of an account and a client address or device, without locking the owner out.",
		Columns: map[string]datamap.Category{
			"key": datamap.Logs,
		},
		Technical: []string{"failures", "next_at", "updated_at"},
		Retention: "rate_limit",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "app_passwords",
		Title:      datamap.Text{En: "App passwords", Zh: "应用专用密码"},
		Why:        datamap.Text{Zh: "你为同步日历和文件的应用创建的密码：名称、创建时间，以及最后一次使用的时间和地址。密码本身只保存其摘要，不会导出。"},
		Controller: datamap.Person,
		Purpose:    "Passwords the person creates for the apps that sync their calendars and files: the name they gave each, and when and from where it was last used. Only a hash of each secret is kept, and it is not exported.",
		Subject:    []string{"account_id"},
		Columns: map[string]datamap.Category{
			"account_id":   datamap.Identifier,
			"name":         datamap.Settings,
			"secret_hash":  datamap.Credentials,
			"last_used_ip": datamap.Logs,
		},
		Technical: []string{"id", "created_at", "last_used_at"},
		Retention: "account",
		Erasure:   datamap.Delete,
	})
}
