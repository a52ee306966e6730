package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// Cards in chat: when someone files a request or decides on one, the
// people it now waits for get a card from them in their direct
// conversation ("Leave · Ann — waiting for your approval"), and when the
// request is decided the applicant gets one from the approver who ended
// it. A card links to the request in the app; whoever opens it sees it
// as the request page shows it to them. Cards are a courtesy sent after
// the request's transaction commits: a card that cannot be sent (the
// two may not message each other, say) is logged and the request stands.
// Moves made by nobody in particular — timeouts, escalations — send no
// card: the "To approve" list and the stream's events carry them.

// Card is a link card.
type Card struct {
	URL         string
	Title       string
	Description string
}

// Cards sends a card from the caller to another account, idempotent by
// clientID. The chat service implements it (wired in internal/server).
type Cards interface {
	SendCard(ctx context.Context, to, clientID string, c Card) error
}

// Card descriptions, in both languages: a card is one message that both
// people read, whatever language each of them uses.
const (
	cardWaiting  = "Waiting for your approval · 待你审批"
	cardApproved = "Approved · 已通过"
	cardRejected = "Rejected · 已驳回"
)

// sendCards sends the cards a committed change calls for, from the
// account that made it.
func (s *Service) sendCards(ctx context.Context, by string, st *state) {
	if s.Cards == nil || st == nil {
		return
	}
	title := st.req.Title
	if name := s.Directory.Name(ctx, st.req.OrgID, st.req.ApplicantID); name != "" {
		title += " · " + name
	}
	url := "/approvals/" + st.req.ID
	send := func(to, what, desc string) {
		if to == "" || to == by {
			return
		}
		// One card per request, round, step, person and kind: a retried
		// call sends nothing new.
		sum := sha256.Sum256([]byte(st.req.ID + "\x00" + strconv.Itoa(st.req.Round) + "\x00" + st.req.CurrentStep + "\x00" + what + "\x00" + to))
		id := "apr:" + hex.EncodeToString(sum[:24])
		if err := s.Cards.SendCard(ctx, to, id, Card{URL: url, Title: title, Description: desc}); err != nil && s.Log != nil {
			s.Log.Warn("approval: chat card not sent", "request_id", st.req.ID, "to", to, "err", err)
		}
	}
	seen := map[string]bool{}
	for _, acc := range st.todo {
		if !seen[acc] {
			seen[acc] = true
			send(acc, "t", cardWaiting)
		}
	}
	if st.decided && slices.Contains([]string{StatusApproved, StatusRejected}, st.req.Status) {
		desc := cardApproved
		if st.req.Status == StatusRejected {
			desc = cardRejected
		}
		send(st.req.ApplicantID, "d", desc)
	}
}
