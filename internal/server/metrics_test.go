package server_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/config"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ { // the debug listener starts beside the main one
		if resp, err = http.Get(url); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetrics scrapes /metrics on the debug listener and finds every
// family operators rely on; the public listener never serves it.
func TestMetrics(t *testing.T) {
	debug := ""
	eachWith(t, func(c *config.Config) { debug = freeAddr(t); c.DebugAddr, c.Metrics = debug, true }, func(t *testing.T, env *servertest.Env) {
		c := env.Client()
		c.Do(t, "GET", "/api/v1/health", nil, nil).Want(t, http.StatusOK)
		c.Do(t, "GET", "/api/v1/me", nil, nil).Want(t, http.StatusUnauthorized)
		c.Do(t, "GET", "/api/v1/no/such/route", nil, nil).Want(t, http.StatusNotFound)

		status, body := scrape(t, "http://"+debug+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("scrape: %d %s", status, body)
		}
		for _, want := range []string{
			`atrium_http_requests_total{code="200",method="GET",route="/api/v1/health"} 1`,
			`atrium_http_requests_total{code="401",method="GET",route="/api/v1/me"} 1`,
			`atrium_http_requests_total{code="404",method="GET",route="/api/"} 1`,
			`atrium_http_request_duration_seconds_bucket{method="GET",route="/api/v1/health",le="+Inf"} 1`,
			"atrium_http_requests_in_flight ",
			"atrium_stream_sockets 0",
			`atrium_writer_batch_size_bucket{writer="chat_messages",le="1"}`,
			`atrium_jobs{state="due"}`,
			`atrium_jobs{state="running"}`,
			`go_sql_open_connections{db_name=`,
			"go_goroutines ",
			"process_resident_memory_bytes ",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(body, "/no/such/route") {
			t.Error("metrics name a raw path: series must be per route pattern")
		}
		if r := c.Do(t, "GET", "/metrics", nil, nil); r.Status != http.StatusNotFound {
			t.Fatalf("public /metrics: %d", r.Status)
		}
	})
}

// TestMetricsOffByDefault: the debug listener serves profiles, not
// metrics, unless the metrics option is on.
func TestMetricsOffByDefault(t *testing.T) {
	debug := freeAddr(t)
	servertest.StartWith(t, db.SQLite, servertest.Options{Configure: func(c *config.Config) { c.DebugAddr = debug }})
	if status, _ := scrape(t, "http://"+debug+"/metrics"); status != http.StatusNotFound {
		t.Fatalf("/metrics without the option: %d", status)
	}
}
