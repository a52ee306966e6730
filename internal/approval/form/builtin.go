package form

// The built-in templates every organization starts with: leave, overtime,
// business trip, attendance correction (a missed check-in or check-out
// filled in), expense reimbursement, purchase and a general request,
// with their default flows. Names and labels come in English and Chinese;
// option values are what requests store, so a seeded template keeps the
// options of the language it was seeded in.

import (
	"encoding/json"
	"strings"
)

// Languages a built-in template is written in.
const (
	LangEN = "en"
	LangZH = "zh"
)

// Builtin is a built-in template. Schema's labels and options are in
// English; LabelsZH and OptionsZH hold the Chinese ones, keyed by field id
// ("table.column" for a table's columns), options in Schema's order.
type Builtin struct {
	Key         string            // "leave", "overtime", "trip", "correction", "expense", "purchase", "general"
	Group       map[string]string // by language
	Name        map[string]string
	Description map[string]string
	Schema      Schema
	LabelsZH    map[string]string
	OptionsZH   map[string][]string
	// Flow is the default flow with English step names and no Finance
	// step (FlowIn adds it when the organization has a Finance role).
	Flow json.RawMessage
}

// Builtin keys: the value of a template's "builtin" and of the
// approval.approved event's.
const (
	BuiltinLeave      = "leave"
	BuiltinOvertime   = "overtime"
	BuiltinTrip       = "trip"
	BuiltinCorrection = "correction"
	BuiltinExpense    = "expense"
	BuiltinPurchase   = "purchase"
	BuiltinGeneral    = "general"
)

// FinanceThreshold is the expense total above which the built-in expense
// flow asks Finance.
const FinanceThreshold = "5000"

// Builtins returns the built-in templates, in the order they are listed.
// Every call returns fresh values the caller may change.
func Builtins() []Builtin {
	out := []Builtin{leave(), overtime(), trip(), correction(), expense(), purchase(), general()}
	for i := range out {
		out[i].Flow = out[i].FlowIn(LangEN, "")
	}
	return out
}

// SchemaIn returns the schema with labels and options in lang ("en" or
// "zh"; English for any other).
func (b Builtin) SchemaIn(lang string) Schema {
	var tr func(fs []Field, prefix string) Schema
	tr = func(fs []Field, prefix string) Schema {
		out := make(Schema, len(fs))
		for i, f := range fs {
			key := prefix + f.ID
			if lang == LangZH {
				if l, ok := b.LabelsZH[key]; ok {
					f.Label = l
				}
				if o, ok := b.OptionsZH[key]; ok {
					f.Options = o
				}
			}
			f.Options = append([]string(nil), f.Options...)
			if f.Columns != nil {
				f.Columns = tr(f.Columns, key+".")
			}
			out[i] = f
		}
		return out
	}
	return tr(b.Schema, "")
}

// step is a flow step as the engine reads it (APPROVALS-CONTRACT §2).
type step struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Approvers    map[string]any `json:"approvers"`
	Mode         string         `json:"mode"`
	When         *Condition     `json:"when,omitempty"`
	HiddenFields []string       `json:"hidden_fields"`
}

type flow struct {
	Steps []step `json:"steps"`
	CC    struct {
		MemberIDs  []string `json:"member_ids"`
		RoleIDs    []string `json:"role_ids"`
		Supervisor bool     `json:"supervisor"`
		At         string   `json:"at"`
	} `json:"cc"`
	AutoApprove struct {
		Applicant bool `json:"applicant"`
		Repeated  bool `json:"repeated"`
	} `json:"auto_approve"`
}

var stepNames = map[string]map[string]string{
	"supervisor": {LangEN: "Supervisor", LangZH: "直属上级"},
	"leaders":    {LangEN: "Department leader", LangZH: "部门负责人"},
	"finance":    {LangEN: "Finance", LangZH: "财务"},
}

func stepName(key, lang string) string {
	if n, ok := stepNames[key][lang]; ok {
		return n
	}
	return stepNames[key][LangEN]
}

// FlowIn returns the default flow with step names in lang: the
// applicant's supervisor (one level, any one approves); for expenses,
// then the leaders of the applicant's department and, when financeRoleID
// is not empty, that role for totals above FinanceThreshold.
func (b Builtin) FlowIn(lang, financeRoleID string) json.RawMessage {
	var f flow
	f.Steps = []step{{ID: "supervisor", Name: stepName("supervisor", lang), Approvers: map[string]any{"type": "supervisor", "levels": 1}, Mode: "any"}}
	if b.Key == BuiltinExpense {
		f.Steps = append(f.Steps, step{ID: "department_leaders", Name: stepName("leaders", lang),
			Approvers: map[string]any{"type": "department_leaders", "department_id": ""}, Mode: "any"})
		if financeRoleID != "" {
			when := Condition{Field: "lines", Op: OpGT, Value: json.RawMessage(`"` + FinanceThreshold + `"`)}
			f.Steps = append(f.Steps, step{ID: "finance", Name: stepName("finance", lang),
				Approvers: map[string]any{"type": "role", "role_id": financeRoleID}, Mode: "any", When: &when})
		}
	}
	for i := range f.Steps {
		f.Steps[i].HiddenFields = []string{}
	}
	f.CC.MemberIDs, f.CC.RoleIDs, f.CC.At = []string{}, []string{}, "end"
	f.AutoApprove.Applicant, f.AutoApprove.Repeated = true, true
	raw, err := json.Marshal(f)
	if err != nil {
		panic(err) // fixed shapes: cannot fail
	}
	return raw
}

