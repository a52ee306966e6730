// Package outbox queues emails in the sender's own transaction and delivers
// them in the background: over SMTP when a server is configured, otherwise by
// writing each message to the log at INFO (so that codes reach people on a
// fresh install with no mail server). Rows are deleted once delivered.
//
// The log line of an undelivered-by-SMTP message is
//
//	level=INFO msg=email to=alice@example.com subject="…" body="…"
//
// Operators without SMTP read codes from there; tests do the same.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Message is one email.
type Message struct {
	To      string
	Subject string
	Body    string // plain text
}

// Send queues m in ctx's transaction (or on its own when ctx has none). It is
// delivered after the transaction commits; call Kick after the commit to
// deliver it at once rather than at the worker's next poll.
func Send(ctx context.Context, d *db.DB, m Message) error {
	if m.To == "" || strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("outbox: invalid recipient or subject")
	}
	now := time.Now().UnixMilli()
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO outbox (id, to_addr, subject, body, created_at, attempts, next_attempt_at, last_error)
		 VALUES ($1, $2, $3, $4, $5, 0, $5, '')`,
		ids.New("out"), m.To, m.Subject, m.Body, now)
	if err != nil {
		return fmt.Errorf("outbox: queue: %w", err)
	}
	return nil
}

var (
	kickMu sync.Mutex
	kicks  = map[*db.DB][]chan struct{}{}
)

// Kick wakes the workers delivering d's outbox. Call it after the
// transaction that queued messages has committed.
func Kick(d *db.DB) {
	kickMu.Lock()
	defer kickMu.Unlock()
	for _, c := range kicks[d] {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// SMTP says how to reach a mail server. An empty Addr means "log instead".
type SMTP struct {
	Addr     string // host:port
	User     string
	Password string
	From     string
}

// Worker delivers queued messages.
type Worker struct {
	DB   *db.DB
	Log  *slog.Logger
	SMTP SMTP
	// Interval is how often the queue is polled when nobody kicks (default 2s).
	Interval time.Duration
	// Lease is how long a claimed message is hidden from other workers
	// (other nodes) while it is being delivered (default 2 minutes).
	Lease time.Duration
	// MaxAttempts is how many failed deliveries drop a message (default 20).
	MaxAttempts int
}

// Start runs the worker until the returned stop function is called; stop
// waits for the delivery in progress to finish.
func (w *Worker) Start(ctx context.Context) (stop func()) {
	w.defaults()
	if w.SMTP.Addr == "" && !w.Log.Enabled(ctx, slog.LevelInfo) {
		// Delivering to a log that drops INFO would lose every email (and an
		// administrative command, which logs at WARN, would eat the
		// server's queue): leave the messages queued for a server that can
		// deliver them. docs/operations.md says so.
		return func() {}
	}
	kick := make(chan struct{}, 1)
	kickMu.Lock()
	kicks[w.DB] = append(kicks[w.DB], kick)
	kickMu.Unlock()
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(w.Interval)
		defer t.Stop()
		for {
			for {
				n, err := w.RunOnce(ctx)
				if err != nil && ctx.Err() == nil {
					w.Log.Warn("outbox: delivery round failed", "err", err)
				}
				if n == 0 || err != nil {
					break
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-kick:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		kickMu.Lock()
		defer kickMu.Unlock()
		cs := kicks[w.DB]
		for i, c := range cs {
			if c == kick {
				kicks[w.DB] = append(cs[:i:i], cs[i+1:]...)
				break
			}
		}
		if len(kicks[w.DB]) == 0 {
			delete(kicks, w.DB)
		}
	}
}

func (w *Worker) defaults() {
	if w.Interval <= 0 {
		w.Interval = 2 * time.Second
	}
	if w.Lease <= 0 {
		w.Lease = 2 * time.Minute
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 20
	}
}

type queued struct {
	id       string
	attempts int
	Message
}

// RunOnce claims due messages, delivers them and returns how many it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	now := time.Now().UnixMilli()
	var batch []queued
	err := w.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		batch, err = db.QueryAll(ctx, w.DB.W(ctx), func(s db.Scanner) (queued, error) {
			var q queued
			err := s.Scan(&q.id, &q.To, &q.Subject, &q.Body, &q.attempts)
			return q, err
		}, `SELECT id, to_addr, subject, body, attempts FROM outbox
			 WHERE next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT 20`+w.DB.Dialect.ForUpdateSkipLocked(), now)
		if err != nil {
			return err
		}
		// Claim: hide the batch from other workers for the lease.
		for _, q := range batch {
			if _, err := w.DB.W(ctx).ExecContext(ctx, `UPDATE outbox SET next_attempt_at = $1 WHERE id = $2`,
				now+w.Lease.Milliseconds(), q.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox: claim: %w", err)
	}
	for _, q := range batch {
		derr := w.deliver(ctx, q.Message)
		if derr == nil {
			if _, err := w.DB.W(ctx).ExecContext(ctx, `DELETE FROM outbox WHERE id = $1`, q.id); err != nil {
				return len(batch), fmt.Errorf("outbox: delete delivered: %w", err)
			}
			continue
		}
		if ctx.Err() != nil {
			return len(batch), ctx.Err()
		}
		attempts := q.attempts + 1
		if attempts >= w.MaxAttempts {
			w.Log.Error("outbox: giving up on a message", "id", q.id, "attempts", attempts, "err", derr)
			if _, err := w.DB.W(ctx).ExecContext(ctx, `DELETE FROM outbox WHERE id = $1`, q.id); err != nil {
				return len(batch), err
			}
			continue
		}
		backoff := time.Duration(1<<min(attempts, 12)) * time.Second
		backoff = min(backoff, time.Hour)
		w.Log.Warn("outbox: delivery failed, will retry", "id", q.id, "attempts", attempts, "retry_in", backoff.String(), "err", derr)
		if _, err := w.DB.W(ctx).ExecContext(ctx,
			`UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4`,
			attempts, time.Now().Add(backoff).UnixMilli(), truncate(derr.Error(), 500), q.id); err != nil {
			return len(batch), err
		}
	}
	return len(batch), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// deliver sends m over SMTP, or writes it to the log when no server is set.
func (w *Worker) deliver(ctx context.Context, m Message) error {
	if w.SMTP.Addr == "" {
		w.Log.InfoContext(ctx, "email", "to", m.To, "subject", m.Subject, "body", m.Body)
		return nil
	}
	host, _, err := net.SplitHostPort(w.SMTP.Addr)
	if err != nil {
		return err
	}
	var auth smtp.Auth
	if w.SMTP.User != "" {
		// PlainAuth refuses to send the password over an unencrypted
		// connection to anything but localhost; SendMail uses STARTTLS when
		// the server offers it.
		auth = smtp.PlainAuth("", w.SMTP.User, w.SMTP.Password, host)
	}
	from := w.SMTP.From
	if from == "" {
		from = "atrium@localhost"
	}
	if err := smtp.SendMail(w.SMTP.Addr, auth, from, []string{m.To}, Compose(from, m, time.Now())); err != nil {
		return err
	}
	w.Log.InfoContext(ctx, "email sent", "subject", m.Subject)
	return nil
}

// Compose renders m as an RFC 5322 message with a plain-text UTF-8 body.
func Compose(from string, m Message, now time.Time) []byte {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\n")
	b.WriteString("To: " + m.To + "\r\n")
	b.WriteString("Subject: " + encodeHeader(m.Subject) + "\r\n")
	b.WriteString("Date: " + now.UTC().Format(time.RFC1123Z) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n")
	b.WriteString("\r\n")
	body := strings.ReplaceAll(m.Body, "\r\n", "\n")
	for _, line := range strings.Split(body, "\n") {
		// Dot-stuffing is done by net/smtp; only normalize line endings.
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}

// encodeHeader uses RFC 2047 when the subject is not plain ASCII.
func encodeHeader(s string) string { return mime.QEncoding.Encode("utf-8", s) }
