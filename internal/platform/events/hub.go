package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Frame is an event read by a node's Hub together with its wire encoding,
// made once per node and shared by every socket that receives it.
type Frame struct {
	Event
	// Bytes is the JSON object sent to clients (see EncodeFrame).
	Bytes []byte
}

// EncodeFrame returns the stream's JSON encoding of e:
//
//	{"type":"event","pos":42,"event":"message.created","scope_kind":"conversation",
//	 "scope_id":"cnv_…","org_id":"org_…","data":{…},"created_at":1700000000000}
func EncodeFrame(e *Event) []byte {
	b := make([]byte, 0, 160+len(e.Data)+len(e.ScopeID)+len(e.OrgID))
	b = append(b, `{"type":"event","pos":`...)
	b = strconv.AppendInt(b, e.Pos, 10)
	b = append(b, `,"event":`...)
	b = appendString(b, e.Type)
	b = append(b, `,"scope_kind":`...)
	b = appendString(b, e.ScopeKind)
	b = append(b, `,"scope_id":`...)
	b = appendString(b, e.ScopeID)
	if e.OrgID != "" {
		b = append(b, `,"org_id":`...)
		b = appendString(b, e.OrgID)
	}
	b = append(b, `,"data":`...)
	if len(e.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Data...)
	}
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, e.CreatedAt, 10)
	return append(b, '}')
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it. Types, scopes and ids are plain ASCII: those are copied as
// they are; anything else goes through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// HubOptions tune a Hub.
type HubOptions struct {
	// Poll is how often the hub looks for new events without a signal: the
	// safety net for a lost notification (default 1s).
	Poll time.Duration
	// Ring is how many recent frames, at least, are kept in memory for
	// clients that reconnect (default 4096; at most twice as many are).
	Ring int
	// Batch is the most events read per query (default 1000).
	Batch int
}

// Hub tails the event log on one node: whenever the bus signals (or the
// poll timer fires) it reads every event after the last position it read,
// encodes each once, keeps the most recent in a ring for reconnecting
// clients, and hands them in order to its sink (the stream gateway).
//
// The events this node commits reach it without a read: Append and
// AppendBatch offer them after COMMIT (see Offer and AttachHub), and the
// hub takes an offer when it continues its position exactly. It reads the
// database for the rest: other nodes' events, and whatever an offer did
// not cover.
type Hub struct {
	d    *db.DB
	bus  Bus
	log  *slog.Logger
	opts HubOptions

	mu        sync.Mutex // held while delivering to the sink
	last      int64      // highest position delivered
	ring      []*Frame   // recent frames, oldest first, positions up to last
	coverFrom int64      // Join serves positions after it; earlier ones are read again
	sink      func(batch []*Frame)
	observers []func(batch []*Frame)

	offerMu sync.Mutex
	offers  []offered // not yet taken, each in position order
	queued  int       // events in offers
	kick    chan struct{}
	taken   atomic.Int64 // events delivered from offers

	done chan struct{}
}

// offered is a run of events handed to the hub by the node that committed
// them; cols, when not nil, are their sealed columns, still to be opened.
type offered struct {
	evs  []Event
	cols []sealedCols
}

// maxQueuedOffers bounds the events waiting in offers; beyond it offers are
// ignored (the hub reads those events from the database).
const maxQueuedOffers = 1 << 14

