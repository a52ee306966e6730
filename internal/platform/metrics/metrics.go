// Package metrics is Atrium's Prometheus instrumentation. Each server has
// its own registry — never the process-global one, so that no library
// registers into it behind our back and tests can run several servers —
// served at /metrics on the loopback debug listener only (the metrics
// option), never on the public address: route names, pool sizes and queue
// depths describe the deployment.
//
// What is measured: requests per route pattern (rate, status, latency),
// the Go runtime and process, database pools, and what the wiring adds
// (stream sockets, job queue depth). Group-commit writers report their
// batch sizes through Batch, a process-wide histogram: writers are
// process-wide too.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one server's registry and its HTTP instruments.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// batchSize is the size of each group-commit batch, by writer.
var batchSize = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "atrium_writer_batch_size",
	Help:    "Items committed per group-commit transaction, by writer.",
	Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024},
}, []string{"writer"})

// Batch returns the observer of writer's batch sizes (e.g. "chat_messages");
// the writer calls Observe with each batch's length.
func Batch(writer string) prometheus.Observer { return batchSize.WithLabelValues(writer) }

// New returns a registry holding the HTTP, runtime, process and writer
// instruments.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atrium_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "atrium_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "atrium_http_requests_in_flight",
			Help: "HTTP requests being answered now.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, batchSize,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for instruments of the wiring.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gauge registers a gauge read from fn at each scrape.
func (m *Metrics) Gauge(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// GaugeSet registers a gauge with one label whose values fn reads at each
// scrape (e.g. jobs by state, from the database). A failing fn reports
// nothing for that scrape; the scrape itself succeeds.
func (m *Metrics) GaugeSet(name, help, label string, fn func(ctx context.Context) (map[string]float64, error)) {
	m.reg.MustRegister(&gaugeSet{desc: prometheus.NewDesc(name, help, []string{label}, nil), fn: fn})
}

type gaugeSet struct {
	desc *prometheus.Desc
	fn   func(ctx context.Context) (map[string]float64, error)
}

func (g *gaugeSet) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *gaugeSet) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	vals, err := g.fn(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.desc, err)
		return
	}
	for k, v := range vals {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, v, k)
	}
}

// DBPool registers the statistics of a database pool (open, in use, idle
// connections, waits) under the pool's name.
func (m *Metrics) DBPool(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// Middleware measures every request by its route pattern. It must wrap the
// ServeMux directly (without copying the request), so that the pattern
// the mux matched is visible once it returns; requests the mux never saw
// or that matched no pattern are counted as route "unmatched". Patterns,
// not paths, keep the number of series bounded.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			m.inFlight.Dec()
			route := r.Pattern
			if _, p, ok := strings.Cut(route, " "); ok {
				route = p // "GET /api/v1/me" → "/api/v1/me"; the method is its own label
			}
			if route == "" {
				route = "unmatched"
			}
			code := sw.status
			if code == 0 {
				code = http.StatusOK
			}
			method := r.Method
			if !knownMethods[method] {
				method = "other" // clients choose methods: keep the series bounded
			}
			m.requests.WithLabelValues(method, route, strconv.Itoa(code)).Inc()
			m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and WebSocket upgrades reach the
// connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
