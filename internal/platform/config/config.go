// Package config holds Atrium's typed options: one table with each option's
// name, default, validation, and whether it is a secret. Values come from
// command-line flags and ATRIUM_* environment variables (and ATRIUM_*_FILE
// for secrets kept in files). An unknown ATRIUM_* variable or an unparsable
// value stops start-up with a message naming it.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// Config is the resolved configuration of a server.
type Config struct {
	Addr    string
	DataDir string
	// BlobURL is where file bodies are kept: "" for <data-dir>/blobs, or
	// s3://bucket/prefix for an S3-compatible store (endpoint, region and
	// credentials from the AWS_* variables).
	BlobURL         string
	DatabaseURL     string
	BaseURL         string
	MasterKey       string
	LogLevel        string
	LogFormat       string
	SMTPAddr        string
	SMTPUser        string
	SMTPPass        string
	SMTPFrom        string
	TLSCert         string
	TLSKey          string
	TrustProxy      bool
	MinAge          int
	ShutdownTimeout time.Duration
	DevUIURL        string
	DebugAddr       string
	// Metrics serves Prometheus metrics at /metrics on the debug address.
	Metrics bool
	// ReadHeaderTimeout bounds how long a client may take to send a
	// request's headers; ReadBodyTimeout how long a request body may stall
	// without a byte arriving; IdleTimeout how long an idle keep-alive
	// connection stays open.
	ReadHeaderTimeout time.Duration
	ReadBodyTimeout   time.Duration
	IdleTimeout       time.Duration
	// PushTestEndpoint and PushTestCA are for the browser tests only: the
	// push sender may also reach this loopback host:port, whose TLS
	// certificate the PEM file PushTestCA vouches for. Never in production.
	PushTestEndpoint string
	PushTestCA       string
}

// Option is one row of the options table.
type Option struct {
	Name    string // flag name, e.g. "data-dir"; env is ATRIUM_DATA_DIR
	Default string
	Usage   string
	Secret  bool // never printed; also read from ATRIUM_<NAME>_FILE
	// Hidden options are for the test harness only: not in --help, not in
	// the README.
	Hidden bool
	// Set parses and validates s into c.
	Set func(c *Config, s string) error
}

// Env returns the environment variable of the option.
func (o Option) Env() string {
	return "ATRIUM_" + strings.ToUpper(strings.ReplaceAll(o.Name, "-", "_"))
}

func str(dst func(*Config) *string) func(*Config, string) error {
	return func(c *Config, s string) error { *dst(c) = s; return nil }
}

