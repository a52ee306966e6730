package privacy

import (
	"context"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/fresh"
)

// gateCache keeps the gate off the database on the hot path. The required
// policy versions, and each account's passing state — accepted versions,
// not a minor without a guardian — are remembered at the generation of
// policies the request read (platform/fresh): a version published, an
// acceptance or a guardian's consent withdrawn, or a birth date changed,
// on any node, raises it, and the next request on every node reads the
// database again. The age check is also re-read after ageRecheck (people
// come of age). Only passing results are cached: a person who must still
// accept something is always checked against the database.
type gateCache struct {
	mu       sync.Mutex
	gen      int64
	loaded   bool
	required map[string]int // kind → required seq of the current version
	accepted map[string]map[string]int
	ageOK    map[string]time.Time // account → passing until
}

// gateCacheMax bounds the accounts remembered; past it the maps restart.
const gateCacheMax = 100000

// at makes gen the cache's generation, forgetting everything remembered at
// another. Called with mu held.
func (c *gateCache) at(gen int64) {
	if c.gen != gen {
		c.gen, c.loaded, c.required, c.accepted, c.ageOK = gen, false, nil, nil, nil
	}
}

func (c *gateCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loaded = false
}

// requiredVersions returns the required seq per kind, and the generations
// it is valid at (cacheable false: use it for this request only).
func (s *Service) requiredVersions(ctx context.Context) (req map[string]int, g fresh.Gens, cacheable bool, err error) {
	c := &s.gate
	g, cacheable = fresh.From(ctx, s.DB)
	if cacheable {
		c.mu.Lock()
		c.at(g[fresh.Policies])
		if c.loaded {
			r := c.required
			c.mu.Unlock()
			return r, g, true, nil
		}
		c.mu.Unlock()
	}
	req, err = requiredSeqs(ctx, s.DB)
	if err != nil {
		return nil, g, false, err
	}
	if cacheable {
		c.mu.Lock()
		c.at(g[fresh.Policies])
		c.required, c.loaded = req, true
		c.mu.Unlock()
	}
	return req, g, cacheable, nil
}

// policiesPass reports, from the cache, whether the account is known to
// have accepted every required version. req and g are what
// requiredVersions returned.
func (s *Service) policiesPass(accountID string, req map[string]int, g fresh.Gens, cacheable bool) bool {
	if len(req) == 0 {
		return true
	}
	if !cacheable {
		return false
	}
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(g[fresh.Policies])
	acc := c.accepted[accountID]
	for kind, seq := range req {
		if acc[kind] < seq {
			return false
		}
	}
	return true
}

// rememberAccepted records that the account accepted every version of req,
// as read at g.
func (s *Service) rememberAccepted(accountID string, req map[string]int, g fresh.Gens) {
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(g[fresh.Policies])
	if c.accepted == nil || len(c.accepted) > gateCacheMax {
		c.accepted = map[string]map[string]int{}
	}
	m := make(map[string]int, len(req))
	for k, v := range req {
		m[k] = v
	}
	c.accepted[accountID] = m
}

func (s *Service) agePass(accountID string, g fresh.Gens, cacheable bool) bool {
	if !cacheable {
		return false
	}
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(g[fresh.Policies])
	return s.now().Before(c.ageOK[accountID])
}

func (s *Service) rememberAge(accountID string, g fresh.Gens) {
	c := &s.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at(g[fresh.Policies])
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
