package providers

import (
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/chatlake/chatlake/schemas"
)

// retryPolicy is the backoff.BackOff of one Do call. It looks at the last
// attempt's error: throttling backs off on its own, longer schedule, and a
// provider's Retry-After is a lower bound. It stops when the next wait would
// end after MaxElapsed. Attempts are bounded outside, by WithMaxRetries.
type retryPolicy struct {
	transient  *backoff.ExponentialBackOff
	throttled  *backoff.ExponentialBackOff
	maxElapsed time.Duration
	start      time.Time
	last       error // set by Do after each attempt
}

func newRetryPolicy(cfg GuardConfig) *retryPolicy {
	exp := func(initial time.Duration) *backoff.ExponentialBackOff {
		return backoff.NewExponentialBackOff(
			backoff.WithInitialInterval(initial),
			backoff.WithMaxInterval(cfg.MaxInterval),
			backoff.WithMaxElapsedTime(0), // the policy checks elapsed time itself
		)
	}
	return &retryPolicy{
		transient:  exp(cfg.InitialInterval),
		throttled:  exp(cfg.ThrottleInterval),
		maxElapsed: cfg.MaxElapsed,
		start:      time.Now(),
	}
}

// NextBackOff implements backoff.BackOff.
func (p *retryPolicy) NextBackOff() time.Duration {
	d := p.transient.NextBackOff()
	if schemas.ClassOf(p.last) == schemas.ClassThrottled {
		d = p.throttled.NextBackOff()
	}
	var pe *Error
	if errors.As(p.last, &pe) {
		d = max(d, pe.RetryAfter)
	}
	if time.Since(p.start)+d > p.maxElapsed {
		return backoff.Stop
	}
	return d
}

// Reset implements backoff.BackOff.
func (p *retryPolicy) Reset() {
	p.transient.Reset()
	p.throttled.Reset()
	p.start = time.Now()
}
