package chat

import (
	"context"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/safetext"
)

// Limits of conversations.
const (
	MaxGroupMembers   = 2000
	maxNameRunes      = 100
	maxTopicRunes     = 500
	maxAnnounceRunes  = 5000
	maxMembersPerCall = 500
)

// CreateInput is the body of a conversation creation.
type CreateInput struct {
	Kind      string   `json:"kind"`
	Name      string   `json:"name,omitempty"`
	Topic     string   `json:"topic,omitempty"`
	MemberIDs []string `json:"member_ids"`
}

func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		return apperr.InvalidField(field, field+" is too long").With("max_runes", max)
	}
	return nil
}

// checkName checks a group's name: its length, and no control or
// text-direction characters that could make it read as something else
// (400 unsafe_characters).
func checkName(v string) error {
	if err := checkText("name", v, maxNameRunes); err != nil {
		return err
	}
	return safetext.Check("name", v)
}

// mayAdd checks that adder may bring account into a conversation of kind
// (owned by orgID): general groups take the adder's contacts, internal
// groups active members of the org, external groups both.
func (s *Service) mayAdd(ctx context.Context, kind, orgID, adder, account string) error {
	ok := false
	switch kind {
	case KindGeneral:
		ok = s.Directory.AreContacts(ctx, adder, account)
	case KindInternal:
		ok = s.Directory.IsActiveMember(ctx, orgID, account)
	case KindExternal:
		ok = s.Directory.IsActiveMember(ctx, orgID, account) || s.Directory.AreContacts(ctx, adder, account)
	}
	if !ok {
		return apperr.Forbidden("member_not_allowed", "this person cannot be added to this conversation").With("account_id", account)
	}
	return nil
}

// mayMessageDirect reports whether a may start a direct conversation with
// b: they are contacts, or colleagues in a's current organization.
func (s *Service) mayMessageDirect(ctx context.Context, a *actor.Actor, b string) bool {
	if s.Directory.AreContacts(ctx, a.AccountID, b) {
		return true
	}
	return a.OrgID != "" && s.Directory.IsActiveMember(ctx, a.OrgID, a.AccountID) && s.Directory.IsActiveMember(ctx, a.OrgID, b)
}

func dedupe(in []string, except string) []string {
	seen := map[string]bool{except: true}
	out := make([]string, 0, len(in))
	for _, id := range in {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// Create creates a conversation. A direct conversation is created at most
// once per pair: asking again returns the existing one with created false.
func (s *Service) Create(ctx context.Context, in CreateInput) (Conversation, bool, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return Conversation{}, false, err
	}
	members := dedupe(in.MemberIDs, a.AccountID)
	if len(members) > maxMembersPerCall {
		return Conversation{}, false, apperr.Invalid("too_many_members", "too many members in one request").With("max", maxMembersPerCall)
	}
	now := s.now()
	c := Conversation{ID: ids.New("cnv"), Kind: in.Kind, CreatedBy: a.AccountID, CreatedAt: now, UpdatedAt: now}
	switch in.Kind {
	case KindDirect:
		if len(members) != 1 || in.Name != "" || in.Topic != "" {
			return Conversation{}, false, apperr.Invalid("direct_needs_one_member", "a direct conversation takes exactly one other person in member_ids and no name or topic")
		}
		peer := members[0]
		pair := []string{a.AccountID, peer}
		sort.Strings(pair)
		c.pairKey = pair[0] + ":" + pair[1]
		if id, err := directByPair(ctx, s.DB, c.pairKey); err == nil {
			v, err := s.Get(ctx, id)
			return v, false, err
		} else if !errors.Is(err, db.ErrNotFound) {
			return Conversation{}, false, err
		}
		if !s.mayMessageDirect(ctx, a, peer) {
			return Conversation{}, false, apperr.Forbidden("member_not_allowed", "you can message this person once you are contacts or colleagues").With("account_id", peer)
		}
	case KindGeneral, KindInternal, KindExternal:
		if err := checkName(in.Name); err != nil {
			return Conversation{}, false, err
		}
		if err := checkText("topic", in.Topic, maxTopicRunes); err != nil {
			return Conversation{}, false, err
		}
		c.Name, c.Topic, c.OwnerID = strings.TrimSpace(in.Name), in.Topic, a.AccountID
		if in.Kind != KindGeneral {
			if a.OrgID == "" {
				return Conversation{}, false, apperr.New(apperr.KindForbidden, "no_organization", "internal and external groups belong to an organization: switch to one first")
			}
			c.OrgID = a.OrgID
		}
		if len(members)+1 > MaxGroupMembers {
			return Conversation{}, false, apperr.Invalid("group_full", "a group has at most 2000 members").With("max", MaxGroupMembers)
		}
		for _, m := range members {
			if err := s.mayAdd(ctx, c.Kind, c.OrgID, a.AccountID, m); err != nil {
				return Conversation{}, false, err
			}
		}
	default:
		return Conversation{}, false, apperr.InvalidField("kind", "kind must be direct, general, internal or external")
	}
	sealed, err := s.sealProfile(ctx, &c)
	if err != nil {
		return Conversation{}, false, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if err := insertConversation(ctx, s.DB, &c); err != nil {
			return err
		}
		role := RoleOwner
		if c.Kind == KindDirect {
			role = RoleMember
		}
		if err := insertMember(ctx, s.DB, c.ID, a.AccountID, role, 0, now); err != nil {
			return err
		}
		for _, m := range members {
			if err := insertMember(ctx, s.DB, c.ID, m, RoleMember, 0, now); err != nil {
				return err
			}
		}
		if _, err := events.AppendSealed(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.created",
			profileEvent(map[string]any{"conversation_id": c.ID, "kind": c.Kind, "name": c.Name, "created_by": a.AccountID}, sealed), sealed); err != nil {
			return err
		}
		return s.announceMembers(ctx, &c, append([]string{a.AccountID}, members...), true)
	})
	if errors.Is(err, db.ErrConflict) && c.Kind == KindDirect {
		// Both people opened the conversation at the same moment.
		if id, err := directByPair(ctx, s.DB, c.pairKey); err == nil {
			v, err := s.Get(ctx, id)
			return v, false, err
		}
	}
	if err != nil {
		return Conversation{}, false, err
	}
	v, err := s.Get(ctx, c.ID)
	return v, true, err
}

