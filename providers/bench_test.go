package providers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chatlake/chatlake/providers"
)

// BenchmarkGuardDo measures what the guard adds to a successful call:
// limiter token, breaker bookkeeping, retry setup.
func BenchmarkGuardDo(b *testing.B) {
	g := providers.NewGuard("bench", providers.GuardConfig{QPS: 1e12, Burst: 1 << 30}, nil)
	ok := func(context.Context) error { return nil }
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Do(ctx, "ep", ok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGuardDoParallel is the same from many goroutines sharing one
// account's guard.
func BenchmarkGuardDoParallel(b *testing.B) {
	g := providers.NewGuard("bench", providers.GuardConfig{QPS: 1e12, Burst: 1 << 30}, nil)
	ok := func(context.Context) error { return nil }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := g.Do(context.Background(), "ep", ok); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkQuotaThrottled runs an account configured at 100 QPS against a
// server that caps it with a strict sliding one-second window and
// throttles a share of the answers at random: at the quota without and
// with 5% random throttling, and against a provider that allows only half
// of the configured rate. 32 callers call without pause; each iteration
// waits for a second's worth of successful calls at the server's cap. It
// reports successful calls and requests sent per second as fractions of
// the cap, and the requests the cap turned away.
func BenchmarkQuotaThrottled(b *testing.B) {
	const qps, callers = 100, 32
	for _, c := range []struct {
		name     string
		cap      int
		throttle float64
	}{
		{"throttle=0%", qps, 0},
		{"throttle=5%", qps, 0.05},
		{"cap=half", qps / 2, 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := newQuotaServer(b, c.cap, c.throttle)
			g := providers.NewGuard("bench", providers.GuardConfig{QPS: qps}, nil)
			oks := callContinuously(b, g, s, callers)
			start := time.Now()
			for b.Loop() {
				for range c.cap {
					<-oks
				}
			}
			elapsed := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)/elapsed, "ok/cap")
			b.ReportMetric(float64(len(s.arrived()))/elapsed/float64(c.cap), "sent/cap")
			b.ReportMetric(float64(s.cap.Violations()), "over-cap")
		})
	}
}

// callContinuously calls s from callers goroutines until b ends, and
// sends on the channel it returns after each successful call.
func callContinuously(b *testing.B, g *providers.Guard, s *quotaServer, callers int) <-chan struct{} {
	ctx, cancel := context.WithCancel(b.Context())
	oks := make(chan struct{})
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if g.Do(ctx, "ep", s.call) != nil {
					time.Sleep(100 * time.Millisecond) // an open breaker answers at once
					continue
				}
				select {
				case oks <- struct{}{}:
				case <-ctx.Done():
				}
			}
		})
	}
	b.Cleanup(func() { cancel(); wg.Wait() })
	return oks
}
