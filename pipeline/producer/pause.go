package producer

import (
	"sync"
	"time"

	"github.com/chatlake/chatlake/schemas"
)

// appPauses remembers the provider apps whose circuit breaker is open and
// until when the producer leaves their jobs alone. It is safe for
// concurrent use.
type appPauses struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// pause appPauses key until t, or longer if it already is.
func (p *appPauses) pause(key string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.until == nil {
		p.until = map[string]time.Time{}
	}
	if t.After(p.until[key]) {
		p.until[key] = t
	}
}

// remaining returns how long key stays paused after now; 0 when it is not.
func (p *appPauses) remaining(key string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.until[key]
	if !ok {
		return 0
	}
	if !t.After(now) {
		delete(p.until, key)
		return 0
	}
	return t.Sub(now)
}

// paused lists the keys paused at now.
func (p *appPauses) paused(now time.Time) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var keys []string
	for k, t := range p.until {
		if t.After(now) {
			keys = append(keys, k)
		}
	}
	return keys
}

// appKey is the key of job's provider app in appPauses: "<provider>.<app>".
func appKey(job schemas.Job) string { return job.Provider + "." + job.App }
