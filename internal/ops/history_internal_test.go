package ops

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func ptr(v float64) *float64 { return &v }

func TestHistoryKeepsTheNewestInOrder(t *testing.T) {
	h := newHistory(3)
	t0 := time.Unix(1000, 0)
	for i := range 5 {
		h.add(sample{at: t0.Add(time.Duration(i) * time.Second)})
	}
	var got []int64
	for _, s := range h.samples() {
		got = append(got, s.at.Unix())
	}
	if want := []int64{1002, 1003, 1004}; !cmp.Equal(got, want) {
		t.Errorf("samples after 5 adds to a ring of 3 = %v, want %v", got, want)
	}
}

// TestRates: per-second rates between samples, nothing for a step where
// a counter is missing or went down (a restart).
func TestRates(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ss := []sample{
		{at: t0, v: map[string]float64{"published": 0, "requests/a": 10}},
		{at: t0.Add(10 * time.Second), v: map[string]float64{"published": 50, "requests/a": 30, "requests/b": 5}},
		{at: t0.Add(20 * time.Second), v: map[string]float64{"published": 20, "requests/a": 40, "requests/b": 25}},
	}
	got := rates(ss, []string{"published"}, "")
	want := Series{T: []float64{1010, 1020}, Lines: map[string][]*float64{"published": {ptr(5), nil}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rates(published) (-want +got):\n%s", diff)
	}
	got = rates(ss, nil, prefixRequests)
	want = Series{T: []float64{1010, 1020}, Lines: map[string][]*float64{"a": {ptr(2), ptr(1)}, "b": {nil, ptr(2)}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rates(requests/) (-want +got):\n%s", diff)
	}
}

// TestRunSamplesEveryInterval: Run samples at once, then every Interval,
// and the history holds Window of samples.
func TestRunSamplesEveryInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: metricPublished, Help: "h"})
		reg.MustRegister(c)
		p, err := NewPage(reg, PageConfig{Interval: 10 * time.Second, Window: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()
		for range 10 {
			synctest.Wait()
			c.Add(100)
			time.Sleep(10 * time.Second)
		}
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		st := p.status(t.Context())
		// 7 samples (a minute, t=40s..100s), and the request's at t=100s
		// too, which adds no step: 6 rates.
		if n := len(st.Throughput.T); n != 6 {
			t.Errorf("throughput has %d points, want 6", n)
		}
		for i, r := range st.Throughput.Lines["published"] {
			if r == nil || *r != 10 {
				t.Errorf("published rate %d = %v, want 10/s", i, r)
			}
		}
	})
}

// TestCachedCallsAtMostOncePerMaxAge: open pages do not multiply the
// reads of NATS.
func TestCachedCallsAtMostOncePerMaxAge(t *testing.T) {
	calls := 0
	c := cached[int]{fn: func(context.Context) (int, error) { calls++; return calls, nil }}
	t0 := time.Unix(1000, 0)
	for _, tt := range []struct {
		after time.Duration
		want  int
	}{{0, 1}, {time.Second, 1}, {4 * time.Second, 1}, {5 * time.Second, 2}, {6 * time.Second, 2}} {
		if got, _ := c.get(t.Context(), t0.Add(tt.after), 5*time.Second); got != tt.want {
			t.Errorf("get after %v = %d, want %d", tt.after, got, tt.want)
		}
	}
}

func TestTopReasonsSumsTheRest(t *testing.T) {
	var in []DeadLetterCount
	for i := range maxReasons + 5 {
		in = append(in, DeadLetterCount{Reason: string(rune('a' + i)), Count: int64(i + 1)})
	}
	out := topReasons(in)
	if len(out) != maxReasons+1 || out[0].Count != maxReasons+5 || out[maxReasons].Count != 1+2+3+4+5 {
		t.Errorf("topReasons(%d counts) = %d counts, first %v, last %v", len(in), len(out), out[0], out[len(out)-1])
	}
}