// Options is the table of every option.
var Options = []Option{
	{Name: "addr", Default: "127.0.0.1:8080", Usage: "address to listen on (host:port)", Set: func(c *Config, s string) error {
		if _, _, err := net.SplitHostPort(s); err != nil {
			return fmt.Errorf("must be host:port: %v", err)
		}
		c.Addr = s
		return nil
	}},
	{Name: "data-dir", Default: "./data", Usage: "directory for the SQLite database, files and the master key", Set: func(c *Config, s string) error {
		if s == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = s
		return nil
	}},
	{Name: "blob-url", Default: "", Usage: "where file bodies are kept: empty means <data-dir>/blobs; s3://bucket/prefix uses an S3-compatible store (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", Set: func(c *Config, s string) error {
		if s != "" {
			u, err := url.Parse(s)
			if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
				return errors.New("must be empty or s3://bucket/prefix")
			}
		}
		c.BlobURL = s
		return nil
	}},
	{Name: "database-url", Default: "", Usage: "postgres://… URL; empty means embedded SQLite in the data dir", Secret: true, Set: func(c *Config, s string) error {
		if s != "" && !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
			return errors.New("must start with postgres:// or postgresql://")
		}
		c.DatabaseURL = s
		return nil
	}},
	{Name: "base-url", Default: "", Usage: "public URL of this server, used in links (default http://<addr>)", Set: func(c *Config, s string) error {
		if s != "" && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			return errors.New("must start with http:// or https://")
		}
		c.BaseURL = strings.TrimRight(s, "/")
		return nil
	}},
	{Name: "master-key", Default: "", Usage: "base64 32-byte master key; empty means <data-dir>/master.key, created at first start", Secret: true, Set: str(func(c *Config) *string { return &c.MasterKey })},
	{Name: "log-level", Default: "info", Usage: "debug, info, warn or error", Set: func(c *Config, s string) error {
		switch s {
		case "debug", "info", "warn", "error":
			c.LogLevel = s
			return nil
		}
		return errors.New("must be debug, info, warn or error")
	}},
	{Name: "log-format", Default: "text", Usage: "text or json", Set: func(c *Config, s string) error {
		if s != "text" && s != "json" {
			return errors.New("must be text or json")
		}
		c.LogFormat = s
		return nil
	}},
	{Name: "smtp-addr", Default: "", Usage: "SMTP server host:port for email; empty writes emails to the log", Set: func(c *Config, s string) error {
		if s != "" {
			if _, _, err := net.SplitHostPort(s); err != nil {
				return fmt.Errorf("must be host:port: %v", err)
			}
		}
		c.SMTPAddr = s
		return nil
	}},
	{Name: "smtp-user", Default: "", Usage: "SMTP user name", Set: str(func(c *Config) *string { return &c.SMTPUser })},
	{Name: "smtp-password", Default: "", Usage: "SMTP password", Secret: true, Set: str(func(c *Config) *string { return &c.SMTPPass })},
	{Name: "smtp-from", Default: "atrium@localhost", Usage: "sender address of emails", Set: str(func(c *Config) *string { return &c.SMTPFrom })},
	{Name: "tls-cert", Default: "", Usage: "TLS certificate file (PEM); with --tls-key serves HTTPS", Set: str(func(c *Config) *string { return &c.TLSCert })},
	{Name: "tls-key", Default: "", Usage: "TLS private key file (PEM)", Set: str(func(c *Config) *string { return &c.TLSKey })},
	{Name: "trust-proxy", Default: "false", Usage: "trust X-Forwarded-For/-Proto from a reverse proxy", Set: func(c *Config, s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("must be true or false")
		}
		c.TrustProxy = b
		return nil
	}},
	{Name: "min-age", Default: "14", Usage: "age below which a guardian's consent is required", Set: func(c *Config, s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 21 {
			return errors.New("must be a whole number from 0 to 21")
		}
		c.MinAge = n
		return nil
	}},
	{Name: "dev-ui-url", Default: "", Usage: "development only: proxy the web app's paths to this Vite dev server (e.g. http://127.0.0.1:5173)", Set: func(c *Config, s string) error {
		if s != "" && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			return errors.New("must start with http:// or https://")
		}
		c.DevUIURL = strings.TrimRight(s, "/")
		return nil
	}},
	{Name: "debug-addr", Default: "", Usage: "loopback host:port serving Go profiles (/debug/pprof/) for diagnosing load; empty disables", Set: func(c *Config, s string) error {
		if s == "" {
			c.DebugAddr = ""
			return nil
		}
		host, _, err := net.SplitHostPort(s)
		if err != nil {
			return fmt.Errorf("must be host:port: %v", err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return errors.New("must be a loopback address (127.0.0.1, ::1 or localhost): profiles reveal memory contents")
		}
		c.DebugAddr = s
		return nil
	}},
	{Name: "metrics", Default: "false", Usage: "serve Prometheus metrics at /metrics on the debug address (needs --debug-addr)", Set: func(c *Config, s string) error {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("must be true or false")
		}
		c.Metrics = b
		return nil
	}},
	{Name: "shutdown-timeout", Default: "20s", Usage: "how long shutdown waits for in-flight requests", Set: duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{Name: "read-header-timeout", Default: "10s", Usage: "how long a client may take to send a request's headers before the connection is closed", Set: duration(func(c *Config) *time.Duration { return &c.ReadHeaderTimeout })},
	{Name: "read-body-timeout", Default: "30s", Usage: "how long a request body may stall with no byte arriving before the connection is closed (uploads that keep moving are not cut off)", Set: duration(func(c *Config) *time.Duration { return &c.ReadBodyTimeout })},
	{Name: "idle-timeout", Default: "2m", Usage: "how long an idle keep-alive connection stays open (WebSocket streams are not affected)", Set: duration(func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{Name: "push-test-endpoint", Default: "", Hidden: true, Usage: "browser tests only, never in production: a loopback IP:port the push sender may also reach (a test push service)", Set: func(c *Config, s string) error {
		if s != "" {
			ap, err := netip.ParseAddrPort(s)
			if err != nil || !ap.Addr().IsLoopback() || ap.Port() == 0 {
				return errors.New("must be a loopback IP address and port, such as 127.0.0.1:8443")
			}
		}
		c.PushTestEndpoint = s
		return nil
	}},
	{Name: "push-test-ca", Default: "", Hidden: true, Usage: "browser tests only, never in production: PEM certificate the push sender trusts for --push-test-endpoint", Set: str(func(c *Config) *string { return &c.PushTestCA })},
}

func duration(dst func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return errors.New("must be a positive duration such as 20s")
		}
		*dst(c) = d
		return nil
	}
}

