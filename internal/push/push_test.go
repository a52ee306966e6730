package push_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/atrium-hq/atrium/internal/approval"
	"github.com/atrium-hq/atrium/internal/calendar"
	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/push"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const pw = "correct horse battery"

// people is an organization with its owner Olivia and a member Ann.
type people struct {
	owner, ann       *servertest.Client
	orgID, annAcc    string
	ownerAcc, annMem string
}

func setup(t *testing.T, env *servertest.Env) people {
	t.Helper()
	tok := env.SetupToken(t)
	owner := env.Client()
	var res directory.SetupResult
	owner.Do(t, "POST", "/api/v1/setup", map[string]any{"token": tok, "organization": map[string]any{"name": "Acme"},
		"owner": map[string]any{"name": "Olivia", "email": "owner@acme.test", "password": pw}}, &res).Want(t, http.StatusCreated)
	acc, err := env.App.Identity().CreateAccount(context.Background(), identity.NewAccount{Email: "ann@acme.test", Password: pw, Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	ann := env.Client()
	ann.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "ann@acme.test", "password": pw}, nil).Want(t, http.StatusOK)
	var inv directory.Invitation
	owner.Do(t, "POST", "/api/v1/invitations", map[string]any{"kind": "link"}, &inv).Want(t, http.StatusCreated)
	_, itok, _ := strings.Cut(inv.Link, "token=")
	var jr directory.JoinResult
	ann.Do(t, "POST", "/api/v1/join", map[string]any{"token": itok}, &jr).Want(t, http.StatusOK)
	ann.Do(t, "POST", "/api/v1/me/org", map[string]any{"org_id": res.Org.ID}, nil).Want(t, http.StatusOK)
	return people{owner: owner, ann: ann, orgID: res.Org.ID, annAcc: acc.ID, ownerAcc: res.AccountID, annMem: jr.MemberID}
}

// device is a browser's push subscription keys: a P-256 key pair and an
// authentication secret, made by the test.
type device struct {
	priv *ecdh.PrivateKey
	auth []byte
}

func newDevice(t testing.TB) device {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return device{priv: k, auth: auth}
}

func (d device) keys() map[string]any {
	return map[string]any{"p256dh": base64.RawURLEncoding.EncodeToString(d.priv.PublicKey().Bytes()), "auth": base64.RawURLEncoding.EncodeToString(d.auth)}
}

// decrypt opens an RFC 8291 aes128gcm body, written here from the RFCs
// (not with the sender's library): one record, salt and the sender's
// ephemeral key in its header.
func (d device) decrypt(t testing.TB, body []byte) []byte {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("body of %d bytes", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen+16 {
		t.Fatalf("key id of %d bytes", idlen)
	}
	asPub, ct := body[21:21+idlen], body[21+idlen:]
	if uint32(len(ct)) > rs {
		t.Fatalf("more than one record: %d > %d", len(ct), rs)
	}
	as, err := ecdh.P256().NewPublicKey(asPub)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := d.priv.ECDH(as)
	if err != nil {
		t.Fatal(err)
	}
	info := append(append([]byte("WebPush: info\x00"), d.priv.PublicKey().Bytes()...), asPub...)
	ikm, err := hkdf.Key(sha256.New, secret, d.auth, string(info), 32)
	if err != nil {
		t.Fatal(err)
	}
	cek, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	// The last record ends with the delimiter 2, then zero padding.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		t.Fatalf("no last-record delimiter")
	}
	return plain[:i]
}

