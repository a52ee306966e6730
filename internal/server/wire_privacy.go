package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
	"github.com/atrium-hq/atrium/internal/privacy"
)

// wirePrivacy builds the privacy center and the background job queue, and
// connects it to the other domains: the directory's leave hook, the
// keyring's legal-hold check, the policy gate in front of every route, the
// restore hook that re-applies erasures, and the per-table rules the data
// map cannot express (files, derived indexes, organizations).
func (a *App) wirePrivacy(ctx context.Context) error {
	q := jobs.New(a.DB, a.Log)
	blobs, err := blob.NewLocal(filepath.Join(a.Cfg.DataDir, "blobs"))
	if err != nil {
		return err
	}
	svc := &privacy.Service{
		DB:     a.DB,
		Keys:   a.Keyring,
		Blobs:  blobs,
		Jobs:   q,
		Log:    a.Log,
		MinAge: a.Cfg.MinAge,
		Mail: func(ctx context.Context, to, subject, body string) error {
			return outbox.Send(ctx, a.DB, outbox.Message{To: to, Subject: subject, Body: body})
		},
		BaseURL: a.Cfg.BaseURL,
	}
	if id := a.Identity(); id != nil {
		svc.Accounts = privacyAccounts{id}
		id.AgeGate = svc
	}
	svc.People = privacyPeople{id: a.Identity(), dir: a.Directory()}
	if dir := a.Directory(); dir != nil {
		svc.Dir = privacyDirectory{dir}
		svc.Fields = privacyFields{dir}
		svc.Members = &privacy.MemberTable{
			Table: "members", IDColumn: "id", AccountColumn: "account_id", OrgColumn: "org_id",
			StatusColumn: "status", ActiveStatus: directory.StatusActive, RoleColumn: "role", OwnerRole: directory.RoleOwner,
			OrgTable: "orgs", OrgIDColumn: "id", OrgDisbandedColumn: "disbanded_at",
		}
		dir.OnMemberLeft(svc.MemberLeft)
	}
	// Rules the data map cannot say: where organizations live, which
	// columns hold file keys, which index mirrors which table.
	svc.AddRule(privacy.TableRule{Table: "orgs", OrgColumn: "id"})
	svc.AddRule(privacy.TableRule{Table: "chat_files", BlobColumn: "blob_key", ExtraBlobColumns: []string{"thumb_key"},
		NameColumn: "name", TypeColumn: "content_type"})
	convOrg := func(table string) string {
		return "(SELECT c.org_id FROM conversations c WHERE c.id = " + table + ".conversation_id)"
	}
	msgOrg := func(table string) string {
		return "(SELECT c.org_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = " + table + ".message_id)"
	}
	svc.AddRule(privacy.TableRule{Table: "messages", Index: &privacy.IndexRef{Table: "message_fts", RowIDColumn: "rid"}, OrgExpr: convOrg("messages"),
		Holds: "message", DeletedAtColumn: "deleted_at", SealedAAD: map[string]string{"location": "chat.location:"},
		ClassBy: &privacy.ClassJoin{Column: "conversation_id", Table: "conversations", Key: "id", KindColumn: "kind", Prefix: "messages.", OrgColumn: "org_id"}})
	svc.AddRule(privacy.TableRule{Table: "conversations", Shared: true})
	svc.AddRule(privacy.TableRule{Table: "conversation_members", OrgExpr: convOrg("conversation_members")})
	svc.AddRule(privacy.TableRule{Table: "message_pins", OrgExpr: convOrg("message_pins")})
	svc.AddRule(privacy.TableRule{Table: "message_edits", OrgExpr: msgOrg("message_edits"), TimeColumn: "edited_at"})
	svc.AddRule(privacy.TableRule{Table: "message_reactions", OrgExpr: msgOrg("message_reactions")})
	// Data keys go only through keyring.Destroy, which honours legal holds.
	svc.AddRule(privacy.TableRule{Table: "data_keys", Skip: true})
	if a.Keyring != nil {
		a.Keyring.Holds = svc
	}
	svc.Messages = privacyMessages{a.Server}
	svc.RegisterExporter(chatExporter{a.Server})
	svc.RegisterJobs(q)
	a.Server.Privacy = svc
	a.Server.Gate = svc.Gate
	a.OnRestore(ReapplyErasures, "privacy.erasures", svc.ReapplyErasures)
	a.OnClose(q.Start())
	return nil
}

