package dav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"golang.org/x/net/webdav"
)

// lockStore keeps the WebDAV locks of this node in memory
// (webdav.NewMemLS) under the canonical form of their paths (by ids, so
// every spelling of a path meets the same lock), behind random tokens
// that remember the account that took them.
type lockStore struct {
	mu     sync.Mutex
	ls     webdav.LockSystem
	tokens map[string]*lockEntry
}

type lockEntry struct {
	inner   string
	account string
	root    string // as the client named it, for the lock's answers
	expires time.Time
}

func newLockStore() *lockStore {
	return &lockStore{ls: webdav.NewMemLS(), tokens: map[string]*lockEntry{}}
}

// sweep forgets the tokens of expired locks.
func (s *lockStore) sweep(now time.Time) {
	for t, e := range s.tokens {
		if !e.expires.IsZero() && now.After(e.expires) {
			delete(s.tokens, t)
		}
	}
}

func expiry(now time.Time, d time.Duration) time.Time {
	if d < 0 {
		return time.Time{}
	}
	return now.Add(d)
}

// lockView is the lock system as one request sees it.
type lockView struct {
	s       *Server
	ctx     context.Context
	account string
}

var _ webdav.LockSystem = lockView{}

// canon is a path's canonical form ("" and unresolvable paths as given).
func (v lockView) canon(name string) string {
	if name == "" {
		return ""
	}
	l, err := v.s.locate(v.ctx, name)
	if err != nil {
		return clean(name)
	}
	return l.key()
}

func (v lockView) Confirm(now time.Time, name0, name1 string, conditions ...webdav.Condition) (func(), error) {
	s := v.s.locks
	s.mu.Lock()
	cs := make([]webdav.Condition, len(conditions))
	for i, c := range conditions {
		cs[i] = c
		if c.Token != "" {
			cs[i].Token = "unknown"
			if e := s.tokens[c.Token]; e != nil {
				cs[i].Token = e.inner
			}
		}
	}
	s.mu.Unlock()
	return s.ls.Confirm(now, v.canon(name0), v.canon(name1), cs...)
}

func (v lockView) Create(now time.Time, d webdav.LockDetails) (string, error) {
	s := v.s.locks
	root := d.Root
	d.Root = v.canon(d.Root)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	inner, err := s.ls.Create(now, d)
	if err != nil {
		return "", err
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "urn:uuid:" + hex.EncodeToString(b[0:4]) + "-" + hex.EncodeToString(b[4:6]) + "-" + hex.EncodeToString(b[6:8]) + "-" +
		hex.EncodeToString(b[8:10]) + "-" + hex.EncodeToString(b[10:])
	s.tokens[tok] = &lockEntry{inner: inner, account: v.account, root: root, expires: expiry(now, d.Duration)}
	return tok, nil
}

func (v lockView) Refresh(now time.Time, token string, d time.Duration) (webdav.LockDetails, error) {
	s := v.s.locks
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.tokens[token]
	if e == nil || e.account != v.account {
		return webdav.LockDetails{}, webdav.ErrNoSuchLock
	}
	ld, err := s.ls.Refresh(now, e.inner, d)
	if err != nil {
		return ld, err
	}
	e.expires = expiry(now, d)
	ld.Root = e.root
	return ld, nil
}

func (v lockView) Unlock(now time.Time, token string) error {
	s := v.s.locks
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.tokens[token]
	if e == nil {
		return webdav.ErrNoSuchLock
	}
	if e.account != v.account {
		return webdav.ErrForbidden
	}
	err := s.ls.Unlock(now, e.inner)
	if err == nil || err == webdav.ErrNoSuchLock {
		delete(s.tokens, token)
	}
	return err
}
