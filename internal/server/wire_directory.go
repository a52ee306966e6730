package server

import (
	"context"
	"fmt"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

// wireDirectory builds the directory (organizations, members, roles, …):
// it resolves members for every request and is the permission check of
// every domain, the audit log's included.
func (a *App) wireDirectory(ctx context.Context) error {
	id := a.Identity()
	if id == nil {
		return fmt.Errorf("directory: identity must be wired first")
	}
	blobs, err := a.blobStore()
	if err != nil {
		return err
	}
	var photos blob.Store = blobs
	if a.Keyring != nil {
		// Profile photos are encrypted under their person's key.
		photos = blob.Seal(blobs, a.Keyring)
	}
	dir := directory.New(directory.Config{
		DB:       a.DB,
		Keyring:  a.Keyring,
		Accounts: accounts{id},
		Log:      a.Log,
		BaseURL:  a.Cfg.BaseURL,
		Blobs:    photos,
		Mail: func(ctx context.Context, to, subject, body string) error {
			return outbox.Send(ctx, a.DB, outbox.Message{To: to, Subject: subject, Body: body})
		},
	})
	dir.SetSessions(id)
	id.Orgs = dir
	// Names and profile fields written before they were sealed are sealed
	// now, once (a later start finds nothing left).
	if n, err := id.ResealNames(ctx); err != nil {
		return fmt.Errorf("identity: seal names written before sealing: %w", err)
	} else if n > 0 {
		a.Log.InfoContext(ctx, "sealed account names written before sealing", "accounts", n)
	}
	if n, err := dir.ResealLegacy(ctx); err != nil {
		return fmt.Errorf("directory: seal profiles written before sealing: %w", err)
	} else if n > 0 {
		a.Log.InfoContext(ctx, "sealed member profiles written before sealing", "rows", n)
	}
	if n, err := dir.SealPlaintextRequests(ctx); err != nil {
		return fmt.Errorf("directory: seal join requests and invitations written before sealing: %w", err)
	} else if n > 0 {
		a.Log.InfoContext(ctx, "sealed join requests and invitation addresses written before sealing", "rows", n)
	}
	if n, err := dir.IndexNameWords(ctx); err != nil {
		return fmt.Errorf("directory: index the words of names: %w", err)
	} else if n > 0 {
		a.Log.InfoContext(ctx, "indexed the words of member names for search", "members", n)
	}
	a.Server.Directory = dir
	a.Server.Members = dir
	if a.Server.Audit != nil {
		a.Server.Audit.Auth = audit.AuthorizerFunc(dir.Authorize)
		a.Server.Audit.Names = audit.Namers{dir}
	}
	return nil
}

// Directory returns the directory service, for the CLI and for wiring other
// domains (permission checks, member-left hooks).
func (a *App) Directory() *directory.Service { return a.Server.Directory }

// announceSetup prints the one-time setup link while no organization
// exists; every start makes a new token and the old one stops working.
func (a *App) announceSetup(ctx context.Context, baseURL string) {
	if a.Server.Directory == nil {
		return
	}
	token, err := a.Server.Directory.PrepareSetup(ctx)
	if err != nil {
		a.Log.Error("prepare first-run setup", "err", err)
		return
	}
	if token != "" {
		fmt.Fprintf(a.Out, "Open %s/setup?token=%s to create the first organization\n", baseURL, token)
	}
}

// accounts adapts the identity service to what the directory needs.
type accounts struct{ id *identity.Service }

func fromIdentity(a identity.Account) directory.Account {
	return directory.Account{ID: a.ID, Name: a.Name, Email: a.Email, Phone: a.Phone, Status: a.Status}
}

func (x accounts) CreateAccount(ctx context.Context, n directory.NewAccount) (directory.Account, error) {
	a, err := x.id.CreateAccount(ctx, identity.NewAccount{Email: n.Email, Password: n.Password, Name: n.Name})
	return fromIdentity(a), err
}

func (x accounts) AccountByEmail(ctx context.Context, email string) (directory.Account, error) {
	a, err := x.id.AccountByEmail(ctx, email)
	return fromIdentity(a), err
}

func (x accounts) AccountByPhone(ctx context.Context, phone string) (directory.Account, error) {
	a, err := x.id.AccountByPhone(ctx, phone)
	return fromIdentity(a), err
}

func (x accounts) GetAccount(ctx context.Context, id string) (directory.Account, error) {
	a, err := x.id.GetAccount(ctx, id)
	return fromIdentity(a), err
}

func (x accounts) VerifyPassword(ctx context.Context, accountID, password string) error {
	return x.id.VerifyPassword(ctx, accountID, password)
}

func (x accounts) SetSessionOrg(ctx context.Context, sessionID, orgID string) error {
	return x.id.SetSessionOrg(ctx, sessionID, orgID)
}

// EndOrgSessions ends the account's sessions in orgID (its own current
// session, when the account is the caller, stays without an organization).
func (x accounts) EndOrgSessions(ctx context.Context, accountID, orgID string) error {
	return x.id.EndOrgSessions(ctx, accountID, orgID)
}
