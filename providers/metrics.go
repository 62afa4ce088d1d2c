package providers

import (
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/chatlake/chatlake/schemas"
)

// Metrics is an Observer that exports what Guards do as Prometheus metrics.
// One Metrics serves any number of Guards; accounts are a label (a
// configured name, never a credential). It is safe for concurrent use.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	retries  *prometheus.CounterVec
	breaker  *prometheus.GaugeVec
	rate     *prometheus.GaugeVec
}

// NewMetrics registers chatlake_provider_* metrics on reg. It fails if reg
// already holds them.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatlake_provider_requests_total",
			Help: "Provider call attempts by account, endpoint, outcome (ok, canceled or error class) and HTTP status (0 when none).",
		}, []string{"account", "endpoint", "outcome", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "chatlake_provider_request_duration_seconds",
			Help:    "Duration of provider call attempts.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 10),
		}, []string{"account", "endpoint"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chatlake_provider_retries_total",
			Help: "Retries of provider calls by the class of the error retried.",
		}, []string{"account", "endpoint", "class"}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "chatlake_provider_breaker_state",
			Help: "Circuit breaker state per account and endpoint: 0 closed, 1 half-open, 2 open.",
		}, []string{"account", "endpoint"}),
		rate: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "chatlake_provider_rate_limit_qps",
			Help: "Client-side request rate currently allowed per account; below the configured rate while recovering from throttling.",
		}, []string{"account"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.retries, m.breaker, m.rate} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("provider metrics: %w", err)
		}
	}
	return m, nil
}

// AttemptDone implements Observer.
func (m *Metrics) AttemptDone(a Attempt) {
	m.requests.WithLabelValues(a.Account, a.Endpoint, a.Outcome, strconv.Itoa(a.HTTPStatus)).Inc()
	m.duration.WithLabelValues(a.Account, a.Endpoint).Observe(a.Duration.Seconds())
}

// Retried implements Observer.
func (m *Metrics) Retried(account, endpoint string, class schemas.ErrorClass, _ time.Duration) {
	m.retries.WithLabelValues(account, endpoint, string(class)).Inc()
}

// BreakerChanged implements Observer.
func (m *Metrics) BreakerChanged(account, endpoint string, to gobreaker.State) {
	m.breaker.WithLabelValues(account, endpoint).Set(float64(to))
}

// RateChanged implements Observer.
func (m *Metrics) RateChanged(account string, qps float64) {
	m.rate.WithLabelValues(account).Set(qps)
}
