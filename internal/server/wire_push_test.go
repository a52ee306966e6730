package server

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/atrium-hq/atrium/internal/push"
)

// TestPushTestEndpointRefusesNonLoopback: the browser tests' push service
// knob names a loopback address with a PEM certificate, or start-up stops.
func TestPushTestEndpointRefusesNonLoopback(t *testing.T) {
	ca, err := filepath.Abs("../../e2e/lib/push-service/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	svc := &push.Service{}
	for _, c := range []struct{ endpoint, ca string }{
		{"10.0.0.1:443", ca}, {"8.8.8.8:443", ca}, {"localhost:443", ca}, {"[2001:db8::1]:443", ca},
		{"127.0.0.1:8443", filepath.Join(t.TempDir(), "missing.pem")}, {"127.0.0.1:8443", notPEM},
	} {
		if err := pushTestEndpoint(svc, c.endpoint, c.ca); err == nil {
			t.Errorf("%s with %s accepted", c.endpoint, c.ca)
		}
	}
	if err := pushTestEndpoint(svc, "127.0.0.1:8443", ca); err != nil {
		t.Fatal(err)
	}
}
