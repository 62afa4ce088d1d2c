package quota_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chatlake/chatlake/internal/natstest"
	"github.com/chatlake/chatlake/pipeline/quota"
)

const (
	period = 250 * time.Millisecond
	ttl    = time.Second
	qps    = 100
)

// limiters stands in for the producers' Guards of one account and checks
// that the shares in force never add up to more than the quota.
type limiters struct {
	t      testing.TB
	mu     sync.Mutex
	shares map[string]float64
}

type limiter struct {
	set  *limiters
	name string

	mu    sync.Mutex
	cuts  uint64
	share float64
	slows []float64
}

func (s *limiters) new(name string) *limiter { return &limiter{set: s, name: name} }

func (l *limiter) SetQPS(q float64) {
	s := l.set
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shares[l.name] = q
	sum := 0.0
	for _, v := range s.shares {
		sum += v
	}
	if sum > qps {
		s.t.Errorf("shares %v add up to %v, quota %d", s.shares, sum, qps)
	}
}

func (l *limiter) Throttled() (uint64, float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cuts, l.share
}

func (l *limiter) Slow(share float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.slows = append(l.slows, share)
}

func (l *limiter) throttle(share float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cuts++
	l.share = share
}

func (l *limiter) slowed() []float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]float64(nil), l.slows...)
}

func (s *limiters) get(name string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shares[name]
}

// member runs one producer's Quotas on its own connection until the
// returned stop is called (a clean leave).
func member(t *testing.T, srv *natstest.Server, lim *limiter) (stop func()) {
	t.Helper()
	_, js := srv.Connect(t)
	kv, err := quota.EnsureBucket(t.Context(), js, ttl, 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := quota.New(kv, []quota.Account{{Name: "acct/1", QPS: qps, Limiter: lim}}, quota.Config{Period: period, TTL: ttl, Member: lim.name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	t.Cleanup(stop)
	return stop
}

// waitShares polls until the members' shares are want.
func waitShares(t *testing.T, s *limiters, timeout time.Duration, want map[string]float64) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok := true
		for name, w := range want {
			ok = ok && s.get(name) == w
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			s.mu.Lock()
			defer s.mu.Unlock()
			t.Fatalf("shares %v after %v, want %v", s.shares, timeout, want)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

// TestSharesFollowMembership: alone a member takes the whole quota; a
// second and third split it; a clean leave gives the share back within
// a few periods, and a crashed member's after its lease's TTL. The shares
// in force never add up to more than the quota (limiters.SetQPS checks).
func TestSharesFollowMembership(t *testing.T) {
	srv := natstest.Start(t)
	s := &limiters{t: t, shares: map[string]float64{}}
	a, b, c := s.new("a"), s.new("b"), s.new("c")
	member(t, srv, a)
	waitShares(t, s, 5*period, map[string]float64{"a": 100})
	stopB := member(t, srv, b)
	waitShares(t, s, 5*period, map[string]float64{"a": 50, "b": 50})
	// c's connection dies with its process: no delete, the lease expires.
	ncC, jsC := srv.Connect(t)
	kvC, err := quota.EnsureBucket(t.Context(), jsC, ttl, 1)
	if err != nil {
		t.Fatal(err)
	}
	qc, err := quota.New(kvC, []quota.Account{{Name: "acct/1", QPS: qps, Limiter: c}}, quota.Config{Period: period, TTL: ttl, Member: "c"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	go qc.Run(t.Context())
	waitShares(t, s, 5*period, map[string]float64{"a": 34, "b": 33, "c": 33})
	ncC.Close()
	s.mu.Lock()
	delete(s.shares, "c") // a dead process sends nothing
	s.mu.Unlock()
	waitShares(t, s, ttl+5*period, map[string]float64{"a": 50, "b": 50})

	start := time.Now()
	stopB()
	waitShares(t, s, 5*period, map[string]float64{"a": 100})
	t.Logf("share back %v after a clean leave", time.Since(start).Round(time.Millisecond))
}

// TestThrottlingSlowsEveryone: a member's own throttle cut reaches the
// other member's limiter, once.
func TestThrottlingSlowsEveryone(t *testing.T) {
	srv := natstest.Start(t)
	s := &limiters{t: t, shares: map[string]float64{}}
	a, b := s.new("a"), s.new("b")
	member(t, srv, a)
	member(t, srv, b)
	waitShares(t, s, 5*period, map[string]float64{"a": 50, "b": 50})
	a.throttle(0.4)
	deadline := time.Now().Add(5 * period)
	for len(b.slowed()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	time.Sleep(3 * period) // further renewals must not repeat the cut
	if got := b.slowed(); len(got) != 1 || got[0] != 0.4 {
		t.Errorf("b slowed by %v, want [0.4]", got)
	}
	if got := a.slowed(); len(got) != 0 {
		t.Errorf("a slowed by its own cut: %v", got)
	}
}

// TestNoLeaseNoShare: a member that cannot renew its lease stops sending
// before its lease may have expired for the others.
func TestNoLeaseNoShare(t *testing.T) {
	srv := natstest.Start(t)
	s := &limiters{t: t, shares: map[string]float64{}}
	a := s.new("a")
	member(t, srv, a)
	waitShares(t, s, 5*period, map[string]float64{"a": 100})
	srv.Shutdown()
	waitShares(t, s, ttl, map[string]float64{"a": 0})
}

func TestNewRejects(t *testing.T) {
	srv := natstest.Start(t)
	_, js := srv.Connect(t)
	kv, err := quota.EnsureBucket(t.Context(), js, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	l := (&limiters{t: t, shares: map[string]float64{}}).new("x")
	for _, tc := range []struct {
		name string
		accs []quota.Account
		cfg  quota.Config
	}{
		{"no limiter", []quota.Account{{Name: "a", QPS: 1}}, quota.Config{}},
		{"negative qps", []quota.Account{{Name: "a", QPS: -1, Limiter: l}}, quota.Config{}},
		{"twice", []quota.Account{{Name: "a", QPS: 1, Limiter: l}, {Name: "a", QPS: 2, Limiter: l}}, quota.Config{}},
		{"short ttl", nil, quota.Config{Period: time.Second, TTL: 2 * time.Second}},
		{"member with a dot", nil, quota.Config{Member: "a.b"}},
	} {
		if _, err := quota.New(kv, tc.accs, tc.cfg, nil); err == nil {
			t.Errorf("New(%s) = nil error", tc.name)
		}
	}
}