// announceMembers appends the account-scoped events that tell each
// person's sockets to start (added) or stop (removed) following c.
func (s *Service) announceMembers(ctx context.Context, c *Conversation, accounts []string, added bool) error {
	typ := "conversation.member_removed"
	if added {
		typ = "conversation.member_added"
	}
	for _, acc := range accounts {
		if _, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeAccount, acc, typ, map[string]any{"conversation_id": c.ID}); err != nil {
			return err
		}
	}
	return nil
}

// List returns the caller's conversations: pinned first, then by latest
// activity, each with its unread count and its last message.
func (s *Service) List(ctx context.Context) ([]Conversation, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := listViews(ctx, s.DB, a.AccountID)
	if cs == nil && err == nil {
		cs = []Conversation{}
	}
	if err != nil {
		return nil, err
	}
	for i := range cs {
		s.openProfile(ctx, &cs[i])
	}
	s.lastMessages(ctx, a.AccountID, cs)
	return cs, nil
}

// Get returns one conversation as the caller sees it.
func (s *Service) Get(ctx context.Context, convID string) (Conversation, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return Conversation{}, err
	}
	s.openProfile(ctx, c)
	if c.UnreadCount, err = unreadCount(ctx, s.DB, c, me); err != nil {
		return Conversation{}, err
	}
	ms, err := listMembers(ctx, s.DB, c.ID)
	if err != nil {
		return Conversation{}, err
	}
	c.MemberCount = len(ms)
	c.CanMentionAll = c.isGroup() && !c.Dissolved && s.mayMentionAll(ctx, c)
	if c.Kind == KindDirect {
		for _, m := range ms {
			if m.AccountID != me {
				c.PeerID = m.AccountID
			}
		}
		c.PeerGone = c.PeerID == ""
	}
	return *c, nil
}

// UpdateInput changes a group's name, topic or announcement; nil fields
// stay as they are.
type UpdateInput struct {
	Name         *string `json:"name,omitempty"`
	Topic        *string `json:"topic,omitempty"`
	Announcement *string `json:"announcement,omitempty"`
}

