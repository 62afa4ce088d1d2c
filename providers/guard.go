package providers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/sony/gobreaker/v2"

	"github.com/chatlake/chatlake/schemas"
)

// Guard runs calls to one provider account through the account's rate
// limiter, the circuit breaker of the endpoint, and retries. Make one Guard
// per account and share it between all of the account's apps: Volcengine
// counts its quota per account across AppIds.
//
// A Guard is safe for concurrent use. It holds no goroutines and needs no
// closing.
type Guard struct {
	account  string
	cfg      GuardConfig
	log      *slog.Logger
	obs      Observer
	limiter  *adaptiveLimiter
	breakers *breakers
}

// NewGuard returns a Guard for the named account. The name appears in
// errors, logs and metric labels, so it must not be a credential. Zero or
// negative fields of cfg take their defaults; call cfg.Validate first to
// reject nonsense instead. A nil log discards.
func NewGuard(account string, cfg GuardConfig, log *slog.Logger) *Guard {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("account", account)
	obs := cfg.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	g := &Guard{account: account, cfg: cfg, log: log, obs: obs}
	g.limiter = newAdaptiveLimiter(cfg, func(qps float64) { obs.RateChanged(account, qps) })
	g.breakers = newBreakers(account, cfg, g.breakerChanged, func(endpoint string) {
		obs.BreakerChanged(account, endpoint, gobreaker.StateClosed)
	})
	obs.RateChanged(account, cfg.QPS)
	return g
}

// Account returns the account name the Guard was made for.
func (g *Guard) Account() string { return g.account }

// Do calls attempt until it succeeds, fails permanently, or retries run out
// (MaxAttempts, MaxElapsed). Every attempt first waits for a token of the
// account's rate limiter and runs under its own AttemptTimeout.
//
// attempt's errors should be *Error so they can be classified; any other
// error counts as transient. Do returns:
//   - nil on success;
//   - ctx's error as soon as ctx is done, without further attempts;
//   - a *BreakerOpenError, without calling attempt, while the endpoint's
//     breaker is open;
//   - otherwise the last attempt's error, wrapped.
func (g *Guard) Do(ctx context.Context, endpoint string, attempt func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	br := g.breakers.get(endpoint)
	pol := newRetryPolicy(g.cfg)
	tries := 0
	op := func() error {
		tries++
		err := g.try(ctx, br, endpoint, attempt)
		pol.last = err
		if err != nil && g.final(ctx, err) {
			return backoff.Permanent(err)
		}
		return err
	}
	notify := func(err error, wait time.Duration) {
		g.obs.Retried(g.account, endpoint, schemas.ClassOf(err), wait)
		g.log.Debug("provider call retry", "endpoint", endpoint, "attempt", tries, "wait", wait, "err", err)
	}
	b := backoff.WithContext(backoff.WithMaxRetries(pol, uint64(g.cfg.MaxAttempts-1)), ctx)
	err := backoff.RetryNotify(op, b, notify)
	return g.result(ctx, err, endpoint, tries)
}

// result shapes Do's error: the caller's own cancellation and an open
// breaker come back as they are; anything else says how many attempts it
// took.
func (g *Guard) result(ctx context.Context, err error, endpoint string, tries int) error {
	var open *BreakerOpenError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &open):
		return err
	}
	return fmt.Errorf("%s (attempts %d): %w", endpoint, tries, err)
}

// final reports whether err must not be retried.
func (g *Guard) final(ctx context.Context, err error) bool {
	var canceled *canceledError
	var open *BreakerOpenError
	return ctx.Err() != nil || errors.As(err, &canceled) || errors.As(err, &open) ||
		schemas.ClassOf(err) == schemas.ClassPermanent
}

// try makes one attempt through the breaker and the limiter.
func (g *Guard) try(ctx context.Context, br *breaker, endpoint string, attempt func(context.Context) error) error {
	_, err := br.Execute(func() (struct{}, error) {
		if err := g.limiter.wait(ctx); err != nil {
			return struct{}{}, &canceledError{err}
		}
		actx, cancel := context.WithTimeout(ctx, g.cfg.AttemptTimeout)
		defer cancel()
		start := time.Now()
		err := attempt(actx)
		if err != nil && ctx.Err() != nil {
			// The caller gave up: not the provider's fault.
			err = &canceledError{err}
		}
		var canceled *canceledError
		g.limiter.done(!errors.As(err, &canceled), schemas.ClassOf(err) == schemas.ClassThrottled)
		g.observe(endpoint, err, time.Since(start))
		return struct{}{}, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return &BreakerOpenError{Account: g.account, Endpoint: endpoint}
	}
	return err
}

func (g *Guard) observe(endpoint string, err error, d time.Duration) {
	a := Attempt{Account: g.account, Endpoint: endpoint, Outcome: OutcomeOK, Duration: d}
	var pe *Error
	if errors.As(err, &pe) {
		a.HTTPStatus = pe.HTTPStatus
	}
	var canceled *canceledError
	switch {
	case errors.As(err, &canceled):
		a.Outcome = OutcomeCanceled
	case err != nil:
		a.Outcome = string(schemas.ClassOf(err))
	}
	g.obs.AttemptDone(a)
}

func (g *Guard) breakerChanged(endpoint string, from, to gobreaker.State) {
	g.obs.BreakerChanged(g.account, endpoint, to)
	g.log.Warn("provider circuit breaker", "endpoint", endpoint, "from", from.String(), "to", to.String())
}

// Open reports whether every endpoint breaker the Guard has made is open,
// so that the account is unusable for now. It is false before the first
// call. Readiness checks use it.
func (g *Guard) Open() bool { return g.breakers.allOpen() }

// States returns the state of each endpoint's breaker, by endpoint.
func (g *Guard) States() map[string]gobreaker.State { return g.breakers.states() }

// Rate returns the client-side rate currently allowed, in requests per
// second: QPS, or less while recovering from throttling.
func (g *Guard) Rate() float64 { return g.limiter.rate() }

// SetQPS changes the account's quota as this Guard enforces it, at run
// time: the send window's size and the rate the token bucket climbs back
// to. Zero holds every request back until SetQPS raises it again. Several
// processes that share an account's quota each set their share here.
// Lowering takes effect for new requests at once, but the requests of the
// last second still count in the window.
func (g *Guard) SetQPS(qps float64) { g.limiter.setQPS(max(qps, 0)) }

// Throttled returns how many times the Guard has slowed down because the
// provider throttled its requests, and the throttled share of answers that
// caused the last slow-down. Processes sharing the account pass it on to
// each other's Slow.
func (g *Guard) Throttled() (cuts uint64, share float64) { return g.limiter.throttled() }

// Slow cuts the rate as the Guard does itself when a share (0 to 1) of a
// second's answers was throttled: by share/2, recovering over RecoverAfter.
// It is how another process's throttled answers slow this one down too;
// it does not count in Throttled.
func (g *Guard) Slow(share float64) { g.limiter.slow(share) }

// canceledError marks an attempt that ended because the caller's context
// did: the breaker ignores it and Do does not retry it.
type canceledError struct{ err error }

func (e *canceledError) Error() string { return e.err.Error() }
func (e *canceledError) Unwrap() error { return e.err }
