package privacy

import (
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
)

// The words of the pages a person reads about their data ("what is held
// about me" and the export's index.html), in English and Chinese. The data
// map's names of tables and columns stay in data.json; people read these.

// text is one phrase in both languages.
type text struct{ en, zh string }

func (t text) in(lang string) string {
	if lang == "zh" && t.zh != "" {
		return t.zh
	}
	return t.en
}

// langOf maps a locale or Accept-Language value to "zh" or "en".
func langOf(locale string) string {
	if zh(strings.TrimSpace(locale)) {
		return "zh"
	}
	return "en"
}

// categoryOrder is the order of the page's groups; a table is shown once,
// in the first of its categories in this order.
var categoryOrder = []datamap.Category{
	datamap.Content, datamap.Contact, datamap.Profile, datamap.Location, datamap.Biometric, datamap.Health,
	datamap.Credentials, datamap.Consent, datamap.Settings, datamap.Logs, datamap.Identifier,
}

var categoryTexts = map[datamap.Category]text{
	datamap.Content:     {"What you wrote and shared", "你写下和分享的内容"},
	datamap.Contact:     {"Contact details", "联系方式"},
	datamap.Profile:     {"Profile", "个人资料"},
	datamap.Location:    {"Location", "位置"},
	datamap.Biometric:   {"Biometric data", "生物特征数据"},
	datamap.Health:      {"Health", "健康信息"},
	datamap.Credentials: {"Sign-in secrets", "登录凭据"},
	datamap.Consent:     {"Consents and accepted policies", "同意与已接受的政策"},
	datamap.Settings:    {"Settings and choices", "设置与选择"},
	datamap.Logs:        {"Activity records", "活动记录"},
	datamap.Identifier:  {"Records linked to you", "与你关联的记录"},
}

// primaryCategory is the category t is shown under.
func primaryCategory(t datamap.Table) datamap.Category {
	has := map[datamap.Category]bool{}
	for _, c := range t.Columns {
		has[c] = true
	}
	for _, c := range categoryOrder {
		if has[c] {
			return c
		}
	}
	return datamap.Identifier
}

