package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sender sends messages at a target rate (open loop: sends are scheduled
// by the clock, not by the previous answer) through a pool of workers.
type sender struct {
	base    string
	fx      *fixture
	runID   string
	workers int
	client  *http.Client

	accepted   atomic.Int64
	errors     atomic.Int64
	behind     atomic.Int64
	firstErr   atomic.Value
	onAccepted func(conv, sender int)
	streams    map[int]*streamConn // member → own socket (--via stream)

	mu   sync.Mutex
	hist *histogram // HTTP send latency
}

type sendJob struct {
	conv, member int
	seq          int64
}

func newSender(base string, fx *fixture, run string, workers int) *sender {
	tr := &http.Transport{MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers * 2, MaxConnsPerHost: workers * 2, IdleConnTimeout: time.Minute}
	return &sender{base: base, fx: fx, runID: run, workers: workers, hist: newHistogram(),
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (s *sender) run(ctx context.Context, rate float64, d time.Duration) {
	jobs := make(chan sendJob, s.workers*2)
	var wg sync.WaitGroup
	for i := 0; i < s.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := newHistogram()
			for j := range jobs {
				t0 := time.Now()
				if err := s.send(ctx, j, t0); err != nil {
					s.errors.Add(1)
					s.firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				h.add(float64(time.Since(t0).Microseconds()) / 1000)
				s.accepted.Add(1)
			}
			s.mu.Lock()
			s.hist.merge(h)
			s.mu.Unlock()
		}()
	}
	start := time.Now()
	var issued int64
	tick := time.NewTicker(time.Millisecond)
	for now := range tick.C {
		el := now.Sub(start)
		if el >= d {
			break
		}
		due := int64(el.Seconds() * rate)
		for ; issued < due; issued++ {
			conv := int(issued) % len(s.fx.ConvIDs)
			members := s.fx.ConvMembers[conv]
			j := sendJob{conv: conv, member: members[rand.IntN(len(members))], seq: issued}
			select {
			case jobs <- j:
			default:
				s.behind.Add(1)
			}
		}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
}

// closedSenders returns the members who send in the closed loop, the
// first senders members of the conversations, and the conversations each
// belongs to.
func (s *sender) closedSenders(senders int) ([]int, map[int][]int) {
	memberConvs := map[int][]int{}
	var members []int
	for c, ms := range s.fx.ConvMembers {
		for _, m := range ms {
			if len(memberConvs[m]) == 0 {
				members = append(members, m)
			}
			memberConvs[m] = append(memberConvs[m], c)
		}
	}
	if senders < len(members) {
		members = members[:senders]
	}
	return members, memberConvs
}

// openStreams opens each closed-loop sender's own socket, as that member,
// for --via stream; the closed loop then sends over them.
func (s *sender) openStreams(ctx context.Context, senders int) error {
	members, _ := s.closedSenders(senders)
	s.streams = map[int]*streamConn{}
	for _, m := range members {
		c, err := openSocket(ctx, s.base, s.fx.Tokens[m])
		if err != nil {
			s.closeStreams()
			return fmt.Errorf("sender socket of member %d: %w", m, err)
		}
		s.streams[m] = newStreamConn(c)
	}
	return nil
}

func (s *sender) closeStreams() {
	for _, c := range s.streams {
		c.close()
	}
}

// runClosed sends in a closed loop, as external load generators do:
// senders members each keep inFlight sends outstanding, sending the next
// as soon as one is answered, for d. Each sender writes to the
// conversations it belongs to in turn, through REST or, after
// openStreams, over its own socket.
func (s *sender) runClosed(ctx context.Context, senders, inFlight int, d time.Duration) {
	members, memberConvs := s.closedSenders(senders)
	send := s.send
	if s.streams != nil {
		send = s.sendStream
	}
	deadline := time.Now().Add(d)
	var seq atomic.Int64
	var wg sync.WaitGroup
	for _, m := range members {
		convs := memberConvs[m]
		for k := 0; k < inFlight; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := newHistogram()
				for n := k; time.Now().Before(deadline); n++ {
					j := sendJob{conv: convs[n%len(convs)], member: m, seq: seq.Add(1)}
					t0 := time.Now()
					if err := send(ctx, j, t0); err != nil {
						s.errors.Add(1)
						s.firstErr.CompareAndSwap(nil, err.Error())
						continue
					}
					h.add(float64(time.Since(t0).Microseconds()) / 1000)
					s.accepted.Add(1)
				}
				s.mu.Lock()
				s.hist.merge(h)
				s.mu.Unlock()
			}()
		}
	}
	wg.Wait()
}

// sendStream sends j over its member's socket and waits for the answer.
func (s *sender) sendStream(ctx context.Context, j sendJob, t time.Time) error {
	a, err := s.streams[j.member].send(ctx, s.fx.ConvIDs[j.conv], sendBody(msgID(s.runID, j.member, j.seq, t)))
	if err != nil {
		return err
	}
	if !a.accepted() {
		return errors.New(a.String())
	}
	if s.onAccepted != nil {
		s.onAccepted(j.conv, j.member)
	}
	return nil
}

func (s *sender) send(ctx context.Context, j sendJob, t time.Time) error {
	id := msgID(s.runID, j.member, j.seq, t)
	req, err := http.NewRequestWithContext(ctx, "POST", s.base+fmt.Sprintf(s.fx.SendPath, s.fx.ConvIDs[j.conv]), bytes.NewReader(sendBody(id)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.fx.Tokens[j.member])
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("send: %d %s", resp.StatusCode, bytes.TrimSpace(body))
	}
	if s.onAccepted != nil {
		s.onAccepted(j.conv, j.member)
	}
	return nil
}
