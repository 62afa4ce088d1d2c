package providers_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chatlake/chatlake/providers"
)

// metricValue returns the value of the sample of metric name whose labels
// include want, or -1 when there is none.
func metricValue(t testing.TB, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather() = %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if got[k] != v {
					continue metrics
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	return -1
}

func TestMetricsObserveGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		m, err := providers.NewMetrics(reg)
		if err != nil {
			t.Fatalf("NewMetrics() = %v", err)
		}
		// Throttled, then transient twice: the breaker opens (throttles
		// do not count for it).
		cfg := providers.GuardConfig{QPS: 10, MaxAttempts: 3, BreakerFailures: 2, RecoverAfter: time.Hour, Observer: m}
		g := providers.NewGuard("acct", cfg, nil)
		g.Do(t.Context(), "ep", (&script{errs: []error{errThrottled, errTransient, errTransient}}).attempt)
		// An answer a second later ends the limiter's sample for sure: the
		// rate drops by half the throttled share (1 of 2, 3 or 4 answers,
		// depending on the backoff's jitter).
		time.Sleep(time.Second)
		g.Do(t.Context(), "other", (&script{}).attempt)
		if r := g.Rate(); r > 8.76 || r < 7.49 {
			t.Errorf("Rate() = %v, want 7.5, 8.33 or 8.75", r)
		}

		tests := []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"chatlake_provider_requests_total", map[string]string{"endpoint": "ep", "outcome": "throttled", "status": "429"}, 1},
			{"chatlake_provider_requests_total", map[string]string{"endpoint": "ep", "outcome": "transient", "status": "500"}, 2},
			{"chatlake_provider_retries_total", map[string]string{"class": "throttled"}, 1},
			{"chatlake_provider_retries_total", map[string]string{"class": "transient"}, 1},
			{"chatlake_provider_breaker_state", map[string]string{"account": "acct", "endpoint": "ep"}, 2},
			{"chatlake_provider_rate_limit_qps", map[string]string{"account": "acct"}, g.Rate()},
		}
		for _, tt := range tests {
			if got := metricValue(t, reg, tt.name, tt.labels); got < tt.want-0.01 || got > tt.want+0.01 {
				t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
			}
		}
		if got := metricValue(t, reg, "chatlake_provider_breaker_state", map[string]string{"endpoint": "other"}); got != 0 {
			t.Errorf("chatlake_provider_breaker_state{endpoint=other} = %v, want 0 (closed) once used", got)
		}
		if _, err := providers.NewMetrics(reg); err == nil || !strings.Contains(err.Error(), "provider metrics") {
			t.Errorf("NewMetrics(same registry) = %v, want a registration error", err)
		}
	})
}
