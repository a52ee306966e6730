package identity

// Sessions: opening one at sign-in, authenticating its token on every
// request, switching its organization, and listing and ending the caller's
// sessions (one, all, an organization's, signing out).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/fresh"
	"github.com/atrium-hq/atrium/internal/platform/ids"
	"github.com/atrium-hq/atrium/internal/platform/outbox"
)

// Session kinds: how the token is carried.
const (
	KindCookie = "cookie"
	KindBearer = "bearer"
)

// SessionTTL is how long a session lives after it was last used.
const SessionTTL = 30 * 24 * time.Hour

// touchEvery bounds how often a session's last-seen time is written.
const touchEvery = time.Minute

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// openSession creates a session for acc and records the sign-in: login
// history, known devices and networks (with a notice and an email when one
// is new), an event and an audit entry.
func (s *Service) openSession(ctx context.Context, acc accountRow, orgID, kind, method string) (string, sessionRow, error) {
	c := clientFrom(ctx)
	token := ids.Token(32)
	now := time.Now()
	sess := sessionRow{ID: ids.New("ses"), TokenHash: tokenHash(token), AccountID: acc.ID, OrgID: orgID, Kind: kind,
		IP: c.IP, UserAgent: truncate(c.UserAgent, 512), DeviceID: c.DeviceID,
		CreatedAt: now.UnixMilli(), LastSeenAt: now.UnixMilli(), ExpiresAt: now.Add(SessionTTL).UnixMilli()}
	sent := false
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.insertSession(ctx, sess); err != nil {
			return err
		}
		if err := s.st.insertLogin(ctx, loginRow{ID: ids.New("lgn"), AccountID: acc.ID, CreatedAt: sess.CreatedAt,
			IP: c.IP, UserAgent: sess.UserAgent, DeviceID: c.DeviceID, Method: method, Outcome: "success"}); err != nil {
			return err
		}
		var err error
		if sent, err = s.noticeNewClient(ctx, acc, c, sess.CreatedAt); err != nil {
			return err
		}
		// The browser becomes a known device of the account (throttle.go).
		if tok := deviceTokenFrom(ctx); tok != "" {
			if _, err := s.st.rememberClient(ctx, acc.ID, "device_key", s.deviceHash(tok), sess.CreatedAt); err != nil {
				return err
			}
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, acc.ID, "session.created", map[string]any{"session_id": sess.ID}); err != nil {
			return err
		}
		via := actor.ViaCookie
		if kind == KindBearer {
			via = actor.ViaBearer
		}
		actx := actor.With(ctx, &actor.Actor{AccountID: acc.ID, SessionID: sess.ID, Via: via, OrgID: orgID})
		return audit.Record(actx, s.DB, audit.Entry{Action: "identity.login", TargetKind: "account", TargetID: acc.ID,
			Details: map[string]any{"method": method, "session_id": sess.ID, "kind": kind}})
	})
	if err != nil {
		return "", sessionRow{}, err
	}
	if sent {
		outbox.Kick(s.DB)
	}
	return token, sess, nil
}

// sessionCacheMax bounds the sessions each node remembers.
const sessionCacheMax = 100000

// cachedSession is what Authenticate needs of a live session whose account
// is active, kept per node (platform/fresh: any session ended or moved, or
// account deactivated or deleted, anywhere, drops them all at the next
// request).
type cachedSession struct {
	id, accountID, orgID string
	lastSeen, expiresAt  int64
}

// Authenticate returns the actor of a session token, or
// apperr.ErrUnauthenticated. It slides the session's expiry, writing the
// last-seen time at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string, via actor.Via) (*actor.Actor, error) {
	if len(token) != 64 {
		return nil, apperr.ErrUnauthenticated
	}
	if _, err := hex.DecodeString(token); err != nil {
		return nil, apperr.ErrUnauthenticated
	}
	hash := tokenHash(token)
	now := time.Now()
	gens, cacheable := fresh.From(ctx, s.DB)
	if cacheable {
		// A remembered session serves until its expiry or its next touch,
		// as this node knows them; then the database decides again.
		if c, ok := s.sessions.Get(gens, hash); ok && c.expiresAt > now.UnixMilli() && now.Sub(time.UnixMilli(c.lastSeen)) < touchEvery {
			return &actor.Actor{AccountID: c.accountID, SessionID: c.id, Via: via, OrgID: c.orgID}, nil
		}
	}
	r, status, err := s.st.sessionByToken(ctx, hash)
	if errors.Is(err, db.ErrNotFound) {
		return nil, apperr.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if r.ExpiresAt <= now.UnixMilli() || status != StatusActive {
		return nil, apperr.ErrUnauthenticated
	}
	if now.Sub(time.UnixMilli(r.LastSeenAt)) >= touchEvery {
		if err := s.st.touchSession(ctx, r.ID, now.UnixMilli(), now.Add(SessionTTL).UnixMilli()); err != nil {
			s.Log.WarnContext(ctx, "identity: touch session", "session_id", r.ID, "err", err)
		} else {
			r.LastSeenAt, r.ExpiresAt = now.UnixMilli(), now.Add(SessionTTL).UnixMilli()
		}
	}
	if cacheable {
		s.sessions.Put(gens, hash, cachedSession{id: r.ID, accountID: r.AccountID, orgID: r.OrgID, lastSeen: r.LastSeenAt, expiresAt: r.ExpiresAt})
	}
	return &actor.Actor{AccountID: r.AccountID, SessionID: r.ID, Via: via, OrgID: r.OrgID}, nil
}