// Update renames a group or sets its topic or announcement (owner and
// admins).
func (s *Service) Update(ctx context.Context, convID string, in UpdateInput) (Conversation, error) {
	c, _, err := s.view(ctx, convID)
	if err != nil {
		return Conversation{}, err
	}
	if err := s.groupAdmin(c); err != nil {
		return Conversation{}, err
	}
	s.openProfile(ctx, c)
	if in.Name != nil {
		if err := checkName(*in.Name); err != nil {
			return Conversation{}, err
		}
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.Topic != nil {
		if err := checkText("topic", *in.Topic, maxTopicRunes); err != nil {
			return Conversation{}, err
		}
		c.Topic = *in.Topic
	}
	if in.Announcement != nil {
		if err := checkText("announcement", *in.Announcement, maxAnnounceRunes); err != nil {
			return Conversation{}, err
		}
		c.Announcement = *in.Announcement
	}
	c.UpdatedAt = s.now()
	sealed, err := s.sealProfile(ctx, c)
	if err != nil {
		return Conversation{}, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if err := updateConversation(ctx, s.DB, c); err != nil {
			return err
		}
		_, err := events.AppendSealed(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.updated",
			profileEvent(map[string]any{"conversation_id": c.ID, "name": c.Name, "topic": c.Topic, "announcement": c.Announcement}, sealed), sealed)
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, convID)
}

// groupAdmin checks that the caller administers a live group.
func (s *Service) groupAdmin(c *Conversation) error {
	if !c.isGroup() {
		return apperr.Invalid("not_a_group", "direct conversations have no settings of this kind")
	}
	if c.Dissolved {
		return errDissolved
	}
	if !c.isAdmin() {
		return apperr.Forbidden("not_group_admin", "only the group's owner and admins may do this")
	}
	return nil
}

// Members lists a conversation's members.
func (s *Service) Members(ctx context.Context, convID string) ([]Member, error) {
	c, _, err := s.view(ctx, convID)
	if err != nil {
		return nil, err
	}
	ms, err := listMembers(ctx, s.DB, c.ID)
	if err != nil || s.Reach == nil {
		return ms, err
	}
	ids := make([]string, len(ms))
	for i := range ms {
		ids[i] = ms[i].AccountID
	}
	st := s.Reach.Statuses(ctx, ids)
	for i := range ms {
		if v, ok := st[ms[i].AccountID]; ok {
			ms[i].Status = &v
		}
	}
	return ms, nil
}

// AddMembers adds people to a group (owner and admins), each by the rules
// of the group's kind. People already in it are skipped.
func (s *Service) AddMembers(ctx context.Context, convID string, accountIDs []string) ([]Member, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return nil, err
	}
	if err := s.groupAdmin(c); err != nil {
		return nil, err
	}
	add := dedupe(accountIDs, me)
	if len(add) == 0 {
		return nil, apperr.InvalidField("account_ids", "account_ids lists nobody to add")
	}
	if len(add) > maxMembersPerCall {
		return nil, apperr.Invalid("too_many_members", "too many members in one request").With("max", maxMembersPerCall)
	}
	for _, id := range add {
		if err := s.mayAdd(ctx, c.Kind, c.OrgID, me, id); err != nil {
			return nil, err
		}
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		cur, err := getConversation(ctx, s.DB, c.ID)
		if err != nil {
			return err
		}
		n, err := memberCount(ctx, s.DB, c.ID)
		if err != nil {
			return err
		}
		var added []string
		now := s.now()
		for _, id := range add {
			if ok, err := isMember(ctx, s.DB, c.ID, id); err != nil {
				return err
			} else if ok {
				continue
			}
			if n+1 > MaxGroupMembers {
				return apperr.Invalid("group_full", "a group has at most 2000 members").With("max", MaxGroupMembers)
			}
			if err := insertMember(ctx, s.DB, c.ID, id, RoleMember, cur.LastSeq, now); err != nil {
				return err
			}
			n++
			added = append(added, id)
		}
		if len(added) == 0 {
			return nil
		}
		if _, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.members_added",
			map[string]any{"conversation_id": c.ID, "account_ids": added, "by": me}); err != nil {
			return err
		}
		return s.announceMembers(ctx, c, added, true)
	})
	if err != nil {
		return nil, err
	}
	return listMembers(ctx, s.DB, c.ID)
}

