package server

import (
	"context"
	"fmt"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/jobs"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
	"github.com/atrium-hq/atrium/internal/platform/perm"
	"github.com/atrium-hq/atrium/internal/privacy"
)

// wirePrivacy builds the privacy center and the background job queue, and
// registers each domain's side of the privacy contract (datamap.Contract):
// identity, the directory (which also says who belongs where), the audit
// log and the kernel's tables here; chat in wireChat. It also connects the
// keyring's legal-hold check, the policy gate in front of every route and
// the restore hook that re-applies erasures. Nothing here knows a table.
func (a *App) wirePrivacy(ctx context.Context) error {
	q := jobs.New(a.DB, a.Log)
	blobs, err := a.blobStore()
	if err != nil {
		return err
	}
	var store blob.Store = blobs
	if a.Keyring != nil {
		// Chat's file bytes are encrypted (blob.Envelope): export reads
		// them decrypted, erasure deletes them.
		store = blob.Seal(blobs, a.Keyring)
	}
	svc := &privacy.Service{
		DB:     a.DB,
		Keys:   a.Keyring,
		Blobs:  store,
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
		svc.Register(id.Privacy())
		id.AgeGate = svc
	}
	svc.People = privacyPeople{id: a.Identity(), dir: a.Directory()}
	if dir := a.Directory(); dir != nil {
		svc.Dir = privacyDirectory{dir}
		p := dir.Privacy()
		svc.Orgs = p
		svc.Register(p)
	}
	if a.Server.Audit != nil {
		svc.Register(a.Server.Audit.Privacy())
	}
	svc.Register(events.Privacy(a.DB))
	svc.Register(outbox.Privacy(a.DB))
	if a.Keyring != nil {
		svc.Register(a.Keyring.Privacy())
		a.Keyring.Holds = svc
	}
	svc.RegisterJobs(q)
	a.Server.Privacy = svc
	a.Server.Gate = svc.Gate
	a.OnRestore(ReapplyErasures, "privacy.erasures", svc.ReapplyErasures)
	// The queue starts in wire, once every domain has registered its
	// contract and its handlers.
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

func (x privacyAccounts) CloseAccount(ctx context.Context, accountID string) error {
	return x.id.CloseAccount(ctx, accountID)
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

func (x privacyDirectory) Authorize(ctx context.Context, p perm.Permission, deptID string) error {
	return x.dir.Authorize(ctx, p, deptID)
}

func (x privacyDirectory) QuitOrg(ctx context.Context) error { return x.dir.QuitOrg(ctx) }

func (x privacyDirectory) LookupPhone(ctx context.Context, phone string) (string, string, error) {
	p, err := x.dir.LookupPerson(ctx, directory.LookupRequest{Phone: phone})
	if err != nil {
		return "", "", err
	}
	return p.AccountID, p.Name, nil
}