// Privacy returns the privacy center, for the CLI and tests.
func (a *App) Privacy() *privacy.Service { return a.Server.Privacy }

// Jobs returns the background job queue (platform/jobs), for other domains
// to register their handlers (Handle, Every) and enqueue work.
func (a *App) Jobs() *jobs.Queue {
	if a.Server.Privacy == nil {
		return nil
	}
	return a.Server.Privacy.Jobs
}

// privacyAccounts adapts identity to privacy.Accounts.
type privacyAccounts struct{ id *identity.Service }

func (x privacyAccounts) BirthDate(ctx context.Context, accountID string) (time.Time, bool, error) {
	acc, err := x.id.GetAccount(ctx, accountID)
	if err != nil {
		return time.Time{}, false, err
	}
	if acc.BirthDate == "" {
		return time.Time{}, false, nil
	}
	t, err := time.Parse("2006-01-02", acc.BirthDate)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("birth date of %s: %w", accountID, err)
	}
	return t, true, nil
}

func (x privacyAccounts) VerifyPassword(ctx context.Context, accountID, password string) error {
	return x.id.VerifyPassword(ctx, accountID, password)
}

func (x privacyAccounts) EndSessions(ctx context.Context, accountID string) error {
	return x.id.EndSessions(ctx, accountID, "")
}

// privacyPeople names organizations and people for privacy's notices and
// readable pages, and gives it the addresses to write to.
type privacyPeople struct {
	id  *identity.Service
	dir *directory.Service
}

func (x privacyPeople) Contact(ctx context.Context, accountID string) (string, string) {
	if x.id == nil {
		return "", ""
	}
	acc, err := x.id.GetAccount(ctx, accountID)
	if err != nil || acc.Status != identity.StatusActive {
		return "", ""
	}
	return acc.Email, acc.Locale
}

func (x privacyPeople) OrgName(ctx context.Context, orgID string) string {
	if x.dir == nil {
		return ""
	}
	return x.dir.OrgName(ctx, orgID)
}

func (x privacyPeople) PersonName(ctx context.Context, orgID, accountID string) string {
	if orgID != "" && x.dir != nil {
		if n, err := x.dir.MemberDisplay(ctx, orgID, accountID); err == nil && n != "" {
			return n
		}
	}
	if x.id == nil {
		return ""
	}
	acc, err := x.id.GetAccount(ctx, accountID)
	if err != nil {
		return ""
	}
	return acc.Name
}

// privacyDirectory adapts the directory to privacy.Directory.
type privacyDirectory struct{ dir *directory.Service }

func (x privacyDirectory) Authorize(ctx context.Context, perm, deptID string) error {
	return x.dir.Authorize(ctx, directory.Permission(perm), deptID)
}

func (x privacyDirectory) QuitOrg(ctx context.Context) error { return x.dir.QuitOrg(ctx) }

func (x privacyDirectory) LookupPhone(ctx context.Context, phone string) (string, string, error) {
	p, err := x.dir.LookupPerson(ctx, directory.LookupRequest{Phone: phone})
	if err != nil {
		return "", "", err
	}
	return p.AccountID, p.Name, nil
}

// privacyFields corrects a member's own profile through the directory,
// which refuses fields the org has locked.
type privacyFields struct{ dir *directory.Service }

func (x privacyFields) UpdateMyProfile(ctx context.Context, fields map[string]*string) error {
	_, err := x.dir.UpdateMember(ctx, "me", profilePatch(fields))
	return err
}

func (x privacyFields) ReplayDeleteFields(ctx context.Context, orgID, accountID string, names []string) error {
	fields := make(map[string]*string, len(names))
	for _, n := range names {
		if n != "" {
			fields[n] = nil
		}
	}
	return x.dir.ReplayProfileErasure(ctx, orgID, accountID, profilePatch(fields))
}

