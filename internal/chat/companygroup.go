package chat

import (
	"context"
	"errors"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// JoinCompanyGroup adds accountID to the organization's company-wide group
// groupID, in ctx's transaction, and returns the group's id. When there is
// no such group yet — or it was dissolved or is not the organization's —
// a new internal group named name is made, owned by accountID (for a new
// organization: its owner). A full group is left as it is: joining the
// organization never fails because of it. The directory calls this when a
// member joins an organization whose company-wide group setting is on.
func (s *Service) JoinCompanyGroup(ctx context.Context, orgID, groupID, name, accountID string) (string, error) {
	now := s.now()
	c, err := getConversation(ctx, s.DB, groupID)
	if groupID == "" || errors.Is(err, db.ErrNotFound) || (err == nil && (c.Dissolved || c.OrgID != orgID || c.Kind != KindInternal)) {
		c = Conversation{ID: ids.New("cnv"), Kind: KindInternal, OrgID: orgID, Name: companyGroupName(name),
			OwnerID: accountID, CreatedBy: accountID, CreatedAt: now, UpdatedAt: now}
		sealed, err := s.sealProfile(ctx, &c)
		if err != nil {
			return "", err
		}
		if err := insertConversation(ctx, s.DB, &c); err != nil {
			return "", err
		}
		if err := insertMember(ctx, s.DB, c.ID, accountID, RoleOwner, 0, now); err != nil {
			return "", err
		}
		if _, err := events.AppendSealed(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.created",
			profileEvent(map[string]any{"conversation_id": c.ID, "kind": c.Kind, "name": c.Name, "created_by": accountID}, sealed), sealed); err != nil {
			return "", err
		}
		return c.ID, s.announceMembers(ctx, &c, []string{accountID}, true)
	}
	if err != nil {
		return "", err
	}
	if ok, err := isMember(ctx, s.DB, c.ID, accountID); err != nil || ok {
		return c.ID, err
	}
	if n, err := memberCount(ctx, s.DB, c.ID); err != nil || n+1 > MaxGroupMembers {
		return c.ID, err
	}
	if err := insertMember(ctx, s.DB, c.ID, accountID, RoleMember, c.LastSeq, now); err != nil {
		return "", err
	}
	if _, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.members_added",
		map[string]any{"conversation_id": c.ID, "account_ids": []string{accountID}, "by": ""}); err != nil {
		return "", err
	}
	return c.ID, s.announceMembers(ctx, &c, []string{accountID}, true)
}

// companyGroupName is the organization's name, cut to a group name's length.
func companyGroupName(org string) string {
	n := strings.TrimSpace(org)
	if r := []rune(n); len(r) > maxNameRunes {
		n = string(r[:maxNameRunes])
	}
	if n == "" {
		n = "Everyone"
	}
	return n
}
