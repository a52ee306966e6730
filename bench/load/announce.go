package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

var markPublished = []byte(`"event":"announcement.published"`)

// runAnnounce measures publishing one announcement to the whole
// organization: every member has a socket open; the owner publishes, and
// each socket records when its announcement.published frame arrives,
// counted from the start of the publish request. Then the publisher's read
// list of that announcement is fetched a few times.
func runAnnounce(ctx context.Context, o options, fx *fixture, baseURL string, pid int, res *result, out io.Writer) error {
	rs, err := openSockets(ctx, fx, baseURL, o.sockets, out)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range rs {
			r.conn.CloseNow()
		}
	}()
	logf(out, "%d sockets open; publishing to the whole organization (%d members)", len(rs), len(fx.Tokens))
	var start atomic.Int64 // unix ns when the publish request started
	lat := make([]float64, len(rs))
	var delivered atomic.Int64
	var disc atomic.Int64
	rctx, cancel := context.WithTimeout(ctx, o.duration+2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, data, err := r.conn.Read(rctx)
				if err != nil {
					if rctx.Err() == nil {
						disc.Add(1)
					}
					return
				}
				if bytes.Contains(data, markPublished) {
					lat[i] = float64(time.Now().UnixNano()-start.Load()) / 1e6
					delivered.Add(1)
					return
				}
			}
		}()
	}

	body, _ := json.Marshal(map[string]any{
		"title": "Load test announcement", "body": "Everyone, please read and confirm.",
		"audience": map[string]any{"all": true}, "require_confirm": true, "publish": true,
	})
	start.Store(time.Now().UnixNano())
	var ann struct {
		ID string `json:"id"`
	}
	if err := call(ctx, baseURL, fx.Tokens[0], "POST", "/api/v1/announcements", body, &ann); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	publishMs := float64(time.Now().UnixNano()-start.Load()) / 1e6
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(o.duration + time.Minute):
		cancel()
		<-done
	}
	rss, peak, _ := rssMB(pid)

	var got []float64
	for _, l := range lat {
		if l > 0 {
			got = append(got, l)
		}
	}
	sort.Float64s(got)
	q := func(f float64) float64 {
		if len(got) == 0 {
			return 0
		}
		return got[min(len(got)-1, int(f*float64(len(got))))]
	}
	res.PublishMs = publishMs
	res.P50ms, res.P95ms, res.P99ms = q(0.50), q(0.95), q(0.99)
	if len(got) > 0 {
		res.MaxMs = got[len(got)-1]
	}
	res.Deliveries, res.ExpectedDeliv = delivered.Load(), int64(len(rs))
	res.Disconnects = disc.Load()
	res.ServerRSSMB, res.ServerPeakMB = rss, peak
	logf(out, "publish request (audience resolved, %d recipients and their events committed): %.0f ms", len(fx.Tokens), publishMs)
	logf(out, "delivered to %d of %d sockets; from the publish request: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, last %.0f ms",
		res.Deliveries, res.ExpectedDeliv, res.P50ms, res.P95ms, res.P99ms, res.MaxMs)

	// The read list of that announcement, as its publisher sees it.
	var times []float64
	for range 5 {
		t0 := time.Now()
		if err := call(ctx, baseURL, fx.Tokens[0], "GET", "/api/v1/announcements/"+ann.ID+"/receipts", nil, nil); err != nil {
			return fmt.Errorf("read list: %w", err)
		}
		times = append(times, float64(time.Since(t0).Microseconds())/1000)
	}
	sort.Float64s(times)
	res.ReadListMs = times[len(times)/2]
	logf(out, "read list of %d recipients: median of 5 requests %.1f ms (min %.1f, max %.1f)", len(fx.Tokens), res.ReadListMs, times[0], times[len(times)-1])
	logf(out, "server RSS: %.1f MiB (peak %.1f MiB); sockets closed early: %d", rss, peak, res.Disconnects)
	return nil
}

// call makes an API request as the holder of token and decodes a JSON
// answer into v (when not nil); a non-2xx answer is an error.
func call(ctx context.Context, baseURL, token, method, path string, body []byte, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, baseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if v != nil {
		return json.Unmarshal(b, v)
	}
	return nil
}
