package stack

import (
	"cmp"
	"context"
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
	kv, err := quota.EnsureBucket(ctx, js, quota.DefaultTTL)
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
