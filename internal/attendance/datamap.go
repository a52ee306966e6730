package attendance

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "attendance_groups",
		Title:      datamap.Text{En: "Attendance groups you set up", Zh: "你设置的考勤组"},
		Why:        datamap.Text{En: "The organization's attendance groups: whom they cover, their hours, shifts, places and networks.", Zh: "组织的考勤组：适用人员、工作时间、班次、打卡地点和网络。"},
		Controller: datamap.Organization,
		Purpose:    "The organization's attendance groups: whom they cover and their rules (hours, shifts, working days, places, networks, grace, corrections).",
		Subject:    []string{"created_by"},
		Columns: map[string]datamap.Category{
			"created_by": datamap.Identifier,
			"members":    datamap.Identifier,
		},
		Technical: []string{"id", "org_id", "name", "rules", "archived", "created_at", "updated_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A group is the organization's, not its designer's: erasing the designer replaces them and leaves the group.",
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_roster",
		Title:      datamap.Text{En: "Your shifts", Zh: "你的排班"},
		Why:        datamap.Text{En: "The shift you work each day in a shift group.", Zh: "你在排班制考勤组中每天的班次。"},
		Controller: datamap.Organization,
		Purpose:    "The shift each member of a shift group works each day, which decides their hours.",
		Subject:    []string{"member_id"},
		Columns:    map[string]datamap.Category{"member_id": datamap.Identifier},
		Technical:  []string{"id", "org_id", "group_id", "day", "shift_id", "created_at"},
		Retention:  "attendance",
		Erasure:    datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_holidays",
		Controller: datamap.Organization,
		Purpose:    "The organization's holidays and make-up workdays.",
		Technical:  []string{"id", "org_id", "day", "kind", "name", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "the organization's calendar: no personal data",
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_punches",
		Title:      datamap.Text{En: "Your check-ins", Zh: "你的打卡记录"},
		Why:        datamap.Text{En: "Each check-in and check-out: when, for which day, whether it was in the allowed area and how far from the nearest place, never the position itself.", Zh: "每次上下班打卡：时间、所属日期、是否在考勤范围内以及离最近地点的距离，不含位置本身。"},
		Controller: datamap.Organization,
		Purpose:    "Check-ins and check-outs: time, work day, in or out of the area, distance to the nearest place and what matched, to decide the day's result.",
		Subject:    []string{"member_id", "account_id"},
		Columns: map[string]datamap.Category{
			"member_id":  datamap.Identifier,
			"account_id": datamap.Identifier,
			"client_id":  datamap.Identifier,
			"in_area":    datamap.Location,
			"distance_m": datamap.Location,
			"matched":    datamap.Location,
		},
		Technical: []string{"id", "org_id", "group_id", "kind", "day", "at", "method", "created_at"},
		Retention: "attendance",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_locations",
		Title:      datamap.Text{En: "Where you checked in", Zh: "你打卡时的位置"},
		Why:        datamap.Text{En: "The raw position, Wi-Fi access point and network address your device sent with a check-in, and your note, sealed with your key and erased after the group's location retention (90 days by default).", Zh: "打卡时设备发送的原始位置、Wi-Fi 接入点和网络地址以及你的备注，用你的密钥加密，超过考勤组的位置保留期（默认 90 天）后删除。"},
		Controller: datamap.Organization,
		Purpose:    "The raw position, BSSID, address and note of each check-in, kept only to answer disputes about a decision and erased after the group's location retention (default 90 days).",
		Subject:    []string{"member_id", "account_id"},
		Columns: map[string]datamap.Category{
			"member_id":  datamap.Identifier,
			"account_id": datamap.Identifier,
			"raw":        datamap.Location,
			"sealed_key": datamap.Identifier,
		},
		Sealed: map[string]datamap.Seal{
			"raw": {AAD: "attendance_locations.raw:", OwnerColumn: "sealed_key", Owner: "the person's key (acc_…): lat, lng, bssid, ip and note together"},
		},
		Technical: []string{"id", "org_id", "created_at", "expires_at"},
		Retention: "location",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_days",
		Title:      datamap.Text{En: "Your attendance days", Zh: "你的每日考勤结果"},
		Why:        datamap.Text{En: "Each working day's result: first in, last out, late or early minutes, leave, overtime and corrections.", Zh: "每个工作日的结果：最早上班、最晚下班、迟到或早退分钟数、请假、加班和补卡。"},
		Controller: datamap.Organization,
		Purpose:    "Each member's day result under the rules in force that day, for their own month, their supervisors and the organization's reports.",
		Subject:    []string{"member_id", "account_id"},
		Columns: map[string]datamap.Category{
			"member_id":   datamap.Identifier,
			"account_id":  datamap.Identifier,
			"out_of_area": datamap.Location,
			"leave_type":  datamap.Profile,
		},
		Technical: []string{"id", "org_id", "group_id", "department_id", "day", "workday", "shift_id", "start_at", "end_at", "first_in",
			"last_out", "late_minutes", "early_minutes", "leave_part", "overtime_minutes", "corrected", "created_at", "updated_at"},
		Retention: "attendance",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_adjustments",
		Title:      datamap.Text{En: "Leave, trips, overtime and corrections applied to your attendance", Zh: "计入你考勤的请假、出差、加班和补卡"},
		Why:        datamap.Text{En: "Approved requests attendance applied (or refused over the correction limit), with their dates.", Zh: "考勤采用（或因超过补卡次数而拒绝）的已批准申请及其日期。"},
		Controller: datamap.Organization,
		Purpose:    "Approved leave, trips, overtime and corrections as they adjust a member's days.",
		Subject:    []string{"member_id", "account_id"},
		Columns: map[string]datamap.Category{
			"member_id":  datamap.Identifier,
			"account_id": datamap.Identifier,
			"request_id": datamap.Identifier,
			"detail":     datamap.Profile,
		},
		Technical: []string{"id", "org_id", "kind", "first_day", "last_day", "status", "created_at"},
		Retention: "attendance",
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_reminders",
		Title:      datamap.Text{En: "Check-in reminders sent to you", Zh: "发给你的打卡提醒"},
		Why:        datamap.Text{En: "Which check-in and check-out reminders you were sent, so each goes once.", Zh: "已发给你的上下班打卡提醒，确保每条只发一次。"},
		Controller: datamap.Organization,
		Purpose:    "Which check-in and check-out reminders were sent, so each is sent once.",
		Subject:    []string{"member_id"},
		Columns:    map[string]datamap.Category{"member_id": datamap.Identifier},
		Technical:  []string{"id", "org_id", "day", "kind", "created_at"},
		Retention:  "attendance",
		Erasure:    datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_notices",
		Title:      datamap.Text{En: "Your acknowledgement of the attendance notice", Zh: "你对考勤告知的确认"},
		Why:        datamap.Text{En: "When you acknowledged what attendance collects, who sees it and for how long.", Zh: "你确认知悉考勤收集哪些数据、谁能看到以及保存多久的时间。"},
		Controller: datamap.Organization,
		Purpose:    "The member's acknowledgement of the attendance notice, which check-ins require.",
		Subject:    []string{"member_id", "account_id"},
		Columns: map[string]datamap.Category{
			"member_id":  datamap.Identifier,
			"account_id": datamap.Consent,
		},
		Technical: []string{"id", "org_id", "version", "created_at"},
		Erasure:   datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "attendance_cursor",
		Controller: datamap.System,
		Purpose:    "The position in the event log up to which approvals were applied.",
		Technical:  []string{"name", "position"},
		Erasure:    datamap.Keep,
		Reason:     "a counter: no personal data",
	})
}