// tableTexts names what each table holds, as a person would say it, and
// says why in Chinese (the data map's Purpose is the English).
var tableTexts = map[string]struct{ what, zhPurpose text }{
	"accounts":                   {text{"Your account", "你的账户"}, text{zh: "让你登录并联系你：姓名、邮箱、手机号、出生日期和语言。"}},
	"account_notices":            {text{"Sign-in alerts", "登录提醒"}, text{zh: "提醒你账户的安全情况，例如从新设备或新网络登录。"}},
	"age_gates":                  {text{"Age check", "年龄核验"}, text{zh: "根据你的出生日期判断是否需要监护人同意。"}},
	"announcement_recipients":    {text{"Announcements you received", "你收到的公告"}, text{zh: "每条公告发给了谁，以及每人何时阅读和确认，供发布者查看阅读情况和提醒。"}},
	"announcements":              {text{"Announcements you published", "你发布的公告"}, text{zh: "组织向全员或指定部门、角色和人员发布的公告：标题、正文、分类、范围和设置。"}},
	"audit_log":                  {text{"Audit log entries", "审计日志记录"}, text{zh: "问责：谁在何时、从何处对什么做了什么，记录在防篡改的日志中。"}},
	"chat_files":                 {text{"Files you shared", "你分享的文件"}, text{zh: "消息中附带的文件、图片和语音。"}},
	"chat_notifications":         {text{"Notifications", "通知"}, text{zh: "等待你查看的提及和私信通知。"}},
	"consent_events":             {text{"Consent history", "同意记录"}, text{zh: "你每次授予或撤回同意的记录。"}},
	"consents":                   {text{"Your consents", "你的同意"}, text{zh: "你当前的同意选择（通讯录匹配、位置等）。"}},
	"contact_privacy":            {text{"Privacy settings", "隐私设置"}, text{zh: "你对谁能找到你、添加你以及外部联系人能看到什么的选择。"}},
	"contact_requests":           {text{"Contact requests", "联系人请求"}, text{zh: "成为联系人的请求，等待回复或已回复。"}},
	"contacts":                   {text{"Your contacts", "你的联系人"}, text{zh: "你的联系人（双方都保存）。"}},
	"conversation_members":       {text{"Conversations you are in", "你参与的会话"}, text{zh: "你在哪些会话中，以及你的角色、已读位置和免打扰等设置。"}},
	"conversations":              {text{"Conversations you started or own", "你创建或拥有的会话"}, text{"Conversations: direct chats and groups, with their name, topic and announcement. The organization decides about its internal and external groups; the people in them about direct chats and general groups.", "会话：私聊和群聊，以及它们的名称、主题和公告。组织的内部群和外部群由组织决定，私聊和普通群由其中的人决定。"}},
	"data_key_tombstones":        {text{"Destroyed keys", "已销毁的密钥"}, text{zh: "记录哪些密钥已被销毁，使被删除的加密数据保持无法读取。"}},
	"data_keys":                  {text{"Your encryption key", "你的加密密钥"}, text{zh: "保护你敏感字段的加密密钥；销毁它即让这些数据无法读取。"}},
	"department_members":         {text{"Your departments", "你所在的部门"}, text{zh: "你属于并领导哪些部门。"}},
	"erasure_ledger":             {text{"Erasures carried out", "已执行的删除"}, text{zh: "记录每次删除（仅编号），以便恢复备份时再次执行。"}},
	"event_log":                  {text{"Real-time updates", "实时更新"}, text{zh: "把变化实时送达已连接的设备，并让它们在断线后补上。"}},
	"guardian_consents":          {text{"Guardian's consent", "监护人同意"}, text{zh: "未成年人的父母或监护人的同意：由谁、以何种方式、何时给出。"}},
	"guardian_requests":          {text{"Requests to your guardian", "发给监护人的请求"}, text{zh: "发送给未成年人父母或监护人、用于确认同意的链接。"}},
	"invitations":                {text{"Invitations to you", "给你的邀请"}, text{zh: "加入组织的邀请，其中可能包含管理员预先填写的资料。"}},
	"join_requests":              {text{"Requests to join", "加入申请"}, text{zh: "需要管理员批准的加入组织申请。"}},
	"known_clients":              {text{"Known devices and networks", "已知设备与网络"}, text{zh: "你登录过的设备和网络的加密摘要，用于在新设备登录时提醒你。"}},
	"legal_holds":                {text{"Legal holds", "法律保全"}, text{zh: "阻止删除某成员或会话数据的法律保全。"}},
	"login_history":              {text{"Sign-in history", "登录历史"}, text{zh: "显示你的账户何时、从何处登录，帮助发现攻击。"}},
	"member_field_values":        {text{"Custom profile fields", "自定义资料字段"}, text{zh: "你在组织自定义资料字段中的内容。"}},
	"member_roles":               {text{"Your roles", "你的角色"}, text{zh: "你拥有哪些自定义角色，决定你能管理什么。"}},
	"members":                    {text{"Your membership", "你的成员身份"}, text{zh: "你在组织中的身份：通讯录显示的姓名、职位和联系方式。"}},
	"message_edits":              {text{"Earlier versions of your messages", "你消息的早先版本"}, text{zh: "编辑过的消息的早先版本，参与者可以看到。"}},
	"message_hidden":             {text{"Messages you deleted for yourself", "你仅为自己删除的消息"}, text{zh: "你只为自己删除的消息。"}},
	"message_pins":               {text{"Messages you pinned", "你置顶的消息"}, text{zh: "在会话中为所有成员置顶的消息。"}},
	"message_reactions":          {text{"Your reactions", "你的表情回应"}, text{zh: "对消息的表情回应。"}},
	"messages":                   {text{"Your messages", "你的消息"}, text{"Messages you sent and the descriptions of their attachments. The organization decides about messages in its groups; you and the other people about direct chats and general groups.", "你发送的消息及其附件说明。组织群中的消息由组织决定，私聊和普通群中的消息由你和其他参与者决定。"}},
	"orgs":                       {text{"Organizations you own", "你拥有的组织"}, text{zh: "人们工作的组织：名称、简介和通讯录设置。"}},
	"policy_acceptances":         {text{"Policies you accepted", "你接受的政策"}, text{zh: "你接受了哪些版本的隐私政策和服务条款，以及时间。"}},
	"policy_documents":           {text{"Policies you published", "你发布的政策"}, text{zh: "隐私政策、服务条款和组织隐私声明的已发布版本。"}},
	"privacy_exports":            {text{"Your data exports", "你的数据导出"}, text{zh: "生成并保存你的数据导出，直到你下载。"}},
	"privacy_request_events":     {text{"History of your requests", "你的请求记录"}, text{zh: "你每项请求的处理经过。"}},
	"privacy_requests":           {text{"Your privacy requests", "你的隐私请求"}, text{zh: "跟踪你的查阅、导出、更正、删除和反对请求及其期限。"}},
	"recovery_codes":             {text{"Recovery codes", "恢复码"}, text{zh: "在丢失验证器时让你登录的一次性代码。"}},
	"security_notice_recipients": {text{"Security notices to you", "发给你的安全通知"}, text{zh: "哪些安全通知发给了你，以及你是否已确认。"}},
	"security_notices":           {text{"Security notices you sent", "你发出的安全通知"}, text{zh: "发给受影响者的安全事件通知：发生了什么、可能的影响和补救措施。"}},
	"sessions":                   {text{"Signed-in devices", "已登录的设备"}, text{zh: "让你在设备上保持登录，并让你查看和结束这些会话。"}},
	"verification_codes":         {text{"Verification codes", "验证码"}, text{zh: "通过邮件发送的一次性验证码，用于确认地址或重置密码，几分钟后过期。"}},
}