// profilePatch turns privacy's field corrections (nil deletes) into a
// member patch.
func profilePatch(fields map[string]*string) directory.MemberPatch {
	var p directory.MemberPatch
	str := func(v *string) *string {
		if v == nil {
			e := ""
			return &e
		}
		return v
	}
	for k, v := range fields {
		switch k {
		case "display_name":
			p.DisplayName = str(v)
		case "title":
			p.Title = str(v)
		case "employee_no":
			p.EmployeeNo = str(v)
		case "work_phone":
			p.WorkPhone = str(v)
		case "email":
			p.Email = str(v)
		case "office":
			p.Office = str(v)
		case "join_date":
			p.JoinDate = str(v)
		default:
			if p.Fields == nil {
				p.Fields = map[string]json.RawMessage{}
			}
			if v == nil {
				p.Fields[k] = json.RawMessage("null")
			} else {
				b, _ := json.Marshal(*v)
				p.Fields[k] = b
			}
		}
	}
	return p
}

// privacyMessages carries out message and chat-history erasure through chat
// (wired after privacy, hence looked up at call time).
type privacyMessages struct{ s *Server }

func (x privacyMessages) DeleteMessage(ctx context.Context, convID, msgID string, forEveryone bool) (string, error) {
	c := x.s.Chat
	if c == nil {
		return "", apperr.New(apperr.KindUnavailable, "chat_unavailable", "messaging is not available")
	}
	conv, err := c.Get(ctx, convID)
	if err != nil {
		return "", err
	}
	if forEveryone {
		err = c.Delete(ctx, convID, msgID)
	} else {
		err = c.Hide(ctx, convID, msgID)
	}
	return conv.OrgID, err
}

func (x privacyMessages) ClearConversation(ctx context.Context, convID string, forEveryone bool) (string, error) {
	c := x.s.Chat
	if c == nil {
		return "", apperr.New(apperr.KindUnavailable, "chat_unavailable", "messaging is not available")
	}
	if forEveryone {
		return "", apperr.Forbidden("clear_for_everyone_not_allowed", "a conversation's history can be cleared for yourself; delete single messages for everyone instead")
	}
	conv, err := c.Get(ctx, convID)
	if err != nil {
		return "", err
	}
	_, err = c.Clear(ctx, convID)
	return conv.OrgID, err
}

func (x privacyMessages) ReplayClear(ctx context.Context, convID, accountID string, at int64) error {
	if x.s.Chat == nil {
		return nil
	}
	return x.s.Chat.ReplayClear(ctx, convID, accountID, at)
}

func (x privacyMessages) ReplayHide(ctx context.Context, msgID, accountID string) error {
	if x.s.Chat == nil {
		return nil
	}
	return x.s.Chat.ReplayHide(ctx, msgID, accountID)
}

// chatExporter adds, where an organization's policy allows it, the other
// people's messages in the org's conversations the person takes part in —
// read through chat as the person, so that exactly what they could already
// see is exported (nothing they cleared or that was deleted).
type chatExporter struct{ s *Server }

func (x chatExporter) ExportPerson(ctx context.Context, p privacy.Person, o privacy.ExportOptions, w privacy.ExportWriter) error {
	c := x.s.Chat
	if c == nil || o.OrgID == "" || !o.IncludeOthersMessage {
		return nil
	}
	as := actor.With(ctx, &actor.Actor{AccountID: p.AccountID, OrgID: o.OrgID, MemberID: p.MemberID})
	convs, err := c.List(as)
	if err != nil {
		return err
	}
	for _, conv := range convs {
		if conv.OrgID != o.OrgID {
			continue
		}
		var rows []privacy.Row
		after := int64(0)
		for {
			h, err := c.History(as, conv.ID, chat.HistoryQuery{After: &after, Limit: 200})
			if err != nil {
				return err
			}
			for _, m := range h.Items {
				after = m.Seq
				if m.SenderID == p.AccountID {
					continue // the person's own messages are in the generic export
				}
				b, _ := json.Marshal(m)
				var row privacy.Row
				_ = json.Unmarshal(b, &row)
				rows = append(rows, row)
			}
			if !h.HasAfter || len(h.Items) == 0 {
				break
			}
		}
		if len(rows) > 0 {
			w.AddSection(privacy.Section{Table: "messages", Controller: "organization", OrgID: o.OrgID,
				Purpose:    "Other people's messages in the organization's conversations you take part in (" + conv.ID + "), included as the organization allows.",
				Categories: []string{"content"}, Retention: "messages", Note: "others' messages", Rows: rows})
		}
	}
	return nil
}
