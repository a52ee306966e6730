package identity

// Login history and security notices: every sign-in attempt of the person,
// and a notice (with an email) when the account is signed in to from a new
// device or network.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

// network returns the /24 (IPv4) or /48 (IPv6) network of an address.
// throttleAddr is the address a client is throttled by: an IPv4 address
// itself, an IPv6 one by its /64 (one subscriber's whole allocation, which
// it may otherwise walk through to get past every per-address limit).
func throttleAddr(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

func network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}

// noticeNewClient remembers the client's device and network; when either is
// new for an account that has signed in before, it records a notice and
// emails the person. It reports whether an email was queued.
func (s *Service) noticeNewClient(ctx context.Context, acc accountRow, c client, now int64) (bool, error) {
	before, err := s.st.hasKnownClients(ctx, acc.ID)
	if err != nil {
		return false, err
	}
	newNet, newDev := false, false
	if c.IP != "" {
		seen, err := s.st.rememberClient(ctx, acc.ID, "network", s.Keys.Hash("known_network", network(c.IP)), now)
		if err != nil {
			return false, err
		}
		newNet = !seen
	}
	if c.DeviceID != "" {
		seen, err := s.st.rememberClient(ctx, acc.ID, "device", s.Keys.Hash("known_device", c.DeviceID), now)
		if err != nil {
			return false, err
		}
		newDev = !seen
	}
	// The first sign-in of an account has nothing to compare with.
	if !before || (!newNet && !newDev) {
		return false, nil
	}
	data := map[string]any{"ip": c.IP, "user_agent": truncate(c.UserAgent, 512), "device_id": c.DeviceID, "new_device": newDev, "new_network": newNet}
	b, _ := json.Marshal(data)
	if err := s.st.insertNotice(ctx, noticeRow{ID: ids.New("ntc"), AccountID: acc.ID, Kind: "new_sign_in", Data: string(b), CreatedAt: now}); err != nil {
		return false, err
	}
	email, err := s.open(ctx, acc.ID, "email", acc.EmailSealed)
	if err != nil || email == "" {
		return false, err
	}
	what := "a new device"
	if !newDev {
		what = "a new network"
	}
	body := fmt.Sprintf("Your Atrium account was just signed in to from %s.\n\nTime: %s\nIP address: %s\nBrowser or app: %s\n",
		what, time.UnixMilli(now).UTC().Format("2006-01-02 15:04 UTC"), c.IP, orDash(truncate(c.UserAgent, 200)))
	if c.DeviceID != "" {
		body += "Device id: " + truncate(c.DeviceID, 100) + "\n"
	}
	body += "\nIf this was you, there is nothing to do. If not, change your password at " + s.BaseURL +
		" and end the sessions you do not recognize under Account → Sessions."
	if err := outbox.Send(ctx, s.DB, outbox.Message{To: email, Subject: "New sign-in to your Atrium account", Body: body}); err != nil {
		return false, err
	}
	return true, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// LoginEntry is one sign-in attempt in the login history.
type LoginEntry struct {
	ID        string `json:"id"`
	At        int64  `json:"at"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	DeviceID  string `json:"device_id,omitempty"`
	Method    string `json:"method"`
	Outcome   string `json:"outcome"` // success, bad_password, bad_totp_code, locked, …
}

// LoginHistoryPage is a page of the login history.
type LoginHistoryPage struct {
	Items      []LoginEntry `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// checkPage reads a page of a list ordered by id: the id the page
// continues below ("" for the first page) and the limit. The cursor is an
// httpx.Cursor of that id, or the bare id the lists handed out before.
func checkPage(cursor, prefix string, limit int) (string, int, error) {
	c, err := httpx.ParseCursor(cursor, func(v string) (httpx.Cursor, bool) { return httpx.Cursor{ID: v}, true })
	if err != nil || (cursor != "" && !ids.HasPrefix(c.ID, prefix)) {
		return "", 0, httpx.ErrInvalidCursor
	}
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 200 {
		return "", 0, apperr.Invalid("invalid_limit", "limit must be from 1 to 200").With("field", "limit")
	}
	return c.ID, limit, nil
}

// LoginHistory returns the caller's sign-in attempts, newest first.
func (s *Service) LoginHistory(ctx context.Context, cursor string, limit int) (LoginHistoryPage, error) {
	a, err := self(ctx)
	if err != nil {
		return LoginHistoryPage{}, err
	}
	after, limit, err := checkPage(cursor, "lgn", limit)
	if err != nil {
		return LoginHistoryPage{}, err
	}
	rows, err := s.st.listLogins(ctx, a.AccountID, after, limit+1)
	if err != nil {
		return LoginHistoryPage{}, err
	}
	p := LoginHistoryPage{Items: []LoginEntry{}}
	for i, r := range rows {
		if i == limit {
			p.NextCursor = httpx.Cursor{ID: rows[i-1].ID}.String()
			break
		}
		p.Items = append(p.Items, LoginEntry{ID: r.ID, At: r.CreatedAt, IP: r.IP, UserAgent: r.UserAgent, DeviceID: r.DeviceID, Method: r.Method, Outcome: r.Outcome})
	}
	return p, nil
}

// Notice is a security notice for the person.
type Notice struct {
	ID        string          `json:"id"`
	Kind      string          `json:"kind"` // new_sign_in
	Data      json.RawMessage `json:"data"`
	CreatedAt int64           `json:"created_at"`
}

// NoticePage is a page of notices.
type NoticePage struct {
	Items      []Notice `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// Notices returns the caller's security notices, newest first.
func (s *Service) Notices(ctx context.Context, cursor string, limit int) (NoticePage, error) {
	a, err := self(ctx)
	if err != nil {
		return NoticePage{}, err
	}
	after, limit, err := checkPage(cursor, "ntc", limit)
	if err != nil {
		return NoticePage{}, err
	}
	rows, err := s.st.listNotices(ctx, a.AccountID, after, limit+1)
	if err != nil {
		return NoticePage{}, err
	}
	p := NoticePage{Items: []Notice{}}
	for i, r := range rows {
		if i == limit {
			p.NextCursor = httpx.Cursor{ID: rows[i-1].ID}.String()
			break
		}
		p.Items = append(p.Items, Notice{ID: r.ID, Kind: r.Kind, Data: json.RawMessage(r.Data), CreatedAt: r.CreatedAt})
	}
	return p, nil
}
