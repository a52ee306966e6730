package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
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
	}
	if id := a.Identity(); id != nil {
		svc.Accounts = privacyAccounts{id}
	}
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
	svc.AddRule(privacy.TableRule{Table: "messages", Index: &privacy.IndexRef{Table: "message_fts", RowIDColumn: "rid"},
		ClassBy: &privacy.ClassJoin{Column: "conversation_id", Table: "conversations", Key: "id", KindColumn: "kind", Prefix: "messages.", OrgColumn: "org_id"}})
	if a.Keyring != nil {
		a.Keyring.Holds = svc
	}
	svc.RegisterJobs(q)
	a.Server.Privacy = svc
	a.Server.Gate = svc.Gate
	a.OnRestore(ReapplyErasures, "privacy.erasures", svc.ReapplyErasures)
	a.OnClose(q.Start())
	return nil
}

// Privacy returns the privacy center, for the CLI and tests.
func (a *App) Privacy() *privacy.Service { return a.Server.Privacy }

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
	_, err := x.dir.UpdateMember(ctx, "me", p)
	return err
}