// verifyVAPID checks the Authorization header of a push (RFC 8292): the
// key is the deployment's, the JWT is signed with it (ES256), aud is the
// endpoint's origin, exp is in the future and sub is set.
func verifyVAPID(t testing.TB, h http.Header, publicKey, endpoint string) {
	t.Helper()
	v, ok := strings.CutPrefix(h.Get("Authorization"), "vapid ")
	if !ok {
		t.Fatalf("authorization %q", h.Get("Authorization"))
	}
	var jwt, k string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if s, ok := strings.CutPrefix(p, "t="); ok {
			jwt = s
		}
		if s, ok := strings.CutPrefix(p, "k="); ok {
			k = s
		}
	}
	if k != publicKey {
		t.Fatalf("k=%q, want the configured key %q", k, publicKey)
	}
	raw, err := base64.RawURLEncoding.DecodeString(publicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("jwt %q", jwt)
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if json.Unmarshal(b, &hdr) != nil || hdr.Alg != "ES256" {
		t.Fatalf("jwt header %s", b)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("signature of %d bytes: %v", len(sig), err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("VAPID signature does not verify with the configured public key")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	b, _ = base64.RawURLEncoding.DecodeString(parts[1])
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(endpoint)
	if claims.Aud != u.Scheme+"://"+u.Host || claims.Exp <= time.Now().Unix() || claims.Sub == "" {
		t.Fatalf("claims %+v for endpoint %s", claims, endpoint)
	}
}

// received is one push the push service got.
type received struct {
	path   string
	header http.Header
	body   []byte
}

// pushService is a push service on loopback over TLS: it hands every push
// to got and answers status.
type pushService struct {
	srv    *httptest.Server
	got    chan received
	status atomic.Int32
}

func newPushService(t testing.TB) *pushService {
	p := &pushService{got: make(chan received, 100)}
	p.status.Store(http.StatusCreated)
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case p.got <- received{path: r.URL.Path, header: r.Header.Clone(), body: b}:
		default:
		}
		w.WriteHeader(int(p.status.Load()))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// guard lets the push service's sender and validation reach only this
// loopback server, trusting its certificate.
func (p *pushService) guard(svc *push.Service) {
	ap := netip.MustParseAddrPort(p.srv.Listener.Addr().String())
	pool := x509.NewCertPool()
	pool.AddCert(p.srv.Certificate())
	svc.Guard(func(a netip.AddrPort) bool { return a == ap }, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
}

// next waits for the next push (the sender runs in the background, after
// the commit).
func (p *pushService) next(t testing.TB) received {
	t.Helper()
	select {
	case r := <-p.got:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no push arrived")
	}
	return received{}
}

// eventually waits until cond holds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var msgSeq atomic.Int64

func send(t *testing.T, c *servertest.Client, convID, body string) chat.Message {
	t.Helper()
	var m chat.Message
	c.Do(t, "POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"client_msg_id": "m" + strconv.FormatInt(msgSeq.Add(1), 10), "body": body}, &m).Want(t, http.StatusCreated)
	return m
}

// TestHTTPSubscriptions: subscribing, listing, re-subscribing the same
// endpoint, removing, someone else's device, and the validation codes.
func TestHTTPSubscriptions(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		p := setup(t, env)
		var cfg push.Config
		p.ann.Do(t, "GET", "/api/v1/push/config", nil, &cfg).Want(t, http.StatusOK)
		if raw, err := base64.RawURLEncoding.DecodeString(cfg.PublicKey); !cfg.Enabled || err != nil || len(raw) != 65 || raw[0] != 4 {
			t.Fatalf("config %+v", cfg)
		}
		env.Client().Do(t, "GET", "/api/v1/push/config", nil, nil).Want(t, http.StatusUnauthorized)

		d := newDevice(t)
		ep := "https://fcm.googleapis.com/fcm/send/abc123"
		var s1, s2 push.Subscription
		p.ann.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ep, "keys": d.keys(), "device_name": "Chrome on Android"}, &s1).Want(t, http.StatusCreated)
		if s1.ID == "" || s1.EndpointHost != "fcm.googleapis.com" || s1.DeviceName != "Chrome on Android" || s1.LastUsedAt != nil {
			t.Fatalf("subscription %+v", s1)
		}
		// The same endpoint again: the same device, its name and keys updated.
		d2 := newDevice(t)
		p.ann.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ep, "keys": d2.keys(), "device_name": "Phone"}, &s2).Want(t, http.StatusOK)
		if s2.ID != s1.ID || s2.DeviceName != "Phone" {
			t.Fatalf("re-subscribed %+v, first %+v", s2, s1)
		}
		var l push.SubscriptionList
		r := p.ann.Do(t, "GET", "/api/v1/me/push-subscriptions", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 1 || l.Items[0].ID != s1.ID {
			t.Fatalf("list %+v", l)
		}
		if strings.Contains(string(r.Body), "abc123") || strings.Contains(string(r.Body), d2.keys()["auth"].(string)) {
			t.Fatalf("the list shows the endpoint or keys: %s", r.Body)
		}
		// Someone else's device is not found; it stays.
		p.owner.Do(t, "DELETE", "/api/v1/me/push-subscriptions/"+s1.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		var ol push.SubscriptionList
		p.owner.Do(t, "GET", "/api/v1/me/push-subscriptions", nil, &ol).Want(t, http.StatusOK)
		if len(ol.Items) != 0 {
			t.Fatalf("owner sees %+v", ol)
		}

		bad := func(endpoint string, keys map[string]any, code string) {
			t.Helper()
			p.ann.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": endpoint, "keys": keys}, nil).WantError(t, http.StatusBadRequest, code)
		}
		for _, e := range []string{"http://fcm.googleapis.com/x", "https://127.0.0.1/x", "https://localhost/x", "https://[::1]:8443/x",
			"https://10.1.2.3/x", "https://169.254.169.254/latest", "https://2130706433/x", "https://user:pw@push.example.com/x", "ftp://push.example.com/x", ""} {
			bad(e, d.keys(), "invalid_push_endpoint")
		}
		other := newDevice(t)
		for _, k := range []map[string]any{
			{"p256dh": "AAAA", "auth": other.keys()["auth"]},
			{"p256dh": other.keys()["p256dh"], "auth": "c2hvcnQ"},
			{"p256dh": "BA" + strings.Repeat("A", 85), "auth": other.keys()["auth"]}, // not on the curve
			{"p256dh": "not base64!", "auth": other.keys()["auth"]},
		} {
			bad(ep+"x", k, "invalid_push_keys")
		}

		p.ann.Do(t, "DELETE", "/api/v1/me/push-subscriptions/"+s1.ID, nil, nil).Want(t, http.StatusNoContent)
		p.ann.Do(t, "DELETE", "/api/v1/me/push-subscriptions/"+s1.ID, nil, nil).WantError(t, http.StatusNotFound, "not_found")
		p.ann.Do(t, "GET", "/api/v1/me/push-subscriptions", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 0 {
			t.Fatalf("after delete %+v", l)
		}
		// push_content is an organization setting the owner changes.
		var o directory.Org
		p.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"push_content": "sometimes"}, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		p.owner.Do(t, "GET", "/api/v1/orgs/current", nil, &o).Want(t, http.StatusOK)
		if o.Settings.PushContent != "hidden" {
			t.Fatalf("default push_content %q", o.Settings.PushContent)
		}
		p.ann.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"push_content": "full"}, nil).WantError(t, http.StatusForbidden, "forbidden")
	})
}

