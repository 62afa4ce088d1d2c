package providers_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/schemas"
)

var (
	errThrottled = &providers.Error{Provider: "test", Op: "op", Class: schemas.ClassThrottled, HTTPStatus: 429}
	errTransient = &providers.Error{Provider: "test", Op: "op", Class: schemas.ClassTransient, HTTPStatus: 500}
	errPermanent = &providers.Error{Provider: "test", Op: "op", Class: schemas.ClassPermanent, HTTPStatus: 401}
	errPlain     = errors.New("connection reset")
)

// script is an attempt func that returns its errors in turn, then nil, and
// records when it was called.
type script struct {
	mu    sync.Mutex
	errs  []error
	calls []time.Time
}

func (s *script) attempt(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, time.Now())
	if len(s.calls) > len(s.errs) {
		return nil
	}
	return s.errs[len(s.calls)-1]
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// gap returns the time between call i-1 and call i.
func (s *script) gap(i int) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[i].Sub(s.calls[i-1])
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// fast is a config whose breaker does not get in the way of retry tests.
var fast = providers.GuardConfig{QPS: 1000, BreakerFailures: 1000}

func TestDoRetriesByClass(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   error // sentinel, nil for success
	}{
		{"success", nil, 1, nil},
		{"transient then ok", []error{errTransient}, 2, nil},
		{"plain error is transient", []error{errPlain, errPlain}, 3, nil},
		{"throttled then ok", []error{errThrottled}, 2, nil},
		{"permanent not retried", []error{errPermanent}, 1, providers.ErrPermanent},
		{"transient until attempts run out", repeat(errTransient, 10), 4, providers.ErrTransient},
		{"throttled until attempts run out", repeat(errThrottled, 10), 4, providers.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := providers.NewGuard("acct", fast, nil)
				s := &script{errs: tt.errs}
				err := g.Do(t.Context(), "ep", s.attempt)
				if tt.wantErr == nil && err != nil || !errors.Is(err, tt.wantErr) {
					t.Errorf("Do() = %v, want %v", err, tt.wantErr)
				}
				if got := s.count(); got != tt.wantCalls {
					t.Errorf("Do() made %d attempts, want %d", got, tt.wantCalls)
				}
			})
		})
	}
}

func TestDoBackoffIntervals(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		min, max time.Duration
	}{
		// Default intervals with the ±50% jitter of cenkalti/backoff.
		{"transient from 100ms", errTransient, 50 * time.Millisecond, 150 * time.Millisecond},
		{"throttled from 1s", errThrottled, 500 * time.Millisecond, 1500 * time.Millisecond},
		{"retry-after honoured", withRetryAfter(errThrottled, 7*time.Second), 7 * time.Second, 7 * time.Second},
		{"retry-after on transient", withRetryAfter(errTransient, 3*time.Second), 3 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := providers.NewGuard("acct", fast, nil)
				s := &script{errs: []error{tt.err}}
				if err := g.Do(t.Context(), "ep", s.attempt); err != nil {
					t.Fatalf("Do() = %v, want nil", err)
				}
				if d := s.gap(1); d < tt.min || d > tt.max {
					t.Errorf("wait before retry = %v, want in [%v, %v]", d, tt.min, tt.max)
				}
			})
		})
	}
}

func withRetryAfter(e *providers.Error, d time.Duration) *providers.Error {
	c := *e
	c.RetryAfter = d
	return &c
}

func TestDoStopsWhenRetryAfterExceedsMaxElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := fast
		cfg.MaxElapsed = 5 * time.Second
		g := providers.NewGuard("acct", cfg, nil)
		s := &script{errs: []error{withRetryAfter(errThrottled, time.Minute)}}
		start := time.Now()
		err := g.Do(t.Context(), "ep", s.attempt)
		if !errors.Is(err, providers.ErrThrottled) {
			t.Errorf("Do() = %v, want ErrThrottled", err)
		}
		if s.count() != 1 || time.Since(start) != 0 {
			t.Errorf("Do() made %d attempts in %v, want 1 at once", s.count(), time.Since(start))
		}
	})
}

func TestDoCancellationStopsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", fast, nil)
		ctx, cancel := context.WithCancel(t.Context())
		calls := 0
		attempt := func(context.Context) error {
			calls++
			// Cancel while the guard is about to wait for a throttled retry.
			time.AfterFunc(100*time.Millisecond, cancel)
			return errThrottled
		}
		start := time.Now()
		err := g.Do(ctx, "ep", attempt)
		if err != context.Canceled {
			t.Errorf("Do() = %v, want context.Canceled itself", err)
		}
		if calls != 1 || time.Since(start) != 100*time.Millisecond {
			t.Errorf("Do() made %d attempts in %v, want 1 in 100ms", calls, time.Since(start))
		}
	})
}

