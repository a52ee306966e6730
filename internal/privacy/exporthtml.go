package privacy

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
)

//go:embed templates/export.html
var templatesFS embed.FS

var exportTmpl = template.Must(template.New("export.html").ParseFS(templatesFS, "templates/export.html"))

// Namer names the organizations and people an export mentions: the
// person themself is "you", others by the name the person knows them by.
type Namer interface {
	OrgName(orgID string) string
	PersonName(orgID, accountID string) string
}

// RenderExportHTML writes the offline, script-free view of an export in
// English, naming nobody (the golden test's form). Exports themselves are
// rendered in the person's language with names (renderExport).
func RenderExportHTML(w io.Writer, data ExportData) error {
	return renderExport(w, data, "en", nil)
}

// renderExport writes index.html: the export read as a page for a person,
// grouped by the data map's categories, in lang, with organizations and
// people by name and readable dates. data.json keeps the raw values.
func renderExport(w io.Writer, data ExportData, lang string, names Namer) error {
	v := exportView{Lang: lang, T: pageTexts(lang), Generated: readableTime(data.GeneratedAt, lang)}
	pr := presenter{lang: lang, names: names, self: data.AccountID, members: map[string]bool{}}
	for _, o := range data.Organizations {
		pr.members[o.MemberID] = true
		v.Orgs = append(v.Orgs, orgView{Name: pr.org(o.OrgID), Status: statusIn(o.Status, lang), Others: yesNo(o.IncludesOthersMessages, lang)})
	}
	groups := map[datamap.Category][]sectionView{}
	for i, s := range data.Sections {
		t, _ := datamap.Lookup(s.Table)
		if t.Name == "" {
			t = datamap.Table{Name: s.Table, Purpose: s.Purpose}
		}
		cat := primaryCategory(t)
		if len(t.Columns) == 0 && len(s.Categories) > 0 {
			cat = datamap.Category(s.Categories[0])
		}
		org := pr.org(s.OrgID)
		sv := sectionView{Anchor: "s" + strconv.Itoa(i), What: whatOf(s.Table, lang), Org: org, Count: len(s.Rows),
			Controller: controllerIn(datamap.Controller(s.Controller), org, lang), Purpose: purposeOf(t, lang), Retention: retentionIn(s.Retention, lang)}
		if s.Purpose != "" && s.Purpose != t.Purpose {
			sv.Purpose = s.Purpose // an exporter's own words (others' messages)
			if lang == "zh" && s.Note == "others' messages" {
				sv.Purpose = "组织允许时包含的、你参与的会话中其他人的消息。"
			}
		}
		cols := pr.columns(s.Rows)
		for _, c := range cols {
			sv.Columns = append(sv.Columns, columnLabel(c, lang))
		}
		sv.Rows = pr.rows(s.OrgID, s.Rows, cols)
		groups[cat] = append(groups[cat], sv)
	}
	for _, c := range categoryOrder {
		if len(groups[c]) > 0 {
			v.Groups = append(v.Groups, groupView{Title: categoryTexts[c].in(lang), Sections: groups[c]})
		}
	}
	for _, f := range data.Files {
		v.Files = append(v.Files, fileView{Path: f.Path, Name: f.Name, Type: f.ContentType, Size: readableSize(f.Size), Org: pr.org(f.OrgID)})
	}
	return exportTmpl.Execute(w, v)
}

// renderExportFor renders index.html for the person in data, in their
// language, naming organizations and people.
func (s *Service) renderExportFor(ctx context.Context, w io.Writer, data ExportData) error {
	lang := "en"
	var names Namer
	if s.People != nil {
		_, locale := s.People.Contact(ctx, data.AccountID)
		lang = langOf(locale)
		names = &peopleNamer{ctx: ctx, p: s.People, orgs: map[string]string{}, people: map[string]string{}}
	}
	return renderExport(w, data, lang, names)
}

