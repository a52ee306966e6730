package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/atrium-hq/atrium/internal/audit"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/platform/blob"
)

// wireChat builds messaging: its file store under <data-dir>/blobs, the
// directory's answers (colleagues, contacts), the keyring for sealed
// locations, and the hooks back into the directory (a member who leaves an
// organization leaves its internal and external groups; contact requests
// "via a group chat" are checked against chat's groups).
func (a *App) wireChat(ctx context.Context) error {
	dir := a.Server.Directory
	if dir == nil {
		return fmt.Errorf("chat: the directory must be wired first")
	}
	blobs, err := a.blobStore()
	if err != nil {
		return err
	}
	var store blob.Store = blobs
	if a.Keyring != nil {
		// File bytes are encrypted under their uploader's key.
		store = blob.Seal(blobs, a.Keyring)
	}
	svc := chat.New(a.DB, dir, store, a.Log)
	if a.Keyring != nil {
		svc.Sealer = a.Keyring
	}
	if a.Server.Privacy != nil {
		// Chat's side of the privacy contract: its tables and files, the
		// messages and histories people erase, conversations under hold.
		a.Server.Privacy.Register(svc.Privacy())
	}
	dir.OnMemberLeft(svc.MemberLeftOrg)
	if a.Server.Audit != nil {
		// The audit log names conversations by their (sealed) names.
		if ns, ok := a.Server.Audit.Names.(audit.Namers); ok {
			a.Server.Audit.Names = append(ns, conversationNames{svc.Privacy()})
		}
	}
	dir.SetGroupChecker(svc)
	dir.SetCompanyGroups(svc)
	a.Server.Chat = svc
	// Names written before sealing leave the plaintext columns.
	if n, err := dir.SealPlaintextNames(ctx); err != nil {
		a.Log.Error("seal plaintext organization names", "err", err)
	} else if n > 0 {
		a.Log.Info("sealed plaintext organization names", "count", n)
	}
	if n, err := svc.SealPlaintextProfiles(ctx); err != nil {
		a.Log.Error("seal plaintext group profiles", "err", err)
	} else if n > 0 {
		a.Log.Info("sealed plaintext group profiles", "count", n)
	}
	// The writer commits what is queued before the database closes.
	a.OnClose(svc.Close)
	// Message text written before sealing leaves the plaintext columns in
	// the background (there may be much of it); closing stops it first.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if n, err := svc.SealPlaintextMessages(sctx); err != nil && sctx.Err() == nil {
			a.Log.Error("seal plaintext messages", "err", err)
		} else if n > 0 {
			a.Log.Info("sealed plaintext messages", "count", n)
		}
	}()
	a.OnClose(func() { cancel(); <-done })
	return nil
}

// conversationNames names the organization's conversations in its audit
// log (audit.Namer), through chat's naming of legal hold targets.
type conversationNames struct {
	p interface {
		HoldTargetName(ctx context.Context, orgID, kind, id string) string
	}
}

// AuditNames implements audit.Namer for conversation ids.
func (c conversationNames) AuditNames(ctx context.Context, orgID string, ids []string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		if strings.HasPrefix(id, "cnv_") {
			if n := c.p.HoldTargetName(ctx, orgID, chat.ItemConversation, id); n != "" {
				out[id] = n
			}
		}
	}
	return out
}