// AddFlags registers every option on fs, with its default.
func AddFlags(fs *pflag.FlagSet) {
	for _, o := range Options {
		usage := o.Usage + " (env " + o.Env() + ")"
		if o.Secret {
			usage += " [secret; also " + o.Env() + "_FILE]"
		}
		fs.String(o.Name, o.Default, usage)
		if o.Hidden {
			_ = fs.MarkHidden(o.Name)
		}
	}
}

// Load resolves the configuration: flags set on the command line win, then
// the environment (ATRIUM_X, or ATRIUM_X_FILE for secrets), then defaults.
// environ is os.Environ() in production.
func Load(fs *pflag.FlagSet, environ []string) (*Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ATRIUM_") {
			env[k] = v
		}
	}
	known := map[string]bool{}
	for _, o := range Options {
		known[o.Env()] = true
		if o.Secret {
			known[o.Env()+"_FILE"] = true
		}
	}
	var unknown []string
	for k := range env {
		if !known[k] && !isTestVar(k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown environment variable %s (see 'atrium serve --help' for the options)", strings.Join(unknown, ", "))
	}
	c := &Config{}
	for _, o := range Options {
		val, source := o.Default, "default"
		if v, ok := env[o.Env()]; ok {
			val, source = v, o.Env()
		}
		if o.Secret {
			if p, ok := env[o.Env()+"_FILE"]; ok {
				b, err := os.ReadFile(p)
				if err != nil {
					return nil, fmt.Errorf("%s_FILE: %v", o.Env(), err)
				}
				val, source = strings.TrimSpace(string(b)), o.Env()+"_FILE"
			}
		}
		if fs != nil {
			if f := fs.Lookup(o.Name); f != nil && f.Changed {
				val, source = f.Value.String(), "--"+o.Name
			}
		}
		if err := o.Set(c, val); err != nil {
			shown := strconv.Quote(val)
			if o.Secret {
				shown = "(secret)"
			}
			return nil, fmt.Errorf("invalid value %s for %s: %v", shown, source, err)
		}
	}
	if c.Metrics && c.DebugAddr == "" {
		return nil, errors.New("--metrics needs --debug-addr: metrics are served on the loopback debug listener, never publicly")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("--tls-cert and --tls-key must be given together")
	}
	if (c.PushTestEndpoint == "") != (c.PushTestCA == "") {
		return nil, errors.New("--push-test-endpoint and --push-test-ca must be given together (browser tests only)")
	}
	if c.BaseURL == "" {
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		c.BaseURL = scheme + "://" + c.Addr
	}
	return c, nil
}

// isTestVar lets the test harness's own variables through.
func isTestVar(k string) bool {
	return strings.HasPrefix(k, "ATRIUM_TEST_") || k == "ATRIUM_REQUIRE_POSTGRES" || k == "ATRIUM_PG_BIN"
}