// removeLocked removes accountID from c in ctx's transaction, handing the
// ownership on when the owner goes (to the longest-standing admin, else the
// longest-standing member; of an organization's group, one of its members)
// and dissolving a group left without anyone to own it.
func (s *Service) removeLocked(ctx context.Context, c *Conversation, accountID, by, reason string) error {
	ms, err := listMembers(ctx, s.DB, c.ID)
	if err != nil {
		return err
	}
	var leaving *Member
	var admins, others []*Member
	for i := range ms {
		m := &ms[i]
		switch {
		case m.AccountID == accountID:
			leaving = m
		case m.Role == RoleAdmin:
			admins = append(admins, m)
		default:
			others = append(others, m)
		}
	}
	if leaving == nil {
		return apperr.ErrNotFound
	}
	// The heir: the longest-standing admin, else member — and of an
	// organization's group, one of the organization's active members, as
	// a transfer requires (an outside contact never inherits it).
	var heir *Member
	if leaving.Role == RoleOwner && c.isGroup() {
		for _, m := range append(admins, others...) {
			if !c.orgOwned() || s.Directory.IsActiveMember(ctx, c.OrgID, m.AccountID) {
				heir = m
				break
			}
		}
	}
	now := s.now()
	if _, err := deleteMember(ctx, s.DB, c.ID, accountID); err != nil {
		return err
	}
	if _, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.members_removed",
		map[string]any{"conversation_id": c.ID, "account_ids": []string{accountID}, "by": by, "reason": reason}); err != nil {
		return err
	}
	if err := s.announceMembers(ctx, c, []string{accountID}, false); err != nil {
		return err
	}
	if leaving.Role == RoleOwner && c.isGroup() {
		if heir == nil {
			if err := setDissolved(ctx, s.DB, c.ID, now); err != nil {
				return err
			}
			if err := s.forgetGroupKey(ctx, c); err != nil {
				return err
			}
			_, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.dissolved",
				map[string]any{"conversation_id": c.ID, "by": by})
			return err
		}
		return s.transferLocked(ctx, c, accountID, heir.AccountID, false)
	}
	return nil
}

func (s *Service) transferLocked(ctx context.Context, c *Conversation, from, to string, keepOld bool) error {
	if err := setRole(ctx, s.DB, c.ID, to, RoleOwner); err != nil {
		return err
	}
	if keepOld {
		if err := setRole(ctx, s.DB, c.ID, from, RoleAdmin); err != nil {
			return err
		}
	}
	if err := setOwner(ctx, s.DB, c.ID, to, s.now()); err != nil {
		return err
	}
	if err := s.record(ctx, c.OrgID, "chat.conversation.transfer", "conversation", c.ID,
		map[string]any{"from": from, "to": to}); err != nil {
		return err
	}
	_, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.owner_changed",
		map[string]any{"conversation_id": c.ID, "from": from, "to": to})
	return err
}

// RemoveMember removes someone from a group: the owner removes anyone, an
// admin removes plain members. Removing oneself is leaving.
func (s *Service) RemoveMember(ctx context.Context, convID, accountID string) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	if accountID == me {
		return s.Leave(ctx, convID)
	}
	if err := s.groupAdmin(c); err != nil {
		return err
	}
	return s.tx(ctx, func(ctx context.Context) error {
		target, err := getView(ctx, s.DB, c.ID, accountID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if target.Role == RoleOwner || (target.Role == RoleAdmin && c.Role != RoleOwner) {
			return apperr.Forbidden("cannot_remove", "only the owner may remove an admin, and nobody may remove the owner")
		}
		return s.removeLocked(ctx, c, accountID, me, "removed")
	})
}

// Leave takes the caller out of a group. An owner who leaves hands the
// group to an admin (or the longest-standing member).
func (s *Service) Leave(ctx context.Context, convID string) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	if !c.isGroup() {
		return apperr.Invalid("cannot_leave_direct", "a direct conversation cannot be left; clear its history instead")
	}
	return s.tx(ctx, func(ctx context.Context) error {
		return s.removeLocked(ctx, c, me, me, "left")
	})
}

// SetRole makes a member an admin or a plain member again (owner only).
func (s *Service) SetRole(ctx context.Context, convID, accountID, role string) error {
	c, _, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	if err := s.groupAdmin(c); err != nil {
		return err
	}
	if c.Role != RoleOwner {
		return apperr.Forbidden("not_group_owner", "only the group's owner may change roles")
	}
	if role != RoleAdmin && role != RoleMember {
		return apperr.InvalidField("role", "role must be admin or member (use transfer to change the owner)")
	}
	return s.tx(ctx, func(ctx context.Context) error {
		t, err := getView(ctx, s.DB, c.ID, accountID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		if t.Role == RoleOwner {
			return apperr.Invalid("owner_role", "transfer the ownership instead")
		}
		if err := setRole(ctx, s.DB, c.ID, accountID, role); err != nil {
			return err
		}
		_, err = events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.role_changed",
			map[string]any{"conversation_id": c.ID, "account_id": accountID, "role": role})
		return err
	})
}