// TestHTTPPushRoundTrip: a push service on loopback (the guard allowing
// it), a device subscribed with keys made here; a direct message and a
// mention from another member arrive as pushes whose VAPID signature
// verifies with the key of GET /api/v1/push/config and whose body
// decrypts (RFC 8291, decrypted here independently) to the payload the
// organization's push_content allows; nothing is pushed for one's own
// messages, muted conversations or while the app is connected; a push
// answered 410 removes the device.
func TestHTTPPushRoundTrip(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		p := setup(t, env)
		ps := newPushService(t)
		ps.guard(env.App.Push())

		var cfg push.Config
		p.ann.Do(t, "GET", "/api/v1/push/config", nil, &cfg).Want(t, http.StatusOK)
		d := newDevice(t)
		endpoint := ps.srv.URL + "/send/ann-phone"
		var sub push.Subscription
		p.ann.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": endpoint, "keys": d.keys(), "device_name": "Ann's phone"}, &sub).
			Want(t, http.StatusCreated)

		var direct chat.Conversation
		p.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{p.annAcc}}, &direct).Want(t, http.StatusCreated)
		open := func(r received) push.Payload {
			t.Helper()
			if r.path != "/send/ann-phone" || r.header.Get("Content-Encoding") != "aes128gcm" || r.header.Get("TTL") != "86400" {
				t.Fatalf("push %s headers %v", r.path, r.header)
			}
			verifyVAPID(t, r.header, cfg.PublicKey, endpoint)
			var pl push.Payload
			b := d.decrypt(t, r.body)
			if err := json.Unmarshal(b, &pl); err != nil {
				t.Fatalf("payload %q: %v", b, err)
			}
			return pl
		}

		// hidden (the default): what happened and where, no names, no text.
		m := send(t, p.owner, direct.ID, "Lunch at noon?")
		r := ps.next(t)
		if r.header.Get("Urgency") != "high" {
			t.Fatalf("urgency %q", r.header.Get("Urgency"))
		}
		pl := open(r)
		// A direct conversation belongs to no organization.
		want := push.Payload{V: 1, Kind: "direct", URL: "/chat/" + direct.ID + "?m=" + m.ID, Tag: direct.ID}
		if pl != want {
			t.Fatalf("hidden payload %+v, want %+v", pl, want)
		}
		if strings.Contains(string(d.decrypt(t, r.body)), "Lunch") {
			t.Fatal("the hidden payload carries the text")
		}

		// full: the sender and the group's name, and the text, for a mention.
		p.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"push_content": "full"}, nil).Want(t, http.StatusOK)
		var group chat.Conversation
		p.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Launch", "member_ids": []string{p.annAcc}}, &group).
			Want(t, http.StatusCreated)
		send(t, p.owner, group.ID, "no mention, no push")
		m = send(t, p.owner, group.ID, "@[Ann]("+p.annAcc+") the slides are ready")
		pl = open(ps.next(t))
		if pl.Kind != "mention" || pl.Tag != group.ID || pl.URL != "/chat/"+group.ID+"?m="+m.ID || pl.Title != "Olivia · Launch" || pl.Body != "@Ann the slides are ready" {
			t.Fatalf("full payload %+v", pl)
		}

		// sender: the name, no text.
		p.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"push_content": "sender"}, nil).Want(t, http.StatusOK)
		send(t, p.owner, direct.ID, "Are you there?")
		pl = open(ps.next(t))
		if pl.Kind != "direct" || pl.Title != "Olivia" || pl.Body != "" {
			t.Fatalf("sender payload %+v", pl)
		}
		// Ann's own messages never push to her; a muted conversation does not push.
		send(t, p.ann, direct.ID, "yes")
		p.ann.Do(t, "PATCH", "/api/v1/conversations/"+direct.ID+"/me", map[string]any{"muted": true}, nil).Want(t, http.StatusOK)
		send(t, p.owner, direct.ID, "muted now")
		p.ann.Do(t, "PATCH", "/api/v1/conversations/"+direct.ID+"/me", map[string]any{"muted": false}, nil).Want(t, http.StatusOK)

		// With the app open (a live stream connection), nothing is pushed.
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, strings.Replace(env.URL, "http://", "ws://", 1)+"/api/v1/stream", &websocket.DialOptions{HTTPClient: p.ann.HTTP})
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.Write(ctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
			t.Fatal(err)
		}
		presence := env.App.Push().Presence
		eventually(t, "Ann is connected", func() bool { return presence.Connected(p.annAcc) })
		send(t, p.owner, direct.ID, "seen in the open app")
		// Ann answers: Olivia, not connected, gets that push. The sender
		// handles events in order, so once it arrives Olivia's message
		// to the connected Ann was decided (and must not have been pushed).
		p.owner.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ps.srv.URL + "/send/olivia", "keys": newDevice(t).keys()}, nil).
			Want(t, http.StatusCreated)
		send(t, p.ann, direct.ID, "reading it now")
		if r := ps.next(t); r.path != "/send/olivia" {
			t.Fatalf("push to %s while Ann was connected", r.path)
		}
		ws.CloseNow()
		eventually(t, "Ann is gone", func() bool { return !presence.Connected(p.annAcc) })
		m = send(t, p.owner, direct.ID, "after closing the app")
		if pl = open(ps.next(t)); pl.URL != "/chat/"+direct.ID+"?m="+m.ID {
			t.Fatalf("pushed %+v: a message seen in the open app (or while muted) was pushed", pl)
		}

		var l push.SubscriptionList
		p.ann.Do(t, "GET", "/api/v1/me/push-subscriptions", nil, &l).Want(t, http.StatusOK)
		if len(l.Items) != 1 || l.Items[0].LastUsedAt == nil {
			t.Fatalf("last used not recorded: %+v", l)
		}

		// The push service forgot the device: 410, and the device is gone.
		ps.status.Store(http.StatusGone)
		m = send(t, p.owner, direct.ID, "still there?")
		pl = open(ps.next(t))
		if pl.Kind != "direct" || pl.URL != "/chat/"+direct.ID+"?m="+m.ID {
			t.Fatalf("payload %+v", pl)
		}
		eventually(t, "the stale subscription is deleted", func() bool {
			var l push.SubscriptionList
			p.ann.Do(t, "GET", "/api/v1/me/push-subscriptions", nil, &l).Want(t, http.StatusOK)
			return len(l.Items) == 0
		})
		select {
		case r := <-ps.got:
			t.Fatalf("unexpected push to %s", r.path)
		default:
		}
	})
}