// SetSessionOrg switches the session's current organization. The caller
// checks that the account is a member there.
func (s *Service) SetSessionOrg(ctx context.Context, sessionID, orgID string) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		accountID, err := s.st.setSessionOrg(ctx, sessionID, orgID)
		if err != nil {
			return apperr.MapNotFound(err)
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, accountID, "session.org_changed",
			map[string]any{"session_id": sessionID, "org_id": orgID})
		return err
	})
}

// EndSessions ends every session of the account except exceptSessionID
// ("" ends all), effective for the next request.
func (s *Service) EndSessions(ctx context.Context, accountID, exceptSessionID string) error {
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := s.endSessions(ctx, accountID, exceptSessionID)
		return err
	})
}

// EndOrgSessions ends the account's sessions whose current organization is
// orgID: a member who is deactivated or removed is signed out there at
// once, on every device. When the account itself is the caller (it quits
// the organization), its own session stays signed in without an
// organization instead.
func (s *Service) EndOrgSessions(ctx context.Context, accountID, orgID string) error {
	if orgID == "" {
		return nil
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		except := ""
		if a := actor.From(ctx); a != nil && a.AccountID == accountID && a.SessionID != "" {
			except = a.SessionID
			if err := s.st.detachSessionOrg(ctx, except, orgID); err != nil {
				return err
			}
		}
		ended, err := s.st.deleteOrgSessions(ctx, accountID, orgID, except)
		if err != nil || len(ended) == 0 {
			return err
		}
		_, err = events.Append(ctx, s.DB, "", events.ScopeAccount, accountID, "session.ended", map[string]any{"session_ids": ended})
		return err
	})
}

// CloseAccount shuts an account whose deletion was asked for, in ctx's
// transaction: it signs in no more (status deleted: its password answers
// as a wrong one), its sessions end and its app passwords go, so that
// nothing opens it in the time its erasure takes (or waits on a legal
// hold).
func (s *Service) CloseAccount(ctx context.Context, accountID string) error {
	if _, err := s.st.setStatus(ctx, accountID, StatusActive, StatusDeleted, time.Now().UnixMilli()); err != nil {
		return err
	}
	if _, err := s.endSessions(ctx, accountID, ""); err != nil {
		return err
	}
	_, err := s.revokeAllAppPasswords(ctx, accountID)
	return err
}

func (s *Service) endSessions(ctx context.Context, accountID, except string) (int, error) {
	ended, err := s.st.deleteSessions(ctx, accountID, except)
	if err != nil {
		return 0, err
	}
	if len(ended) > 0 {
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, accountID, "session.ended", map[string]any{"session_ids": ended}); err != nil {
			return 0, err
		}
	}
	return len(ended), nil
}

// Session is one of the caller's sessions.
type Session struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"` // cookie or bearer
	OrgID      string `json:"org_id,omitempty"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
	DeviceID   string `json:"device_id,omitempty"`
	CreatedAt  int64  `json:"created_at"`
	LastSeenAt int64  `json:"last_seen_at"`
	ExpiresAt  int64  `json:"expires_at"`
	Current    bool   `json:"current"`
}

// SessionList is the body of GET /api/v1/me/sessions.
type SessionList struct {
	Items []Session `json:"items"`
}

// Sessions lists the caller's live sessions, most recently used first.
func (s *Service) Sessions(ctx context.Context) (SessionList, error) {
	a, err := self(ctx)
	if err != nil {
		return SessionList{}, err
	}
	rows, err := s.st.listSessions(ctx, a.AccountID, time.Now().UnixMilli())
	if err != nil {
		return SessionList{}, err
	}
	out := SessionList{Items: make([]Session, 0, len(rows))}
	for _, r := range rows {
		out.Items = append(out.Items, Session{ID: r.ID, Kind: r.Kind, OrgID: r.OrgID, IP: r.IP, UserAgent: r.UserAgent, DeviceID: r.DeviceID,
			CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, Current: r.ID == a.SessionID})
	}
	return out, nil
}

// RevokeSession ends one of the caller's sessions. Another person's session
// id answers not found, exactly like a missing one.
func (s *Service) RevokeSession(ctx context.Context, id string) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.deleteSession(ctx, id, a.AccountID); err != nil {
			return apperr.MapNotFound(err)
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "session.ended", map[string]any{"session_ids": []string{id}}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.session_revoke", TargetKind: "session", TargetID: id,
			Details: map[string]any{"current": id == a.SessionID}})
	})
}

// Logout ends the caller's own session.
func (s *Service) Logout(ctx context.Context) error {
	a, err := self(ctx)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := s.st.deleteSession(ctx, a.SessionID, a.AccountID); err != nil {
			return apperr.MapNotFound(err)
		}
		if _, err := events.Append(ctx, s.DB, "", events.ScopeAccount, a.AccountID, "session.ended", map[string]any{"session_ids": []string{a.SessionID}}); err != nil {
			return err
		}
		return audit.Record(ctx, s.DB, audit.Entry{Action: "identity.logout", TargetKind: "session", TargetID: a.SessionID})
	})
}
