package providers_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatlake/chatlake/providers"
)

// TestSetQPSChangesTheWindow runs calls for three seconds at each of three
// shares: each second carries no more attempts than the share in force,
// zero holds every call back, and raising lets them through again.
func TestSetQPSChangesTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{QPS: 100}, nil)
		s := &script{}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				for ctx.Err() == nil {
					g.Do(ctx, "ep", s.attempt)
				}
			})
		}
		phase := func(qps float64) (from, to int) {
			g.SetQPS(qps)
			time.Sleep(time.Second) // the last second of the old share
			from = s.count()
			time.Sleep(3 * time.Second)
			return from, s.count()
		}
		check := func(qps, from, to int) {
			t.Helper()
			s.mu.Lock()
			calls := append([]time.Time(nil), s.calls[from:to]...)
			s.mu.Unlock()
			if n, at := maxInWindow(calls, time.Second); n > qps {
				t.Errorf("after SetQPS(%d): %d attempts in the second from %v", qps, n, at)
			}
			if qps > 0 && len(calls) < 2*qps {
				t.Errorf("after SetQPS(%d): %d attempts in 3s, want >= %d", qps, len(calls), 2*qps)
			}
		}
		from, to := phase(10)
		check(10, from, to)
		if from, to := phase(0); to != from {
			t.Errorf("after SetQPS(0): %d attempts, want 0", to-from)
		}
		from, to = phase(30)
		if got := g.Rate(); got != 30 {
			t.Errorf("Rate() after SetQPS(30) = %v, want 30", got)
		}
		check(30, from, to)
		cancel()
		wg.Wait()
	})
}

// TestSlowAndThrottled: a Guard's own throttled second counts in
// Throttled; a cut passed to Slow lowers the rate alike and does not.
func TestSlowAndThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := providers.GuardConfig{QPS: 100, RecoverAfter: 10 * time.Second, MaxAttempts: 1, BreakerFailures: 1000}
		g := providers.NewGuard("acct", cfg, nil)
		g.Slow(1)
		if got := g.Rate(); got != 50 {
			t.Errorf("Rate() after Slow(1) = %v, want 50", got)
		}
		if n, _ := g.Throttled(); n != 0 {
			t.Errorf("Throttled() after Slow = %d cuts, want 0", n)
		}
		time.Sleep(5 * time.Second) // recovered
		for range 11 {
			g.Do(t.Context(), "ep", func(context.Context) error { return errThrottled })
			time.Sleep(100 * time.Millisecond)
		}
		if n, share := g.Throttled(); n != 1 || share != 1 {
			t.Errorf("Throttled() = %d, %v, want 1, 1", n, share)
		}
	})
}
