package reqctx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

func TestClientIP(t *testing.T) {
	for _, tc := range []struct {
		name, remote string
		xff          []string
		trust        bool
		want         string
	}{
		{"peer", "192.0.2.1:5000", nil, false, "192.0.2.1"},
		{"peer ipv6", "[2001:db8::1]:5000", nil, false, "2001:db8::1"},
		{"header ignored without trust", "192.0.2.1:5000", []string{"198.51.100.7"}, false, "192.0.2.1"},
		{"proxy's hop", "192.0.2.1:5000", []string{"203.0.113.66, 198.51.100.7"}, true, "198.51.100.7"},
		{"last header wins", "192.0.2.1:5000", []string{"203.0.113.66", "198.51.100.7"}, true, "198.51.100.7"},
		{"garbage falls back to the peer", "192.0.2.1:5000", []string{"not-an-ip"}, true, "192.0.2.1"},
		{"no header behind trust", "192.0.2.1:5000", nil, true, "192.0.2.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := reqctx.ClientIP(r, tc.trust); got != tc.want {
				t.Fatalf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMiddlewareAttachesOneRequest(t *testing.T) {
	var got reqctx.Request
	h := reqctx.Middleware(true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = reqctx.From(r.Context())
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	r.Header.Set("User-Agent", "probe/1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if got.ID == "" || w.Header().Get("X-Request-Id") != got.ID || got.ClientIP != "198.51.100.7" || got.UserAgent != "probe/1" {
		t.Fatalf("request %+v, header id %q", got, w.Header().Get("X-Request-Id"))
	}
	ctx := reqctx.WithDevice(reqctx.With(context.Background(), got), "laptop")
	if d := reqctx.From(ctx); d.DeviceID != "laptop" || d.ID != got.ID {
		t.Fatalf("WithDevice lost the request: %+v", d)
	}
}

type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, token string, via actor.Via) (*actor.Actor, error) {
	if token != "good" {
		return nil, apperr.ErrUnauthenticated
	}
	return &actor.Actor{AccountID: "acc", OrgID: "org", Via: via}, nil
}

type members map[string]string

func (m members) ResolveMember(_ context.Context, accountID, orgID string) (string, error) {
	if id, ok := m[accountID+"/"+orgID]; ok {
		return id, nil
	}
	return "", apperr.ErrNotFound
}

func TestCallers(t *testing.T) {
	req := func(h, cookie string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: reqctx.SessionCookie, Value: cookie})
		}
		return r
	}
	c := reqctx.Callers{Auth: fakeAuth{}, Members: members{"acc/org": "mem"}}
	if a, err := c.FromRequest(req("", "")); a != nil || err != nil {
		t.Fatalf("anonymous: %v %v", a, err)
	}
	if _, err := c.FromRequest(req("Basic x", "")); apperr.CodeOf(err) != "bad_authorization" {
		t.Fatalf("basic auth: %v", err)
	}
	a, err := c.FromRequest(req("Bearer good", "bad"))
	if err != nil || a.Via != actor.ViaBearer || a.MemberID != "mem" {
		t.Fatalf("bearer first: %+v %v", a, err)
	}
	a, err = c.FromRequest(req("", "good"))
	if err != nil || a.Via != actor.ViaCookie {
		t.Fatalf("cookie: %+v %v", a, err)
	}
	// No longer a member: still signed in, in no organization.
	c.Members = members{}
	a, err = c.FromRequest(req("Bearer good", ""))
	if err != nil || a.OrgID != "" || a.MemberID != "" {
		t.Fatalf("removed member: %+v %v", a, err)
	}
	if _, err := c.FromRequest(req("Bearer bad", "")); apperr.KindOf(err) != apperr.KindUnauthenticated {
		t.Fatalf("bad token: %v", err)
	}
}
