package privacy

import (
	"context"
	"sync"
	"time"
)

// gateCache keeps the gate off the database on the hot path: the required
// policy versions are re-read at most once a second (a version published on
// another node is enforced here within a second; on this node at once), and
// an account's passing state — accepted versions, not a minor without a
// guardian — is remembered until the required versions change or, for the
// age check, for ageRecheck. Only passing results are cached: a person who
// must still accept something is always checked against the database.
type gateCache struct {
	mu       sync.Mutex
	loadedAt time.Time
	required map[string]int // kind → required seq of the current version
	accepted map[string]map[string]int
	ageOK    map[string]time.Time // account → passing until
}

// gateCacheMax bounds the accounts remembered; past it the maps restart.
const gateCacheMax = 100000

func (c *gateCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loadedAt = time.Time{}
}

// requiredVersions returns the required seq per kind, reloading when stale.
func (s *Service) requiredVersions(ctx context.Context) (map[string]int, error) {
	c := &s.gate
	now := time.Now()
	c.mu.Lock()
	if !c.loadedAt.IsZero() && now.Sub(c.loadedAt) < time.Second {
		r := c.required
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()
	req, err := requiredSeqs(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.required, c.loadedAt = req, now
	return req, nil
}

// policiesPass reports, from the cache, whether the account is known to
// have accepted every required version.
func (s *Service) policiesPass(ctx context.Context, accountID string) (bool, error) {
	req, err := s.requiredVersions(ctx)
	if err != nil {
		return false, err
	}
	if len(req) == 0 {
		return true, nil
	}
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	acc := c.accepted[accountID]
	for kind, seq := range req {
		if acc[kind] < seq {
			return false, nil
		}
	}
	return true, nil
}

func (s *Service) rememberAccepted(accountID string) {
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.accepted == nil || len(c.accepted) > gateCacheMax {
		c.accepted = map[string]map[string]int{}
	}
	m := map[string]int{}
	for k, v := range c.required {
		m[k] = v
	}
	c.accepted[accountID] = m
}

func (s *Service) agePass(accountID string) bool {
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	return s.now().Before(c.ageOK[accountID])
}

func (s *Service) rememberAge(accountID string) {
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ageOK == nil || len(c.ageOK) > gateCacheMax {
		c.ageOK = map[string]time.Time{}
	}
	c.ageOK[accountID] = s.now().Add(ageRecheck)
}

func (s *Service) forgetAge(accountID string) {
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.ageOK, accountID)
}
