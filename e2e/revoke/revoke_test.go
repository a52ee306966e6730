// Package revoke_test proves that revoking access takes effect at once, on
// the real server and both databases: deactivating a member, removing them
// from the organization, logging out and revoking a session each close the
// person's WebSockets, and every request that starts after the revoking
// request returned (its transaction committed) answers 401, 403 or 404 —
// while requests started before may still finish. Requests run
// concurrently with the revocation, so some straddle it.
package revoke_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

var setupRe = regexp.MustCompile(`/setup\?token=([0-9a-f]+)`)

type person struct {
	c         *servertest.Client
	accountID string
	memberID  string
	email     string
	sessionID string
}

var seq atomic.Int64

type fixture struct {
	env   *servertest.Env
	owner *person
	orgID string
	conv  string
}

func setup(t *testing.T, env *servertest.Env) *fixture {
	t.Helper()
	var tok string
	for i := 0; i < 400 && tok == ""; i++ {
		if m := setupRe.FindStringSubmatch(env.Out.String()); m != nil {
			tok = m[1]
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	c := env.Client()
	var res directory.SetupResult
	c.Do(t, "POST", "/api/v1/setup", map[string]any{
		"token":        tok,
		"organization": map[string]any{"name": "Revoke Inc"},
		"owner":        map[string]any{"name": "Owner", "email": "owner@revoke.test", "password": pw},
	}, &res).Want(t, http.StatusCreated)
	return &fixture{env: env, owner: &person{c: c, accountID: res.AccountID, memberID: res.MemberID}, orgID: res.Org.ID}
}

// victim makes a new member of the org, in a fresh internal group with the
// owner, signed in with a cookie session.
func (f *fixture) victim(t *testing.T) *person {
	t.Helper()
	email := fmt.Sprintf("v%d@revoke.test", seq.Add(1))
	acc, err := f.env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: email, Password: pw, Name: "Victim"})
	if err != nil {
		t.Fatal(err)
	}
	f.owner.c.Do(t, "POST", "/api/v1/members", map[string]any{"account_id": acc.ID}, nil).Want(t, http.StatusAccepted)
	p := &person{accountID: acc.ID, email: email}
	p.c, p.sessionID = f.login(t, p)
	var mine directory.MyInvitationList
	p.c.Do(t, "GET", "/api/v1/me/invitations", nil, &mine).Want(t, http.StatusOK)
	if len(mine.Items) != 1 {
		t.Fatalf("invitations %+v", mine.Items)
	}
	var res directory.JoinResult
	p.c.Do(t, "POST", "/api/v1/me/invitations/"+mine.Items[0].ID+"/accept", nil, &res).Want(t, http.StatusOK)
	p.memberID = res.MemberID
	p.c.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": f.orgID}, nil).Want(t, http.StatusOK)
	var conv struct {
		ID string `json:"id"`
	}
	f.owner.c.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Team", "member_ids": []string{acc.ID}}, &conv).Want(t, http.StatusCreated)
	f.conv = conv.ID
	return p
}

func (f *fixture) login(t *testing.T, p *person) (*servertest.Client, string) {
	t.Helper()
	c := f.env.Client()
	var lr identity.LoginResult
	c.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": p.email, "password": pw}, &lr).Want(t, http.StatusOK)
	return c, lr.SessionID
}

// cookieHeader returns the Cookie and CSRF headers of c.
func cookieHeader(env *servertest.Env, c *servertest.Client) http.Header {
	u, _ := url.Parse(env.URL)
	h := http.Header{}
	var parts []string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
		if ck.Name == "atrium_csrf" {
			h.Set("X-CSRF-Token", ck.Value)
		}
	}
	h.Set("Cookie", strings.Join(parts, "; "))
	return h
}

// socket is the victim's WebSocket on the stream.
type socket struct {
	c      *websocket.Conn
	frames chan string
	closed chan error
}

func openSocket(t *testing.T, env *servertest.Env, c *servertest.Client) *socket {
	t.Helper()
	ctx := context.Background()
	h := cookieHeader(env, c)
	h.Del("X-CSRF-Token")
	conn, _, err := websocket.Dial(ctx, strings.Replace(env.URL, "http://", "ws://", 1)+"/api/v1/stream", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial stream: %v", err)
	}
	conn.SetReadLimit(1 << 24)
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
		t.Fatal(err)
	}
	s := &socket{c: conn, frames: make(chan string, 1024), closed: make(chan error, 1)}
	go func() {
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				s.closed <- err
				close(s.frames)
				return
			}
			select {
			case s.frames <- string(data):
			default:
			}
		}
	}()
	t.Cleanup(func() { conn.CloseNow() })
	return s
}

// waitReady waits for the stream's ready frame.
func (s *socket) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatal("socket closed before ready")
			}
			if strings.Contains(f, `"ready"`) {
				return
			}
		case <-deadline:
			t.Fatal("no ready frame")
		}
	}
}

// result is one request of the victim's load.
type result struct {
	what          string
	start, finish time.Time
	status        int
	body          string
}