// whatOf names a table's data for a person.
func whatOf(table, lang string) string {
	if t, ok := tableTexts[table]; ok {
		return t.what.in(lang)
	}
	w := strings.ReplaceAll(table, "_", " ")
	return strings.ToUpper(w[:1]) + w[1:]
}

// purposeOf says why a table's data is held, in lang (the catalog's
// words where the data map's Purpose speaks of columns).
func purposeOf(t datamap.Table, lang string) string {
	x := tableTexts[t.Name].zhPurpose
	switch {
	case lang == "zh" && x.zh != "":
		return x.zh
	case lang != "zh" && x.en != "":
		return x.en
	}
	return t.Purpose
}

// retentionIn says how long a retention class keeps data, in lang.
func retentionIn(class, lang string) string {
	if lang != "zh" {
		return RetentionText(class)
	}
	switch {
	case class == "":
		return "与该项内容同存同删"
	case class == "account":
		return "保留到你删除账户"
	case class == "exports":
		return "导出完成后保留 7 天"
	case class == "jobs":
		return "任务结束后保留 30 天"
	case class == "member", class == "invitation":
		return "按组织的离职政策处理"
	case class == "session":
		return "到会话结束或过期为止"
	case class == "event_log":
		return "几天，直到你的所有设备都已同步"
	case class == "audit", class == "audit_log":
		return "与组织的审计日志同存"
	}
	return "按组织的保留政策处理（在你或该政策删除之前一直保留）"
}

// erasureIn says what deleting the person does to a table's data.
func erasureIn(e datamap.Erasure, lang string) string {
	switch e {
	case datamap.Delete:
		return text{"Deleted when you are erased", "删除你的数据时一并删除"}.in(lang)
	case datamap.Anonymize:
		return text{"Anonymized when you are erased: the rest stays without your name", "删除你的数据时匿名化：其余内容保留，但不再带有你的名字"}.in(lang)
	}
	return text{"Kept when you are erased", "删除你的数据时保留"}.in(lang)
}

// controllerIn says who decides about the data.
func controllerIn(c datamap.Controller, orgName, lang string) string {
	switch c {
	case datamap.Person:
		return text{"You", "你本人"}.in(lang)
	case datamap.Organization:
		if orgName != "" {
			return orgName
		}
		return text{"The organization", "所在组织"}.in(lang)
	}
	return text{"The operator of this Atrium server", "本 Atrium 服务器的运营方"}.in(lang)
}
