package producer

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/schemas"
)

// backlogEvery is how often a producer above MaxBacklog looks again, and
// how long a look below it stands for the pulls that follow.
const backlogEvery = 250 * time.Millisecond

// backlog returns the events the exporters have not been delivered yet:
// the pending count of every part's exporter consumer. A part whose
// consumer does not exist yet (no exporter ever ran for it) counts 0.
func (p *Producer) backlog(ctx context.Context) (uint64, error) {
	var n uint64
	parts := max(p.cfg.Partitions, 1)
	for i := range parts {
		c, err := p.js.Consumer(ctx, schemas.StreamConversations, schemas.ExporterConsumer(i, parts))
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		n += c.CachedInfo().NumPending
	}
	return n, nil
}

// waitBacklog holds the pull loop while more than MaxBacklog events wait
// for the exporters: jobs running go on, new ones wait in the jobs
// stream, so a producer faster than the exporter cannot fill the store.
// It returns false when ctx ends. With MaxBacklog 0, or when the backlog
// cannot be read (logged), it never holds.
func (p *Producer) waitBacklog(ctx context.Context) bool {
	if p.cfg.MaxBacklog <= 0 || p.now().Before(p.backlogOKUntil) {
		return true
	}
	held := false
	for {
		n, err := p.backlog(ctx)
		if err != nil && ctx.Err() == nil {
			p.log.Warn("backlog unknown, not held", "err", err)
		}
		if err != nil || n <= uint64(p.cfg.MaxBacklog) {
			if held {
				p.log.Info("producer resumed", "backlog", n, "max_backlog", p.cfg.MaxBacklog)
				p.metrics.held.Set(0)
			}
			p.backlogOKUntil = p.now().Add(backlogEvery)
			return ctx.Err() == nil
		}
		if !held {
			held = true
			p.log.Info("producer held: the exporter is behind", "backlog", n, "max_backlog", p.cfg.MaxBacklog)
			p.metrics.held.Set(1)
		}
		select {
		case <-ctx.Done():
			p.metrics.held.Set(0)
			return false
		case <-time.After(backlogEvery):
		}
	}
}
