package providers

import (
	"context"
	"log/slog"
	"time"
)

// GuardConfig tunes a Guard. Zero values mean the documented defaults.
type GuardConfig struct {
	// QPS is the account's client-side request rate. Default 100.
	QPS float64
	// Burst is the token bucket size. Default 1 (no bursts above QPS).
	Burst int
	// MaxAttempts bounds the tries of one call, first included. Default 4.
	MaxAttempts int
	// MaxElapsed bounds the time spent on one call across retries. Default 30s.
	MaxElapsed time.Duration
	// AttemptTimeout bounds one HTTP attempt. Default 10s.
	AttemptTimeout time.Duration
}

// Guard runs calls to one provider account through its rate limiter,
// the circuit breaker of the endpoint, and retries. It is safe for
// concurrent use.
//
// SKELETON: to be completed (limiter, breaker, retries).
type Guard struct {
	account string
	cfg     GuardConfig
	log     *slog.Logger
}

// NewGuard returns a Guard for the named account.
func NewGuard(account string, cfg GuardConfig, log *slog.Logger) *Guard {
	if cfg.AttemptTimeout == 0 {
		cfg.AttemptTimeout = 10 * time.Second
	}
	return &Guard{account: account, cfg: cfg, log: log}
}

// Do calls attempt until it succeeds, fails permanently, or retries run out.
// Each attempt gets its own timeout. Errors of attempt should be *Error so
// they can be classified; any other error counts as transient.
func (g *Guard) Do(ctx context.Context, endpoint string, attempt func(ctx context.Context) error) error {
	actx, cancel := context.WithTimeout(ctx, g.cfg.AttemptTimeout)
	defer cancel()
	return attempt(actx)
}
