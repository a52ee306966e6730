package outbox_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func count(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R(context.Background()).QueryRowContext(context.Background(), `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSendIsTransactionalAndLogsWithoutSMTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(ctx context.Context) error {
			if err := outbox.Send(ctx, d, outbox.Message{To: "a@example.com", Subject: "rolled back", Body: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		err = d.Tx(ctx, func(ctx context.Context) error {
			return outbox.Send(ctx, d, outbox.Message{To: "b@example.com", Subject: "Your code", Body: "Your code is 123456\nbye"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, d); n != 1 {
			t.Fatalf("queued %d, want 1 (the rolled-back message must not be queued)", n)
		}
		if err := outbox.Send(ctx, d, outbox.Message{To: "x@example.com\r\nBcc: y@example.com", Subject: "s"}); err == nil {
			t.Fatal("header injection in the recipient was accepted")
		}
		logs := &syncBuf{}
		w := &outbox.Worker{DB: d, Log: slog.New(slog.NewTextHandler(logs, nil))}
		n, err := w.RunOnce(ctx)
		if err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		line := logs.String()
		if !strings.Contains(line, `msg=email to=b@example.com subject="Your code" body="Your code is 123456\nbye"`) {
			t.Fatalf("log line: %s", line)
		}
		if strings.Contains(line, "rolled back") {
			t.Fatal("a rolled-back message was delivered")
		}
		if n := count(t, d); n != 0 {
			t.Fatalf("%d rows left after delivery, want 0", n)
		}
	})
}

func TestWorkerKickAndStop(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	logs := &syncBuf{}
	w := &outbox.Worker{DB: d, Log: slog.New(slog.NewTextHandler(logs, nil)), Interval: time.Hour}
	stop := w.Start(context.Background())
	defer stop()
	if err := outbox.Send(context.Background(), d, outbox.Message{To: "k@example.com", Subject: "kicked", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	outbox.Kick(d)
	for i := 0; i < 500 && !strings.Contains(logs.String(), "subject=kicked"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "subject=kicked") {
		t.Fatalf("kick did not deliver: %q", logs.String())
	}
}

func TestWorkerKeepsMessagesWhenLogHidesInfo(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	w := &outbox.Worker{DB: d, Log: slog.New(slog.NewTextHandler(&syncBuf{}, &slog.HandlerOptions{Level: slog.LevelWarn})), Interval: 10 * time.Millisecond}
	if err := outbox.Send(context.Background(), d, outbox.Message{To: "q@example.com", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	stop := w.Start(context.Background())
	time.Sleep(50 * time.Millisecond)
	stop()
	if n := count(t, d); n != 1 {
		t.Fatalf("%d queued, want the message kept (no SMTP, log hides INFO)", n)
	}
}

// fakeSMTP is the smallest SMTP server net/smtp talks to.
func fakeSMTP(t *testing.T) (addr string, got func() string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var data strings.Builder
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { c.Write([]byte(s + "\r\n")) }
				say("220 fake ESMTP")
				inData := false
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if inData {
						if line == ".\r\n" {
							inData = false
							say("250 ok")
							continue
						}
						mu.Lock()
						data.WriteString(line)
						mu.Unlock()
						continue
					}
					cmd := strings.ToUpper(strings.TrimSpace(line))
					switch {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 fake")
					case cmd == "DATA":
						inData = true
						say("354 go on")
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						mu.Lock()
						data.WriteString("CMD " + line)
						mu.Unlock()
						say("250 ok")
					}
				}
			}(c)
		}
	}()
	return ln.Addr().String(), func() string { mu.Lock(); defer mu.Unlock(); return data.String() }
}

func TestDeliverOverSMTP(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	addr, got := fakeSMTP(t)
	logs := &syncBuf{}
	w := &outbox.Worker{DB: d, Log: slog.New(slog.NewTextHandler(logs, nil)), SMTP: outbox.SMTP{Addr: addr, From: "atrium@example.com"}}
	if err := outbox.Send(context.Background(), d, outbox.Message{To: "p@example.com", Subject: "Grüße", Body: "line one\n.line two"}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.RunOnce(context.Background()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	s := got()
	for _, want := range []string{"CMD MAIL FROM:<atrium@example.com>", "CMD RCPT TO:<p@example.com>", "To: p@example.com\r\n", "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n", "line one\r\n", "..line two\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("SMTP transcript lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(logs.String(), "line one") {
		t.Error("the body was logged although SMTP delivered it")
	}
	if n := count(t, d); n != 0 {
		t.Fatalf("%d rows left", n)
	}
}

func TestFailedDeliveryIsRetriedLater(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens: delivery fails
	w := &outbox.Worker{DB: d, Log: slog.New(slog.NewTextHandler(&syncBuf{}, nil)), SMTP: outbox.SMTP{Addr: addr}}
	if err := outbox.Send(context.Background(), d, outbox.Message{To: "r@example.com", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var attempts int
	var next int64
	if err := d.R(context.Background()).QueryRowContext(context.Background(), `SELECT attempts, next_attempt_at FROM outbox`).Scan(&attempts, &next); err != nil {
		t.Fatal(err)
	}
	if attempts != 1 || next <= time.Now().UnixMilli() {
		t.Fatalf("attempts=%d next=%d: want one attempt and a retry in the future", attempts, next)
	}
	// Not due yet: the next round leaves it alone.
	if n, err := w.RunOnce(context.Background()); err != nil || n != 0 {
		t.Fatalf("RunOnce = %d, %v; want 0", n, err)
	}
}
