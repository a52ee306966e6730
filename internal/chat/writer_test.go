package chat

import (
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// A conversation's sends all go to one writer (so two writers never queue
// on the same conversation rows), and conversations spread over the writers.
func TestWriterLanes(t *testing.T) {
	w := &writer{in: []chan *sendReq{make(chan *sendReq), make(chan *sendReq)}}
	used := map[chan *sendReq]int{}
	for i := 0; i < 64; i++ {
		conv := ids.New("cnv")
		l := w.lane(conv)
		if again := w.lane(conv); again != l {
			t.Fatalf("conversation %s went to two lanes", conv)
		}
		used[l]++
	}
	for i, in := range w.in {
		if used[in] < 16 {
			t.Fatalf("lane %d took %d of 64 conversations: %v", i, used[in], used)
		}
	}
	one := &writer{in: []chan *sendReq{make(chan *sendReq)}}
	if one.lane("c_x") != one.in[0] {
		t.Fatal("a single writer must take every conversation")
	}
}
