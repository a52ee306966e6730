package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/metrics"
)

// The group-commit writer. Sends are validated and rendered in the
// request's goroutine, then queued here; one goroutine takes every queued
// send (up to max) into one transaction, assigns each its per-conversation
// seq, inserts the messages, their search index entries, events and
// notifications, commits, and only then answers each waiting request. On
// SQLite, where every write is serialized anyway, this turns one fsync per
// message into one per batch; on PostgreSQL it saves round trips and WAL
// flushes the same way.
//
// Idempotency: (sender_id, client_msg_id) is unique. A duplicate inside a
// batch gets the first one's result; a duplicate of a stored message makes
// the insert do nothing and the stored message is returned (its reserved
// seq stays unused, so seqs are increasing but may have gaps).

var errWriterClosed = apperr.New(apperr.KindUnavailable, "shutting_down", "the server is shutting down; retry with the same client_msg_id")

var errDissolved = apperr.Conflict("conversation_dissolved", "the conversation has been dissolved")

var errMessageDeleted = apperr.Conflict("message_deleted", "the message has been deleted")

var errPeerGone = apperr.Conflict("peer_account_deleted", "the other person deleted their account: the conversation is read-only")

type sendReq struct {
	m Message
	// event is m encoded for the event log with placeholder seq and
	// created_at, filled in by the writer (encoding is done by the
	// sender's goroutine, off the writer's serial path).
	event      []byte
	direct     bool     // notify the other member of a direct conversation
	mentionIDs []string // mentioned accounts to notify
	mentionAll bool
	done       chan sendResult
}

type sendResult struct {
	m      Message
	replay bool
	err    error
}

type writer struct {
	s *Service
	// in holds one queue per writer goroutine; a send goes to its
	// conversation's queue (lane).
	in  []chan *sendReq
	max int

	mu     sync.RWMutex
	closed bool
	wg     sync.WaitGroup
}

// newWriter starts the writer: one goroutine on SQLite (which has one
// writer connection anyway), two on PostgreSQL, each taking the sends of
// its own half of the conversations.
//
// Why split by conversation: a batch reserves its seqs by updating its
// conversations' rows, which it then holds until COMMIT. Two writers that
// both took sends for the same conversations would queue on those rows and
// run one after the other. With each conversation in one writer's lane,
// one batch inserts its messages and index entries while the other
// appends its events and commits; only the event log's ordering lock (from
// a batch's first append to its COMMIT) is taken in turn.
func newWriter(s *Service, max int) *writer {
	n := 1
	if s.DB.Kind == db.Postgres {
		n, max = 2, 2*max
	}
	w := &writer{s: s, max: max}
	for i := 0; i < n; i++ {
		in := make(chan *sendReq, 4*max)
		w.in = append(w.in, in)
		w.wg.Add(1)
		go w.run(in)
	}
	return w
}

// lane is the queue of conversation conv's sends.
func (w *writer) lane(conv string) chan *sendReq {
	if len(w.in) == 1 {
		return w.in[0]
	}
	// FNV-1a: cheap, and spreads ids that differ in their last characters.
	h := uint32(2166136261)
	for i := 0; i < len(conv); i++ {
		h = (h ^ uint32(conv[i])) * 16777619
	}
	return w.in[h%uint32(len(w.in))]
}

// submit queues r and waits for its result. When ctx ends first the send
// may still commit; the client learns the outcome by retrying with the same
// client_msg_id.
func (w *writer) submit(ctx context.Context, r *sendReq) sendResult {
	r.done = make(chan sendResult, 1)
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return sendResult{err: errWriterClosed}
	}
	select {
	case w.lane(r.m.ConversationID) <- r:
	case <-ctx.Done():
		w.mu.RUnlock()
		return sendResult{err: ctx.Err()}
	}
	w.mu.RUnlock()
	select {
	case res := <-r.done:
		return res
	case <-ctx.Done():
		return sendResult{err: ctx.Err()}
	}
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		for _, in := range w.in {
			close(in)
		}
	}
	w.mu.Unlock()
	w.wg.Wait()
}

func (w *writer) run(in chan *sendReq) {
	defer w.wg.Done()
	batch := make([]*sendReq, 0, w.max)
	for r := range in {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < w.max {
			select {
			case r2, ok := <-in:
				if !ok {
					break fill
				}
				batch = append(batch, r2)
			default:
				break fill
			}
		}
		batchSizes.Add(int64(len(batch)))
		batchCount.Add(1)
		batchMetric.Observe(float64(len(batch)))
		w.commit(batch)
	}
}

// commit writes a batch. If the transaction fails as a whole, each send is
// retried on its own so that one bad send cannot fail the others.
func (w *writer) commit(batch []*sendReq) {
	results, err := w.commitTx(batch)
	if err != nil {
		if len(batch) > 1 {
			for _, r := range batch {
				w.commit([]*sendReq{r})
			}
			return
		}
		w.s.Log.Error("chat: send failed", "err", err)
		batch[0].done <- sendResult{err: err}
		return
	}
	for i, r := range batch {
		r.done <- results[i]
	}
}

type clientKey struct{ sender, client string }