// Transfer hands the ownership of a group to another member (owner only);
// the old owner stays as an admin. Audited.
func (s *Service) Transfer(ctx context.Context, convID, to string) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	if err := s.groupAdmin(c); err != nil {
		return err
	}
	if c.Role != RoleOwner {
		return apperr.Forbidden("not_group_owner", "only the group's owner may transfer it")
	}
	if to == me {
		return apperr.InvalidField("account_id", "you already own this group")
	}
	if c.orgOwned() && !s.Directory.IsActiveMember(ctx, c.OrgID, to) {
		return apperr.Forbidden("member_not_allowed", "the owner of an organization's group must be one of its members").With("account_id", to)
	}
	return s.tx(ctx, func(ctx context.Context) error {
		if ok, err := isMember(ctx, s.DB, c.ID, to); err != nil {
			return err
		} else if !ok {
			return apperr.ErrNotFound
		}
		return s.transferLocked(ctx, c, me, to, true)
	})
}

// Dissolve ends a group (owner only): nobody can post any more; members
// keep the history. Audited.
func (s *Service) Dissolve(ctx context.Context, convID string) error {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return err
	}
	if err := s.groupAdmin(c); err != nil {
		return err
	}
	if c.Role != RoleOwner {
		return apperr.Forbidden("not_group_owner", "only the group's owner may dissolve it")
	}
	return s.tx(ctx, func(ctx context.Context) error {
		if err := setDissolved(ctx, s.DB, c.ID, s.now()); err != nil {
			return err
		}
		if err := s.record(ctx, c.OrgID, "chat.conversation.dissolve", "conversation", c.ID, map[string]any{"kind": c.Kind}); err != nil {
			return err
		}
		_, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeConversation, c.ID, "conversation.dissolved",
			map[string]any{"conversation_id": c.ID, "by": me})
		return err
	})
}

// MySettings are the caller's own settings of a conversation.
type MySettings struct {
	Muted  *bool `json:"muted,omitempty"`
	Pinned *bool `json:"pinned,omitempty"`
	// Unread marks the conversation unread for me (true) or takes the
	// mark away (false).
	Unread *bool `json:"unread,omitempty"`
}

// SetMine mutes, pins or marks unread a conversation for the caller.
func (s *Service) SetMine(ctx context.Context, convID string, in MySettings) (Conversation, error) {
	c, me, err := s.view(ctx, convID)
	if err != nil {
		return Conversation{}, err
	}
	err = s.tx(ctx, func(ctx context.Context) error {
		if in.Muted != nil {
			if err := setMuted(ctx, s.DB, c.ID, me, *in.Muted); err != nil {
				return err
			}
			c.Muted = *in.Muted
		}
		if in.Pinned != nil {
			at := int64(0)
			if *in.Pinned {
				at = s.now()
			}
			if err := setPinnedAt(ctx, s.DB, c.ID, me, at); err != nil {
				return err
			}
			c.Pinned = *in.Pinned
		}
		if in.Unread != nil {
			if err := setMarkedUnread(ctx, s.DB, c.ID, me, *in.Unread); err != nil {
				return err
			}
			c.MarkedUnread = *in.Unread
		}
		_, err := events.Append(ctx, s.DB, c.OrgID, events.ScopeAccount, me, "conversation.settings",
			map[string]any{"conversation_id": c.ID, "muted": c.Muted, "pinned": c.Pinned, "marked_unread": c.MarkedUnread})
		return err
	})
	if err != nil {
		return Conversation{}, err
	}
	return s.Get(ctx, convID)
}

// MemberLeftOrg takes an account that left (or was removed from) an
// organization out of every internal and external group of that
// organization, in ctx's transaction. The directory calls it through its
// OnMemberLeft hook.
func (s *Service) MemberLeftOrg(ctx context.Context, orgID, accountID string) error {
	return s.tx(ctx, func(ctx context.Context) error {
		cs, err := orgGroupsOf(ctx, s.DB, orgID, accountID)
		if err != nil {
			return err
		}
		for i := range cs {
			if err := s.removeLocked(ctx, &cs[i], accountID, "", "left_organization"); err != nil {
				return err
			}
		}
		return nil
	})
}

// ShareGroup reports whether a and b are both members of the group
// conversation (the directory's check for contact requests made "via a
// group chat").
func (s *Service) ShareGroup(ctx context.Context, conversationID, a, b string) bool {
	c, err := getConversation(ctx, s.DB, conversationID)
	if err != nil || c.Kind == KindDirect {
		return false
	}
	return s.IsParticipant(ctx, conversationID, a) && s.IsParticipant(ctx, conversationID, b)
}