// Text in both languages.
func both(en, zh string) map[string]string { return map[string]string{LangEN: en, LangZH: zh} }

var (
	groupAttendance = [2]string{"Attendance", "假勤"}
	groupFinance    = [2]string{"Finance", "财务"}
	groupGeneral    = [2]string{"General", "通用"}
)

// fieldZH is a field with its Chinese label and options.
type fieldZH struct {
	Field
	zh      string
	options []string
}

func newBuiltin(key string, group [2]string, name, desc [2]string, fields ...fieldZH) Builtin {
	b := Builtin{Key: key, Group: both(group[0], group[1]), Name: both(name[0], name[1]),
		Description: both(desc[0], desc[1]), LabelsZH: map[string]string{}, OptionsZH: map[string][]string{}}
	for _, f := range fields {
		b.Schema = append(b.Schema, b.addZH(f.ID, f))
	}
	return b
}

// addZH records f's Chinese label and options under key and returns f's
// field.
func (b *Builtin) addZH(key string, f fieldZH) Field {
	b.LabelsZH[key] = f.zh
	if f.options != nil {
		b.OptionsZH[key] = f.options
	}
	return f.Field
}

// table gives table field id its columns, with their Chinese labels.
func table(b *Builtin, id string, cols ...fieldZH) {
	for i := range b.Schema {
		if b.Schema[i].ID == id {
			for _, c := range cols {
				b.Schema[i].Columns = append(b.Schema[i].Columns, b.addZH(id+"."+c.ID, c))
			}
		}
	}
}

func fz(f Field, zh string, options ...string) fieldZH {
	return fieldZH{Field: f, zh: zh, options: options}
}

func options(s string) []string { return strings.Split(s, "|") }

func leave() Builtin {
	return newBuiltin(BuiltinLeave, groupAttendance,
		[2]string{"Leave", "请假"},
		[2]string{"Ask for time off: annual, sick, personal and other leave, in whole or half days.", "申请年假、病假、事假等假期，可按天或半天请假。"},
		fz(Field{ID: "type", Type: TypeChoice, Label: "Leave type", Required: true,
			Options: options("Annual|Sick|Personal|Marriage|Maternity|Paternity|Bereavement|Compensatory")},
			"请假类型", options("年假|病假|事假|婚假|产假|陪产假|丧假|调休")...),
		fz(Field{ID: "period", Type: TypeDateRange, Label: "Period", Required: true, Unit: UnitHalfDay}, "请假时间"),
		fz(Field{ID: "reason", Type: TypeTextarea, Label: "Reason", Required: true}, "请假事由"),
		fz(Field{ID: "attachments", Type: TypeAttachment, Label: "Attachments", Multiple: true,
			Help: "A medical certificate for sick leave, for example."}, "附件"),
	)
}

func overtime() Builtin {
	return newBuiltin(BuiltinOvertime, groupAttendance,
		[2]string{"Overtime", "加班"},
		[2]string{"Record overtime in hours, paid or taken back as time off.", "按小时申请加班，选择加班费或调休。"},
		fz(Field{ID: "period", Type: TypeDateRange, Label: "Period", Required: true, Unit: UnitHour}, "加班时间"),
		fz(Field{ID: "compensation", Type: TypeChoice, Label: "Compensation", Required: true,
			Options: options("Pay|Time off")}, "补偿方式", options("加班费|调休")...),
		fz(Field{ID: "reason", Type: TypeTextarea, Label: "Reason", Required: true}, "加班原因"),
	)
}

func trip() Builtin {
	return newBuiltin(BuiltinTrip, groupAttendance,
		[2]string{"Business trip", "出差"},
		[2]string{"Ask to travel for work: where, when, how and at what estimated cost.", "申请出差：目的地、时间、交通工具和预计费用。"},
		fz(Field{ID: "destination", Type: TypeText, Label: "Destination", Required: true}, "目的地"),
		fz(Field{ID: "period", Type: TypeDateRange, Label: "Period", Required: true, Unit: UnitHalfDay}, "出差时间"),
		fz(Field{ID: "transport", Type: TypeChoice, Label: "Transport", Required: true,
			Options: options("Plane|Train|Car|Bus|Ship|Other")}, "交通工具", options("飞机|火车|汽车|大巴|轮船|其他")...),
		fz(Field{ID: "purpose", Type: TypeTextarea, Label: "Purpose", Required: true}, "出差事由"),
		fz(Field{ID: "estimated_cost", Type: TypeMoney, Label: "Estimated cost", Min: "0"}, "预计费用"),
	)
}

