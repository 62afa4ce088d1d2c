package pipeline

import (
	"sync"
	"time"
)

// appPauses remembers the provider apps whose circuit breaker is open, and
// until when the producer leaves their jobs alone, and each app's streak of
// failed calls. It is safe for concurrent use.
type appPauses struct {
	mu     sync.Mutex
	until  map[string]time.Time
	streak map[string]int
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

// failed records a failed call of key's provider app and returns how many
// calls in a row failed.
func (p *appPauses) failed(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.streak == nil {
		p.streak = map[string]int{}
	}
	p.streak[key]++
	return p.streak[key]
}

// succeeded ends key's streak of failures.
func (p *appPauses) succeeded(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.streak, key)
}
