package providers

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// sampleEvery is how long the limiter counts answers before it judges the
// share of them that were throttled. Answers to requests already in flight
// land in the same sample, so a burst of throttles is one signal, not many.
const sampleEvery = time.Second

// adaptiveLimiter paces an account's requests with a token bucket and keeps
// them within the quota on the wire with a sendWindow.
//
// The bucket's rate follows the provider's throttling (AIMD): after each
// sample of answers, a throttled share s of them cuts the rate by s/2 (all
// throttled halves it, 5% costs 2.5%), never below a floor; the rate then
// climbs back linearly to the configured rate. Providers throttle a few
// answers at random even below the quota: halving on each of them would
// keep the rate far below it. A quota lower than configured still brings
// the rate down within seconds, to a little above the real quota, where the
// throttled share is small.
type adaptiveLimiter struct {
	window   *sendWindow
	floor    float64
	recover  time.Duration
	onChange func(qps float64)

	mu        sync.Mutex
	lim       *rate.Limiter // replaced when the rate drops (setLocked)
	target    float64       // the quota, or this process's share of it
	cuts      uint64        // slow-downs for the account's own throttled answers
	lastCut   float64       // the throttled share of the last of them
	cur       float64       // the bucket's current rate
	slowed    float64       // the rate right after the last slow-down; 0 when recovered
	at        time.Time     // when the last slow-down happened
	sampled   time.Time     // when the current sample started; zero before the first answer
	answers   int           // in the current sample
	throttles int           // of answers
}

func newAdaptiveLimiter(cfg GuardConfig, onChange func(float64)) *adaptiveLimiter {
	return &adaptiveLimiter{
		lim:      rate.NewLimiter(rate.Limit(cfg.QPS), cfg.Burst),
		window:   newSendWindow(cfg.QPS),
		target:   cfg.QPS,
		floor:    cfg.MinQPS,
		recover:  cfg.RecoverAfter,
		onChange: onChange,
		cur:      cfg.QPS,
	}
}

// wait blocks until the request may be sent or ctx is done. After a nil
// error the caller must call done once, when the request has its answer.
func (l *adaptiveLimiter) wait(ctx context.Context) error {
	if err := l.window.acquire(ctx); err != nil {
		return err
	}
	l.mu.Lock()
	l.setLocked(time.Now(), l.rateLocked(time.Now()))
	lim := l.lim
	l.mu.Unlock()
	if err := lim.Wait(ctx); err != nil {
		l.window.release(false)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The token would come after ctx's deadline.
		return fmt.Errorf("rate limit wait: %w", context.DeadlineExceeded)
	}
	return nil
}

// done ends a request that wait let through. answered tells whether the
// provider answered (any answer, throttled or not; not a cancellation).
func (l *adaptiveLimiter) done(answered, throttled bool) {
	l.window.release(true)
	if !answered {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.sampled.IsZero() {
		l.sampled = now
	}
	l.answers++
	if throttled {
		l.throttles++
	}
	if now.Sub(l.sampled) < sampleEvery {
		return
	}
	if l.throttles > 0 {
		share := float64(l.throttles) / float64(l.answers)
		l.slowLocked(now, share)
		l.cuts++
		l.lastCut = share
	}
	l.sampled, l.answers, l.throttles = now, 0, 0
}

// slowLocked cuts the rate as a sample of answers of which share were
// throttled does.
func (l *adaptiveLimiter) slowLocked(now time.Time, share float64) {
	r := max(l.rateLocked(now)*(1-share/2), min(l.floor, l.target))
	l.slowed, l.at = r, now
	l.setLocked(now, r)
}

// slow applies a cut that another process of the account saw.
func (l *adaptiveLimiter) slow(share float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.slowLocked(time.Now(), min(max(share, 0), 1))
}

// throttled returns how many times the limiter slowed down for its own
// throttled answers and the throttled share of the last time.
func (l *adaptiveLimiter) throttled() (uint64, float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cuts, l.lastCut
}

// setQPS changes the quota the rate climbs back to and the send window's
// size. A rate slowed by throttling keeps recovering towards the new one.
func (l *adaptiveLimiter) setQPS(qps float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.slowed != 0 && l.target > 0 {
		// Keep the slowed fraction of the quota, not the absolute rate.
		l.slowed *= qps / l.target
	}
	l.target = qps
	l.window.setQPS(qps)
	now := time.Now()
	l.setLocked(now, l.rateLocked(now))
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
	lower := r < l.cur
	l.cur = r
	switch {
	case r <= 0:
		// A zero limit would spend the bucket's burst for good; the empty
		// send window already holds every request back.
	case lower:
		// The senders waiting in the bucket reserved their tokens at the
		// old rate: the bucket's debt, repaid at the new rate, would stall
		// every later request for debt/r seconds (5s for 50 waiters cut
		// from 100 to 10 QPS). They go at the old pace, which the send
		// window admitted; later requests start on a fresh bucket.
		l.lim = rate.NewLimiter(rate.Limit(r), l.lim.Burst())
	default:
		l.lim.SetLimitAt(now, rate.Limit(r))
	}
	l.onChange(r)
}