// load sends the victim's requests from several goroutines until stop.
func load(env *servertest.Env, c *servertest.Client, conv string, stop <-chan struct{}) func() []result {
	var mu sync.Mutex
	var out []result
	var wg sync.WaitGroup
	reqs := []struct{ method, path, body string }{
		{"GET", "/api/v1/conversations/" + conv + "/messages", ""},
		{"POST", "/api/v1/conversations/" + conv + "/messages", ""},
		{"GET", "/api/v1/members", ""},
		{"GET", "/api/v1/me", ""},
		{"GET", "/api/v1/conversations", ""},
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := reqs[(g+i)%len(reqs)]
				var rd io.Reader
				if r.method == "POST" {
					rd = strings.NewReader(fmt.Sprintf(`{"client_msg_id":"l%d-%d","body":"load"}`, g, i))
				}
				req, _ := http.NewRequest(r.method, env.URL+r.path, rd)
				for k, v := range cookieHeader(env, c) {
					req.Header[k] = v
				}
				if rd != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				start := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				out = append(out, result{what: r.method + " " + r.path, start: start, finish: time.Now(), status: resp.StatusCode, body: string(b)})
				mu.Unlock()
			}
		}(g)
	}
	return func() []result {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return out
	}
}

// TestRevocation: for each way of revoking access, the victim's socket is
// closed and nothing sent after the revocation reaches it, and every
// request that started after the revoking request returned is refused.
func TestRevocation(t *testing.T) {
	ways := []struct {
		name string
		// orgOnly: access to the organization ends, the account stays.
		orgOnly bool
		revoke  func(t *testing.T, f *fixture, v *person) *servertest.Response
	}{
		{"deactivate", true, func(t *testing.T, f *fixture, v *person) *servertest.Response {
			return f.owner.c.Do(t, "POST", "/api/v1/members/"+v.memberID+"/deactivate", nil, nil)
		}},
		{"remove", true, func(t *testing.T, f *fixture, v *person) *servertest.Response {
			return f.owner.c.Do(t, "DELETE", "/api/v1/members/"+v.memberID, nil, nil)
		}},
		{"logout", false, func(t *testing.T, f *fixture, v *person) *servertest.Response {
			return v.c.Do(t, "POST", "/api/v1/auth/logout", nil, nil)
		}},
		{"revoke-session", false, func(t *testing.T, f *fixture, v *person) *servertest.Response {
			other, _ := f.login(t, v)
			return other.Do(t, "DELETE", "/api/v1/me/sessions/"+v.sessionID, nil, nil)
		}},
	}
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		f := setup(t, env)
		for _, way := range ways {
			t.Run(way.name, func(t *testing.T) {
				v := f.victim(t)
				sock := openSocket(t, env, v.c)
				sock.waitReady(t)
				// The socket works: a message from the owner arrives.
				f.owner.c.Do(t, "POST", "/api/v1/conversations/"+f.conv+"/messages", map[string]any{"client_msg_id": fmt.Sprint("b", seq.Add(1)), "body": "before"}, nil).Want(t, http.StatusCreated)
				waitFrame(t, sock, "before")

				stop := make(chan struct{})
				results := load(env, v.c, f.conv, stop)
				time.Sleep(100 * time.Millisecond)
				r := way.revoke(t, f, v)
				committed := time.Now()
				if r.Status/100 != 2 {
					t.Fatalf("%s: %d %s", way.name, r.Status, r.Body)
				}
				time.Sleep(300 * time.Millisecond)
				close(stop)
				rs := results()

				after, straddling := 0, 0
				for _, x := range rs {
					switch {
					case x.start.After(committed):
						after++
						personal := x.what == "GET /api/v1/me" || x.what == "GET /api/v1/conversations"
						switch {
						case way.orgOnly && personal:
							// Still signed in to their own account: their own
							// data answers, but nothing of the organization.
							if strings.Contains(x.body, f.conv) || strings.Contains(x.body, f.orgID) {
								t.Errorf("%s started %v after the revocation still shows the organization: %s", x.what, x.start.Sub(committed), x.body)
							}
						case x.status != 401 && x.status != 403 && x.status != 404:
							t.Errorf("%s started %v after the revocation answered %d %s", x.what, x.start.Sub(committed), x.status, x.body)
						}
					case x.finish.After(committed):
						straddling++
					}
				}
				if after == 0 {
					t.Fatal("no request started after the revocation")
				}

				// The socket is closed, and nothing sent after the revocation
				// reached it.
				f.owner.c.Do(t, "POST", "/api/v1/conversations/"+f.conv+"/messages", map[string]any{"client_msg_id": fmt.Sprint("a", seq.Add(1)), "body": "SECRET-after-" + way.name}, nil)
				select {
				case err := <-sock.closed:
					_ = err
				case <-time.After(10 * time.Second):
					t.Fatal("the victim's socket is still open 10s after the revocation")
				}
				for fr := range sock.frames {
					if strings.Contains(fr, "SECRET-after-") {
						t.Fatalf("the socket received a message sent after the revocation: %s", fr)
					}
				}
				t.Logf("%s: %d requests started after the revocation, all refused; %d straddled it", way.name, after, straddling)
			})
		}
	})
}

func waitFrame(t *testing.T, s *socket, text string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatalf("socket closed while waiting for %q", text)
			}
			if strings.Contains(f, text) {
				var v any
				if json.Unmarshal([]byte(f), &v) != nil {
					t.Fatalf("frame is not JSON: %s", f)
				}
				return
			}
		case <-deadline:
			t.Fatalf("no frame with %q", text)
		}
	}
}
