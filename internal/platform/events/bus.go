package events

import "sync/atomic"

// MaxEphemeral is the largest ephemeral payload a bus carries (PostgreSQL
// NOTIFY payloads must stay under 8000 bytes, and a node id prefixes them).
const MaxEphemeral = 7000

// Bus tells every node of a deployment that the event log has grown, and
// carries ephemeral signals (typing, presence) that are never logged.
// Positions cross the bus, never events: each node reads the events from
// the database itself (those it committed it is handed instead, when they
// continue what its hub delivered: see Hub.Offer).
type Bus interface {
	// Notify announces that events up to pos are committed. Call it only
	// after COMMIT returned (Append does, through db.AfterCommit).
	Notify(pos int64)
	// Wake receives a value (coalesced) whenever any node announced new
	// positions.
	Wake() <-chan struct{}
	// Publish sends an ephemeral payload (≤ MaxEphemeral bytes) to every
	// node, this one included. Delivery is best effort.
	Publish(payload []byte) error
	// Ephemeral receives the payloads published by any node. Payloads are
	// dropped when its reader falls behind.
	Ephemeral() <-chan []byte
	// Close stops the bus.
	Close() error
}

// LocalBus is the in-process bus of a single node (SQLite, or PostgreSQL
// with one node).
type LocalBus struct {
	wake chan struct{}
	eph  chan []byte
	head atomic.Int64
}

// NewLocalBus returns an in-process bus.
func NewLocalBus() *LocalBus {
	return &LocalBus{wake: make(chan struct{}, 1), eph: make(chan []byte, 4096)}
}

// Notify wakes this node's hub.
func (b *LocalBus) Notify(pos int64) {
	for {
		cur := b.head.Load()
		if pos <= cur || b.head.CompareAndSwap(cur, pos) {
			break
		}
	}
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Notified returns the highest position announced (0 before any).
func (b *LocalBus) Notified() int64 { return b.head.Load() }

// Wake implements Bus.
func (b *LocalBus) Wake() <-chan struct{} { return b.wake }

// Publish hands payload to this node's ephemeral reader.
func (b *LocalBus) Publish(payload []byte) error {
	select {
	case b.eph <- payload:
	default:
	}
	return nil
}

// Ephemeral implements Bus.
func (b *LocalBus) Ephemeral() <-chan []byte { return b.eph }

// Close implements Bus.
func (b *LocalBus) Close() error { return nil }
