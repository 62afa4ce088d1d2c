package retention

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/chatlake/chatlake/pipeline"
	"github.com/chatlake/chatlake/pipeline/exporter"
	"github.com/chatlake/chatlake/schemas"
)

// Config tunes a Purger. Zero values mean the documented defaults.
type Config struct {
	// Keep is how long an event stays in the stream after the exporter
	// committed it. Set it to the stream's duplicate window. Default 2h,
	// the duplicate window's default.
	Keep time.Duration
	// Every is how often the commit record is read. Default 1s.
	Every time.Duration
}

// Purger deletes exported events from the conversations stream (see the
// package documentation). Run it next to the exporter. Run may be called
// once.
type Purger struct {
	js     jetstream.JetStream
	log    *slog.Logger
	cfg    Config
	seen   []mark // committed sequences, oldest first, not yet Keep old
	floor  uint64 // committed Keep ago: may be deleted as far as consumers allow
	purged uint64 // everything up to it is deleted
}

// mark is a committed sequence and when this Purger first saw it; an event
// is published before it is committed, so it is at least this old.
type mark struct {
	at  time.Time
	seq uint64
}

// New returns a Purger working through js. A nil log discards.
func New(js jetstream.JetStream, log *slog.Logger, cfg Config) (*Purger, error) {
	if cfg.Keep < 0 || cfg.Every < 0 {
		return nil, fmt.Errorf("retention: negative duration")
	}
	cfg.Keep = cmp.Or(cfg.Keep, 2*time.Hour)
	cfg.Every = cmp.Or(cfg.Every, time.Second)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Purger{js: js, log: log, cfg: cfg}, nil
}

// Run purges every Config.Every until ctx ends, and returns nil then. A
// failed step is logged and tried again at the next tick: NATS faults
// only delay the purge.
func (p *Purger) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if err := p.step(ctx, now); err != nil && ctx.Err() == nil {
				p.log.Warn("retention purge", "err", err)
			}
		}
	}
}

// step notes the committed sequence at now and purges what may go.
func (p *Purger) step(ctx context.Context, now time.Time) error {
	committed, parts, err := committedFloor(ctx, p.js)
	if err != nil {
		return pipeline.FromNATS(err)
	}
	p.note(now, committed)
	upTo := p.floor
	if upTo <= p.purged {
		return nil
	}
	s, err := p.js.Stream(ctx, schemas.StreamConversations)
	if err != nil {
		return pipeline.FromNATS(fmt.Errorf("stream: %w", err))
	}
	if upTo, err = consumersFloor(ctx, s, upTo); err != nil || upTo <= p.purged {
		return err
	}
	if upTo, err = straysFloor(ctx, s, parts, upTo); err != nil || upTo <= p.purged {
		return err
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSequence(upTo+1)); err != nil {
		return pipeline.FromNATS(fmt.Errorf("purge up to stream_seq %d: %w", upTo, err))
	}
	p.log.Debug("retention purged", "stream_seq", upTo)
	p.purged = upTo
	return nil
}

// committedFloor is the lowest committed sequence of all the parts of the
// conversations stream, and their number: every event up to it is in the
// lake, whichever part it is in. A part that gets no more events holds it
// back, so with several parts the purge may keep more than it must, never
// less.
func committedFloor(ctx context.Context, js jetstream.JetStream) (uint64, int, error) {
	recs, err := exporter.ReadParts(ctx, js)
	if err != nil {
		return 0, 0, err
	}
	floor := recs[0].LastSeq
	for _, r := range recs[1:] {
		floor = min(floor, r.LastSeq)
	}
	return floor, len(recs), nil
}

// straysFloor lowers upTo below the first stray of s, a stream of parts
// parts (see exporter.FirstStray): an event no part takes is not in the
// lake whatever the commits say, and goes only once the exporter has
// dead-lettered it.
func straysFloor(ctx context.Context, s jetstream.Stream, parts int, upTo uint64) (uint64, error) {
	first, err := exporter.FirstStray(ctx, s, parts)
	if err != nil {
		return 0, err
	}
	if first > 0 {
		upTo = min(upTo, first-1)
	}
	return upTo, nil
}

// note records seq as committed at now, and raises floor to the newest
// sequence committed at least Keep ago.
func (p *Purger) note(now time.Time, seq uint64) {
	if seq > p.floor && (len(p.seen) == 0 || seq > p.seen[len(p.seen)-1].seq) {
		p.seen = append(p.seen, mark{at: now, seq: seq})
	}
	for len(p.seen) > 0 && now.Sub(p.seen[0].at) >= p.cfg.Keep {
		p.floor = p.seen[0].seq
		p.seen = p.seen[1:]
	}
}

// consumersFloor lowers upTo to the acknowledged floor of every consumer of
// s: no reader loses an event it has not acknowledged.
func consumersFloor(ctx context.Context, s jetstream.Stream, upTo uint64) (uint64, error) {
	l := s.ListConsumers(ctx)
	for ci := range l.Info() {
		upTo = min(upTo, ci.AckFloor.Stream)
	}
	if err := l.Err(); err != nil {
		return 0, pipeline.FromNATS(fmt.Errorf("list consumers: %w", err))
	}
	return upTo, nil
}
