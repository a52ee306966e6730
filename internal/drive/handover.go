package drive

import (
	"context"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/events"
)

// Handover on leaving. When a person leaves an organization (quits, is
// removed or deactivated), the directory tells the drive in the same
// transaction (MemberLeft). What they made in the organization's spaces
// stays the organization's: the spaces they created and the files and
// folders they created there pass to their successor — their nearest
// active supervisor or, without one, the organization's first owner or
// admin — and where they were named a member of a space the successor
// is given the same role (unless already named). The successor is told
// by a "drive.handover" event on their own stream, and the audit log
// records the handover with its counts.
//
// Their personal space is untouched on leaving: it stays theirs (the
// privacy contract exports it) until the organization's policy erases
// their membership, which deletes it with its bytes (Privacy.Erase).

// EventHandover is the event type that tells a successor what they took over.
const EventHandover = "drive.handover"

// Successor is who takes over from a leaver.
type Successor struct {
	MemberID, AccountID string
}

// Handover counts what one handover passed on.
type Handover struct {
	To      string `json:"to"`
	Spaces  int64  `json:"spaces"`
	Items   int64  `json:"items"`
	Members int64  `json:"members"`
}

// MemberLeft hands a leaver's organization files over to their successor;
// it is the directory's OnMemberLeft hook, in its transaction.
func (s *Service) MemberLeft(ctx context.Context, orgID, accountID string) error {
	_, err := s.handOver(ctx, orgID, accountID)
	return err
}

func (s *Service) handOver(ctx context.Context, orgID, accountID string) (Handover, error) {
	if s.Successor == nil {
		return Handover{}, nil
	}
	memberID, to, err := s.Successor(ctx, orgID, accountID)
	if err != nil || to.AccountID == "" || to.AccountID == accountID {
		return Handover{}, err
	}
	h := Handover{To: to.AccountID}
	now := s.now()
	if h.Spaces, err = handOverSpaces(ctx, s.DB, orgID, accountID, to.AccountID, now); err != nil {
		return h, err
	}
	if h.Items, err = handOverItems(ctx, s.DB, orgID, accountID, to.AccountID); err != nil {
		return h, err
	}
	if memberID != "" && to.MemberID != "" {
		if h.Members, err = handOverMemberships(ctx, s.DB, orgID, memberID, to.MemberID, now); err != nil {
			return h, err
		}
	}
	if h.Spaces+h.Items+h.Members == 0 {
		return h, nil
	}
	if err := s.record(ctx, orgID, "drive.handover", "account", accountID, map[string]any{"to": to.AccountID,
		"spaces": h.Spaces, "items": h.Items, "members": h.Members}); err != nil {
		return h, err
	}
	return h, events.ToAccounts(ctx, s.DB, orgID, EventHandover, map[string]string{"from": accountID,
		"spaces": strconv.FormatInt(h.Spaces, 10), "items": strconv.FormatInt(h.Items, 10)}, []string{to.AccountID})
}
