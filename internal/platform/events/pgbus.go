package events

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// PGBus carries positions and ephemeral signals between nodes with
// PostgreSQL LISTEN/NOTIFY. One dedicated connection listens; notifications
// are sent through the ordinary pool after COMMIT. A NOTIFY payload is a
// position (a few bytes) or an ephemeral signal prefixed with the sending
// node's id, so a node ignores its own echoes.
type PGBus struct {
	d      *db.DB
	log    *slog.Logger
	node   string
	events string // channel names, per schema so that schemas sharing a database stay apart
	eph    string

	local   *LocalBus
	pending atomic.Int64 // highest position not yet announced
	sent    int64        // highest position announced (sender goroutine only)
	kick    chan struct{}

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewPGBus starts a bus on d (a PostgreSQL database): a listener connection
// and a sender. It returns once the listener is listening, so that no
// notification sent after it returns is missed.
func NewPGBus(ctx context.Context, d *db.DB, log *slog.Logger) (*PGBus, error) {
	var schema string
	if err := d.Reader().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, fmt.Errorf("events: bus: %w", err)
	}
	var nb [6]byte
	_, _ = rand.Read(nb[:])
	b := &PGBus{
		d: d, log: log, node: hex.EncodeToString(nb[:]),
		events: channelName("atrium_events", schema),
		eph:    channelName("atrium_ephemeral", schema),
		local:  NewLocalBus(),
		kick:   make(chan struct{}, 1),
	}
	lctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	conn, err := b.listen(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	b.wg.Add(2)
	go b.listenLoop(lctx, conn)
	go b.sendLoop(lctx)
	return b, nil
}

func channelName(base, schema string) string {
	if schema == "" || schema == "public" {
		return base
	}
	n := base + "_" + schema
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// Node is this node's random id.
func (b *PGBus) Node() string { return b.node }

func (b *PGBus) listen(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, b.d.URL)
	if err != nil {
		return nil, fmt.Errorf("events: bus listener: %w", err)
	}
	for _, ch := range []string{b.events, b.eph} {
		if _, err := conn.Exec(cctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			conn.Close(context.Background())
			return nil, fmt.Errorf("events: listen %s: %w", ch, err)
		}
	}
	return conn, nil
}

func (b *PGBus) listenLoop(ctx context.Context, conn *pgx.Conn) {
	defer b.wg.Done()
	prefix := []byte(b.node + "|")
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			var err error
			if conn, err = b.listen(ctx); err != nil {
				if ctx.Err() == nil {
					b.log.Warn("event bus: reconnect failed", "err", err)
				}
				backoff = min(backoff*2, 5*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			// Notifications may have been lost while disconnected:
			// announce the head, so that the hub reads up to it (or, if
			// that fails, wake it; its poll reads anyway).
			head, err := Head(ctx, b.d)
			if err != nil && ctx.Err() == nil {
				b.log.Warn("event bus: head after reconnect", "err", err)
			}
			b.local.Notify(head)
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
			b.log.Warn("event bus: listener lost", "err", err)
			continue
		}
		switch n.Channel {
		case b.events:
			p, _ := strconv.ParseInt(n.Payload, 10, 64)
			b.local.Notify(p)
		case b.eph:
			if bytes.HasPrefix([]byte(n.Payload), prefix) {
				continue // our own, already delivered locally
			}
			if i := bytes.IndexByte([]byte(n.Payload), '|'); i >= 0 {
				_ = b.local.Publish([]byte(n.Payload[i+1:]))
			}
		}
	}
}

func (b *PGBus) sendLoop(ctx context.Context) {
	defer b.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.kick:
		}
		p := b.pending.Load()
		if p <= b.sent {
			continue
		}
		if _, err := b.d.Writer().ExecContext(ctx, `SELECT pg_notify($1, $2)`, b.events, strconv.FormatInt(p, 10)); err != nil {
			if ctx.Err() == nil {
				// Other nodes still find the events by polling.
				b.log.Warn("event bus: notify failed", "err", err)
			}
			continue
		}
		b.sent = p
	}
}

// Notify wakes this node's hub at once and announces pos to the other
// nodes. Announcements are coalesced: a burst of commits costs one NOTIFY.
func (b *PGBus) Notify(pos int64) {
	b.local.Notify(pos)
	for {
		cur := b.pending.Load()
		if pos <= cur || b.pending.CompareAndSwap(cur, pos) {
			break
		}
	}
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Notified returns the highest position announced to this node, by
// itself or by the others.
func (b *PGBus) Notified() int64 { return b.local.Notified() }

// Wake implements Bus.
func (b *PGBus) Wake() <-chan struct{} { return b.local.Wake() }

// Publish delivers payload on this node at once and to the others through
// NOTIFY.
func (b *PGBus) Publish(payload []byte) error {
	if len(payload) > MaxEphemeral {
		return fmt.Errorf("events: ephemeral payload of %d bytes is too large", len(payload))
	}
	_ = b.local.Publish(payload)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := b.d.Writer().ExecContext(ctx, `SELECT pg_notify($1, $2)`, b.eph, b.node+"|"+string(payload))
	return err
}

// Ephemeral implements Bus.
func (b *PGBus) Ephemeral() <-chan []byte { return b.local.Ephemeral() }

// Close stops the listener and the sender.
func (b *PGBus) Close() error {
	b.cancel()
	b.wg.Wait()
	return nil
}
