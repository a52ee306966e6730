package server_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/config"
)

// TestDebugAddrServesProfiles checks that --debug-addr serves the Go
// profiles on its own listener, and that the main listener does not.
func TestDebugAddrServesProfiles(t *testing.T) {
	dl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debugAddr := dl.Addr().String()
	dl.Close()
	cfg, err := config.Load(nil, []string{"ATRIUM_DEBUG_ADDR=" + debugAddr})
	if err != nil {
		t.Fatal(err)
	}
	url, cancel, served := serveApp(t, cfg)
	defer func() { cancel(); <-served }()

	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("debug listener: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("goroutine profile: %d %q", resp.StatusCode, body)
	}
	// The public listener answers the path like any other unknown one
	// (the web app's page), never with a profile.
	resp, err = http.Get(url + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "goroutine profile") {
		t.Error("the public listener serves profiles")
	}
}
