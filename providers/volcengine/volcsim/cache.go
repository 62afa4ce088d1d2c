package volcsim

import (
	"sync"

	"github.com/chatlake/chatlake/providers/simulator"
)

// orderCacheSize bounds the cached lists; paging one user costs one
// generation instead of one per page.
const orderCacheSize = 256

type orderKey struct {
	user     string
	dataType int32
}

// orderCache keeps recently served sorted lists. The lists are shared and
// never modified. It is safe for concurrent use.
type orderCache struct {
	mu sync.Mutex
	m  map[orderKey][]simulator.Spec
}

// get returns ordered(ds, user, dataType), from the cache when it can.
func (c *orderCache) get(ds simulator.Dataset, user string, dataType int32) []simulator.Spec {
	k := orderKey{user, dataType}
	c.mu.Lock()
	specs, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return specs
	}
	specs = ordered(ds, user, dataType)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= orderCacheSize {
		c.m = make(map[orderKey][]simulator.Spec, orderCacheSize) // crude, bounded eviction
	}
	c.m[k] = specs
	return specs
}
