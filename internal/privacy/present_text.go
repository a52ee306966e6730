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

// whatOf names a table's data for a person: the Title its domain gives it
// in the data map.
func whatOf(table, lang string) string {
	if t, ok := datamap.Lookup(table); ok {
		if w := (text{t.Title.En, t.Title.Zh}).in(lang); w != "" {
			return w
		}
	}
	w := strings.ReplaceAll(table, "_", " ")
	return strings.ToUpper(w[:1]) + w[1:]
}

// purposeOf says why a table's data is held, in lang: the data map's Why,
// with Purpose as the English where Why has none.
func purposeOf(t datamap.Table, lang string) string {
	switch {
	case lang == "zh" && t.Why.Zh != "":
		return t.Why.Zh
	case lang != "zh" && t.Why.En != "":
		return t.Why.En
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
