package push

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/events"
)

// The sender reads the event log after commit, off the request path: chat's
// writer appends "notification.created" for each recipient of a direct
// message or a mention in the send's transaction, approvals append
// "approval.todo" for each approver a request starts waiting for, calendar
// "calendar.invited" and "calendar.reminder" for each person invited to an
// event or reminded of one, drive "drive.handover" for the person who took
// over a leaver's files. Every node
// is woken when such events arrive (Wake, from its event hub) and every
// sendPoll; the node that moves the shared cursor (push_cursor, a
// compare-and-set) over a range of events sends their pushes, so several
// nodes never push the same event twice. A push is best effort: one lost to
// a crash between moving the cursor and sending is not retried.

// Event types the sender acts on.
const (
	EventNotification = "notification.created"
	EventApprovalTodo = "approval.todo"
	EventInvited      = "calendar.invited"
	EventReminder     = "calendar.reminder"
	EventHandover     = "drive.handover"
)

// Types lists the event types that wake the sender.
var Types = []string{EventNotification, EventApprovalTodo, EventInvited, EventReminder, EventHandover}

const (
	// sendPoll is the sender's safety net when a wake-up was missed.
	sendPoll = 30 * time.Second
	// readBatch is how many events one turn reads.
	readBatch = 500
	// workers bounds the requests in flight to push services.
	workers = 32
	// ttl is how long a push service keeps an undelivered push (a day).
	ttl = 24 * 60 * 60
	// recordSize is the size every push is padded to (RFC 8188 record),
	// so that its length says little about its content: room for the
	// longest names and 200 characters of CJK text; a larger payload goes
	// in the largest record push services accept.
	recordSize = 2048
	// maxBodyText bounds the text of a "full" push.
	maxBodyText = 200
)

