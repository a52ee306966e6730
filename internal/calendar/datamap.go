package calendar

import "github.com/atrium-hq/atrium/internal/platform/datamap"

func init() {
	datamap.Register(datamap.Table{
		Name:       "calendars",
		Title:      datamap.Text{En: "Your calendar, and calendars you set up", Zh: "你的日历和你创建的日历"},
		Why:        datamap.Text{En: "Your personal calendar (its name, color and time zone), and the organization's calendars you created.", Zh: "你的个人日历（名称、颜色和时区），以及你创建的组织日历。"},
		Controller: datamap.Organization,
		Purpose:    "Each member's personal calendar and the organization's shared calendars (team, department, holidays); a personal calendar is deleted with its owner, a shared one stays with its creator replaced.",
		Subject:    []string{"owner_account_id", "owner_member_id", "created_by"},
		Columns: map[string]datamap.Category{
			"owner_account_id": datamap.Identifier,
			"owner_member_id":  datamap.Identifier,
			"created_by":       datamap.Identifier,
		},
		Technical: []string{"id", "org_id", "kind", "name", "description", "color", "time_zone", "seq", "created_at", "updated_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "A personal calendar is deleted with its owner (with its events); an organization calendar is the organization's: erasing its creator replaces them.",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_access",
		Title:      datamap.Text{En: "Calendars shared with you", Zh: "共享给你的日历"},
		Why:        datamap.Text{En: "The organization calendars you were given the right to view or edit by name.", Zh: "组织指名授予你查看或编辑权限的日历。"},
		Controller: datamap.Organization,
		Purpose:    "Who may view or edit each organization calendar: members, departments or roles.",
		Subject:    []string{"subject_id"},
		Columns:    map[string]datamap.Category{"subject_id": datamap.Identifier},
		Technical:  []string{"id", "org_id", "calendar_id", "subject_kind", "level", "created_at"},
		Erasure:    datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_events",
		Title:      datamap.Text{En: "Events you organize", Zh: "你组织的日程"},
		Why:        datamap.Text{En: "The events you created: title, description, place, times, recurrence and reminders.", Zh: "你创建的日程：标题、描述、地点、时间、重复规则和提醒。"},
		Controller: datamap.Organization,
		Purpose:    "Calendar events: title, description, place, times and recurrence, their organizer and reminders; those of a personal calendar go with it, those of an organization calendar stay with the organizer replaced.",
		Subject:    []string{"organizer_account_id", "organizer_member_id"},
		Columns: map[string]datamap.Category{
			"organizer_account_id": datamap.Identifier,
			"organizer_member_id":  datamap.Identifier,
			"title":                datamap.Content,
			"description":          datamap.Content,
			"location":             datamap.Content,
		},
		Technical: []string{"id", "org_id", "calendar_id", "uid", "time_zone", "all_day", "start_local", "end_local", "start_at", "end_at",
			"last_end_at", "rrule", "rdates", "exdates", "visibility", "reminders", "conversation_id", "revision", "seq", "created_at", "updated_at"},
		Erasure: datamap.Anonymize,
		Reason:  "An event in an organization calendar is the organization's and its attendees': erasing its organizer replaces them and leaves the event.",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_overrides",
		Controller: datamap.Organization,
		Purpose:    "Single occurrences of recurring events changed (new time, title, description or place); part of their event and deleted with it.",
		Technical: []string{"id", "org_id", "event_id", "recurrence_at", "title", "description", "location", "start_local", "end_local",
			"start_at", "end_at", "created_at", "updated_at"},
		Erasure: datamap.Keep,
		Reason:  "part of an event (calendar_events), which names its organizer; deleted with the event",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_attendees",
		Title:      datamap.Text{En: "Events you are invited to, and your answers", Zh: "你受邀的日程和你的答复"},
		Why:        datamap.Text{En: "Each invitation: the event, whether you were invited through your department, and your answer (accepted, declined, tentative).", Zh: "每个邀请：日程、是否通过你的部门受邀，以及你的答复（接受、拒绝、待定）。"},
		Controller: datamap.Organization,
		Purpose:    "Who attends each event — members (and the department they were invited through), external people by email, meeting rooms — and their answers.",
		Subject:    []string{"account_id", "member_id"},
		Columns: map[string]datamap.Category{
			"account_id": datamap.Identifier,
			"member_id":  datamap.Identifier,
			"email":      datamap.Contact,
		},
		Technical: []string{"id", "org_id", "event_id", "kind", "room_id", "department_id", "rsvp", "created_at", "updated_at"},
		Erasure:   datamap.Anonymize,
		Reason:    "An external attendee's email is the personal data of that person, who has no account: it goes with the event. A member's answer is anonymized or deleted as the organization's leave policy says.",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_rooms",
		Title:      datamap.Text{En: "Meeting rooms you added", Zh: "你添加的会议室"},
		Why:        datamap.Text{En: "The organization's meeting rooms you added.", Zh: "你添加的组织会议室。"},
		Controller: datamap.Organization,
		Purpose:    "The organization's meeting rooms: name, capacity, place and equipment.",
		Subject:    []string{"created_by"},
		Columns:    map[string]datamap.Category{"created_by": datamap.Identifier},
		Technical:  []string{"id", "org_id", "name", "capacity", "location", "equipment", "archived", "created_at", "updated_at"},
		Erasure:    datamap.Anonymize,
		Reason:     "A room is the organization's: erasing who added it replaces them.",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_reminders",
		Title:      datamap.Text{En: "Event reminders sent to you", Zh: "发给你的日程提醒"},
		Why:        datamap.Text{En: "Which event reminders you were sent, so that each goes once.", Zh: "已发给你的日程提醒，确保每条只发一次。"},
		Controller: datamap.Organization,
		Purpose:    "Which reminders were sent for which occurrence, so that each is sent once.",
		Subject:    []string{"account_id"},
		Columns:    map[string]datamap.Category{"account_id": datamap.Identifier},
		Technical:  []string{"id", "org_id", "event_id", "occurrence_at", "minutes", "created_at"},
		Erasure:    datamap.Delete,
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_tombstones",
		Controller: datamap.Organization,
		Purpose:    "The uids of deleted events and when, in a calendar's change sequence, so that calendar apps syncing learn of the deletion.",
		Technical:  []string{"id", "org_id", "calendar_id", "uid", "seq", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "ids and sequence numbers: no personal data",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_schedule_changes",
		Controller: datamap.Organization,
		Purpose:    "When an event organized by someone else last changed in an attendee's personal calendar's change sequence, so that calendar apps syncing it (CalDAV, RFC 6638) learn of the change; deleted with the calendar.",
		Technical:  []string{"id", "org_id", "calendar_id", "event_id", "uid", "seq", "created_at"},
		Erasure:    datamap.Keep,
		Reason:     "ids and sequence numbers: no personal data; deleted with the personal calendar",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_files",
		Title:      datamap.Text{En: "Files you attached to events", Zh: "你在日程中添加的附件"},
		Why:        datamap.Text{En: "Files attached to calendar events, downloaded by those who may see the event.", Zh: "日程的附件，能查看该日程的人可以下载。"},
		Controller: datamap.Organization,
		Purpose:    "Attachments of calendar events, downloaded by whoever may see the event (the bytes are in the file store, encrypted under the organization's key); those of a personal calendar's events go with it.",
		Subject:    []string{"uploader_id"},
		Columns: map[string]datamap.Category{
			"uploader_id": datamap.Identifier,
			"name":        datamap.Content,
			"sha256":      datamap.Content,
			"blob_key":    datamap.Content,
		},
		Technical: []string{"id", "org_id", "event_id", "position", "content_type", "size", "created_at"},
		Files:     []string{"blob_key"},
		Erasure:   datamap.Anonymize,
		Reason:    "A file attached to an event in an organization calendar is part of the organization's event: erasing its uploader replaces them and leaves it, and it goes (with its bytes) when an edit drops it or its event goes; the files of a personal calendar go with it.",
	})
	datamap.Register(datamap.Table{
		Name:       "calendar_feeds",
		Title:      datamap.Text{En: "Calendar feed links", Zh: "日历订阅链接"},
		Why:        datamap.Text{En: "The secret links you created to subscribe to a calendar from other apps: which calendar and when. Only a hash of each secret is kept, and it is not exported.", Zh: "你为在其他应用中订阅日历而创建的秘密链接：哪个日历、何时创建。只保存每个秘密的摘要，不会导出。"},
		Controller: datamap.Organization,
		Purpose:    "Read-only ICS feeds: a secret URL per calendar and person serving the calendar as that person sees it; only the secret's hash is kept.",
		Subject:    []string{"account_id", "member_id"},
		Columns: map[string]datamap.Category{
			"account_id":  datamap.Identifier,
			"member_id":   datamap.Identifier,
			"secret_hash": datamap.Credentials,
		},
		Technical: []string{"id", "org_id", "calendar_id", "created_at"},
		Erasure:   datamap.Delete,
	})
}
