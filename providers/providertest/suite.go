package providertest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/sony/gobreaker/v2"

	"github.com/chatlake/chatlake/providers"
	"github.com/chatlake/chatlake/providers/simulator"
)

// quick is the Guard of most tests: no rate limit to speak of, short
// waits, a breaker that stays out of the way.
var quick = providers.GuardConfig{
	QPS:              1000,
	Burst:            10,
	MaxAttempts:      4,
	InitialInterval:  5 * time.Millisecond,
	ThrottleInterval: 20 * time.Millisecond,
	MaxInterval:      100 * time.Millisecond,
	AttemptTimeout:   5 * time.Second,
	BreakerFailures:  100,
}

// Run runs the conformance suite against the client of h. The QPS test
// runs first, alone; the others then run in parallel, each with its own
// simulator.
func Run(t *testing.T, h Harness) {
	t.Run("BurstNeverExceedsQPS", func(t *testing.T) { testBurst(t, h) })
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"FaultClasses", testFaultClasses},
		{"ThrottleHonoursRetryAfter", testRetryAfter},
		{"ThrottleSlowsRateLimit", testThrottleSlows},
		{"AttemptTimeout", testAttemptTimeout},
		{"BreakerOpensHalfOpensCloses", testBreaker},
		{"CancellationStopsRetries", testCancel},
		{"PagingExactlyOnce", testPaging},
		{"PagingUnderFaultsExactlyOnce", testPagingUnderFaults},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, h)
		})
	}
}

func start(t *testing.T, h Harness, opts Options) *Sim {
	t.Helper()
	if opts.SimQPS == 0 {
		opts.SimQPS = -1
	}
	if opts.Guard == (providers.GuardConfig{}) {
		opts.Guard = quick
	}
	return h.Start(t, opts)
}

// fetchFirst fetches the first page of a one-conversation user.
func fetchFirst(ctx context.Context, s *Sim) error {
	_, err := s.Fetcher.FetchPage(ctx, s.Job(simulator.UserOne), "")
	return err
}

func testFaultClasses(t *testing.T, h Harness) {
	tests := []struct {
		name         string
		fault        simulator.Fault
		n            int
		maxAttempts  int
		wantErr      error // class sentinel, nil for success
		wantRequests int
	}{
		{"server error retried", simulator.FaultServerError, 2, 4, nil, 3},
		{"unavailable retried", simulator.FaultUnavailable, 1, 4, nil, 2},
		{"server error until attempts run out", simulator.FaultServerError, 5, 3, providers.ErrTransient, 3},
		{"auth not retried", simulator.FaultAuth, 1, 4, providers.ErrPermanent, 1},
		{"throttle retried", simulator.FaultThrottle, 1, 4, nil, 2},
		{"throttle until attempts run out", simulator.FaultThrottle, 5, 3, providers.ErrThrottled, 3},
		{"malformed body retried", simulator.FaultMalformed, 1, 4, nil, 2},
		{"malformed body is transient", simulator.FaultMalformed, 1, 1, providers.ErrTransient, 1},
		{"dropped connection retried", simulator.FaultDrop, 1, 4, nil, 2},
		{"dropped connection is transient", simulator.FaultDrop, 1, 1, providers.ErrTransient, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := quick
			cfg.MaxAttempts = tt.maxAttempts
			s := start(t, h, Options{Guard: cfg})
			s.Inject(tt.fault, tt.n)
			err := fetchFirst(t.Context(), s)
			if tt.wantErr == nil && err != nil || !errors.Is(err, tt.wantErr) {
				t.Errorf("FetchPage() after %d %v = %v, want %v", tt.n, tt.fault, err, tt.wantErr)
			}
			if got := s.Requests(); got != tt.wantRequests {
				t.Errorf("FetchPage() after %d %v sent %d requests, want %d", tt.n, tt.fault, got, tt.wantRequests)
			}
		})
	}
}

func testRetryAfter(t *testing.T, h Harness) {
	// The simulator sends whole seconds: 1s is the shortest Retry-After.
	const retryAfter = time.Second
	s := start(t, h, Options{Rates: simulator.Rates{RetryAfter: retryAfter}})
	s.Inject(simulator.FaultThrottle, 1)
	begin := time.Now()
	if err := fetchFirst(t.Context(), s); err != nil {
		t.Fatalf("FetchPage() after a throttle = %v, want nil", err)
	}
	if d := time.Since(begin); d < retryAfter {
		t.Errorf("FetchPage() retried after %v, want >= Retry-After %v", d, retryAfter)
	}
	if got := s.Requests(); got != 2 {
		t.Errorf("FetchPage() sent %d requests, want 2", got)
	}
}