// Payload is what the service worker receives, once decrypted.
type Payload struct {
	V     int    `json:"v"`
	Kind  string `json:"kind"` // "direct" | "mention" | "approval" | "invitation" | "reminder" | "handover"
	OrgID string `json:"org_id"`
	URL   string `json:"url"`
	Tag   string `json:"tag"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Notice is one push for one person, to each of their devices.
type Notice struct {
	AccountID string
	Urgency   webpush.Urgency
	Payload   Payload
}

// Start makes sure the sender's cursor exists (starting at the current end
// of the log: history is never pushed) and runs the sender until Close.
func (s *Service) Start(ctx context.Context) error {
	head, err := events.Head(ctx, s.DB)
	if err != nil {
		return err
	}
	if err := initCursor(ctx, s.DB, head); err != nil {
		return err
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stop, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(sendPoll)
		defer t.Stop()
		for {
			select {
			case <-lctx.Done():
				return
			case <-s.wake:
			case <-t.C:
			}
			if _, err := s.Dispatch(lctx); err != nil && lctx.Err() == nil {
				s.Log.Warn("push: dispatch failed", "err", err)
			}
		}
	}()
	return nil
}

// Close stops the sender.
func (s *Service) Close() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
}

// Wake makes the sender look for new events now. It never blocks.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Observe is an event-hub observer: it wakes the sender when a batch holds
// an event it acts on.
func (s *Service) Observe(batch []*events.Frame) {
	for _, f := range batch {
		if slices.Contains(Types, f.Type) {
			s.Wake()
			return
		}
	}
}

// Dispatch sends the pushes of the events committed since the last turn
// and returns how many pushes the push services accepted.
func (s *Service) Dispatch(ctx context.Context) (int, error) {
	sent := 0
	for {
		pos, err := getCursor(ctx, s.DB)
		if err != nil {
			return sent, err
		}
		head, err := events.Head(ctx, s.DB)
		if err != nil || head <= pos {
			return sent, err
		}
		evs, err := events.ReadTypes(ctx, s.DB, pos, head, Types, readBatch)
		if err != nil {
			return sent, err
		}
		next := head
		if len(evs) == readBatch {
			next = evs[len(evs)-1].Pos
		}
		won, err := advanceCursor(ctx, s.DB, pos, next)
		if err != nil {
			return sent, err
		}
		if !won {
			continue // another node sends these
		}
		n, err := s.Send(ctx, s.notices(ctx, evs))
		sent += n
		if err != nil {
			return sent, err
		}
	}
}

// notices turns events into pushes: not to the author, not to people with
// the app open or in Do Not Disturb or their quiet hours, not for muted
// conversations or messages they may not see.
func (s *Service) notices(ctx context.Context, evs []events.Event) []Notice {
	var out []Notice
	// After a long stop, what is older than a push service would keep is
	// not pushed any more.
	since := s.now().Add(-ttl * time.Second).UnixMilli()
	for _, e := range evs {
		acc := e.ScopeID
		if e.ScopeKind != events.ScopeAccount || acc == "" || e.CreatedAt < since {
			continue
		}
		if s.Presence != nil && s.Presence.Connected(acc) {
			continue
		}
		if s.quiet(ctx, acc, s.now()) {
			continue // Do Not Disturb or quiet hours: the bell still has it
		}
		switch e.Type {
		case EventNotification:
			if n, ok := s.messageNotice(ctx, e); ok {
				out = append(out, n)
			}
		case EventApprovalTodo:
			var d struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(e.Data, &d) != nil || d.ID == "" || e.OrgID == "" {
				continue
			}
			// An approval push says only that a task waits, whatever the
			// organization's push_content.
			out = append(out, Notice{AccountID: acc, Urgency: webpush.UrgencyNormal,
				Payload: Payload{V: 1, Kind: "approval", OrgID: e.OrgID, URL: "/approvals/" + d.ID, Tag: d.ID}})
		case EventInvited, EventReminder:
			var d struct {
				EventID string `json:"event_id"`
				Start   string `json:"start"`
			}
			if json.Unmarshal(e.Data, &d) != nil || d.EventID == "" || e.OrgID == "" {
				continue
			}
			// Like approvals: only that an invitation or a reminder waits,
			// never the event's title or place.
			kind, urgency, tag := "invitation", webpush.UrgencyNormal, "cal-inv:"+d.EventID
			if e.Type == EventReminder {
				kind, urgency, tag = "reminder", webpush.UrgencyHigh, "cal-rem:"+d.EventID+"@"+d.Start
			}
			out = append(out, Notice{AccountID: acc, Urgency: urgency,
				Payload: Payload{V: 1, Kind: kind, OrgID: e.OrgID, URL: "/calendar/events/" + d.EventID, Tag: tag}})
		case EventHandover:
			if e.OrgID == "" {
				continue
			}
			// Only that files were handed over, to the drive: who left and
			// how much the app shows.
			out = append(out, Notice{AccountID: acc, Urgency: webpush.UrgencyNormal,
				Payload: Payload{V: 1, Kind: "handover", OrgID: e.OrgID, URL: "/drive", Tag: "drive-handover:" + e.OrgID}})
		}
	}
	return out
}

func (s *Service) messageNotice(ctx context.Context, e events.Event) (Notice, bool) {
	var d struct {
		MessageID      string `json:"message_id"`
		ConversationID string `json:"conversation_id"`
		SenderID       string `json:"sender_id"`
		Kind           string `json:"kind"`
	}
	acc := e.ScopeID
	if json.Unmarshal(e.Data, &d) != nil || d.MessageID == "" || d.ConversationID == "" || d.SenderID == acc || s.Messages == nil {
		return Notice{}, false
	}
	if d.Kind != "direct" {
		d.Kind = "mention"
	}
	p, err := s.Messages.Preview(ctx, e.OrgID, acc, d.ConversationID, d.MessageID)
	if err != nil {
		if !apperr.IsNotFound(err) {
			s.Log.Warn("push: preview a message", "err", err)
		}
		return Notice{}, false
	}
	if p.Muted {
		return Notice{}, false
	}
	pl := Payload{V: 1, Kind: d.Kind, OrgID: e.OrgID, URL: "/chat/" + d.ConversationID + "?m=" + d.MessageID, Tag: d.ConversationID}
	content := ContentHidden
	switch {
	case s.Orgs == nil:
	case e.OrgID != "":
		content = s.Orgs.PushContent(ctx, e.OrgID)
	default: // a direct conversation
		content = s.Orgs.PushContentBetween(ctx, d.SenderID, acc)
	}
	if content == ContentSender || content == ContentFull {
		pl.Title = p.SenderName
		if p.Group && p.ConversationName != "" {
			pl.Title += " · " + p.ConversationName
		}
	}
	if content == ContentFull {
		pl.Body = clip(p.Text, maxBodyText)
	}
	return Notice{AccountID: acc, Urgency: webpush.UrgencyHigh, Payload: pl}, true
}

func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// target is one push to one device.
type target struct {
	notice *Notice
	body   []byte
	row    *row
	sec    secret
}

// Send pushes each notice to every device of its person and returns how
// many pushes the push services accepted. Devices the push service no
// longer knows (404, 410) are deleted; the others' last_used_at is set.
func (s *Service) Send(ctx context.Context, ns []Notice) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	k := s.key()
	if k.private == "" {
		return 0, errors.New("push: no VAPID key")
	}
	accs := make([]string, 0, len(ns))
	seen := map[string]bool{}
	for _, n := range ns {
		if !seen[n.AccountID] {
			seen[n.AccountID] = true
			accs = append(accs, n.AccountID)
		}
	}
	rows, err := subscriptionsOf(ctx, s.DB, accs)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	byAcc := map[string][]int{}
	secs := make([]secret, len(rows))
	for i := range rows {
		r := &rows[i]
		b, err := s.Keys.Open(ctx, r.AccountID, secretAAD(r.EndpointHash), r.Secret)
		if err == nil {
			err = json.Unmarshal(b, &secs[i])
		}
		if err != nil {
			s.Log.Warn("push: open a subscription", "subscription", r.ID, "err", err)
			continue
		}
		byAcc[r.AccountID] = append(byAcc[r.AccountID], i)
	}
	var ts []target
	for i := range ns {
		body, err := json.Marshal(ns[i].Payload)
		if err != nil {
			return 0, err
		}
		for _, j := range byAcc[ns[i].AccountID] {
			ts = append(ts, target{notice: &ns[i], body: body, row: &rows[j], sec: secs[j]})
		}
	}
	client, _ := s.guard()
	type result struct {
		row   *row
		stale bool
		ok    bool
	}
	results := make([]result, len(ts))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(ts)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t := ts[i]
				out, status, err := s.push(ctx, client, k, t)
				results[i].row = t.row
				switch {
				case err != nil:
					s.Log.Warn("push: send", "host", t.row.EndpointHost, "err", err)
				case out == stale:
					results[i].stale = true
				case out == accepted:
					results[i].ok = true
				default:
					s.Log.Warn("push: refused by the push service", "host", t.row.EndpointHost, "status", status)
				}
			}
		}()
	}
	for i := range ts {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	sent := 0
	var used []string
	usedSeen := map[string]bool{}
	for _, r := range results {
		switch {
		case r.stale:
			if err := deleteStale(ctx, s.DB, r.row.ID, r.row.UpdatedAt); err != nil {
				return sent, err
			}
		case r.ok:
			sent++
			if !usedSeen[r.row.ID] {
				usedSeen[r.row.ID] = true
				used = append(used, r.row.ID)
			}
		}
	}
	now := s.now().UnixMilli()
	for len(used) > 0 {
		chunk := used[:min(len(used), 500)]
		used = used[len(chunk):]
		if err := markUsed(ctx, s.DB, chunk, now); err != nil {
			return sent, err
		}
	}
	return sent, ctx.Err()
}
