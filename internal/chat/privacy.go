package chat

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Privacy is chat's side of the privacy contract: the export, erasure,
// count and retention of its own tables and files (through the
// table-driven engine, with the rules of store.go), other people's messages
// in the export where an organization allows it, single messages and
// conversation histories erased by a person, and conversations as
// legal-hold targets.
type Privacy struct {
	*sqlmap.Engine
	s *Service
}

var (
	_ datamap.Contract    = (*Privacy)(nil)
	_ datamap.ItemEraser  = (*Privacy)(nil)
	_ datamap.HoldTargets = (*Privacy)(nil)
)

// privacyTables are chat's tables in the data map (datamap.go).
var privacyTables = []string{"conversations", "conversation_members", "messages", "message_edits", "message_reactions",
	"message_hidden", "saved_messages", "message_pins", "chat_files", "chat_notifications", "message_fts"}

// Privacy returns chat's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	var keys sqlmap.Keyring
	if s.Sealer != nil {
		keys = s.Sealer
	}
	return &Privacy{s: s, Engine: sqlmap.New(sqlmap.Config{DB: s.DB, Keys: keys, Files: s.Blobs, Tables: privacyTables,
		Rules: privacyRules(), Log: s.Log})}
}

// Export adds the person's own rows and files, and, where an
// organization's policy allows it, the other people's messages in the
// organization's conversations the person takes part in — read as the
// person, so that exactly what they could already see is exported (nothing
// they cleared or that was deleted).
func (p *Privacy) Export(ctx context.Context, r datamap.ExportRequest, w datamap.ExportWriter) error {
	if err := p.Engine.Export(ctx, r, w); err != nil {
		return err
	}
	for _, o := range r.Orgs {
		if !o.OthersMessages || o.OrgID == "" {
			continue
		}
		if err := p.exportOthers(ctx, r.Subject.AccountID, o, w); err != nil {
			return err
		}
	}
	return nil
}

func (p *Privacy) exportOthers(ctx context.Context, accountID string, o datamap.OrgExport, w datamap.ExportWriter) error {
	as := actor.With(ctx, &actor.Actor{AccountID: accountID, OrgID: o.OrgID, MemberID: o.MemberID})
	convs, err := p.s.List(as)
	if err != nil {
		return err
	}
	for _, conv := range convs {
		if conv.OrgID != o.OrgID {
			continue
		}
		var rows []datamap.Row
		after := int64(0)
		for {
			h, err := p.s.History(as, conv.ID, HistoryQuery{After: &after, Limit: 200})
			if err != nil {
				return err
			}
			for _, m := range h.Items {
				after = m.Seq
				if m.SenderID == accountID {
					continue // the person's own messages are in their own rows
				}
				b, _ := json.Marshal(m)
				var row datamap.Row
				_ = json.Unmarshal(b, &row)
				rows = append(rows, row)
			}
			if !h.HasAfter || len(h.Items) == 0 {
				break
			}
		}
		if len(rows) > 0 {
			w.AddSection(datamap.Section{Table: "messages", Controller: string(datamap.Organization), OrgID: o.OrgID,
				Purpose:    "Other people's messages in the organization's conversations you take part in (" + conv.ID + "), included as the organization allows.",
				Categories: []string{string(datamap.Content)}, Retention: "messages", Note: "others' messages", Rows: rows})
		}
	}
	return nil
}

// Item kinds chat erases for a person.
const (
	ItemMessage      = "message"
	ItemConversation = "conversation"
)

// Erase erases the person's rows as the data map says and, when the
// account itself is erased, destroys the keys of the general groups the
// person was the last member of: nobody is left to read their names,
// topics and announcements (seal.go).
func (p *Privacy) Erase(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	var lone []Conversation
	if r.Scope == datamap.ScopeAccount && r.Subject.AccountID != "" {
		var err error
		if lone, err = soleGeneralGroups(ctx, p.s.DB, r.Subject.AccountID); err != nil {
			return datamap.Erased{}, err
		}
	}
	res, err := p.Engine.Erase(ctx, r)
	if err != nil {
		return res, err
	}
	for i := range lone {
		if err := p.s.forgetGroupKey(ctx, &lone[i]); err != nil {
			return res, err
		}
	}
	return res, nil
}

// ItemKinds: a message (for the caller or for everyone), a conversation's
// history (for the caller).
func (p *Privacy) ItemKinds() []string { return []string{ItemMessage, ItemConversation} }