// TestHTTPApprovalPush: a request that starts waiting for an approver
// pushes "approval waiting" to them — only that, whatever push_content
// allows for messages.
func TestHTTPApprovalPush(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		p := setup(t, env)
		ps := newPushService(t)
		ps.guard(env.App.Push())
		p.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"push_content": "full"}, nil).Want(t, http.StatusOK)
		d := newDevice(t)
		p.owner.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ps.srv.URL + "/send/olivia", "keys": d.keys(), "device_name": "Laptop"}, nil).
			Want(t, http.StatusCreated)

		var list approval.TemplateList
		p.ann.Do(t, "GET", "/api/v1/approval-templates", nil, &list).Want(t, http.StatusOK)
		var tmpl approval.Template
		for _, x := range list.Items {
			if x.Builtin == "correction" {
				tmpl = x
			}
		}
		if tmpl.ID == "" {
			t.Fatalf("no built-in correction template in %+v", list.Items)
		}
		// Ann has no supervisor: the request waits for the owner.
		var r approval.Request
		p.ann.Do(t, "POST", "/api/v1/approvals", map[string]any{"template_id": tmpl.ID, "client_id": "fix1",
			"form": map[string]any{"date": "2026-12-07", "kind": "Check-out", "time": "18:05", "reason": "Forgot to check out"}}, &r).Want(t, http.StatusCreated)
		// The request's card also arrives in the owner's direct chat with Ann,
		// which pushes as a message; the two pushes may come in either order.
		var pl push.Payload
		for i := 0; i < 2; i++ {
			got := ps.next(t)
			verifyVAPID(t, got.header, mustConfig(t, p.owner).PublicKey, ps.srv.URL)
			pl = push.Payload{}
			if err := json.Unmarshal(d.decrypt(t, got.body), &pl); err != nil {
				t.Fatal(err)
			}
			if pl.Kind == "approval" {
				break
			}
			if pl.Kind != "direct" {
				t.Fatalf("unexpected push %+v", pl)
			}
		}
		want := push.Payload{V: 1, Kind: "approval", OrgID: p.orgID, URL: "/approvals/" + r.ID, Tag: r.ID}
		if pl != want {
			t.Fatalf("approval payload %+v, want %+v", pl, want)
		}
	})
}

