package providers

import (
	"errors"
	"maps"
	"sync"

	"github.com/sony/gobreaker/v2"

	"github.com/chatlake/chatlake/schemas"
)

type breaker = gobreaker.CircuitBreaker[struct{}]

// breakers holds one circuit breaker per endpoint of an account, made on
// first use.
type breakers struct {
	account  string
	cfg      GuardConfig
	onChange func(endpoint string, from, to gobreaker.State)
	onNew    func(endpoint string)

	mu sync.Mutex
	m  map[string]*breaker
}

func newBreakers(account string, cfg GuardConfig, onChange func(string, gobreaker.State, gobreaker.State), onNew func(string)) *breakers {
	return &breakers{account: account, cfg: cfg, onChange: onChange, onNew: onNew, m: map[string]*breaker{}}
}

func (b *breakers) get(endpoint string) *breaker {
	b.mu.Lock()
	defer b.mu.Unlock()
	br, ok := b.m[endpoint]
	if !ok {
		br = gobreaker.NewCircuitBreaker[struct{}](b.settings(endpoint))
		b.m[endpoint] = br
		b.onNew(endpoint)
	}
	return br
}

func (b *breakers) settings(endpoint string) gobreaker.Settings {
	failures := uint32(b.cfg.BreakerFailures)
	return gobreaker.Settings{
		Name:        b.account + "/" + endpoint,
		MaxRequests: uint32(b.cfg.BreakerProbes),
		Timeout:     b.cfg.BreakerTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		// OnStateChange runs under the breaker's lock: it must not call
		// back into the breaker.
		OnStateChange: func(_ string, from, to gobreaker.State) { b.onChange(endpoint, from, to) },
		// A permanent error is a provider that answered, coherently: healthy.
		IsSuccessful: func(err error) bool { return err == nil || schemas.ClassOf(err) == schemas.ClassPermanent },
		// The caller giving up says nothing about the provider. A throttle
		// says it is up and wants fewer requests, which is the limiter's
		// job: opening the breaker on a run of them would pause the
		// account for Timeout each time.
		IsExcluded: func(err error) bool {
			var c *canceledError
			return errors.As(err, &c) || schemas.ClassOf(err) == schemas.ClassThrottled
		},
	}
}

func (b *breakers) states() map[string]gobreaker.State {
	b.mu.Lock()
	m := maps.Clone(b.m)
	b.mu.Unlock()
	out := make(map[string]gobreaker.State, len(m))
	for ep, br := range m {
		out[ep] = br.State()
	}
	return out
}

func (b *breakers) allOpen() bool {
	s := b.states()
	for _, st := range s {
		if st != gobreaker.StateOpen {
			return false
		}
	}
	return len(s) > 0
}