// EraseItem deletes a message for everyone (the sender within the recall
// window, a group admin any time; held conversations refuse) or for the
// caller, or clears the caller's history of a conversation.
func (p *Privacy) EraseItem(ctx context.Context, it datamap.Item, held datamap.HoldChecker) (datamap.ItemResult, error) {
	switch it.Kind {
	case ItemMessage:
		conv, err := p.s.Get(ctx, it.Container)
		if err != nil {
			return datamap.ItemResult{}, err
		}
		res := datamap.ItemResult{OrgID: conv.OrgID, TargetID: it.ID, Mode: "for_me"}
		if it.ForEveryone {
			res.Mode = "for_everyone"
			return res, p.s.Delete(ctx, it.Container, it.ID, held)
		}
		return res, p.s.Hide(ctx, it.Container, it.ID)
	case ItemConversation:
		conv, err := p.s.Get(ctx, it.ID)
		if err != nil {
			return datamap.ItemResult{}, err
		}
		if it.ForEveryone {
			return datamap.ItemResult{}, apperr.Forbidden("clear_for_everyone_not_allowed", "a conversation's history can be cleared for yourself; delete single messages for everyone instead")
		}
		if _, err := p.s.Clear(ctx, it.ID); err != nil {
			return datamap.ItemResult{}, err
		}
		return datamap.ItemResult{OrgID: conv.OrgID, TargetID: it.ID, Mode: "for_me"}, nil
	}
	return datamap.ItemResult{}, apperr.ErrNotFound
}

// ReplayItem applies a person's erasure again after a restore: a message
// deleted for everyone loses its content again, one deleted for the person
// is hidden again, a cleared history is cleared again up to the time of
// the clear.
func (p *Privacy) ReplayItem(ctx context.Context, kind, mode, accountID, orgID, targetID string, at int64) error {
	switch {
	case kind == ItemMessage && mode == "for_everyone":
		return p.ClearRow(ctx, "messages", targetID, at)
	case kind == ItemMessage && mode == "for_me":
		return p.s.ReplayHide(ctx, targetID, accountID)
	case kind == ItemConversation && mode == "for_me":
		return p.s.ReplayClear(ctx, targetID, accountID, at)
	}
	return nil
}

// Reseal moves the person's work messages, earlier versions and files in
// the organization's groups under the organization's key
// (datamap.Resealer).
func (p *Privacy) Reseal(ctx context.Context, orgID, accountID string) (int, error) {
	return p.s.ResealMessages(ctx, orgID, accountID)
}

// HoldKinds: a legal hold can be placed on a conversation.
func (p *Privacy) HoldKinds() []string { return []string{ItemConversation} }

var _ datamap.HoldNamer = (*Privacy)(nil)

// FindHoldTargets lists the organization's groups whose name contains q
// (datamap.HoldNamer): the names are sealed, so each is opened here and
// compared in memory.
func (p *Privacy) FindHoldTargets(ctx context.Context, orgID, kind, q string, limit int) ([]datamap.NamedTarget, error) {
	if kind != ItemConversation || orgID == "" {
		return []datamap.NamedTarget{}, nil
	}
	cs, err := orgGroups(ctx, p.s.DB, orgID)
	if err != nil {
		return nil, err
	}
	q = strings.ToLower(strings.TrimSpace(q))
	out := []datamap.NamedTarget{}
	for i := range cs {
		if len(out) >= limit {
			break
		}
		c := &cs[i]
		p.s.openProfile(ctx, c)
		if q != "" && !strings.Contains(strings.ToLower(c.Name), q) {
			continue
		}
		out = append(out, datamap.NamedTarget{ID: c.ID, Name: c.Name, Detail: c.Kind})
	}
	return out, nil
}

// HoldTargetName names one of the organization's groups.
func (p *Privacy) HoldTargetName(ctx context.Context, orgID, kind, id string) string {
	if kind != ItemConversation || orgID == "" {
		return ""
	}
	c, err := getConversation(ctx, p.s.DB, id)
	if err != nil || c.OrgID != orgID {
		return ""
	}
	p.s.openProfile(ctx, &c)
	return c.Name
}

// HoldTarget checks that the conversation belongs to the organization.
func (p *Privacy) HoldTarget(ctx context.Context, orgID, kind, id string) (string, error) {
	if kind != ItemConversation || orgID == "" {
		return "", apperr.ErrNotFound
	}
	org, err := conversationOrg(ctx, p.s.DB, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && org != orgID) {
		return "", apperr.ErrNotFound
	}
	return "", err
}