// TestHTTPCalendarPush: an invitation to an event and its reminder push
// "invitation" and "reminder" to the person, linking to the event — never
// its title or place, whatever push_content allows for messages.
func TestHTTPCalendarPush(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		p := setup(t, env)
		ps := newPushService(t)
		ps.guard(env.App.Push())
		p.owner.Do(t, "PATCH", "/api/v1/orgs/current", map[string]any{"push_content": "full"}, nil).Want(t, http.StatusOK)
		d := newDevice(t)
		p.owner.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ps.srv.URL + "/send/olivia", "keys": d.keys(), "device_name": "Laptop"}, nil).
			Want(t, http.StatusCreated)
		var owner directory.Member
		p.owner.Do(t, "GET", "/api/v1/members/me", nil, &owner).Want(t, http.StatusOK)

		start := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Minute)
		var ev calendar.Event
		p.ann.Do(t, "POST", "/api/v1/events", map[string]any{"title": "Secret merger", "location": "Room 1", "time_zone": "UTC",
			"start": start.Format("2006-01-02T15:04"), "end": start.Add(time.Hour).Format("2006-01-02T15:04"),
			"reminders": []map[string]any{{"minutes": 60}}, "attendees": map[string]any{"member_ids": []string{owner.ID}}}, &ev).Want(t, http.StatusCreated)
		payload := func() push.Payload {
			got := ps.next(t)
			var pl push.Payload
			if err := json.Unmarshal(d.decrypt(t, got.body), &pl); err != nil {
				t.Fatal(err)
			}
			return pl
		}
		want := push.Payload{V: 1, Kind: "invitation", OrgID: p.orgID, URL: "/calendar/events/" + ev.ID, Tag: "cal-inv:" + ev.ID}
		if pl := payload(); pl != want {
			t.Fatalf("invitation payload %+v, want %+v", pl, want)
		}
		// An hour and a minute later the reminder is due.
		svc := env.App.Calendar()
		svc.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
		defer func() { svc.Now = time.Now }()
		if n, err := svc.RemindDue(context.Background()); err != nil || n == 0 {
			t.Fatalf("reminders sent: %d %v", n, err)
		}
		want = push.Payload{V: 1, Kind: "reminder", OrgID: p.orgID, URL: "/calendar/events/" + ev.ID, Tag: "cal-rem:" + ev.ID + "@" + start.Format(time.RFC3339)}
		if pl := payload(); pl != want {
			t.Fatalf("reminder payload %+v, want %+v", pl, want)
		}
	})
}

