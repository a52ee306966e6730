package push_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/push"
)

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFanOut10k pushes one message (an @all mention, say) to 10,000
// people with one device each: reading and opening their subscriptions,
// encrypting 10,000 payloads (RFC 8291), signing a VAPID JWT per push and
// POSTing each over TLS to a push service on loopback, then recording
// last_used_at. Figures and the command are in docs/benchmarks.md ("Push").
//
//	go test ./internal/push -run '^$' -bench FanOut10k -benchtime 3x -benchmem
func BenchmarkFanOut10k(b *testing.B) {
	for _, k := range dbtest.Kinds {
		b.Run(string(k), func(b *testing.B) {
			d := dbtest.Open(b, k)
			master := make([]byte, 32)
			_, _ = rand.Read(master)
			kr, err := keyring.New(d, master)
			if err != nil {
				b.Fatal(err)
			}
			svc := push.New(d, kr, slog.New(slog.NewTextHandler(io.Discard, nil)))
			svc.Subscriber = "ops@example.com"
			ctx := context.Background()
			if err := svc.LoadKey(ctx); err != nil {
				b.Fatal(err)
			}
			var got atomic.Int64
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				got.Add(1)
				w.WriteHeader(http.StatusCreated)
			}))
			defer srv.Close()
			ps := &pushService{srv: srv}
			ps.guard(svc)

			const n = 10000
			ns := make([]push.Notice, n)
			for i := range ns {
				acc := fmt.Sprintf("acc_bench%05d", i)
				dev := newDevice(b)
				keys := dev.keys()
				in := push.SubscribeInput{Endpoint: fmt.Sprintf("%s/send/%d", srv.URL, i), DeviceName: "Phone",
					Keys: push.SubscriptionKeys{P256dh: keys["p256dh"].(string), Auth: keys["auth"].(string)}}
				if _, _, err := svc.Subscribe(actor.With(ctx, &actor.Actor{AccountID: acc}), in); err != nil {
					b.Fatal(err)
				}
				ns[i] = push.Notice{AccountID: acc, Urgency: webpush.UrgencyHigh,
					Payload: push.Payload{V: 1, Kind: "mention", OrgID: "org_bench", URL: "/chat/cnv_bench?m=msg_bench", Tag: "cnv_bench"}}
			}
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				sent, err := svc.Send(ctx, ns)
				if err != nil || sent != n {
					b.Fatalf("sent %d of %d: %v", sent, n, err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(got.Load())/b.Elapsed().Seconds(), "pushes/s")
			// CPU of the whole process (the sender and the loopback push
			// service's TLS and HTTP side), which a busy machine does not
			// inflate the way it inflates wall time.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(got.Load()), "cpu-µs/push")
		})
	}
}