// CorrectionKinds are the correction's "kind" options, English then
// Chinese: which check-in the request fills in.
var CorrectionKinds = [2][]string{options("Check-in|Check-out"), options("上班打卡|下班打卡")}

func correction() Builtin {
	return newBuiltin(BuiltinCorrection, groupAttendance,
		[2]string{"Attendance correction", "补卡"},
		[2]string{"Fill in a check-in or check-out you missed: the day, which one and the time. Attendance counts it once approved, within the monthly limit.",
			"补上漏打的上班或下班卡：日期、哪一次和时间。审批通过后计入考勤，受每月补卡次数限制。"},
		fz(Field{ID: "date", Type: TypeDate, Label: "Date", Required: true}, "补卡日期"),
		fz(Field{ID: "kind", Type: TypeChoice, Label: "Check-in or check-out", Required: true, Options: CorrectionKinds[0]},
			"补卡类型", CorrectionKinds[1]...),
		fz(Field{ID: "time", Type: TypeTime, Label: "Time", Required: true, Placeholder: "09:00"}, "补卡时间"),
		fz(Field{ID: "reason", Type: TypeTextarea, Label: "Reason", Required: true}, "补卡原因"),
	)
}

func expense() Builtin {
	b := newBuiltin(BuiltinExpense, groupFinance,
		[2]string{"Expense reimbursement", "报销"},
		[2]string{"Claim back what you spent for work, line by line, with the receipts.", "按明细报销工作中的花费，并上传票据。"},
		fz(Field{ID: "lines", Type: TypeTable, Label: "Expenses", Required: true, Total: "amount"}, "报销明细"),
		fz(Field{ID: "receipts", Type: TypeAttachment, Label: "Receipts", Multiple: true}, "票据"),
		fz(Field{ID: "note", Type: TypeTextarea, Label: "Note"}, "备注"),
	)
	table(&b, "lines",
		fz(Field{ID: "date", Type: TypeDate, Label: "Date", Required: true}, "日期"),
		fz(Field{ID: "category", Type: TypeChoice, Label: "Category", Required: true,
			Options: options("Travel|Meals|Lodging|Transport|Office supplies|Entertainment|Other")},
			"类别", options("差旅|餐饮|住宿|交通|办公用品|招待|其他")...),
		fz(Field{ID: "description", Type: TypeText, Label: "Description"}, "说明"),
		fz(Field{ID: "amount", Type: TypeMoney, Label: "Amount", Required: true, Min: "0"}, "金额"),
	)
	return b
}

func purchase() Builtin {
	b := newBuiltin(BuiltinPurchase, groupFinance,
		[2]string{"Purchase", "采购"},
		[2]string{"Ask to buy goods or services: the items, why, and when they are needed.", "申请采购物品或服务：采购明细、事由和期望交付日期。"},
		fz(Field{ID: "items", Type: TypeTable, Label: "Items", Required: true, Total: "amount"}, "采购明细"),
		fz(Field{ID: "reason", Type: TypeTextarea, Label: "Reason", Required: true}, "采购事由"),
		fz(Field{ID: "delivery_date", Type: TypeDate, Label: "Delivery date"}, "期望交付日期"),
	)
	table(&b, "items",
		fz(Field{ID: "item", Type: TypeText, Label: "Item", Required: true}, "名称"),
		fz(Field{ID: "quantity", Type: TypeNumber, Label: "Quantity", Required: true, Decimals: 2, Min: "0"}, "数量"),
		fz(Field{ID: "unit_price", Type: TypeMoney, Label: "Unit price", Min: "0"}, "单价"),
		fz(Field{ID: "amount", Type: TypeMoney, Label: "Amount", Required: true, Min: "0"}, "金额"),
	)
	return b
}

func general() Builtin {
	return newBuiltin(BuiltinGeneral, groupGeneral,
		[2]string{"General request", "通用审批"},
		[2]string{"Ask for anything the other templates do not cover.", "其他模板未涵盖的事项都可以在这里申请。"},
		fz(Field{ID: "title", Type: TypeText, Label: "Title", Required: true}, "标题"),
		fz(Field{ID: "details", Type: TypeTextarea, Label: "Details", Required: true}, "详细内容"),
		fz(Field{ID: "attachments", Type: TypeAttachment, Label: "Attachments", Multiple: true}, "附件"),
	)
}
