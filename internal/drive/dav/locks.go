package dav

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/atrium-hq/atrium/internal/drive"
)

// Locks are kept by the drive in the database (drive_dav_locks), so every
// node sees them. A lock is exclusive or shared, of one resource (depth
// 0) or of everything below it too (infinity), under the canonical form
// of its path (loc.key: every spelling of a path meets the same lock).
// Only the account that took a lock may use its token, refresh or release
// it. x/net/webdav asks the lock system (lockView) before each change;
// LOCK itself is served in http.go, as x/net/webdav knows no shared
// locks.

const (
	// defaultLockTimeout is a lock's time when the client names none (or
	// asks for an infinite one), maxLockTimeout the most it gets.
	defaultLockTimeout = time.Hour
	maxLockTimeout     = 24 * time.Hour
)

// tempToken is what Create answers for x/net/webdav's checks of a change
// without an If header: nothing is stored.
const tempToken = "opaquelocktoken:check"

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// covers reports whether lock l covers the resource at key.
func covers(l drive.DAVLock, key string) bool {
	return l.Root == key || (!l.ZeroDepth && strings.HasPrefix(key, l.Root+"/"))
}

// lockView is the lock system as one request sees it.
type lockView struct {
	s       *Server
	ctx     context.Context
	account string
}

var _ webdav.LockSystem = lockView{}

// locksAt returns the location of a path and the locks of its space
// (none above the spaces).
func (v lockView) locksAt(name string) (loc, []drive.DAVLock, error) {
	l, err := v.s.locate(v.ctx, name)
	if err != nil || !l.inSpace() {
		return l, nil, nil
	}
	ls, err := v.s.Drive.DAVLocks(v.ctx, l.org.ID, l.space.ID)
	return l, ls, err
}

// Confirm checks one list of an If header: every condition holds (a
// token is one of the caller's live locks covering the resource, an ETag
// is the resource's, either negated with Not), and each named resource
// that a lock covers is covered by one whose token the list names.
func (v lockView) Confirm(_ time.Time, name0, name1 string, conditions ...webdav.Condition) (func(), error) {
	subject := name0
	if subject == "" {
		subject = name1
	}
	sl, locks, err := v.locksAt(subject)
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, c := range conditions {
		var holds bool
		switch {
		case c.Token != "":
			for _, l := range locks {
				if l.Token == c.Token && l.AccountID == v.account && sl.inSpace() && covers(l, sl.key()) {
					holds = true
				}
			}
			if holds && !c.Not {
				named[c.Token] = true
			}
		case c.ETag != "":
			if fi, err := (fsys{v.s}).Stat(v.ctx, subject); err == nil {
				if et, ok := fi.(webdav.ETager); ok {
					tag, _ := et.ETag(v.ctx)
					holds = tag == c.ETag
				}
			}
		}
		if holds == c.Not {
			return nil, webdav.ErrConfirmationFailed
		}
	}
	for _, name := range []string{name0, name1} {
		if name == "" {
			continue
		}
		l, ls, err := v.locksAt(name)
		if err != nil {
			return nil, err
		}
		if !l.inSpace() {
			continue
		}
		k, locked, ok := l.key(), false, false
		for _, x := range ls {
			if covers(x, k) {
				locked = true
				ok = ok || named[x.Token]
			}
		}
		if locked && !ok {
			return nil, webdav.ErrConfirmationFailed
		}
	}
	return func() {}, nil
}

// Create is x/net/webdav's check that a change without an If header
// meets no lock: ErrLocked when one covers the resource.
func (v lockView) Create(_ time.Time, d webdav.LockDetails) (string, error) {
	l, ls, err := v.locksAt(d.Root)
	if err != nil {
		return "", err
	}
	if l.inSpace() {
		for _, x := range ls {
			if covers(x, l.key()) {
				return "", webdav.ErrLocked
			}
		}
	}
	return tempToken, nil
}

// Refresh is not used: LOCK is served in http.go.
func (v lockView) Refresh(time.Time, string, time.Duration) (webdav.LockDetails, error) {
	return webdav.LockDetails{}, webdav.ErrNoSuchLock
}

func (v lockView) Unlock(_ time.Time, token string) error {
	if token == tempToken {
		return nil
	}
	l, err := v.s.Drive.DAVLockByToken(v.ctx, token)
	if err != nil {
		if os.IsNotExist(note(v.ctx, "unlock", token, err)) {
			return webdav.ErrNoSuchLock
		}
		return err
	}
	if l.AccountID != v.account {
		return webdav.ErrForbidden
	}
	return v.s.Drive.DeleteDAVLock(v.ctx, token)
}

// lock takes a new lock of a path: 423 (drive.IsLocked) when an
// exclusive lock, or for an exclusive one any lock, covers it, or (depth
// infinity) a lock below it conflicts.
func (v lockView) lock(l loc, zeroDepth, shared bool, owner string, d time.Duration) (drive.DAVLock, error) {
	k := l.key()
	x := drive.DAVLock{Token: newToken(), OrgID: l.org.ID, SpaceID: l.space.ID, Root: k, ZeroDepth: zeroDepth, Shared: shared,
		OwnerXML: owner, AccountID: v.account, ExpiresAt: time.Now().Add(d).UnixMilli()}
	err := v.s.Drive.CreateDAVLock(v.ctx, x, func(cur []drive.DAVLock) bool {
		for _, c := range cur {
			if c.Shared && shared {
				continue
			}
			if covers(c, k) || (!zeroDepth && strings.HasPrefix(c.Root, k+"/")) {
				return true
			}
		}
		return false
	})
	return x, err
}