// NewHub returns a hub reading d and woken by bus; Start starts it.
func NewHub(d *db.DB, bus Bus, log *slog.Logger, opts HubOptions) *Hub {
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Ring <= 0 {
		opts.Ring = 4096
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	return &Hub{d: d, bus: bus, log: log, opts: opts, kick: make(chan struct{}, 1), done: make(chan struct{})}
}

// SetSink sets the function that receives every batch of new frames, in
// position order. It is called with the hub's lock held: it must not block
// and must not call back into the hub.
func (h *Hub) SetSink(fn func(batch []*Frame)) {
	h.mu.Lock()
	h.sink = fn
	h.mu.Unlock()
}

// Observe adds a function that is also handed every batch of new frames,
// after the sink, with the hub's lock held: like the sink it must not
// block and must not call back into the hub (background work such as push
// notifications uses it as a wake-up signal).
func (h *Hub) Observe(fn func(batch []*Frame)) {
	h.mu.Lock()
	h.observers = append(h.observers, fn)
	h.mu.Unlock()
}

// Start reads the current head (history before it is not streamed, only
// replayed on request) and tails the log until ctx is done.
func (h *Hub) Start(ctx context.Context) error {
	head, err := Head(ctx, h.d)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.last, h.coverFrom = head, head
	h.mu.Unlock()
	go h.loop(ctx)
	return nil
}

// Done is closed when the hub has stopped.
func (h *Hub) Done() <-chan struct{} { return h.done }

func (h *Hub) loop(ctx context.Context) {
	defer close(h.done)
	t := time.NewTicker(h.opts.Poll)
	defer t.Stop()
	for {
		poll := false
		select {
		case <-ctx.Done():
			return
		case <-h.bus.Wake():
		case <-h.kick:
		case <-t.C:
			poll = true
		}
		if err := h.step(ctx, poll); err != nil && ctx.Err() == nil {
			h.log.Warn("event hub: read failed", "err", err)
		}
	}
}

// notifiedBus is a bus that tells the highest position announced to this
// node (LocalBus, PGBus).
type notifiedBus interface {
	Notified() int64
}

// step delivers the offers that continue the hub's position, then reads
// the database for the rest. A wake for positions the offers covered needs
// no read; the poll always reads (the safety net for a lost signal).
func (h *Hub) step(ctx context.Context, poll bool) error {
	h.takeOffers(ctx)
	if nb, ok := h.bus.(notifiedBus); ok && !poll && nb.Notified() <= h.Position() {
		return nil
	}
	return h.read(ctx)
}

// CatchUp delivers the offers that continue the hub's position, then reads
// and delivers every committed event after the last one delivered. The
// hub's loop does this when woken; tests may call it to deliver at once.
func (h *Hub) CatchUp(ctx context.Context) error {
	return h.step(ctx, true)
}

// read reads and delivers every committed event after the last one
// delivered.
func (h *Hub) read(ctx context.Context) error {
	for {
		after := h.Position()
		evs, err := ReadAfter(ctx, h.d, after, 0, h.opts.Batch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		if !h.deliver(after, frames(evs)) {
			// Someone else delivered meanwhile; read again from there.
			continue
		}
		if len(evs) < h.opts.Batch {
			return nil
		}
	}
}

// frames encodes evs.
func frames(evs []Event) []*Frame {
	batch := make([]*Frame, len(evs))
	for i := range evs {
		batch[i] = &Frame{Event: evs[i]}
		batch[i].Bytes = EncodeFrame(&batch[i].Event)
	}
	return batch
}

// deliver hands batch, which follows position after, to the ring, the sink
// and the observers, unless the hub has moved past after meanwhile.
func (h *Hub) deliver(after int64, batch []*Frame) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last != after {
		return false
	}
	h.last = batch[len(batch)-1].Pos
	h.ring = append(h.ring, batch...)
	// An event that takes back content (a message deleted for everyone,
	// an erasure) makes the frames before it stale: they hold what was
	// taken back, opened when they were read. A client that resumes from
	// before it is served from the database, which reads content as it is
	// now.
	for _, f := range batch {
		if Revokes(f.Type) {
			h.coverFrom = max(h.coverFrom, f.Pos)
		}
	}
	// The ring keeps between Ring and twice Ring frames: once it holds
	// more, the newest Ring move to the front of the same array, so the
	// ring is neither reallocated nor copied on every delivery. Join's
	// callers only read it under h.mu.
	if over := len(h.ring) - h.opts.Ring; over > h.opts.Ring {
		h.coverFrom = max(h.coverFrom, h.ring[over-1].Pos)
		n := copy(h.ring, h.ring[over:])
		clear(h.ring[n:])
		h.ring = h.ring[:n]
	}
	if h.sink != nil {
		h.sink(batch)
	}
	for _, fn := range h.observers {
		fn(batch)
	}
	return true
}

// Offer hands the hub events that this node has just committed, complete
// (as ReadAfter returns them) and in position order, so that it need not
// read them back. Append and AppendBatch offer theirs to the hub attached
// to their database (AttachHub). The hub delivers them only if they
// continue its position exactly — the first one follows the last position
// delivered and the others follow each other — and otherwise ignores them:
// the bus signal of the commit still makes it read the database, which
// holds them. Every event is so delivered once, in position order, even
// when other nodes' events or unused positions come between. Offer does
// not block; the hub's loop delivers.
func (h *Hub) Offer(evs []Event) {
	if h.offer(evs, nil) {
		h.wake()
	}
}

// wake makes the hub's loop look at its offers.
func (h *Hub) wake() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// offer queues evs (with their sealed columns, when not nil) and reports
// whether it did. Append and AppendBatch do not wake the hub: the bus
// signal they send next does (they wake it themselves without a bus).
func (h *Hub) offer(evs []Event, cols []sealedCols) bool {
	if len(evs) == 0 {
		return false
	}
	h.offerMu.Lock()
	if h.queued+len(evs) > maxQueuedOffers {
		h.offerMu.Unlock()
		return false
	}
	h.offers = append(h.offers, offered{evs: evs, cols: cols})
	h.queued += len(evs)
	h.offerMu.Unlock()
	return true
}

// takeOffers delivers the offered events that continue the hub's position,
// up to the first gap, and drops the offers it has passed. Offers beyond
// a gap wait: the database read that fills the gap usually passes them
// too, but an offer committed earlier may still arrive and fill it.
func (h *Hub) takeOffers(ctx context.Context) {
	for {
		after := h.Position()
		var evs []Event
		var cols []sealedCols
		sealed := false
		h.offerMu.Lock()
		if len(h.offers) == 0 {
			h.offerMu.Unlock()
			return
		}
		sort.SliceStable(h.offers, func(i, j int) bool { return h.offers[i].evs[0].Pos < h.offers[j].evs[0].Pos })
		next := after + 1
		used := 0 // offers passed entirely
		for _, o := range h.offers {
			i := 0
			for i < len(o.evs) && o.evs[i].Pos < next {
				i++
			}
			for ; i < len(o.evs) && o.evs[i].Pos == next && len(evs) < h.opts.Batch; i++ {
				evs = append(evs, o.evs[i])
				c := sealedCols{}
				if o.cols != nil {
					c = o.cols[i]
					sealed = sealed || len(c.box) > 0 || c.aad != ""
				}
				cols = append(cols, c)
				next++
			}
			if i < len(o.evs) {
				break
			}
			used++
		}
		h.queued = 0
		kept := h.offers[:0]
		for _, o := range h.offers[used:] {
			if o.evs[len(o.evs)-1].Pos >= next {
				kept = append(kept, o)
				h.queued += len(o.evs)
			}
		}
		clear(h.offers[len(kept):])
		h.offers = kept
		h.offerMu.Unlock()
		if len(evs) == 0 {
			return
		}
		if sealed {
			if err := unsealAll(ctx, h.d, evs, cols); err != nil {
				// The database read delivers them instead.
				h.log.Warn("event hub: open offered events", "err", err)
				return
			}
		}
		if !h.deliver(after, frames(evs)) {
			return
		}
		h.taken.Add(int64(len(evs)))
	}
}

// Position returns the highest position the hub has delivered.
func (h *Hub) Position() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// Join lets a new reader switch from replaying to live delivery without a
// gap or a duplicate. fn runs with the hub's lock held, so no batch reaches
// the sink while it runs: head is the last position read, and when
// covered is true, recent holds every frame after the reader's cursor
// (after) up to head. When covered is false the ring no longer reaches back
// to after: the reader must read more from the database (up to head) and
// call Join again. fn must not block.
func (h *Hub) Join(after int64, fn func(head int64, recent []*Frame, covered bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if after < h.coverFrom {
		fn(h.last, nil, false)
		return
	}
	// The ring is in position order: binary search the first frame > after.
	lo, hi := 0, len(h.ring)
	for lo < hi {
		m := (lo + hi) / 2
		if h.ring[m].Pos <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	fn(h.last, h.ring[lo:], true)
}