func TestDoCanceledBeforeStart(t *testing.T) {
	g := providers.NewGuard("acct", fast, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := &script{}
	if err := g.Do(ctx, "ep", s.attempt); err != context.Canceled || s.count() != 0 {
		t.Errorf("Do(canceled) = %v after %d attempts, want context.Canceled after 0", err, s.count())
	}
}

func TestDoAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := fast
		cfg.AttemptTimeout = 2 * time.Second
		g := providers.NewGuard("acct", cfg, nil)
		calls := 0
		attempt := func(ctx context.Context) error {
			calls++
			if calls == 1 {
				<-ctx.Done() // hang until the attempt's own timeout
				return fmt.Errorf("read body: %w", ctx.Err())
			}
			return nil
		}
		start := time.Now()
		if err := g.Do(t.Context(), "ep", attempt); err != nil {
			t.Fatalf("Do() = %v, want nil after a retry", err)
		}
		if calls != 2 || time.Since(start) < 2*time.Second {
			t.Errorf("Do() made %d attempts in %v, want 2 after >= 2s", calls, time.Since(start))
		}
	})
}

func TestBreakerOpensHalfOpensCloses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := providers.GuardConfig{MaxAttempts: 1, BreakerFailures: 3, BreakerTimeout: 10 * time.Second}
		g := providers.NewGuard("acct", cfg, nil)
		s := &script{errs: repeat(errTransient, 4)}
		for range 3 {
			g.Do(t.Context(), "ep", s.attempt)
		}
		err := g.Do(t.Context(), "ep", s.attempt)
		var open *providers.BreakerOpenError
		if !errors.As(err, &open) || open.Account != "acct" || open.Endpoint != "ep" {
			t.Fatalf("Do() with open breaker = %v, want *BreakerOpenError{acct, ep}", err)
		}
		if s.count() != 3 || !g.Open() {
			t.Fatalf("after trip: %d attempts, Open() = %v; want 3, true", s.count(), g.Open())
		}
		time.Sleep(10*time.Second + time.Millisecond)
		if st := g.States()["ep"]; st != gobreaker.StateHalfOpen {
			t.Fatalf("States()[ep] after timeout = %v, want half-open", st)
		}
		// The probe fails: open again.
		g.Do(t.Context(), "ep", s.attempt)
		if st := g.States()["ep"]; st != gobreaker.StateOpen {
			t.Fatalf("States()[ep] after failed probe = %v, want open", st)
		}
		time.Sleep(10*time.Second + time.Millisecond)
		if err := g.Do(t.Context(), "ep", s.attempt); err != nil {
			t.Fatalf("Do() probe = %v, want nil", err)
		}
		if st := g.States()["ep"]; st != gobreaker.StateClosed || g.Open() {
			t.Errorf("States()[ep] after good probe = %v, Open() = %v; want closed, false", st, g.Open())
		}
	})
}

func TestBreakerIsPerEndpoint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{MaxAttempts: 1, BreakerFailures: 1}, nil)
		if g.Open() {
			t.Error("Open() = true before any call, want false")
		}
		g.Do(t.Context(), "bad", (&script{errs: []error{errTransient}}).attempt)
		if err := g.Do(t.Context(), "good", (&script{}).attempt); err != nil {
			t.Errorf("Do(good) = %v, want nil", err)
		}
		if g.Open() {
			t.Error("Open() = true with one endpoint closed, want false")
		}
	})
}

func TestBreakerIgnoresPermanentAndCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{BreakerFailures: 2}, nil)
		for range 5 {
			if err := g.Do(t.Context(), "ep", (&script{errs: []error{errPermanent}}).attempt); !errors.Is(err, providers.ErrPermanent) {
				t.Fatalf("Do() = %v, want ErrPermanent", err)
			}
		}
		for range 5 {
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			err := g.Do(ctx, "ep", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Do() = %v, want context.DeadlineExceeded", err)
			}
		}
		if st := g.States()["ep"]; st != gobreaker.StateClosed {
			t.Errorf("States()[ep] = %v, want closed", st)
		}
	})
}

// TestBreakerIgnoresThrottles: a provider that throttles answers, and is
// up. Slowing down is the limiter's job; an open breaker would pause the
// account for BreakerTimeout each time a run of answers is throttled.
func TestBreakerIgnoresThrottles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{MaxAttempts: 1, BreakerFailures: 2}, nil)
		for range 10 {
			if err := g.Do(t.Context(), "ep", (&script{errs: []error{errThrottled}}).attempt); !errors.Is(err, providers.ErrThrottled) {
				t.Fatalf("Do() = %v, want ErrThrottled", err)
			}
		}
		if st := g.States()["ep"]; st != gobreaker.StateClosed {
			t.Errorf("States()[ep] after 10 throttles = %v, want closed", st)
		}
	})
}