func testThrottleSlows(t *testing.T, h Harness) {
	s := start(t, h, Options{})
	s.Inject(simulator.FaultThrottle, 1)
	if err := fetchFirst(t.Context(), s); err != nil {
		t.Fatalf("FetchPage() after a throttle = %v, want nil", err)
	}
	// The limiter judges a second of answers at a time: the first answer
	// after that second ends the sample with the throttle in it.
	time.Sleep(time.Second)
	if err := fetchFirst(t.Context(), s); err != nil {
		t.Fatalf("FetchPage() a second later = %v, want nil", err)
	}
	if got := s.Guard.Rate(); got >= quick.QPS {
		t.Errorf("Guard.Rate() after a throttle = %g, want below %g", got, quick.QPS)
	}
}

func testAttemptTimeout(t *testing.T, h Harness) {
	cfg := quick
	cfg.AttemptTimeout = 200 * time.Millisecond
	// Far longer than the test may take: only the attempt timeout gets the
	// second request sent.
	s := start(t, h, Options{Guard: cfg, Rates: simulator.Rates{SlowBy: time.Minute}})
	s.Inject(simulator.FaultSlow, 1)
	begin := time.Now()
	if err := fetchFirst(t.Context(), s); err != nil {
		t.Fatalf("FetchPage() after a slow answer = %v, want nil", err)
	}
	// Generous bound, below the shared client's 10s response-header
	// timeout, which would otherwise cut the slow answer too.
	if d := time.Since(begin); d < cfg.AttemptTimeout || d > 5*time.Second {
		t.Errorf("FetchPage() took %v, want about the attempt timeout %v", d, cfg.AttemptTimeout)
	}
	if got := s.Requests(); got != 2 {
		t.Errorf("FetchPage() sent %d requests, want 2", got)
	}
}

func testBreaker(t *testing.T, h Harness) {
	cfg := quick
	cfg.MaxAttempts, cfg.BreakerFailures, cfg.BreakerTimeout = 1, 3, 300*time.Millisecond
	s := start(t, h, Options{Guard: cfg})
	s.Inject(simulator.FaultServerError, 4)
	for i := range 3 {
		if err := fetchFirst(t.Context(), s); !errors.Is(err, providers.ErrTransient) {
			t.Fatalf("FetchPage() #%d = %v, want ErrTransient", i, err)
		}
	}
	err := fetchFirst(t.Context(), s)
	var open *providers.BreakerOpenError
	if !errors.As(err, &open) || !s.Guard.Open() {
		t.Fatalf("FetchPage() after 3 failures = %v, Guard.Open() = %v; want *BreakerOpenError, true", err, s.Guard.Open())
	}
	if got := s.Requests(); got != 3 {
		t.Errorf("simulator saw %d requests, want 3: an open breaker must not call", got)
	}
	waitFor(t, "breaker half-open", 5*time.Second, func() bool { return allIn(s.Guard, gobreaker.StateHalfOpen) })
	// The probe meets the fourth injected failure: open again.
	if err := fetchFirst(t.Context(), s); !errors.Is(err, providers.ErrTransient) {
		t.Fatalf("FetchPage() probe = %v, want ErrTransient", err)
	}
	if !allIn(s.Guard, gobreaker.StateOpen) {
		t.Fatalf("Guard.States() after a failed probe = %v, want open", s.Guard.States())
	}
	waitFor(t, "breaker half-open again", 5*time.Second, func() bool { return allIn(s.Guard, gobreaker.StateHalfOpen) })
	if err := fetchFirst(t.Context(), s); err != nil {
		t.Fatalf("FetchPage() good probe = %v, want nil", err)
	}
	if !allIn(s.Guard, gobreaker.StateClosed) {
		t.Errorf("Guard.States() after a good probe = %v, want closed", s.Guard.States())
	}
}

func allIn(g *providers.Guard, want gobreaker.State) bool {
	st := g.States()
	for _, s := range st {
		if s != want {
			return false
		}
	}
	return len(st) > 0
}

