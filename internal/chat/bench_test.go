package chat

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Benchmarks of the messaging store. Figures and the commands that produce
// them are in docs/benchmarks.md ("Messaging store").
//
//	go test ./internal/chat -run '^$' -bench BenchmarkSend -benchtime 100000x
//	go test ./internal/chat -run '^$' -bench 'BenchmarkHistory1M|BenchmarkSearch1M' -benchtime 2000x -timeout 30m

func benchKinds(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) { fn(b, dbtest.Open(b, k)) })
	}
}

// BenchmarkSend measures durable sends through the group-commit writer:
// 1,024 concurrent senders, each in one of 64 group conversations, every
// send acknowledged after COMMIT, its content sealed.
func BenchmarkSend(b *testing.B) { benchSend(b, true) }

// BenchmarkSendUnsealed is BenchmarkSend with the same code and nothing
// sealed (no Sealer: text in the plaintext columns and in the event), so
// that the cost of sealing is measured apart from every other change:
// run both in one binary, interleaved (docs/benchmarks.md).
func BenchmarkSendUnsealed(b *testing.B) { benchSend(b, false) }

func benchSend(b *testing.B, sealed bool) {
	benchKinds(b, func(b *testing.B, d *db.DB) {
		f := newFixture(b, d)
		if !sealed {
			f.s.Sealer = nil
		}
		org := ids.New("org")
		const convs, senders = 64, 1024
		owner := acc()
		f.dir.join(org, owner)
		type sender struct {
			ctx  context.Context
			conv string
		}
		ss := make([]sender, senders)
		for i := 0; i < convs; i++ {
			var members []string
			for j := 0; j < senders/convs; j++ {
				a := acc()
				f.dir.join(org, a)
				members = append(members, a)
				ss[i*(senders/convs)+j] = sender{as(a, org), ""}
			}
			c := f.create(as(owner, org), KindInternal, fmt.Sprint("bench ", i), members...)
			for j := 0; j < senders/convs; j++ {
				ss[i*(senders/convs)+j].conv = c.ID
			}
		}
		// Steady state: every sender already has a data key, unwrapped in
		// the keyring's cache (a send then adds one AES-GCM seal).
		for _, x := range ss {
			if _, err := f.keys.Seal(context.Background(), actor.From(x.ctx).AccountID, "warm", nil); err != nil && sealed {
				b.Fatal(err)
			}
		}
		var next atomic.Int64
		lat := make([]time.Duration, b.N)
		b.ResetTimer()
		start := time.Now()
		done := make(chan struct{})
		for w := 0; w < senders; w++ {
			go func(w int) {
				defer func() { done <- struct{}{} }()
				s := ss[w]
				for {
					i := next.Add(1) - 1
					if i >= int64(b.N) {
						return
					}
					t0 := time.Now()
					_, _, err := f.s.Send(s.ctx, s.conv, SendInput{ClientMsgID: fmt.Sprint("b", i), Body: "benchmark message with some ordinary text in it, number " + fmt.Sprint(i)})
					if err != nil {
						b.Error(err)
						return
					}
					lat[i] = time.Since(t0)
				}
			}(w)
		}
		for w := 0; w < senders; w++ {
			<-done
		}
		el := time.Since(start)
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(b.N)/el.Seconds(), "sends/s")
		if n := batchCount.Swap(0); n > 0 {
			b.ReportMetric(float64(batchSizes.Swap(0))/float64(n), "msgs/batch")
		}
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
	})
}