func TestLimiterSlowsInProportionToThrottling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := providers.GuardConfig{QPS: 100, MinQPS: 25, RecoverAfter: 10 * time.Second, MaxAttempts: 1, BreakerFailures: 1000}
		g := providers.NewGuard("acct", cfg, nil)
		// second answers ten calls a tenth of a second apart, the first
		// throttled of them throttled. The first answer starts the first
		// sample; every sample ends with the first answer a second or more
		// after it started.
		answer := func(err error) { g.Do(t.Context(), "ep", func(context.Context) error { return err }) }
		second := func(throttled int) {
			for i := range 10 {
				time.Sleep(100 * time.Millisecond)
				if i < throttled {
					answer(errThrottled)
				} else {
					answer(nil)
				}
			}
		}
		check := func(when string, want float64) {
			t.Helper()
			if got := g.Rate(); got < want-0.01 || got > want+0.01 {
				t.Errorf("Rate() %s = %.2f, want %.2f", when, got, want)
			}
		}
		check("at start", 100)
		answer(errThrottled)
		check("within the first sample", 100)
		second(0)
		check("after 1 throttled answer of 11", 100*(1-1.0/22))
		second(10)
		// 95.45 recovered to 100 within the second, then halved.
		check("after a second of throttled answers", 50)
		second(10)
		check("after another", 30) // (50 + 1s of recovery) / 2
		second(10)
		check("never below the floor", 25) // (30+10)/2 = 20 < 25
		time.Sleep(5 * time.Second)
		check("half recovered", 75)
		time.Sleep(5 * time.Second)
		check("recovered", 100)
	})
}

// TestLimiterCountsFromTheAnswer has attempts take 300ms: the provider may
// see a request anywhere in that time, so no more than QPS requests may
// start within any 1.3 seconds.
func TestLimiterCountsFromTheAnswer(t *testing.T) {
	const qps, latency = 10, 300 * time.Millisecond
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{QPS: qps}, nil)
		s := &script{}
		attempt := func(ctx context.Context) error {
			err := s.attempt(ctx)
			time.Sleep(latency)
			return err
		}
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() { g.Do(t.Context(), "ep", attempt) })
		}
		wg.Wait()
		if n, at := maxInWindow(s.calls, time.Second+latency); n > qps {
			t.Errorf("%d attempts started in the %v from %v, want <= %d", n, time.Second+latency, at, qps)
		}
	})
}

// TestLimiterBurstNeverExceedsQPS fires 1,000 concurrent calls and counts
// the attempts in every one-second window.
func TestLimiterBurstNeverExceedsQPS(t *testing.T) {
	const qps = 100
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{QPS: qps}, nil)
		s := &script{}
		var wg sync.WaitGroup
		for range 1000 {
			wg.Go(func() { g.Do(t.Context(), "ep", s.attempt) })
		}
		wg.Wait()
		if s.count() != 1000 {
			t.Fatalf("%d attempts, want 1000", s.count())
		}
		if n, at := maxInWindow(s.calls, time.Second); n > qps {
			t.Errorf("%d attempts in the second from %v, want <= %d", n, at, qps)
		}
	})
}

// maxInWindow returns the most times within any window of length w and
// where that window starts. times must be sorted.
func maxInWindow(times []time.Time, w time.Duration) (int, time.Time) {
	best, at, lo := 0, time.Time{}, 0
	for hi := range times {
		for times[hi].Sub(times[lo]) >= w {
			lo++
		}
		if n := hi - lo + 1; n > best {
			best, at = n, times[lo]
		}
	}
	return best, at
}

func TestGuardConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  providers.GuardConfig
		ok   bool
	}{
		{"zero", providers.GuardConfig{}, true},
		{"set", providers.GuardConfig{QPS: 50, MinQPS: 5, MaxAttempts: 3}, true},
		{"negative qps", providers.GuardConfig{QPS: -1}, false},
		{"negative timeout", providers.GuardConfig{AttemptTimeout: -time.Second}, false},
		{"floor above rate", providers.GuardConfig{QPS: 10, MinQPS: 20}, false},
	}
	for _, tt := range tests {
		if err := tt.cfg.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// TestHugeQPSDoesNotLimit: a qps too large for the send window's count
// must not wrap around to a tiny window.
func TestHugeQPSDoesNotLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := providers.NewGuard("acct", providers.GuardConfig{QPS: 1e30}, nil)
		s := &script{}
		start := time.Now()
		for range 100 {
			g.Do(t.Context(), "ep", s.attempt)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("100 calls at qps 1e30 took %v, want 0", d)
		}
	})
}
