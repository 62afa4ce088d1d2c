package stack

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/internal/config"
	"github.com/chatlake/chatlake/pipeline/quota"
	"github.com/chatlake/chatlake/providers"
)

// NewQuotas makes this producer a member of the shared quotas of cfg's
// accounts (guards as NewProducer returns them, one per account): every
// producer on the same NATS honours each account's qps together. The
// guards hold their requests back until Run gives them their shares.
func NewQuotas(ctx context.Context, js jetstream.JetStream, cfg *config.Config, guards []*providers.Guard, log *slog.Logger) (*quota.Quotas, error) {
	kv, err := quota.EnsureBucket(ctx, js, quota.DefaultTTL, cfg.Streams.Replicas)
	if err != nil {
		return nil, err
	}
	accounts := make([]quota.Account, len(guards))
	for i, g := range guards {
		qps := cmp.Or(cfg.Accounts[i].QPS, providers.DefaultQPS)
		// A quota is whole requests per second, as the send window counts.
		accounts[i] = quota.Account{Name: g.Account(), QPS: int(min(qps, math.MaxInt32)), Limiter: g}
	}
	q, err := quota.New(kv, accounts, quota.Config{}, log.With("component", "quota"))
	if err != nil {
		return nil, err
	}
	log.Info("provider quotas shared", "member", q.Member())
	return q, nil
}

// WithQuotas returns run with q around it: q runs until run has returned,
// so that the producer keeps its shares while it finishes its running
// jobs, and only then gives them back. If q fails, run's context is
// canceled with q's error.
func WithQuotas(q *quota.Quotas, run func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		qctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		defer stop()
		rctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		qerr := make(chan error, 1)
		go func() {
			err := q.Run(qctx)
			if err != nil {
				cancel(err)
			}
			qerr <- err
		}()
		err := run(rctx)
		stop()
		return errors.Join(err, <-qerr)
	}
}
