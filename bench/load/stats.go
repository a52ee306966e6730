package main

import "math"

// histogram records latencies in logarithmic buckets (2% wide) from 10 µs
// to about 100 s; percentiles are exact to within a bucket.
type histogram struct {
	counts []uint64
	n      uint64
	max    float64
}

const (
	histMin    = 0.01 // ms
	histGrowth = 1.02
	histSize   = 820
)

func newHistogram() *histogram { return &histogram{counts: make([]uint64, histSize)} }

func (h *histogram) add(ms float64) {
	i := 0
	if ms > histMin {
		i = int(math.Log(ms/histMin) / math.Log(histGrowth))
	}
	if i >= histSize {
		i = histSize - 1
	}
	h.counts[i]++
	h.n++
	if ms > h.max {
		h.max = ms
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = math.Max(h.max, o.max)
}

// quantile returns the upper edge of the bucket holding quantile q.
func (h *histogram) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return math.Min(histMin*math.Pow(histGrowth, float64(i+1)), h.max)
		}
	}
	return h.max
}
