package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
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

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// HubOptions tune a Hub.
type HubOptions struct {
	// Poll is how often the hub looks for new events without a signal: the
	// safety net for a lost notification (default 1s).
	Poll time.Duration
	// Ring is how many recent frames are kept in memory for clients that
	// reconnect (default 4096).
	Ring int
	// Batch is the most events read per query (default 1000).
	Batch int
}

// Hub tails the event log on one node: whenever the bus signals (or the
// poll timer fires) it reads every event after the last position it read,
// encodes each once, keeps the most recent in a ring for reconnecting
// clients, and hands them in order to its sink (the stream gateway).
type Hub struct {
	d    *db.DB
	bus  Bus
	log  *slog.Logger
	opts HubOptions

	mu        sync.Mutex // held while delivering to the sink
	last      int64      // highest position read
	ring      []*Frame   // recent frames, oldest first, all positions in (coverFrom, last]
	coverFrom int64
	sink      func(batch []*Frame)
	observers []func(batch []*Frame)

	done chan struct{}
}

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
	return &Hub{d: d, bus: bus, log: log, opts: opts, done: make(chan struct{})}
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
		select {
		case <-ctx.Done():
			return
		case <-h.bus.Wake():
		case <-t.C:
		}
		if err := h.CatchUp(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("event hub: read failed", "err", err)
		}
	}
}

// CatchUp reads and delivers every committed event after the last one
// read. The hub's loop calls it; tests may call it to deliver at once.
func (h *Hub) CatchUp(ctx context.Context) error {
	for {
		h.mu.Lock()
		after := h.last
		h.mu.Unlock()
		evs, err := ReadAfter(ctx, h.d, after, 0, h.opts.Batch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		batch := make([]*Frame, len(evs))
		for i := range evs {
			batch[i] = &Frame{Event: evs[i]}
			batch[i].Bytes = EncodeFrame(&batch[i].Event)
		}
		h.mu.Lock()
		if h.last != after {
			// Someone else caught up meanwhile; read again from there.
			h.mu.Unlock()
			continue
		}
		h.last = batch[len(batch)-1].Pos
		h.ring = append(h.ring, batch...)
		if over := len(h.ring) - h.opts.Ring; over > 0 {
			h.coverFrom = h.ring[over-1].Pos
			h.ring = append(h.ring[:0:0], h.ring[over:]...)
		}
		if h.sink != nil {
			h.sink(batch)
		}
		for _, fn := range h.observers {
			fn(batch)
		}
		h.mu.Unlock()
		if len(evs) < h.opts.Batch {
			return nil
		}
	}
}

// Position returns the highest position the hub has read.
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
