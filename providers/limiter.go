package providers

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// halveEvery is the least time between two slow-downs: the throttled
// replies of requests already in flight are one signal, not many.
const halveEvery = time.Second

// underRate scales the bucket's rate a hair below the allowed one: the
// limiter's float arithmetic may otherwise schedule QPS+1 requests into one
// second, a nanosecond early.
const underRate = 1 - 1e-6

// adaptiveLimiter is a token bucket whose rate halves when the provider
// throttles (never below a floor) and climbs back linearly to the
// configured rate over time.
type adaptiveLimiter struct {
	lim      *rate.Limiter
	target   float64
	floor    float64
	recover  time.Duration
	onChange func(qps float64)

	mu     sync.Mutex
	cur    float64   // the limiter's current rate
	slowed float64   // the rate right after the last slow-down; 0 when recovered
	at     time.Time // when the last slow-down happened
}

func newAdaptiveLimiter(cfg GuardConfig, onChange func(float64)) *adaptiveLimiter {
	return &adaptiveLimiter{
		lim:      rate.NewLimiter(rate.Limit(cfg.QPS*underRate), cfg.Burst),
		target:   cfg.QPS,
		floor:    cfg.MinQPS,
		recover:  cfg.RecoverAfter,
		onChange: onChange,
		cur:      cfg.QPS,
	}
}

// wait blocks until a token is free or ctx is done.
func (l *adaptiveLimiter) wait(ctx context.Context) error {
	l.mu.Lock()
	l.setLocked(time.Now(), l.rateLocked(time.Now()))
	l.mu.Unlock()
	if err := l.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The token would come after ctx's deadline.
		return fmt.Errorf("rate limit wait: %w", context.DeadlineExceeded)
	}
	return nil
}

// throttled halves the rate, at most once per halveEvery.
func (l *adaptiveLimiter) throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.slowed != 0 && now.Sub(l.at) < halveEvery {
		return
	}
	r := max(l.rateLocked(now)/2, l.floor)
	l.slowed, l.at = r, now
	l.setLocked(now, r)
}

func (l *adaptiveLimiter) rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rateLocked(time.Now())
}

// rateLocked is the rate allowed at now: the slowed rate plus what it has
// recovered since.
func (l *adaptiveLimiter) rateLocked(now time.Time) float64 {
	if l.slowed == 0 {
		return l.target
	}
	r := l.slowed + l.target*float64(now.Sub(l.at))/float64(l.recover)
	if r >= l.target {
		l.slowed = 0
		return l.target
	}
	return r
}

func (l *adaptiveLimiter) setLocked(now time.Time, r float64) {
	if r == l.cur {
		return
	}
	l.cur = r
	l.lim.SetLimitAt(now, rate.Limit(r*underRate))
	l.onChange(r)
}
