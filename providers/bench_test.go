package providers_test

import (
	"context"
	"testing"

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
