package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestDefaults(t *testing.T) {
	c, err := Load(flags(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DatabaseURL != "" || c.BaseURL != "http://127.0.0.1:8080" || c.MinAge != 14 {
		t.Fatalf("defaults: %+v", c)
	}
}

// TestTimeoutDefaults: slow clients are bounded out of the box.
func TestTimeoutDefaults(t *testing.T) {
	c, err := Load(flags(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ReadHeaderTimeout != 10*time.Second || c.ReadBodyTimeout != 30*time.Second || c.IdleTimeout != 2*time.Minute || c.Metrics {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = Load(flags(t, "--metrics", "true", "--debug-addr", "127.0.0.1:6060"), nil)
	if err != nil || !c.Metrics {
		t.Fatalf("metrics on the debug address: %+v, %v", c, err)
	}
}

func TestPrecedenceFlagOverEnv(t *testing.T) {
	c, err := Load(flags(t, "--addr", "127.0.0.1:9"), []string{"ATRIUM_ADDR=127.0.0.1:7", "ATRIUM_DATA_DIR=/x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9" || c.DataDir != "/x" {
		t.Fatalf("got %+v", c)
	}
}

func TestErrorsNameTheOption(t *testing.T) {
	cases := []struct {
		env  []string
		args []string
		want string
	}{
		{env: []string{"ATRIUM_ADRR=1"}, want: "ATRIUM_ADRR"},
		{env: []string{"ATRIUM_ADDR=nope"}, want: "ATRIUM_ADDR"},
		{args: []string{"--log-level", "loud"}, want: "--log-level"},
		{env: []string{"ATRIUM_DATABASE_URL=mysql://x"}, want: "ATRIUM_DATABASE_URL"},
		{env: []string{"ATRIUM_MIN_AGE=old"}, want: "ATRIUM_MIN_AGE"},
		{env: []string{"ATRIUM_DEBUG_ADDR=0.0.0.0:6060"}, want: "ATRIUM_DEBUG_ADDR"},
		{args: []string{"--debug-addr", "example.com:6060"}, want: "--debug-addr"},
		{env: []string{"ATRIUM_READ_BODY_TIMEOUT=0s"}, want: "ATRIUM_READ_BODY_TIMEOUT"},
		{args: []string{"--idle-timeout", "forever"}, want: "--idle-timeout"},
		{args: []string{"--metrics", "true"}, want: "--debug-addr"},
	}
	for _, tc := range cases {
		_, err := Load(flags(t, tc.args...), tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env=%v args=%v: err = %v, want mention of %s", tc.env, tc.args, err, tc.want)
		}
	}
}

func TestDebugAddrIsLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060"} {
		c, err := Load(flags(t, "--debug-addr", addr), nil)
		if err != nil || c.DebugAddr != addr {
			t.Errorf("--debug-addr %s: %+v, %v", addr, c, err)
		}
	}
}

func TestSecretsFromFileAndNotEchoed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "url")
	os.WriteFile(p, []byte("postgres://u:hunter2@h/db\n"), 0o600)
	c, err := Load(flags(t), []string{"ATRIUM_DATABASE_URL_FILE=" + p})
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://u:hunter2@h/db" {
		t.Fatalf("got %q", c.DatabaseURL)
	}
	_, err = Load(flags(t), []string{"ATRIUM_DATABASE_URL=mysql://u:hunter2@h"})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("secret echoed or accepted: %v", err)
	}
}

// TestPushTestEndpointLoopbackOnly: the browser tests' push service knob
// takes a loopback IP and port and nothing else, only with its
// certificate, and is off by default.
func TestPushTestEndpointLoopbackOnly(t *testing.T) {
	c, err := Load(flags(t), nil)
	if err != nil || c.PushTestEndpoint != "" || c.PushTestCA != "" {
		t.Fatalf("default %+v %v", c, err)
	}
	for _, bad := range []string{"10.0.0.1:443", "192.168.1.2:8443", "8.8.8.8:443", "[2001:db8::1]:443", "0.0.0.0:443",
		"localhost:8443", "push.example.com:443", "127.0.0.1", "127.0.0.1:0", "https://127.0.0.1:8443", "[::ffff:10.0.0.1]:443"} {
		if _, err := Load(flags(t, "--push-test-endpoint", bad, "--push-test-ca", "ca.pem"), nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"127.0.0.1:8443", "127.0.0.2:443", "[::1]:8443"} {
		c, err := Load(flags(t, "--push-test-endpoint", good, "--push-test-ca", "ca.pem"), nil)
		if err != nil || c.PushTestEndpoint != good || c.PushTestCA != "ca.pem" {
			t.Errorf("%q: %+v %v", good, c, err)
		}
	}
	if _, err := Load(flags(t), []string{"ATRIUM_PUSH_TEST_ENDPOINT=127.0.0.1:8443"}); err == nil {
		t.Error("an endpoint without its certificate accepted")
	}
	if _, err := Load(flags(t, "--push-test-ca", "ca.pem"), nil); err == nil {
		t.Error("a certificate without an endpoint accepted")
	}
}
