package providers

import (
	"errors"
	"fmt"
	"time"
)

// GuardConfig tunes a Guard. Zero values mean the documented defaults.
type GuardConfig struct {
	// QPS is the account's quota: set it to the provider's limit. The
	// provider never sees more than QPS requests (rounded down, at least 1)
	// within any one second, whatever the scheduler and the network do:
	// a request starts only while fewer than QPS others are in flight or
	// were answered less than a second ago. That margin costs a round
	// trip per second, so the rate achieved is at most
	// QPS × 1s / (1s + latency). Default 100, the providers' documented
	// per-account (Volcengine) and per-app (Yunxin) limit.
	QPS float64
	// Burst is the token bucket size. Default 1 (no bursts above QPS).
	Burst int
	// MinQPS is the floor the rate never drops below when the provider
	// throttles. Each second of answers of which a share s was throttled
	// cuts the rate by s/2. Default 1.
	MinQPS float64
	// RecoverAfter is how long the rate takes to climb back linearly from
	// zero to QPS after throttling; from half of QPS it takes half as long.
	// Default 30s.
	RecoverAfter time.Duration

	// MaxAttempts bounds the tries of one call, first included. Default 4.
	MaxAttempts int
	// MaxElapsed bounds the time spent on one call across retries: no retry
	// starts whose wait would end after it. Default 30s.
	MaxElapsed time.Duration
	// AttemptTimeout bounds one HTTP attempt. Default 10s.
	AttemptTimeout time.Duration
	// InitialInterval is the first wait after a transient failure; later
	// waits grow exponentially, with ±50% jitter. Default 100ms.
	InitialInterval time.Duration
	// ThrottleInterval is the first wait after a throttled failure.
	// Default 1s. A longer Retry-After wins.
	ThrottleInterval time.Duration
	// MaxInterval caps one wait (except a longer Retry-After). Default 10s.
	MaxInterval time.Duration

	// BreakerFailures is how many consecutive failures of an endpoint open
	// its breaker. Default 5.
	BreakerFailures int
	// BreakerTimeout is how long a breaker stays open before it lets a
	// probe through (half-open). Default 30s.
	BreakerTimeout time.Duration
	// BreakerProbes is how many calls a half-open breaker lets through at
	// once; that many successes close it. Default 1.
	BreakerProbes int

	// Observer, if not nil, is told about attempts, retries, breaker and
	// rate changes, e.g. to export metrics (see Metrics).
	Observer Observer
}

// Defaults.
const (
	DefaultQPS              = 100
	DefaultMaxAttempts      = 4
	DefaultMaxElapsed       = 30 * time.Second
	DefaultAttemptTimeout   = 10 * time.Second
	DefaultInitialInterval  = 100 * time.Millisecond
	DefaultThrottleInterval = time.Second
	DefaultMaxInterval      = 10 * time.Second
	DefaultBreakerFailures  = 5
	DefaultBreakerTimeout   = 30 * time.Second
	DefaultRecoverAfter     = 30 * time.Second
)

// Validate reports fields that are negative or contradict each other.
func (c GuardConfig) Validate() error {
	var errs []error
	neg := func(name string, bad bool) {
		if bad {
			errs = append(errs, fmt.Errorf("%s must not be negative", name))
		}
	}
	neg("qps", c.QPS < 0)
	neg("burst", c.Burst < 0)
	neg("min qps", c.MinQPS < 0)
	neg("recover after", c.RecoverAfter < 0)
	neg("max attempts", c.MaxAttempts < 0)
	neg("max elapsed", c.MaxElapsed < 0)
	neg("attempt timeout", c.AttemptTimeout < 0)
	neg("initial interval", c.InitialInterval < 0)
	neg("throttle interval", c.ThrottleInterval < 0)
	neg("max interval", c.MaxInterval < 0)
	neg("breaker failures", c.BreakerFailures < 0)
	neg("breaker timeout", c.BreakerTimeout < 0)
	neg("breaker probes", c.BreakerProbes < 0)
	if qps := c.withDefaults().QPS; c.MinQPS > qps {
		errs = append(errs, fmt.Errorf("min qps %g above qps %g", c.MinQPS, qps))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("guard config: %w", err)
	}
	return nil
}

// withDefaults replaces zero and negative fields by their defaults.
func (c GuardConfig) withDefaults() GuardConfig {
	def(&c.QPS, DefaultQPS)
	def(&c.Burst, 1)
	def(&c.MinQPS, 1)
	c.MinQPS = min(c.MinQPS, c.QPS)
	def(&c.RecoverAfter, DefaultRecoverAfter)
	def(&c.MaxAttempts, DefaultMaxAttempts)
	def(&c.MaxElapsed, DefaultMaxElapsed)
	def(&c.AttemptTimeout, DefaultAttemptTimeout)
	def(&c.InitialInterval, DefaultInitialInterval)
	def(&c.ThrottleInterval, DefaultThrottleInterval)
	def(&c.MaxInterval, DefaultMaxInterval)
	def(&c.BreakerFailures, DefaultBreakerFailures)
	def(&c.BreakerTimeout, DefaultBreakerTimeout)
	def(&c.BreakerProbes, 1)
	return c
}

func def[T int | float64 | time.Duration](p *T, v T) {
	if *p <= 0 {
		*p = v
	}
}