// peopleNamer caches People's answers for one export.
type peopleNamer struct {
	ctx    context.Context
	p      People
	orgs   map[string]string
	people map[string]string
}

func (n *peopleNamer) OrgName(id string) string {
	if v, ok := n.orgs[id]; ok {
		return v
	}
	v := n.p.OrgName(n.ctx, id)
	n.orgs[id] = v
	return v
}

func (n *peopleNamer) PersonName(orgID, id string) string {
	k := orgID + "/" + id
	if v, ok := n.people[k]; ok {
		return v
	}
	v := n.p.PersonName(n.ctx, orgID, id)
	n.people[k] = v
	return v
}

type exportView struct {
	Lang      string
	T         map[string]string
	Generated string
	Orgs      []orgView
	Groups    []groupView
	Files     []fileView
}

type orgView struct{ Name, Status, Others string }

type groupView struct {
	Title    string
	Sections []sectionView
}

type sectionView struct {
	Anchor, What, Org, Controller, Purpose, Retention string
	Count                                             int
	Columns                                           []string
	Rows                                              template.HTML
}

type fileView struct{ Path, Name, Type, Size, Org string }

// presenter turns raw export values into what a person reads.
type presenter struct {
	lang    string
	names   Namer
	self    string
	members map[string]bool
}

var opaqueID = regexp.MustCompile(`^[a-z]{2,4}_[0-9a-f]{32}$`)

func (p presenter) org(id string) string {
	if id == "" {
		return ""
	}
	if p.names != nil {
		if n := p.names.OrgName(id); n != "" {
			return n
		}
	}
	return text{"an organization", "一个组织"}.in(p.lang)
}

func (p presenter) person(orgID, id string) string {
	if id == p.self {
		return text{"you", "你"}.in(p.lang)
	}
	if p.names != nil {
		if n := p.names.PersonName(orgID, id); n != "" {
			return n
		}
	}
	return text{"someone", "某人"}.in(p.lang)
}

// hiddenColumn: keys and technical columns a person has no use for (they
// stay in data.json).
func hiddenColumn(c string) bool {
	switch c {
	case "id", "org_id", "seq", "pos", "pair_key", "client_msg_id", "scope_kind", "position", "blob_key", "thumb_key", "sha256", "name_initials", "name_pinyin":
		return true
	}
	return strings.HasSuffix(c, "_hash") || strings.HasSuffix(c, "_seq") || strings.HasSuffix(c, "_key")
}

// columns lists the columns worth showing: not hidden, and not made only
// of internal ids that name no person or organization.
func (p presenter) columns(rows []Row) []string {
	seen := map[string]bool{}
	useful := map[string]bool{}
	var out []string
	for _, r := range rows {
		for k, v := range r {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
			if s, ok := v.(string); ok && opaqueID.MatchString(s) && !strings.HasPrefix(s, "acc_") && !strings.HasPrefix(s, "org_") && !strings.HasPrefix(s, "mem_") {
				continue
			}
			if v != nil && v != "" {
				useful[k] = true
			}
		}
	}
	keep := out[:0]
	for _, c := range out {
		if !hiddenColumn(c) && useful[c] {
			keep = append(keep, c)
		}
	}
	sort.Slice(keep, func(i, j int) bool {
		return columnRank(keep[i]) < columnRank(keep[j]) || (columnRank(keep[i]) == columnRank(keep[j]) && keep[i] < keep[j])
	})
	return keep
}

// columnRank puts what a row is about first and its times last.
func columnRank(c string) int {
	switch {
	case c == "name" || c == "display_name" || c == "title" || c == "body" || c == "email":
		return 0
	case strings.HasSuffix(c, "_at") || strings.HasSuffix(c, "_date"):
		return 2
	}
	return 1
}

