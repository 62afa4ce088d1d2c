package simulator

import (
	"sync"
	"time"
)

// QPSCap enforces a requests-per-second cap per key (an account) over a
// sliding one-second window, and counts the requests it turned away.
// A zero or negative cap admits everything. It is safe for concurrent use.
type QPSCap struct {
	mu         sync.Mutex
	limit      int
	now        func() time.Time
	windows    map[string][]time.Time
	violations int
	admitted   int
}

// NewQPSCap returns a cap of limit requests per second. now may be nil
// (time.Now).
func NewQPSCap(limit int, now func() time.Time) *QPSCap {
	if now == nil {
		now = time.Now
	}
	return &QPSCap{limit: limit, now: now, windows: map[string][]time.Time{}}
}

// Admit records a request for key and reports whether it is within the cap.
// A request over the cap is a violation: the simulator answers it as the
// provider would (throttled) and counts it.
func (q *QPSCap) Admit(key string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.limit <= 0 {
		q.admitted++
		return true
	}
	now := q.now()
	w := q.windows[key]
	cut := 0
	for cut < len(w) && now.Sub(w[cut]) >= time.Second {
		cut++
	}
	w = w[cut:]
	if len(w) >= q.limit {
		q.windows[key] = w
		q.violations++
		return false
	}
	q.windows[key] = append(w, now)
	q.admitted++
	return true
}

// Violations returns how many requests exceeded the cap.
func (q *QPSCap) Violations() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.violations
}

// Admitted returns how many requests were within the cap.
func (q *QPSCap) Admitted() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.admitted
}