func mustConfig(t *testing.T, c *servertest.Client) push.Config {
	t.Helper()
	var cfg push.Config
	c.Do(t, "GET", "/api/v1/push/config", nil, &cfg).Want(t, http.StatusOK)
	return cfg
}

// TestHTTPHandoverPush: the person who takes over a leaver's drive files
// gets a "handover" push linking to the drive — never the leaver's name
// nor the files'.
func TestHTTPHandoverPush(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		p := setup(t, env)
		ps := newPushService(t)
		ps.guard(env.App.Push())
		d := newDevice(t)
		p.owner.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ps.srv.URL + "/send/olivia", "keys": d.keys(), "device_name": "Laptop"}, nil).
			Want(t, http.StatusCreated)
		var sp struct {
			RootID string `json:"root_id"`
		}
		p.owner.Do(t, "POST", "/api/v1/drive/spaces", map[string]any{"kind": "team", "name": "Team",
			"members": []map[string]any{{"kind": "member", "id": p.annMem, "role": "editor"}}}, &sp).Want(t, http.StatusCreated)
		req, err := http.NewRequest("POST", env.URL+"/api/v1/drive/items/"+sp.RootID+"/files?name=work.txt", strings.NewReader("work"))
		if err != nil {
			t.Fatal(err)
		}
		p.ann.Request(t, req).Want(t, http.StatusCreated)
		p.ann.Do(t, "POST", "/api/v1/me/erasures/quit-org", nil, nil).Want(t, http.StatusOK)
		var pl push.Payload
		if err := json.Unmarshal(d.decrypt(t, ps.next(t).body), &pl); err != nil {
			t.Fatal(err)
		}
		want := push.Payload{V: 1, Kind: "handover", OrgID: p.orgID, URL: "/drive", Tag: "drive-handover:" + p.orgID}
		if pl != want {
			t.Fatalf("handover payload %+v, want %+v", pl, want)
		}
	})
}