// rows renders rows as escaped table rows. It is a function rather than a
// nested template range because a section may hold a hundred thousand rows.
func (p presenter) rows(orgID string, rows []Row, cols []string) template.HTML {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("<tr>")
		for _, c := range cols {
			b.WriteString("<td>")
			b.WriteString(template.HTMLEscapeString(p.cell(orgID, c, r[c])))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

func (p presenter) cell(orgID, col string, v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		return yesNo(v, p.lang)
	case string:
		if strings.HasPrefix(v, "{") {
			var m map[string]any
			if json.Unmarshal([]byte(v), &m) == nil {
				return p.cell(orgID, col, m)
			}
		}
		return p.idText(orgID, v)
	case float64, int64, int:
		n, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
		if strings.HasSuffix(col, "_at") || col == "created" || col == "updated" {
			if n <= 0 {
				return ""
			}
			return readableTime(int64(n), p.lang)
		}
		return fmt.Sprint(v)
	case json.Number:
		return p.cell(orgID, col, mustFloat(v))
	case map[string]any:
		if sealed, _ := v["sealed"].(bool); sealed && len(v) == 1 {
			return text{"(encrypted, no longer readable)", "（已加密，无法再读取）"}.in(p.lang)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, columnLabel(k, p.lang)+": "+p.cell(orgID, k, v[k]))
		}
		return strings.Join(parts, "; ")
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, p.cell(orgID, col, x))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

func mustFloat(n json.Number) float64 { f, _ := n.Float64(); return f }

// idText names ids of people and organizations; other values are shown.
func (p presenter) idText(orgID, s string) string {
	if !opaqueID.MatchString(s) {
		return s
	}
	switch s[:4] {
	case "acc_":
		return p.person(orgID, s)
	case "org_":
		return p.org(s)
	case "mem_":
		if p.members[s] {
			return text{"you", "你"}.in(p.lang)
		}
		return text{"a member", "一位成员"}.in(p.lang)
	}
	return "—"
}

var columnTexts = map[string]text{
	"name": {"Name", "名称"}, "display_name": {"Name shown", "显示名称"}, "title": {"Title", "标题/职位"}, "body": {"Text", "内容"},
	"email": {"Email", "邮箱"}, "email_sealed": {"Email", "邮箱"}, "phone_sealed": {"Phone", "手机号"}, "birth_date_sealed": {"Birth date", "出生日期"},
	"work_phone": {"Work phone", "工作电话"}, "office": {"Office", "办公地点"}, "join_date": {"Joined on", "入职日期"}, "employee_no": {"Employee number", "工号"},
	"locale": {"Language", "语言"}, "status": {"Status", "状态"}, "role": {"Role", "角色"}, "kind": {"Kind", "类型"},
	"created_at": {"Created", "创建时间"}, "updated_at": {"Updated", "更新时间"}, "edited_at": {"Edited", "编辑时间"}, "deleted_at": {"Deleted", "删除时间"},
	"read_at": {"Read", "阅读时间"}, "accepted_at": {"Accepted", "接受时间"}, "joined_at": {"Joined", "加入时间"}, "left_at": {"Left", "离开时间"},
	"expires_at": {"Expires", "过期时间"}, "last_seen_at": {"Last seen", "最近使用"}, "at": {"When", "时间"}, "recorded_at": {"Recorded", "记录时间"},
	"sender_id": {"From", "发送人"}, "account_id": {"Person", "人员"}, "from_account": {"From", "来自"}, "to_account": {"To", "发给"},
	"contact_id": {"Contact", "联系人"}, "owner_id": {"Owner", "拥有者"}, "created_by": {"Created by", "创建者"}, "uploader_id": {"Uploaded by", "上传者"},
	"editor_id": {"Edited by", "编辑者"}, "pinned_by": {"Pinned by", "置顶者"}, "deleted_by": {"Deleted by", "删除者"}, "mentions": {"Mentions", "提及"},
	"ip": {"Network address", "网络地址"}, "user_agent": {"Browser or app", "浏览器或应用"}, "device_id": {"Device", "设备"}, "outcome": {"Result", "结果"},
	"message": {"Message", "留言"}, "note": {"Note", "备注"}, "purpose": {"Purpose", "用途"}, "granted": {"Granted", "已同意"}, "version": {"Version", "版本"},
	"emoji": {"Reaction", "表情"}, "content_type": {"Type", "类型"}, "size": {"Size", "大小"}, "location": {"Location", "位置"}, "html": {"Formatted text", "格式化内容"},
	"topic": {"Topic", "主题"}, "announcement": {"Announcement", "公告"}, "muted": {"Muted", "免打扰"}, "guardian_name": {"Guardian", "监护人"},
	"guardian_email": {"Guardian's email", "监护人邮箱"}, "relationship": {"Relationship", "关系"}, "method": {"How", "方式"}, "value": {"Value", "内容"},
	"is_leader": {"Leads it", "负责人"}, "supervisor_id": {"Supervisor", "上级"}, "title_level": {"Level", "职级"}, "reason": {"Reason", "原因"},
	"data": {"Details", "详情"}, "type": {"Kind of change", "变更类型"}, "scope_id": {"For", "对象"}, "conversation_id": {"Conversation", "会话"},
	"member_id": {"Member", "成员"}, "fields": {"Fields", "字段"}, "org": {"Organization", "组织"}, "action": {"Action", "操作"}, "target_id": {"About", "对象"}, "actor_account_id": {"Done by", "操作人"},
}

// columnLabel names a column for a person.
func columnLabel(c, lang string) string {
	if t, ok := columnTexts[c]; ok {
		return t.in(lang)
	}
	w := strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(c, "_sealed"), "_id"), "_", " ")
	if w == "" {
		return c
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

func yesNo(b bool, lang string) string {
	if b {
		return text{"yes", "是"}.in(lang)
	}
	return text{"no", "否"}.in(lang)
}

func statusIn(s, lang string) string {
	switch s {
	case "active":
		return text{"member", "在职成员"}.in(lang)
	case "deactivated":
		return text{"deactivated", "已停用"}.in(lang)
	case "left":
		return text{"left", "已离开"}.in(lang)
	}
	return s
}

// readableTime shows a unix-millisecond time as a date and a time (UTC).
func readableTime(ms int64, lang string) string {
	t := time.UnixMilli(ms).UTC()
	if lang == "zh" {
		return t.Format("2006年1月2日 15:04") + " (UTC)"
	}
	return t.Format("2 January 2006, 15:04") + " (UTC)"
}

func readableSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// pageTexts are the page's fixed phrases.
func pageTexts(lang string) map[string]string {
	t := map[string]text{
		"title":      {"Your Atrium data", "你在 Atrium 中的数据"},
		"generated":  {"Made on", "生成于"},
		"intro":      {"This page shows what Atrium holds about you, grouped by kind of data, readable without a network connection. The same data, complete and machine-readable, is in data.json in this archive; files you uploaded are in the files folder.", "本页按数据类别列出 Atrium 保存的关于你的数据，无需联网即可阅读。同样的数据以机器可读的完整形式保存在本压缩包的 data.json 中；你上传的文件在 files 文件夹中。"},
		"contents":   {"Contents", "目录"},
		"orgs":       {"Your organizations", "你所在的组织"},
		"org":        {"Organization", "组织"},
		"status":     {"Your status", "你的状态"},
		"others":     {"Others' messages included", "是否包含他人的消息"},
		"noOrgs":     {"You are not a member of any organization.", "你不属于任何组织。"},
		"items":      {"items", "条"},
		"controller": {"Decided by", "数据控制者"},
		"kept":       {"Kept", "保留期限"},
		"personal":   {"Personal", "个人"},
		"files":      {"Files", "文件"},
		"file":       {"File", "文件"},
		"type":       {"Type", "类型"},
		"size":       {"Size", "大小"},
	}
	out := map[string]string{}
	for k, v := range t {
		out[k] = v.in(lang)
	}
	return out
}