// load1M fills one conversation with n messages (bulk insert in batches:
// the messages, sealed under their sender's key as sends seal them, their
// search index entries) and returns a context of a member and the
// conversation.
func load1M(b *testing.B, d *db.DB, n int) (*fixture, context.Context, Conversation) {
	f := newFixture(b, d)
	alice, bob := acc(), acc()
	f.dir.befriend(alice, bob)
	A := as(alice, "")
	c := f.create(A, KindGeneral, "big", bob)
	words := []string{"quarterly", "report", "meeting", "会议纪要", "预算", "roadmap", "lunch", "deploy", "客户", "合同", "review", "design"}
	// The senders' keys exist before the load: creating one inside the
	// load's transaction would wait for the one writer connection.
	for _, a := range []string{alice, bob} {
		if _, err := f.keys.Seal(context.Background(), a, "warm", nil); err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Now()
	if err := bulkLoad(context.Background(), d, c.ID, []string{alice, bob}, n, func(i int) string {
		return fmt.Sprintf("message %d about the %s and the %s, see %s", i, words[i%len(words)], words[(i/7)%len(words)], words[(i/31)%len(words)])
	}, func(id, sender, body, html string) ([]byte, string, error) {
		box, err := f.keys.Seal(context.Background(), sender, contentAAD(id), sealedContent{Body: body, HTML: html}.fragment())
		return box, sender, err
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d messages in %s", n, time.Since(t0).Round(time.Millisecond))
	return f, A, c
}

func percentiles(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(lat)))) - 1
		if i < 0 {
			i = 0
		}
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50_ms")
	b.ReportMetric(q(0.95), "p95_ms")
	b.ReportMetric(q(0.99), "p99_ms")
}

// BenchmarkHistory1M measures the newest-50 page of a conversation holding
// one million messages.
func BenchmarkHistory1M(b *testing.B) {
	benchKinds(b, func(b *testing.B, d *db.DB) {
		f, A, c := load1M(b, d, 1_000_000)
		b.Run("newest50", func(b *testing.B) { benchNewest50(b, f, A, c) })
		b.Run("search", func(b *testing.B) {
			qs := []string{"quarterly", "会议纪要", "roadmap review", "预算", "message 123456"}
			lat := make([]time.Duration, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				_, err := f.s.Search(A, SearchQuery{Q: qs[i%len(qs)]})
				lat[i] = time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
			}
			percentiles(b, lat)
		})
	})
}

// BenchmarkHistorySealed measures the newest-50 page of a conversation of
// 20,000 sealed messages: what opening the sealed content of a page costs
// (50 AES-GCM opens under two cached keys), without BenchmarkHistory1M's
// minute of loading.
//
//	go test ./internal/chat -run '^$' -bench 'BenchmarkHistorySealed/sqlite' -benchtime 5000x
func BenchmarkHistorySealed(b *testing.B) {
	benchKinds(b, func(b *testing.B, d *db.DB) {
		f, A, c := load1M(b, d, 20_000)
		b.Run("newest50", func(b *testing.B) { benchNewest50(b, f, A, c) })
	})
}

func benchNewest50(b *testing.B, f *fixture, A context.Context, c Conversation) {
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		h, err := f.s.History(A, c.ID, HistoryQuery{Limit: 50})
		lat[i] = time.Since(t0)
		if err != nil || len(h.Items) != 50 || h.Items[0].Body == "" {
			b.Fatal(len(h.Items), err)
		}
	}
	percentiles(b, lat)
}

// BenchmarkSealPlaintextMessages measures the start-up pass that seals
// message text written before sealing existed: b.N plaintext messages of
// 16 authors in one conversation, sealed under their authors' keys.
//
//	go test ./internal/chat -run '^$' -bench 'BenchmarkSealPlaintextMessages/sqlite' -benchtime 20000x
func BenchmarkSealPlaintextMessages(b *testing.B) {
	benchKinds(b, func(b *testing.B, d *db.DB) {
		f := newFixture(b, d)
		ctx := context.Background()
		org := ids.New("org")
		authors := make([]string, 16)
		for i := range authors {
			authors[i] = acc()
			f.dir.join(org, authors[i])
		}
		c := f.create(as(authors[0], org), KindInternal, "legacy", authors[1:]...)
		err := d.Tx(ctx, func(ctx context.Context) error {
			for i := 0; i < b.N; i++ {
				if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at)
					VALUES ($1, $2, $3, $4, $5, 'text', $6, 1)`, ids.New("msg"), c.ID, 1000+i, authors[i%len(authors)], fmt.Sprint("legacy", i),
					fmt.Sprint("a message written before sealing, number ", i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		start := time.Now()
		n, err := f.s.SealPlaintextMessages(ctx)
		if err != nil || n != b.N {
			b.Fatalf("sealed %d of %d: %v", n, b.N, err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	})
}