func (w *writer) commitTx(batch []*sendReq) ([]sendResult, error) {
	s := w.s
	results := make([]sendResult, len(batch))
	err := s.DB.Tx(context.Background(), func(ctx context.Context) error {
		for i := range results {
			results[i] = sendResult{}
		}
		st := &batchStmts{d: s.DB}
		now := s.now()
		first := make(map[clientKey]int, len(batch))
		dupOf := make([]int, len(batch))
		counts := map[string]int{}
		for i, r := range batch {
			k := clientKey{r.m.SenderID, r.m.ClientMsgID}
			if j, ok := first[k]; ok {
				dupOf[i] = j
				continue
			}
			first[k] = i
			dupOf[i] = -1
			counts[r.m.ConversationID]++
		}
		// Reserve seqs, conversation by conversation in a fixed order (so
		// that writers on several nodes lock rows in the same order).
		convs := make([]string, 0, len(counts))
		for c := range counts {
			convs = append(convs, c)
		}
		sort.Strings(convs)
		next := make(map[string]int64, len(convs))
		gone := map[string]bool{}
		lasts, err := st.bumpSeqs(ctx, convs, counts, now)
		if err != nil {
			return err
		}
		for _, c := range convs {
			last, ok := lasts[c]
			if !ok {
				gone[c] = true
				continue
			}
			next[c] = last - int64(counts[c]) + 1
		}
		var fresh []*Message
		for i := range batch {
			if dupOf[i] >= 0 {
				continue
			}
			m := &batch[i].m
			if gone[m.ConversationID] {
				if old, err := messageByClientID(ctx, s.DB, m.SenderID, m.ClientMsgID); err == nil {
					results[i] = sendResult{m: old, replay: true}
				} else {
					results[i] = sendResult{err: errDissolved}
				}
				continue
			}
			m.Seq = next[m.ConversationID]
			next[m.ConversationID]++
			m.CreatedAt = now
			m.rid = 0
			fresh = append(fresh, m)
		}
		if err := st.insertMessages(ctx, fresh); err != nil {
			return err
		}
		if err := st.indexMessages(ctx, fresh); err != nil {
			return err
		}
		// Notifications, then events last: on PostgreSQL the first append
		// takes the event log's ordering lock until COMMIT, so appending
		// last keeps that lock short.
		notified := make([][]string, len(batch))
		for i, r := range batch {
			m := &batch[i].m
			if dupOf[i] >= 0 || results[i].err != nil || results[i].replay || m.rid == 0 {
				continue
			}
			var err error
			if r.direct {
				notified[i], err = st.notifyDirectPeer(ctx, m)
			} else if len(r.mentionIDs) > 0 || r.mentionAll {
				notified[i], err = notifyMentions(ctx, s.DB, m, r.mentionIDs, r.mentionAll)
			}
			if err != nil {
				return err
			}
		}
		var evs []events.Pending
		for i, r := range batch {
			m := &batch[i].m
			if dupOf[i] >= 0 || results[i].err != nil || results[i].replay {
				continue
			}
			if m.rid == 0 {
				// (sender, client id) existed already.
				old, err := messageByClientID(ctx, s.DB, m.SenderID, m.ClientMsgID)
				if err != nil {
					return err
				}
				results[i] = sendResult{m: old, replay: true}
				continue
			}
			evs = append(evs, events.Pending{OrgID: m.orgID, ScopeKind: events.ScopeConversation, ScopeID: m.ConversationID,
				Type: "message.created", Data: r.eventData(m), Sealed: sealedEvent(m)})
			kind := "mention"
			if r.direct {
				kind = "direct"
			}
			for _, acc := range notified[i] {
				evs = append(evs, events.Pending{OrgID: m.orgID, ScopeKind: events.ScopeAccount, ScopeID: acc,
					Type: "notification.created", Data: Notification{MessageID: m.ID, ConversationID: m.ConversationID, SenderID: m.SenderID, Kind: kind, CreatedAt: now}})
			}
			results[i] = sendResult{m: *m}
		}
		if err := events.AppendBatch(ctx, s.DB, evs); err != nil {
			return err
		}
		for i := range batch {
			if j := dupOf[i]; j >= 0 {
				results[i] = results[j]
				results[i].replay = true
			}
		}
		return nil
	})
	return results, err
}

// Placeholders in a pre-encoded message event. ids and numbers never
// contain quotes, and quotes inside strings are escaped, so the first
// "seq" and the last "created_at" in the encoding are the fields.
var (
	seqHole     = []byte(`"seq":-1,`)
	createdHole = []byte(`"created_at":-1}`)
)

// encodeEvent encodes m for the event log with placeholders for the
// fields the writer assigns.
func encodeEvent(m Message) []byte {
	m.Seq, m.CreatedAt = -1, -1
	b, err := json.Marshal(eventMessage(m))
	if err != nil || !bytes.Contains(b, seqHole) || !bytes.HasSuffix(b, createdHole) {
		return nil
	}
	return b
}

// eventData returns the event data of m once its seq and created_at are
// known.
func (r *sendReq) eventData(m *Message) any {
	if r.event == nil {
		return eventMessage(*m)
	}
	i := bytes.Index(r.event, seqHole)
	j := len(r.event) - len(createdHole)
	out := make([]byte, 0, len(r.event)+32)
	out = append(out, r.event[:i]...)
	out = append(out, `"seq":`...)
	out = strconv.AppendInt(out, m.Seq, 10)
	out = append(out, ',')
	out = append(out, r.event[i+len(seqHole):j]...)
	out = append(out, `"created_at":`...)
	out = strconv.AppendInt(out, m.CreatedAt, 10)
	out = append(out, '}')
	return json.RawMessage(out)
}

// eventMessage is the message as carried by events: everything a client
// shows, except a location, which is sealed at rest and fetched with the
// message instead of being copied into the event log. Sealed content
// (text, HTML, attachment) is left out: the event carries it sealed
// (sealedEvent) and readers splice it back in.
func eventMessage(m Message) any {
	m.Location = nil
	if len(m.box) > 0 {
		return sealedEventMessage{Message: m}
	}
	return m
}

// batchSizes and batchCount let BenchmarkSend report the mean batch size.
var batchSizes, batchCount atomic.Int64

// batchMetric is the histogram of batch sizes operators scrape.
var batchMetric = metrics.Batch("chat_messages")
