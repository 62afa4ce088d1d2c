package providers_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
)

// quotaServer stands in for a provider with a quota: it caps arrivals with
// the simulators' strict sliding one-second window, throttles at random on
// top, and records every arrival.
type quotaServer struct {
	*httptest.Server
	cap *simulator.QPSCap
	inj *simulator.Injector

	mu       sync.Mutex
	arrivals []time.Time
}

func newQuotaServer(tb testing.TB, quota int, throttle float64) *quotaServer {
	tb.Helper()
	s := &quotaServer{
		cap: simulator.NewQPSCap(quota, nil),
		inj: simulator.NewInjector(simulator.Rates{Throttle: throttle}, 8),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *quotaServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.arrivals = append(s.arrivals, time.Now())
	s.mu.Unlock()
	if !s.cap.Admit("acct") || s.inj.Next() == simulator.FaultThrottle {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	io.WriteString(w, "{}")
}

// call is one attempt against the server, classed as the provider clients
// class a 429.
func (s *quotaServer) call(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return err
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode == http.StatusTooManyRequests {
		return errThrottled
	}
	return nil
}

func (s *quotaServer) arrived() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]time.Time(nil), s.arrivals...)
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// loadCPU keeps every core busy with spinning goroutines until the test
// ends or d passes, whichever comes first: late wake-ups are what push a
// limiter over the quota.
func loadCPU(tb testing.TB, d time.Duration) {
	tb.Helper()
	stop := make(chan struct{})
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for n := 0; ; n++ {
				if n%1024 == 0 {
					select {
					case <-stop:
						return
					default:
					}
					if time.Now().After(deadline) {
						return
					}
				}
			}
		})
	}
	tb.Cleanup(func() { close(stop); wg.Wait() })
}

// TestGuardKeepsQuotaOnTheWire runs an account at exactly the provider's
// quota from many goroutines on a loaded CPU, and counts requests in every
// one-second window, both as they leave the client and as they reach the
// server.
func TestGuardKeepsQuotaOnTheWire(t *testing.T) {
	const quota, calls, callers = 100, 350, 40
	s := newQuotaServer(t, quota, 0)
	g := providers.NewGuard("acct", providers.GuardConfig{QPS: quota}, nil)
	loadCPU(t, 10*time.Second)

	var mu sync.Mutex
	var sent []time.Time
	attempt := func(ctx context.Context) error {
		mu.Lock()
		sent = append(sent, time.Now())
		mu.Unlock()
		return s.call(ctx)
	}
	var left atomic.Int64
	left.Store(calls)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := g.Do(t.Context(), "ep", attempt); err != nil {
					t.Errorf("Do() = %v", err)
					return
				}
			}
		})
	}
	wg.Wait()

	sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
	if n, at := maxInWindow(sent, time.Second); n > quota {
		t.Errorf("%d requests sent in the second from %v, want <= %d", n, at.Sub(sent[0]), quota)
	}
	arr := s.arrived()
	if n, at := maxInWindow(arr, time.Second); n > quota {
		t.Errorf("%d requests arrived in the second from %v, want <= %d", n, at.Sub(arr[0]), quota)
	}
	if v := s.cap.Violations(); v != 0 {
		t.Errorf("simulator cap counted %d requests over %d QPS, want 0", v, quota)
	}
}

// run calls g.Do from callers goroutines for d (of synctest's fake time)
// with attempts that take latency, and returns the successful calls.
func run(t *testing.T, g *providers.Guard, callers int, d, latency time.Duration, attempt func() error) int {
	t.Helper()
	var ok atomic.Int64
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for time.Now().Before(stop) {
				err := g.Do(t.Context(), "ep", func(context.Context) error {
					time.Sleep(latency)
					return attempt()
				})
				if err != nil {
					time.Sleep(time.Second) // as the producer's delayed redelivery would
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	return int(ok.Load())
}

// TestRandomThrottlingKeepsRate throttles 5% of answers at random, as
// providers do now and then even below the quota: the account must keep
// most of its rate.
func TestRandomThrottlingKeepsRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const quota = 100
		g := providers.NewGuard("acct", providers.GuardConfig{QPS: quota}, nil)
		rng := rand.New(rand.NewPCG(1, 2))
		var mu sync.Mutex
		throttle := func() error {
			mu.Lock()
			defer mu.Unlock()
			if rng.Float64() < 0.05 {
				return errThrottled
			}
			return nil
		}
		const d = 120 * time.Second
		ok := run(t, g, 20, d, 20*time.Millisecond, throttle)
		got := float64(ok) / d.Seconds() / quota
		t.Logf("under 5%% random throttling: %.1f%% of the quota, rate %.1f at the end", 100*got, g.Rate())
		if got < 0.85 {
			t.Errorf("successful calls at %.1f%% of the quota, want >= 85%% (95%% less the throttled)", 100*got)
		}
	})
}

// TestPersistentThrottlingSlowsDown configures an account at twice what
// the provider allows: the guard must come down close to the real quota,
// so that most answers are not throttled.
func TestPersistentThrottlingSlowsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const configured, real = 100, 50
		g := providers.NewGuard("acct", providers.GuardConfig{QPS: configured}, nil)
		capped := simulator.NewQPSCap(real, nil) // time.Now is the bubble's clock
		var mu sync.Mutex
		var answers, throttles int
		attempt := func() error {
			mu.Lock()
			defer mu.Unlock()
			answers++
			if !capped.Admit("acct") {
				throttles++
				return errThrottled
			}
			return nil
		}
		run(t, g, 20, 10*time.Second, 20*time.Millisecond, attempt) // settle
		mu.Lock()
		answers, throttles = 0, 0
		mu.Unlock()
		const d = 60 * time.Second
		ok := run(t, g, 20, d, 20*time.Millisecond, attempt)
		sent := float64(answers) / d.Seconds()
		share := float64(throttles) / float64(answers)
		t.Logf("configured %d QPS, provider allows %d: sent %.1f/s, %.1f%% throttled, %.1f/s ok, rate %.1f at the end",
			configured, real, sent, 100*share, float64(ok)/d.Seconds(), g.Rate())
		if sent > 1.3*real || share > 0.2 {
			t.Errorf("sent %.1f requests/s with %.1f%% throttled, want <= %.0f/s and <= 20%%", sent, 100*share, 1.3*real)
		}
		if float64(ok)/d.Seconds() < 0.8*real {
			t.Errorf("%.1f successful calls/s, want >= %.0f (80%% of what the provider allows)", float64(ok)/d.Seconds(), 0.8*real)
		}
	})
}
