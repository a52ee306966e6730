package chat

import (
	"context"
	"errors"
	"slices"
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
	return s.FillCompanyGroup(ctx, orgID, groupID, name, accountID, []string{accountID})
}

// FillCompanyGroup adds accountIDs to the organization's company-wide
// group groupID, in ctx's transaction, and returns the group's id; those
// already in it are skipped. When there is no such group yet — or it was
// dissolved or is not the organization's — a new internal group named name
// is made, owned by ownerID. Once the group is full (MaxGroupMembers) the
// rest are left out: changing the setting never fails because of it. The
// directory calls this when an admin turns the setting on, with every
// active member (an organization made before the setting existed gets its
// group then).
func (s *Service) FillCompanyGroup(ctx context.Context, orgID, groupID, name, ownerID string, accountIDs []string) (string, error) {
	now := s.now()
	c, err := getConversation(ctx, s.DB, groupID)
	if groupID == "" || errors.Is(err, db.ErrNotFound) || (err == nil && (c.Dissolved || c.OrgID != orgID || c.Kind != KindInternal)) {
		c = Conversation{ID: ids.New("cnv"), Kind: KindInternal, OrgID: orgID, Name: companyGroupName(name),
			OwnerID: ownerID, CreatedBy: ownerID, CreatedAt: now, UpdatedAt: now}
		sealed, err := s.sealProfile(ctx, &c)
		if err != nil {
			return "", err
		}
		if err := insertConversation(ctx, s.DB, &c); err != nil {
			return "", err
		}
		if err := insertMember(ctx, s.DB, c.ID, ownerID, RoleOwner, 0, now); err != nil {
			return "", err
		}
		if _, err := events.AppendSealed(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.created",
			profileEvent(map[string]any{"conversation_id": c.ID, "kind": c.Kind, "name": c.Name, "created_by": ownerID}, sealed), sealed); err != nil {
			return "", err
		}
		if err := s.announceMembers(ctx, &c, []string{ownerID}, true); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	n, err := memberCount(ctx, s.DB, c.ID)
	if err != nil {
		return "", err
	}
	var added []string
	for _, acc := range accountIDs {
		if n+1 > MaxGroupMembers {
			break
		}
		if slices.Contains(added, acc) {
			continue
		}
		ok, err := isMember(ctx, s.DB, c.ID, acc)
		if err != nil {
			return "", err
		}
		if ok {
			continue
		}
		if err := insertMember(ctx, s.DB, c.ID, acc, RoleMember, c.LastSeq, now); err != nil {
			return "", err
		}
		added = append(added, acc)
		n++
	}
	if len(added) == 0 {
		return c.ID, nil
	}
	if _, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.members_added",
		map[string]any{"conversation_id": c.ID, "account_ids": added, "by": ""}); err != nil {
		return "", err
	}
	return c.ID, s.announceMembers(ctx, &c, added, true)
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