func testCancel(t *testing.T, h Harness) {
	cfg := quick
	cfg.MaxAttempts, cfg.InitialInterval, cfg.MaxInterval, cfg.MaxElapsed = 10, 10*time.Second, 10*time.Second, time.Minute
	s := start(t, h, Options{Guard: cfg})
	s.Inject(simulator.FaultServerError, 100)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	defer func() { cancel(); <-done }()
	go func() {
		defer close(done)
		waitFor(t, "first request", 5*time.Second, func() bool { return s.Requests() >= 1 || ctx.Err() != nil })
		cancel()
	}()
	begin := time.Now()
	err := fetchFirst(ctx, s)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("FetchPage() canceled while backing off = %v, want context.Canceled", err)
	}
	if d := time.Since(begin); d > 4*time.Second {
		t.Errorf("FetchPage() returned %v after start, want at once after cancel", d)
	}
	if got := s.Requests(); got != 1 {
		t.Errorf("simulator saw %d requests, want 1", got)
	}
}

func testPaging(t *testing.T, h Harness) {
	s := start(t, h, Options{})
	for user := range simulator.SizedUsers {
		t.Run(user, func(t *testing.T) { checkPaging(t, s, user) })
	}
}

// testPagingUnderFaults pages through the biggest user while a third of
// the requests fail in every retryable way.
func testPagingUnderFaults(t *testing.T, h Harness) {
	cfg := quick
	cfg.MaxAttempts = 10
	rates := simulator.Rates{ServerError: 0.1, Throttle: 0.1, Malformed: 0.1, Drop: 0.1}
	s := start(t, h, Options{Guard: cfg, Rates: rates})
	// Each kind at least once, whatever the random draw.
	queued := []simulator.Fault{simulator.FaultDrop, simulator.FaultMalformed, simulator.FaultServerError, simulator.FaultThrottle}
	for _, f := range queued {
		s.Inject(f, 1)
	}
	pages := checkPaging(t, s, simulator.UserMany)
	if r := s.Requests(); r < pages+len(queued) {
		t.Errorf("simulator saw %d requests for %d pages, want at least %d", r, pages, pages+len(queued))
	}
}

// checkPaging pages through user's conversations and compares them with
// what the simulator serves: every conversation exactly once. It returns
// the number of pages.
func checkPaging(t *testing.T, s *Sim, user string) int {
	t.Helper()
	var got []string
	pages := 0
	for p, err := range providers.Pages(t.Context(), s.Fetcher, s.Job(user), "", 1000) {
		if err != nil {
			t.Fatalf("Pages(%s) = %v", user, err)
		}
		pages++
		for _, c := range p.Conversations {
			got = append(got, c.ConversationID)
		}
	}
	want := s.Expected(user)
	if n := simulator.SizedUsers[user]; len(want) != n {
		t.Fatalf("Expected(%s) has %d conversations, want %d", user, len(want), n)
	}
	// Every conversation exactly once, in any order.
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Pages(%s) conversation IDs (-want +got):\n%s", user, diff)
	}
	return pages
}

// testBurst fires concurrent calls at exactly the simulator's cap and has
// the simulator count requests over it, in a strict sliding one-second
// window of arrival times. Scheduling, GC and loopback jitter move arrivals
// by up to hundreds of milliseconds on a loaded CI machine under -race; the
// guard's send window keeps the cap whatever the delays. 1,000 calls at
// 500 QPS take 2 s.
func testBurst(t *testing.T, h Harness) {
	const simQPS, calls = 500, 1000
	cfg := quick
	cfg.QPS, cfg.Burst = simQPS, 1
	s := start(t, h, Options{SimQPS: simQPS, Guard: cfg})
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	for range calls {
		wg.Go(func() { errs <- fetchFirst(t.Context(), s) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("FetchPage() in burst = %v", err)
			break
		}
	}
	if v, r := s.Violations(), s.Requests(); v != 0 || r != calls {
		t.Errorf("burst of %d calls at %g QPS: %d requests, %d over the cap of %d; want %d, 0", calls, cfg.QPS, r, v, simQPS, calls)
	}
}

// waitFor polls cond until it holds or timeout passes, then fails tb.
func waitFor(tb testing.TB, what string, timeout time.Duration, cond func() bool) {
	tb.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			tb.Errorf("no %s within %v", what, timeout)
			return
		}
	}
}
